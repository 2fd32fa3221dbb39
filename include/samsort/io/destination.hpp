// Destination: what a path given for an output (-o, the index, --stats) really names, and so
// how it must be written. samtools opens any of these with fopen(path, "w"); samsort writes a
// temporary file and renames it, which is only right for a regular file or a new name.
#pragma once
#include <string>

namespace samsort {

enum class WriteMode {
  kStandardOutput,  // "-", or a path naming the file that is this process's stdout
  kStaged,          // a regular file or a new name: a temporary beside it, renamed on commit
  kDirect,          // a character or block device, FIFO or socket: opened and written as is
};

struct Destination {
  WriteMode mode = WriteMode::kStaged;
  // The path to open or rename over: for kStaged, symbolic links followed to the last one's
  // target (which may not exist yet), so the links stay links.
  std::string final_path;
};

// Classifies `path` without creating or opening anything. Throws UsageError for "" and
// IoError (path, errno) for a directory, a path in a missing directory, a link loop or a path
// that cannot be examined. Thread-safe.
Destination resolve_destination(const std::string& path);

// The mkstemp pattern of the temporary beside `final_path`:
// "DIR/.NAME.samsort-tmp.HOST.PID.XXXXXX", HOST.PID being owner_tag().
std::string temporary_pattern(const std::string& final_path);

// Removes the temporaries (as temporary_pattern() names them) of `final_path` left by
// processes on this host that no longer exist, and says so on stderr, one line per file.
// Files of live processes, other hosts and unparsable names are kept. Errors are ignored.
void remove_stale_temporaries(const std::string& final_path) noexcept;

}  // namespace samsort
