// Thin, EINTR-safe wrappers over read/write/pread/pwrite and an owning file descriptor.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace samsort {

// Owns a file descriptor; closes it on destruction (errors ignored there).
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor();

  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  void reset() noexcept;
  // Gives up ownership without closing.
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

// Writes all bytes; throws IoError naming `path` on failure.
void write_fully(int fd, const void* buffer, std::size_t bytes, const std::string& path);
// Positional variants.
long long pread_fully(int fd, void* buffer, std::size_t bytes, std::uint64_t offset) noexcept;
void pwrite_fully(int fd, const void* buffer, std::size_t bytes, std::uint64_t offset,
                  const std::string& path);

}  // namespace samsort
