// EINTR-safe I/O loops.
#include "samsort/io/file_io.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "samsort/core/errors.hpp"
#include "samsort/merge/temp_dir.hpp"

namespace samsort {

namespace {
// A failed write. A full disk or quota names the directory to clean up and how far the file
// had got, so the user knows how much room the step needs at least; so does the file size
// limit (ulimit -f: EFBIG once SIGXFSZ is ignored). A device (/dev/full) has no directory.
[[noreturn]] void throw_write_error(int fd, const std::string& path, int errno_value,
                                    long long bytes_written) {
  struct stat info {};
  bool regular = fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
  if (errno_value == EFBIG && regular) {
    throw IoError(path,
                  "file size limit (ulimit -f) reached after " + std::to_string(bytes_written) +
                      " bytes written to this file",
                  errno_value);
  }
  if ((errno_value == ENOSPC || errno_value == EDQUOT) && regular) {
    std::string what = errno_value == ENOSPC ? "no space left in " : "disk quota exceeded in ";
    what += directory_of(path);
    if (bytes_written >= 0) {
      what += " after " + std::to_string(bytes_written) + " bytes written to this file";
    }
    throw IoError(path, what, errno_value);
  }
  throw IoError(path, "write failed", errno_value);
}
}  // namespace

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

FileDescriptor::~FileDescriptor() { reset(); }

void FileDescriptor::reset() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void write_fully(int fd, const void* buffer, std::size_t bytes, const std::string& path) {
  const auto* in = static_cast<const char*>(buffer);
  while (bytes > 0) {
    ssize_t put = ::write(fd, in, bytes);
    if (put < 0) {
      if (errno == EINTR) continue;
      int errno_value = errno;
      throw_write_error(fd, path, errno_value, static_cast<long long>(lseek(fd, 0, SEEK_CUR)));
    }
    in += put;
    bytes -= static_cast<std::size_t>(put);
  }
}

long long pread_fully(int fd, void* buffer, std::size_t bytes, std::uint64_t offset) noexcept {
  auto* out = static_cast<char*>(buffer);
  std::size_t done = 0;
  while (done < bytes) {
    ssize_t got = ::pread(fd, out + done, bytes - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return static_cast<long long>(done);
}

void pwrite_fully(int fd, const void* buffer, std::size_t bytes, std::uint64_t offset,
                  const std::string& path) {
  const auto* in = static_cast<const char*>(buffer);
  while (bytes > 0) {
    ssize_t put = ::pwrite(fd, in, bytes, static_cast<off_t>(offset));
    if (put < 0) {
      if (errno == EINTR) continue;
      throw_write_error(fd, path, errno, static_cast<long long>(offset));
    }
    in += put;
    offset += static_cast<std::uint64_t>(put);
    bytes -= static_cast<std::size_t>(put);
  }
}

}  // namespace samsort
