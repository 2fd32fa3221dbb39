// Message formatting for the typed errors.
#include "samsort/core/errors.hpp"

#include <cstring>

namespace samsort {

IoError::IoError(const std::string& path, const std::string& what, int errno_value)
    : Error(path + ": " + what + ": " + std::strerror(errno_value)), errno_value_(errno_value) {}

namespace {
std::string format_message(const std::string& path, const std::string& what,
                           std::uint64_t compressed_offset, std::uint64_t record_idx) {
  std::string message =
      path + ": " + what + ", at compressed offset " + std::to_string(compressed_offset);
  if (record_idx != FormatError::kNoRecord) {
    message += " / record " + std::to_string(record_idx + 1);
  }
  return message;
}
}  // namespace

FormatError::FormatError(const std::string& path, const std::string& what,
                         std::uint64_t compressed_offset, std::uint64_t record_idx)
    : Error(format_message(path, what, compressed_offset, record_idx)) {}

}  // namespace samsort
