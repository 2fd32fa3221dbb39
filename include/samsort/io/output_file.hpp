// OutputFile: the destination. A file is written under a temporary name in the target's
// directory and renamed into place by commit(); without commit() (error, exception) the
// temporary file is removed, and a signal handler removes it too. "-" is standard output.
#pragma once
#include <string>

#include "samsort/io/file_io.hpp"

namespace samsort {

class OutputFile {
 public:
  // Creates the temporary file now, so an unwritable destination fails before any input is
  // read. Throws IoError.
  explicit OutputFile(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  int fd() const noexcept { return fd_.valid() ? fd_.get() : 1; }
  const std::string& path() const noexcept { return path_; }
  bool is_stdout() const noexcept { return path_ == "-"; }
  // Flushes to disk and renames the temporary file to the destination. Throws IoError.
  void commit();

 private:
  std::string path_;
  std::string temp_path_;
  FileDescriptor fd_;
  int signal_handle_ = -1;
  bool committed_ = false;
};

}  // namespace samsort
