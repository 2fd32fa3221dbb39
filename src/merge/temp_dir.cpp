// Private temporary directory creation and removal, and removal of the ones dead processes
// left behind.
#include "samsort/merge/temp_dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "samsort/core/errors.hpp"
#include "samsort/core/owner_tag.hpp"
#include "samsort/core/signals.hpp"

namespace samsort {

std::string directory_of(const std::string& path) {
  std::string::size_type slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

namespace {

// mkdtemp's random part: "XXXXXX", after the owner tag and a '.'.
constexpr std::string_view kRandomSuffix = ".XXXXXX";

bool is_directory(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

// The owner tag in `name` when it is name_prefix + TAG + ".XXXXXX"; nullopt otherwise.
std::optional<std::string_view> owner_of(std::string_view name, std::string_view name_prefix) {
  if (name.size() <= name_prefix.size() + kRandomSuffix.size()) return std::nullopt;
  if (name.substr(0, name_prefix.size()) != name_prefix) return std::nullopt;
  if (name[name.size() - kRandomSuffix.size()] != '.') return std::nullopt;
  return name.substr(name_prefix.size(), name.size() - name_prefix.size() - kRandomSuffix.size());
}

// Removes the directory `name` in `parent_fd` and the plain entries in it, without following
// symbolic links and only when it is still a directory owned by this user. True when gone.
bool remove_owned_directory(int parent_fd, const std::string& name) noexcept {
  int dir_fd = openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir_fd < 0) return false;
  struct stat info {};
  if (fstat(dir_fd, &info) != 0 || info.st_uid != geteuid()) {
    close(dir_fd);
    return false;
  }
  if (DIR* dir = fdopendir(dir_fd)) {  // owns dir_fd from here
    while (dirent* entry = readdir(dir)) {
      std::string_view entry_name = entry->d_name;
      if (entry_name != "." && entry_name != "..") unlinkat(dirfd(dir), entry->d_name, 0);
    }
    closedir(dir);
  } else {
    close(dir_fd);
  }
  return unlinkat(parent_fd, name.c_str(), AT_REMOVEDIR) == 0;
}

}  // namespace

TempDirPlace temp_dir_place(const std::string& tmp_option, const std::string& output_path) {
  if (!tmp_option.empty()) {
    if (is_directory(tmp_option)) return {tmp_option, "samsort."};
    // samtools: -T is a prefix for the temporary files.
    std::string::size_type slash = tmp_option.rfind('/');
    std::string base = slash == std::string::npos ? tmp_option : tmp_option.substr(slash + 1);
    return {directory_of(tmp_option), base + ".samsort."};
  }
  if (output_path != "-" && !output_path.empty()) {
    return {directory_of(output_path), ".samsort."};
  }
  const char* tmpdir = std::getenv("TMPDIR");
  return {tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp", "samsort."};
}

TempDir::TempDir(const std::string& tmp_option, const std::string& output_path) {
  TempDirPlace place = temp_dir_place(tmp_option, output_path);
  std::string pattern =
      place.parent + "/" + place.name_prefix + owner_tag() + std::string(kRandomSuffix);
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  signals::CleanupGuard guard;  // a signal cleans up either nothing or the registered directory
  if (mkdtemp(buffer.data()) == nullptr) {
    throw IoError(place.parent, "cannot create the temporary directory for spilled runs", errno);
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

std::size_t remove_stale_temp_dirs(const std::string& tmp_option,
                                   const std::string& output_path) noexcept {
  std::size_t removed = 0;
  try {
    TempDirPlace place = temp_dir_place(tmp_option, output_path);
    std::unique_ptr<DIR, int (*)(DIR*)> parent(opendir(place.parent.c_str()), &closedir);
    if (!parent) return 0;
    // Collect first: removing entries while readdir walks the same directory may skip some.
    std::vector<std::pair<std::string, long>> stale;  // name, dead owner's pid
    while (dirent* entry = readdir(parent.get())) {
      if (entry->d_type != DT_DIR && entry->d_type != DT_UNKNOWN) continue;
      std::string_view name = entry->d_name;
      std::optional<std::string_view> tag = owner_of(name, place.name_prefix);
      if (tag && owner_is_dead_local(*tag)) stale.emplace_back(name, parse_owner_tag(*tag)->pid);
    }
    for (const auto& [name, pid] : stale) {
      if (!remove_owned_directory(dirfd(parent.get()), name)) continue;
      ++removed;
      std::string shown = (place.parent == "/" ? "" : place.parent) + "/" + name;
      std::fprintf(stderr, "samsort: removed stale temporary directory %s of dead process %ld\n",
                   shown.c_str(), pid);
    }
  } catch (...) {  // out of memory while listing: leave the debris
  }
  return removed;
}

}  // namespace samsort
