// Temporary-then-rename output file handling.
#include "samsort/io/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "samsort/core/errors.hpp"
#include "samsort/core/signals.hpp"
#include "samsort/merge/temp_dir.hpp"

namespace samsort {

OutputFile::OutputFile(const std::string& path) : path_(path) {
  if (is_stdout()) return;
  std::string::size_type slash = path.rfind('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string pattern = directory_of(path) + "/." + name + ".samsort-tmp.XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  signals::CleanupGuard guard;  // a signal cleans up either nothing or the registered file
  int fd = mkostemp(buffer.data(), O_CLOEXEC);
  if (fd < 0) throw IoError(path, "cannot create output file", errno);
  fd_ = FileDescriptor(fd);
  temp_path_ = buffer.data();
  // mkstemp creates 0600; give the file the permissions a plain create would.
  mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  try {
    signal_handle_ = signals::register_path(temp_path_, signals::PathKind::kFile);
  } catch (...) {
    unlink(temp_path_.c_str());
    throw;
  }
}

OutputFile::~OutputFile() {
  signals::CleanupGuard guard;
  if (!is_stdout() && !committed_) unlink(temp_path_.c_str());
  signals::unregister_path(signal_handle_);
}

void OutputFile::commit() {
  if (is_stdout()) return;
  // close() reports delayed write errors (NFS, quota); no fsync, like samtools.
  if (close(fd_.release()) != 0) throw IoError(path_, "close failed", errno);
  signals::CleanupGuard guard;
  if (rename(temp_path_.c_str(), path_.c_str()) != 0) {
    throw IoError(path_, "cannot rename temporary output into place", errno);
  }
  committed_ = true;
  signals::unregister_path(signal_handle_);
  signal_handle_ = -1;
}

}  // namespace samsort
