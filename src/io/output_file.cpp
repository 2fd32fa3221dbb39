// Output files: temporary-then-rename for regular files, direct writes for devices, FIFOs and
// stdout, in-place overwrites where the directory refuses new files.
#include "samsort/io/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "samsort/core/errors.hpp"
#include "samsort/core/signals.hpp"

namespace samsort {

namespace {
bool is_regular_file(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}
}  // namespace

OutputFile::OutputFile(const std::string& path) : path_(path) {
  Destination destination = resolve_destination(path);
  mode_ = destination.mode;
  final_path_ = destination.final_path;
  switch (mode_) {
    case WriteMode::kStandardOutput:
      return;
    case WriteMode::kDirect:
      open_direct();
      return;
    case WriteMode::kStaged:
      remove_stale_temporaries(final_path_);
      if (!create_temporary()) open_in_place();
      return;
  }
}

bool OutputFile::create_temporary() {
  std::string pattern = temporary_pattern(final_path_);
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  signals::CleanupGuard guard;  // a signal cleans up either nothing or the registered file
  int fd = mkostemp(buffer.data(), O_CLOEXEC);
  if (fd < 0) {
    int error = errno;
    bool refused = error == EACCES || error == EPERM || error == EROFS;
    if (refused && is_regular_file(final_path_)) return false;
    throw IoError(path_, "cannot create output file", error);
  }
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
  return true;
}

void OutputFile::open_in_place() {
  // Not truncated yet: the old contents stay until the sort writes (finish() cuts the file).
  int fd = open(final_path_.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) throw IoError(path_, "cannot create output file", errno);
  fd_ = FileDescriptor(fd);
  in_place_ = true;
}

void OutputFile::open_direct() {
  // No O_TRUNC: devices and FIFOs have nothing to truncate.
  int fd = open(final_path_.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) throw IoError(path_, "cannot open output", errno);
  fd_ = FileDescriptor(fd);
}

OutputFile::~OutputFile() {
  signals::CleanupGuard guard;
  if (!committed_ && !temp_path_.empty()) unlink(temp_path_.c_str());
  // An in-place file that the failed run had started to overwrite is emptied: what is left
  // of the old data is no longer a valid file.
  if (!committed_ && in_place_ && fd_.valid() && lseek(fd_.get(), 0, SEEK_CUR) > 0) {
    static_cast<void>(ftruncate(fd_.get(), 0));
  }
  signals::unregister_path(signal_handle_);
}

const std::string& OutputFile::write_path() const noexcept {
  return temp_path_.empty() ? final_path_ : temp_path_;
}

std::string OutputFile::neighbour_path() const {
  return temp_path_.empty() ? std::string("-") : final_path_;
}

void OutputFile::finish() {
  if (finished_ || !fd_.valid()) return;
  finished_ = true;
  if (in_place_) {
    off_t end = lseek(fd_.get(), 0, SEEK_CUR);
    if (end < 0 || ftruncate(fd_.get(), end) != 0) {
      throw IoError(path_, "cannot cut the output to its new length", errno);
    }
  }
  // close() reports delayed write errors (NFS, quota); no fsync, like samtools.
  if (close(fd_.release()) != 0) throw IoError(path_, "close failed", errno);
}

void OutputFile::commit() {
  finish();
  signals::CleanupGuard guard;
  if (!temp_path_.empty() && rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    throw IoError(path_, "cannot rename temporary output into place", errno);
  }
  committed_ = true;
  signals::unregister_path(signal_handle_);
  signal_handle_ = -1;
}

}  // namespace samsort
