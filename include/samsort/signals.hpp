// Cleanup on SIGINT, SIGTERM, SIGHUP and SIGPIPE: the handler removes the registered paths
// (the temporary output file and the private temp directory, whose run files are already
// unlinked) and exits with 128 + signal. Everything it touches is async-signal-safe.
#pragma once
#include <string>

namespace samsort::signals {

enum class PathKind { kFile, kDirectory };

// Installs the handlers; call once from main before any temp file exists.
void install_cleanup_handlers();

// Registers a path to remove if a signal arrives; returns a handle for unregister_path().
// Throws ResourceError if the registry is full or the path too long.
int register_path(const std::string& path, PathKind kind);
void unregister_path(int handle) noexcept;

}  // namespace samsort::signals
