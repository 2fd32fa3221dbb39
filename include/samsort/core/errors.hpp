// Typed errors that end a run. main() prints one line "samsort: error: <what>" and exits
// with exit_code(): 2 for usage errors, 1 for everything else.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace samsort {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  virtual int exit_code() const noexcept { return 1; }
};

// Bad command line: exit 2.
class UsageError : public Error {
 public:
  using Error::Error;
  int exit_code() const noexcept override { return 2; }
};

// A system call failed on a path: message is "<path>: <what>: <strerror>".
class IoError : public Error {
 public:
  IoError(const std::string& path, const std::string& what, int errno_value);
  int errno_value() const noexcept { return errno_value_; }

 private:
  int errno_value_;
};

// Malformed input: message is "<path>: <what>, at compressed offset N" (and record M).
class FormatError : public Error {
 public:
  FormatError(const std::string& path, const std::string& what, std::uint64_t compressed_offset,
              std::uint64_t record_idx = kNoRecord);
  static constexpr std::uint64_t kNoRecord = ~std::uint64_t{0};
};

// The budget or another resource (file descriptors, disk) cannot serve the job.
class ResourceError : public Error {
 public:
  using Error::Error;
};

}  // namespace samsort
