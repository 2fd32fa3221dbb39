// Cleanup on SIGINT, SIGTERM, SIGHUP and SIGPIPE: the registered paths (temporary output and
// index files, the private temp directory with anything left in it) are removed and the
// process exits with 128 + signal. SIGINT/SIGTERM/SIGHUP are taken by a dedicated thread.
#pragma once
#include <string>

namespace samsort::signals {

enum class PathKind { kFile, kDirectory };

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (and so in every thread it starts
// later: call it from main before any thread exists) and starts the thread that waits for
// them; installs an async-signal-safe handler for SIGPIPE, which arrives on the thread whose
// write failed. Idempotent. Throws std::system_error if the thread cannot start.
void install_cleanup_handlers();

// Registers a path to remove if a signal arrives; returns a handle for unregister_path().
// A directory must be private to this process (mkdtemp): its entries are removed with it.
// Any number of paths may be registered: the registry grows (outside signal context) in
// blocks that the signal path walks without allocating. Throws ResourceError if the path is
// too long, std::bad_alloc if the registry cannot grow. Thread-safe.
int register_path(const std::string& path, PathKind kind);
void unregister_path(int handle) noexcept;

// Holds off signal cleanup while alive, so that creating a temporary path and registering it
// (or removing it and unregistering it) happens entirely before or entirely after a signal's
// cleanup: nothing is left behind by a signal that falls in between. Keep the scope short;
// it may be nested. SIGPIPE's handler cannot wait and does not honour it.
class CleanupGuard {
 public:
  CleanupGuard() noexcept;
  ~CleanupGuard();
  CleanupGuard(const CleanupGuard&) = delete;
  CleanupGuard& operator=(const CleanupGuard&) = delete;
};

// Removes what is registered now, as the signal path does (files, then directories with
// their remaining entries). For tests.
void remove_registered_paths() noexcept;

}  // namespace samsort::signals
