// Reopening closed standard descriptors onto /dev/null.
#include "samsort/core/std_streams.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace samsort {

bool ensure_standard_streams_open() noexcept {
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
    if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    // open() returns the lowest free descriptor: `fd` itself, since those below are open.
    int opened = open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY);
    if (opened < 0) return false;
    if (opened != fd) {  // cannot happen given the above, but never leak or misplace one
      dup2(opened, fd);
      close(opened);
    }
  }
  return true;
}

}  // namespace samsort
