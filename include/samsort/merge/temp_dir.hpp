// TempDir: the private directory (mkdtemp) that holds this sort's spill files, created under
// `-T` (an existing directory, or a path prefix as samtools takes it), else beside the output,
// else $TMPDIR or /tmp. Its name carries the owner tag (samsort.HOST.PID.XXXXXX), so a later
// samsort can remove the ones a killed process left. Removed with whatever is left in it on
// destruction and on signals.
#pragma once
#include <cstddef>
#include <string>

namespace samsort {

// Where the run directory for a -T value ("" when not given) and an output path ("-" for
// stdout) goes: the directory that holds it, and the part of its name before the owner tag.
//   -T DIR (existing directory)  DIR/samsort.HOST.PID.XXXXXX
//   -T PREFIX                    PREFIX.samsort.HOST.PID.XXXXXX (samtools: -T is a prefix)
//   no -T, -o FILE               DIR_OF_FILE/.samsort.HOST.PID.XXXXXX
//   no -T, stdout                $TMPDIR (else /tmp)/samsort.HOST.PID.XXXXXX
struct TempDirPlace {
  std::string parent;
  std::string name_prefix;
};
TempDirPlace temp_dir_place(const std::string& tmp_option, const std::string& output_path);

class TempDir {
 public:
  // `tmp_option` is -T's value ("" when not given); `output_path` is -o's value ("-" for
  // stdout). Throws IoError if the directory cannot be created.
  TempDir(const std::string& tmp_option, const std::string& output_path);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
  int signal_handle_ = -1;
};

// Removes, in the place temp_dir_place() names, the run directories of samsort processes that
// are dead on this host (owner_is_dead_local): directories named name_prefix + HOST.PID +
// ".XXXXXX", owned by this user, with the files in them. One stderr line per directory
// removed. A live process's directory, another host's, or anything else is never touched.
// Never throws (a place that cannot be read is skipped); returns how many were removed.
std::size_t remove_stale_temp_dirs(const std::string& tmp_option,
                                   const std::string& output_path) noexcept;

// Directory part of a path ("." when it has none).
std::string directory_of(const std::string& path);

}  // namespace samsort
