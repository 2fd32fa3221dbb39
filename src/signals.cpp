// Signal-time cleanup registry: fixed-size, lock-free, async-signal-safe.
#include "samsort/signals.hpp"

#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "samsort/errors.hpp"

namespace samsort::signals {

namespace {

constexpr int kMaxPaths = 16;
constexpr int kSlotFree = 0;
constexpr int kSlotFile = 1;
constexpr int kSlotDirectory = 2;
constexpr int kSlotClaimed = 3;

struct PathSlot {
  std::atomic<int> state{kSlotFree};
  char path[PATH_MAX];
};

PathSlot g_paths[kMaxPaths];

extern "C" void handle_signal(int signal_number) {
  // Files before directories: the output's temporary file, then the (empty) temp directory.
  for (int pass = 0; pass < 2; ++pass) {
    int wanted = pass == 0 ? kSlotFile : kSlotDirectory;
    for (PathSlot& slot : g_paths) {
      if (slot.state.load(std::memory_order_acquire) != wanted) continue;
      if (wanted == kSlotFile) {
        unlink(slot.path);
      } else {
        rmdir(slot.path);
      }
    }
  }
  _exit(128 + signal_number);
}

}  // namespace

void install_cleanup_handlers() {
  struct sigaction action {};
  action.sa_handler = handle_signal;
  sigemptyset(&action.sa_mask);
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) {
    sigaddset(&action.sa_mask, signal_number);
  }
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) {
    sigaction(signal_number, &action, nullptr);
  }
}

int register_path(const std::string& path, PathKind kind) {
  if (path.size() + 1 > PATH_MAX) throw ResourceError(path + ": path too long");
  for (int handle = 0; handle < kMaxPaths; ++handle) {
    int expected = kSlotFree;
    if (g_paths[handle].state.compare_exchange_strong(expected, kSlotClaimed)) {
      std::memcpy(g_paths[handle].path, path.c_str(), path.size() + 1);
      g_paths[handle].state.store(kind == PathKind::kFile ? kSlotFile : kSlotDirectory,
                                  std::memory_order_release);
      return handle;
    }
  }
  throw ResourceError("too many temporary paths registered for cleanup");
}

void unregister_path(int handle) noexcept {
  if (handle >= 0 && handle < kMaxPaths) {
    g_paths[handle].state.store(kSlotFree, std::memory_order_release);
  }
}

}  // namespace samsort::signals
