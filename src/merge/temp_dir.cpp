// Private temporary directory creation and removal.
#include "samsort/merge/temp_dir.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

#include "samsort/core/errors.hpp"
#include "samsort/core/signals.hpp"

namespace samsort {

std::string directory_of(const std::string& path) {
  std::string::size_type slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

namespace {
bool is_directory(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

std::string template_for(const std::string& tmp_option, const std::string& output_path) {
  if (!tmp_option.empty()) {
    if (is_directory(tmp_option)) return tmp_option + "/samsort.XXXXXX";
    return tmp_option + ".samsort.XXXXXX";  // samtools: -T is a prefix for temp files
  }
  if (output_path != "-" && !output_path.empty()) {
    return directory_of(output_path) + "/.samsort.XXXXXX";
  }
  const char* tmpdir = std::getenv("TMPDIR");
  std::string base = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
  return base + "/samsort.XXXXXX";
}
}  // namespace

TempDir::TempDir(const std::string& tmp_option, const std::string& output_path) {
  std::string pattern = template_for(tmp_option, output_path);
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  signals::CleanupGuard guard;  // a signal cleans up either nothing or the registered directory
  if (mkdtemp(buffer.data()) == nullptr) {
    throw IoError(directory_of(pattern), "cannot create temporary directory", errno);
  }
  path_ = buffer.data();
  try {
    signal_handle_ = signals::register_path(path_, signals::PathKind::kDirectory);
  } catch (...) {
    rmdir(path_.c_str());
    throw;
  }
}

TempDir::~TempDir() {
  // Run files are unlinked at creation; remove anything else defensively, then the directory.
  signals::CleanupGuard guard;
  if (DIR* dir = opendir(path_.c_str())) {
    while (dirent* entry = readdir(dir)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") unlink((path_ + "/" + name).c_str());
    }
    closedir(dir);
  }
  rmdir(path_.c_str());
  signals::unregister_path(signal_handle_);
}

}  // namespace samsort
