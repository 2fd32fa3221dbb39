// LD_PRELOAD shim for the fault tests: makes write/pwrite on descriptors whose path matches a
// pattern fail with ENOSPC (or EDQUOT) after a byte limit, slows them down, and drops a marker
// file when the first matching write happens, so a test can send a signal at a known phase.
//
// Environment (all optional; without SAMSORT_SHIM_MATCH the shim does nothing):
//   SAMSORT_SHIM_MATCH        substring of the descriptor's /proc/self/fd link target
//   SAMSORT_SHIM_FAIL_AFTER   matching bytes allowed in total; later writes fail (short first)
//   SAMSORT_SHIM_ERRNO        "EDQUOT" to fail with EDQUOT instead of ENOSPC
//   SAMSORT_SHIM_DELAY_US     sleep before each matching write
//   SAMSORT_SHIM_MARK         file created once SAMSORT_SHIM_MARK_AFTER matching bytes (default 0)
//                             have been written, i.e. at the first matching write
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <ctime>

namespace {

using WriteFn = ssize_t (*)(int, const void*, size_t);
using PwriteFn = ssize_t (*)(int, const void*, size_t, off_t);

struct Settings {
  const char* match = nullptr;
  long long fail_after = -1;
  int error = ENOSPC;
  long delay_us = 0;
  const char* mark = nullptr;
  long long mark_after = 0;
};

Settings load_settings() {
  Settings settings;
  settings.match = getenv("SAMSORT_SHIM_MATCH");
  if (settings.match != nullptr && *settings.match == '\0') settings.match = nullptr;
  if (const char* value = getenv("SAMSORT_SHIM_FAIL_AFTER")) settings.fail_after = atoll(value);
  if (const char* value = getenv("SAMSORT_SHIM_ERRNO"); value && strcmp(value, "EDQUOT") == 0) {
    settings.error = EDQUOT;
  }
  if (const char* value = getenv("SAMSORT_SHIM_DELAY_US")) settings.delay_us = atol(value);
  settings.mark = getenv("SAMSORT_SHIM_MARK");
  if (const char* value = getenv("SAMSORT_SHIM_MARK_AFTER")) settings.mark_after = atoll(value);
  return settings;
}

const Settings& settings() {
  static const Settings kSettings = load_settings();
  return kSettings;
}

std::atomic<long long> g_matching_bytes{0};
std::atomic<bool> g_marked{false};

bool matches(int fd) {
  const char* pattern = settings().match;
  if (pattern == nullptr || fd < 0) return false;
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  char target[PATH_MAX];
  ssize_t length = readlink(link, target, sizeof target - 1);
  if (length < 0) return false;
  target[length] = '\0';
  return strstr(target, pattern) != nullptr;
}

void pause_and_mark() {
  const Settings& config = settings();
  if (config.delay_us > 0) {
    timespec pause{config.delay_us / 1000000, (config.delay_us % 1000000) * 1000};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {
    }
  }
  if (config.mark != nullptr && !g_marked.load() && g_matching_bytes.load() >= config.mark_after &&
      !g_marked.exchange(true)) {
    int fd = open(config.mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) close(fd);
  }
}

// How many of `bytes` a matching write may pass on; -1 with errno set when none.
ssize_t allowed_bytes(size_t bytes) {
  long long limit = settings().fail_after;
  if (limit < 0) return static_cast<ssize_t>(bytes);
  long long used = g_matching_bytes.load();
  if (used >= limit) {
    errno = settings().error;
    return -1;
  }
  return static_cast<ssize_t>(bytes < static_cast<size_t>(limit - used) ? bytes : limit - used);
}

template <class Fn>
Fn next_symbol(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" ssize_t write(int fd, const void* buffer, size_t bytes) {
  static const WriteFn real_write = next_symbol<WriteFn>("write");
  if (!matches(fd)) return real_write(fd, buffer, bytes);
  pause_and_mark();
  ssize_t allowed = allowed_bytes(bytes);
  if (allowed < 0) return -1;
  ssize_t put = real_write(fd, buffer, static_cast<size_t>(allowed));
  if (put > 0) g_matching_bytes += put;
  return put;
}

extern "C" ssize_t pwrite(int fd, const void* buffer, size_t bytes, off_t offset) {
  static const PwriteFn real_pwrite = next_symbol<PwriteFn>("pwrite");
  if (!matches(fd)) return real_pwrite(fd, buffer, bytes, offset);
  pause_and_mark();
  ssize_t allowed = allowed_bytes(bytes);
  if (allowed < 0) return -1;
  ssize_t put = real_pwrite(fd, buffer, static_cast<size_t>(allowed), offset);
  if (put > 0) g_matching_bytes += put;
  return put;
}

extern "C" ssize_t pwrite64(int fd, const void* buffer, size_t bytes, off_t offset) {
  return pwrite(fd, buffer, bytes, offset);
}
