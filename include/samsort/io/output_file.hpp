// OutputFile: one destination (the output, its index, the --stats file), written so that a
// failed run leaves nothing behind. A regular file or a new name (symbolic links followed) is
// written under a temporary name beside it and renamed into place by commit(); without commit()
// (error, exception) the temporary file is removed, and a signal handler removes it too.
// Devices, FIFOs, sockets and "-" (stdout) are written directly. A regular file whose
// directory refuses new files but which is itself writable is overwritten in place (as
// samtools does): not atomic, and in_place() says so.
#pragma once
#include <unistd.h>

#include <string>

#include "samsort/io/destination.hpp"
#include "samsort/io/file_io.hpp"

namespace samsort {

class OutputFile {
 public:
  // Resolves the destination, removes stale temporaries of dead processes beside it, and
  // creates the temporary file (or opens the destination) now, so an unusable destination
  // fails before any input is read. Opening a FIFO waits for its reader, as samtools does.
  // Throws UsageError ("") or IoError.
  explicit OutputFile(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // The descriptor to write to (stdout's for kStandardOutput); valid until finish().
  int fd() const noexcept { return fd_.valid() ? fd_.get() : STDOUT_FILENO; }
  // The path as given: for messages and for choosing a format by extension.
  const std::string& path() const noexcept { return path_; }
  // The name a writer that opens files by name (htslib's index writer) must use: the
  // temporary file, or the destination itself when it is written directly.
  const std::string& write_path() const noexcept;
  bool is_stdout() const noexcept { return mode_ == WriteMode::kStandardOutput; }
  // True when write_path() is a regular file that can be read back once finished.
  bool is_staged() const noexcept { return mode_ == WriteMode::kStaged; }
  // True when the destination is an existing file overwritten in place (not atomic).
  bool in_place() const noexcept { return in_place_; }
  // Where other temporary files of the job may go beside this one: the final file's path
  // for a staged output, "-" otherwise (stdout, devices and in-place outputs have no usable
  // directory of their own).
  std::string neighbour_path() const;

  // Closes the descriptor, so delayed write errors (NFS, quota) surface now; an in-place file
  // is cut to what was written. Idempotent. Throws IoError.
  void finish();
  // finish(), then renames the temporary file over the destination. Throws IoError.
  void commit();

 private:
  // Creates the temporary beside `final_path_`; false when the directory refuses new files
  // (EACCES, EPERM, EROFS) so that an in-place write may be tried. Throws IoError otherwise.
  bool create_temporary();
  void open_in_place();
  void open_direct();

  std::string path_;
  std::string final_path_;
  std::string temp_path_;
  WriteMode mode_ = WriteMode::kStaged;
  bool in_place_ = false;
  FileDescriptor fd_;
  int signal_handle_ = -1;
  bool finished_ = false;
  bool committed_ = false;
};

}  // namespace samsort
