// Output path classification (devices, FIFOs, symbolic links, stdout aliases) and the naming
// and stale-debris removal of temporary outputs.
#include "samsort/io/destination.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "samsort/core/errors.hpp"
#include "samsort/core/owner_tag.hpp"
#include "samsort/merge/temp_dir.hpp"

namespace samsort {

namespace {

// The kernel's own limit on links followed in one lookup (MAXSYMLINKS).
constexpr int kMaxLinkHops = 40;
constexpr std::string_view kTemporaryInfix = ".samsort-tmp.";
// mkstemp's "XXXXXX" after the owner tag.
constexpr std::size_t kRandomSuffixChars = 6;

std::string base_name(const std::string& path) {
  std::string::size_type slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string read_link(const std::string& path) {
  std::vector<char> buffer(256);
  for (;;) {
    ssize_t got = readlink(path.c_str(), buffer.data(), buffer.size());
    if (got < 0) throw IoError(path, "cannot read symbolic link", errno);
    if (static_cast<std::size_t>(got) < buffer.size()) {
      return std::string(buffer.data(), static_cast<std::size_t>(got));
    }
    buffer.resize(buffer.size() * 2);
  }
}

// Follows symbolic links from `path` to the first name that is not one (it may not exist: a
// dangling link's target). Relative targets are taken from the link's directory, as the
// kernel does.
std::string follow_links(const std::string& path) {
  std::string current = path;
  for (int hops = 0; hops <= kMaxLinkHops; ++hops) {
    struct stat info {};
    if (lstat(current.c_str(), &info) != 0 || !S_ISLNK(info.st_mode)) return current;
    std::string target = read_link(current);
    if (target.empty() || target[0] != '/')
      target = directory_of(current).append("/").append(target);
    current = std::move(target);
  }
  throw IoError(path, "cannot resolve output path", ELOOP);
}

bool is_standard_output(const struct stat& info) {
  struct stat out {};
  return fstat(STDOUT_FILENO, &out) == 0 && out.st_dev == info.st_dev &&
         out.st_ino == info.st_ino && (out.st_mode & S_IFMT) == (info.st_mode & S_IFMT);
}

// A name that does not exist yet: its directory must.
Destination new_file(const std::string& path) {
  std::string final_path = follow_links(path);
  if (base_name(final_path).empty()) throw IoError(path, "not a file name", EISDIR);
  std::string directory = directory_of(final_path);
  struct stat info {};
  if (stat(directory.c_str(), &info) != 0) {
    int error = errno;
    if (error == ENOENT) {
      throw IoError(path, "cannot create output: directory " + directory + " does not exist",
                    error);
    }
    throw IoError(path, "cannot create output in " + directory, error);
  }
  if (!S_ISDIR(info.st_mode)) {
    throw IoError(path, "cannot create output: " + directory + " is not a directory", ENOTDIR);
  }
  return Destination{WriteMode::kStaged, final_path};
}

// The "HOST.PID" of a temporary named "PREFIX" "HOST.PID" ".XXXXXX"; nullopt for other names.
std::optional<std::string_view> owner_of_temporary(std::string_view name, std::string_view prefix) {
  if (name.size() <= prefix.size() + kRandomSuffixChars + 1 || !name.starts_with(prefix)) {
    return std::nullopt;
  }
  std::size_t dot = name.size() - kRandomSuffixChars - 1;
  if (name[dot] != '.') return std::nullopt;
  return name.substr(prefix.size(), dot - prefix.size());
}

}  // namespace

Destination resolve_destination(const std::string& path) {
  if (path.empty()) throw UsageError("the output path is empty");
  if (path == "-") return Destination{WriteMode::kStandardOutput, path};
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    int error = errno;
    if (error == ENOENT) return new_file(path);
    throw IoError(path, "cannot use as output", error);
  }
  if (S_ISDIR(info.st_mode)) throw IoError(path, "cannot write output to a directory", EISDIR);
  // Our own stdout by another name (/dev/stdout, /proc/self/fd/1): write through the
  // descriptor, as "-" does. By name, a socket cannot be opened at all, and the link to a
  // redirected file may name a file that was since deleted or replaced.
  if (is_standard_output(info)) return Destination{WriteMode::kStandardOutput, path};
  if (S_ISREG(info.st_mode)) return Destination{WriteMode::kStaged, follow_links(path)};
  // Devices, FIFOs and sockets cannot be renamed over: write to them as samtools does.
  return Destination{WriteMode::kDirect, path};
}

std::string temporary_pattern(const std::string& final_path) {
  return directory_of(final_path) + "/." + base_name(final_path) + std::string(kTemporaryInfix) +
         owner_tag() + ".XXXXXX";
}

void remove_stale_temporaries(const std::string& final_path) noexcept {
  try {
    std::string directory = directory_of(final_path);
    std::string prefix(".");  // appended, not "." + name: GCC 12 warns (-Wrestrict) on that
    prefix += base_name(final_path);
    prefix += kTemporaryInfix;
    DIR* dir = opendir(directory.c_str());
    if (dir == nullptr) return;
    std::vector<std::pair<std::string, long>> stale;  // name, dead owner's pid
    while (dirent* entry = readdir(dir)) {
      std::string_view name = entry->d_name;
      std::optional<std::string_view> tag = owner_of_temporary(name, prefix);
      if (tag && owner_is_dead_local(*tag)) {
        stale.emplace_back(std::string(name), parse_owner_tag(*tag)->pid);
      }
    }
    closedir(dir);
    for (const auto& [name, pid] : stale) {
      std::string stale_path = directory;
      stale_path.append("/").append(name);
      struct stat info {};
      if (lstat(stale_path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) continue;
      if (unlink(stale_path.c_str()) != 0) continue;
      std::fprintf(stderr, "samsort: removed stale temporary file %s of dead process %ld\n",
                   stale_path.c_str(), pid);
    }
  } catch (...) {  // out of memory while listing: leave the debris
  }
}

}  // namespace samsort
