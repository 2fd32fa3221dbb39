// TempDir: the private directory (mkdtemp) that holds this sort's spill files, created under
// `-T` (an existing directory, or a path prefix as samtools takes it), else beside the output,
// else $TMPDIR or /tmp. Removed with whatever is left in it on destruction and on signals.
#pragma once
#include <string>

namespace samsort {

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

// Directory part of a path ("." when it has none).
std::string directory_of(const std::string& path);

}  // namespace samsort
