// Allocator activation by preload-and-re-exec, and detection of the live allocator.
#include "samsort/core/allocator.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#ifndef SAMSORT_MIMALLOC_PATH
#define SAMSORT_MIMALLOC_PATH "libmimalloc.so.2"
#endif

namespace samsort::allocator {

namespace {
constexpr const char* kReexecGuard = "SAMSORT_ALLOCATOR_REEXEC";

bool wants_system(int argc, char** argv) noexcept {
  for (int idx = 1; idx < argc; ++idx) {
    const char* arg = argv[idx];
    if (std::strcmp(arg, "--") == 0) break;
    if (std::strcmp(arg, "--allocator") == 0 && idx + 1 < argc) {
      return std::strcmp(argv[idx + 1], "system") == 0;
    }
    if (std::strcmp(arg, "--allocator=system") == 0) return true;
  }
  return false;
}
}  // namespace

Live live() noexcept {
  // mimalloc's own entry points are only present when its library is loaded; it then owns
  // malloc because it was preloaded ahead of libc.
  return dlsym(RTLD_DEFAULT, "mi_version") != nullptr ? Live::kMimalloc : Live::kSystem;
}

const char* live_name() noexcept { return live() == Live::kMimalloc ? "mimalloc" : "system"; }

void ensure_requested(int argc, char** argv) {
#if defined(__SANITIZE_ADDRESS__)
  return;  // ASan's allocator must stay in charge (and its runtime first in the library list)
#endif
  if (wants_system(argc, argv) || live() == Live::kMimalloc) return;
  if (std::getenv(kReexecGuard) != nullptr) {
    std::fprintf(stderr, "samsort: warning: cannot preload %s; using the system allocator\n",
                 SAMSORT_MIMALLOC_PATH);
    return;
  }
  std::string preload = SAMSORT_MIMALLOC_PATH;
  if (access(preload.c_str(), R_OK) != 0) preload = "libmimalloc.so.2";
  if (const char* existing = std::getenv("LD_PRELOAD"); existing != nullptr && *existing) {
    preload = preload + ":" + existing;
  }
  setenv("LD_PRELOAD", preload.c_str(), 1);
  setenv(kReexecGuard, "1", 1);
  // MIMALLOC_* options: return freed memory to the OS promptly so RSS follows use.
  setenv("MIMALLOC_PURGE_DELAY", "0", 0);
  setenv("MIMALLOC_RESET_DELAY", "0", 0);
  execv("/proc/self/exe", argv);
  // exec failed (no /proc?): carry on with the system allocator.
  unsetenv("LD_PRELOAD");
  std::fprintf(stderr,
               "samsort: warning: cannot re-execute to load mimalloc; using the system "
               "allocator\n");
}

}  // namespace samsort::allocator
