// Signal-time cleanup: a registry of paths that grows in fixed blocks, a sigwait thread for
// INT/TERM/HUP that removes them under the registry lock, and an async-signal-safe SIGPIPE
// handler.
#include "samsort/core/signals.hpp"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <thread>

#include "samsort/core/errors.hpp"

namespace samsort::signals {

namespace {

// Slots per block: the first block is static, so a sort with a few -T places never allocates
// here; each further block is allocated when every slot before it is taken.
constexpr int kSlotsPerBlock = 16;
constexpr int kSlotFree = 0;
constexpr int kSlotFile = 1;
constexpr int kSlotDirectory = 2;
constexpr int kSlotClaimed = 3;
constexpr std::size_t kDirentBufferBytes = 4096;

struct PathSlot {
  std::atomic<int> state{kSlotFree};
  char path[PATH_MAX];
};

// The registry is a singly linked list of blocks. Blocks are only ever appended (under
// g_registry_mutex, outside signal context) and never freed, so the signal path can walk the
// list with acquire loads and no lock and no allocation, even while a block is being added.
struct PathBlock {
  PathSlot slots[kSlotsPerBlock];
  std::atomic<PathBlock*> next{nullptr};
};

PathBlock g_first_block;
// Recursive, statically initialised and never destroyed: the signal thread may still wait on
// it while the process exits.
pthread_mutex_t g_registry_mutex = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
std::atomic<bool> g_installed{false};

// The directory's entries and then the directory, with raw system calls only (no malloc, no
// stdio): safe in a signal handler. Run files are unnamed (O_TMPFILE) or unlinked at once;
// this catches anything a signal interrupted on its way to being unlinked.
void remove_directory_tree(const char* path) noexcept {
  int dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (dir_fd >= 0) {
    alignas(8) char buffer[kDirentBufferBytes];
    for (;;) {
      long got = syscall(SYS_getdents64, dir_fd, buffer, sizeof buffer);
      if (got <= 0) break;
      for (long offset = 0; offset < got;) {
        // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name.
        unsigned short record_bytes;
        std::memcpy(&record_bytes, buffer + offset + 16, sizeof record_bytes);
        const char* name = buffer + offset + 19;
        bool dot = name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
        if (!dot) unlinkat(dir_fd, name, 0);
        offset += record_bytes;
      }
    }
    close(dir_fd);
  }
  rmdir(path);
}

void remove_slots() noexcept {
  // Files before directories: a temporary output may live inside a temp directory's parent,
  // never the other way round, but a file must be gone before its directory can be removed.
  for (int wanted : {kSlotFile, kSlotDirectory}) {
    for (PathBlock* block = &g_first_block; block != nullptr;
         block = block->next.load(std::memory_order_acquire)) {
      for (PathSlot& slot : block->slots) {
        if (slot.state.load(std::memory_order_acquire) != wanted) continue;
        if (wanted == kSlotFile) {
          unlink(slot.path);
        } else {
          remove_directory_tree(slot.path);
        }
      }
    }
  }
}

extern "C" void handle_sigpipe(int signal_number) {
  remove_slots();
  _exit(128 + signal_number);
}

sigset_t waited_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, signal_number);
  return set;
}

[[noreturn]] void wait_for_signals() noexcept {
  sigset_t set = waited_signals();
  int signal_number = SIGTERM;
  while (sigwait(&set, &signal_number) != 0) {
  }
  pthread_mutex_lock(&g_registry_mutex);  // held until exit: no new temp path after this
  remove_slots();
  _exit(128 + signal_number);
}

}  // namespace

void install_cleanup_handlers() {
  if (g_installed.exchange(true)) return;
  sigset_t set = waited_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread(wait_for_signals).detach();

  struct sigaction action {};
  action.sa_handler = handle_sigpipe;
  sigfillset(&action.sa_mask);
  sigaction(SIGPIPE, &action, nullptr);
}

int register_path(const std::string& path, PathKind kind) {
  if (path.size() + 1 > PATH_MAX) throw ResourceError(path + ": path too long");
  CleanupGuard guard;
  int handle = 0;
  for (PathBlock* block = &g_first_block;; block = block->next.load(std::memory_order_acquire)) {
    for (PathSlot& slot : block->slots) {
      int expected = kSlotFree;
      if (slot.state.compare_exchange_strong(expected, kSlotClaimed)) {
        std::memcpy(slot.path, path.c_str(), path.size() + 1);
        slot.state.store(kind == PathKind::kFile ? kSlotFile : kSlotDirectory,
                         std::memory_order_release);
        return handle;
      }
      ++handle;
    }
    if (block->next.load(std::memory_order_acquire) == nullptr) {
      // Every slot is taken: append a block (the guard keeps other registrations out; a
      // signal handler walking the list sees it whole or not at all). Deliberately never
      // freed: the signal thread may walk the list until the process has exited.
      block->next.store(std::make_unique<PathBlock>().release(), std::memory_order_release);
    }
  }
}

void unregister_path(int handle) noexcept {
  if (handle < 0) return;
  CleanupGuard guard;
  PathBlock* block = &g_first_block;
  for (int skip = handle / kSlotsPerBlock; skip > 0 && block != nullptr; --skip) {
    block = block->next.load(std::memory_order_acquire);
  }
  if (block != nullptr) {
    block->slots[handle % kSlotsPerBlock].state.store(kSlotFree, std::memory_order_release);
  }
}

CleanupGuard::CleanupGuard() noexcept { pthread_mutex_lock(&g_registry_mutex); }

CleanupGuard::~CleanupGuard() { pthread_mutex_unlock(&g_registry_mutex); }

void remove_registered_paths() noexcept {
  CleanupGuard guard;
  remove_slots();
}

}  // namespace samsort::signals
