// Reading the memory limits that apply to this process: cgroup v2/v1 files, RLIMIT_AS and
// /proc/meminfo.
#include "samsort/core/memory_limit.hpp"

#include <sys/resource.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include "samsort/core/config.hpp"

namespace samsort {
namespace {

// cgroup v1 writes "no limit" as the largest page-aligned counter (9223372036854771712).
constexpr std::uint64_t kCgroupV1Unlimited = std::uint64_t{1} << 60;

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  return line;
}

// The smallest limit in `file_name` from root + cgroup_path up to root itself.
void scan_hierarchy(const std::string& root, std::string cgroup_path, const char* file_name,
                    std::optional<MemoryLimit>& best) {
  // A path that climbs out of the namespace's root ("/.."): only the root itself is known.
  if (cgroup_path.find("/..") != std::string::npos) cgroup_path.clear();
  while (!cgroup_path.empty() && cgroup_path.back() == '/') cgroup_path.pop_back();
  for (;;) {
    std::string file = root + cgroup_path + "/" + file_name;
    if (std::optional<std::string> line = read_first_line(file)) {
      std::optional<std::uint64_t> bytes = parse_unsigned(*line);  // "max" gives nullopt
      if (bytes && *bytes < kCgroupV1Unlimited && (!best || *bytes < best->bytes)) {
        best = MemoryLimit{MemoryLimitKind::kCgroup, *bytes, file};
      }
    }
    if (cgroup_path.empty()) break;
    cgroup_path.erase(cgroup_path.rfind('/'));
  }
}

bool has_controller(std::string_view controllers, std::string_view wanted) {
  while (!controllers.empty()) {
    std::string_view::size_type comma = controllers.find(',');
    if (controllers.substr(0, comma) == wanted) return true;
    if (comma == std::string_view::npos) break;
    controllers.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::optional<MemoryLimit> cgroup_memory_limit(const MemoryLimitPaths& paths) {
  std::ifstream in(paths.proc_self_cgroup);
  std::optional<MemoryLimit> best;
  for (std::string line; std::getline(in, line);) {
    // "hierarchy-id:controllers:path"
    std::string::size_type first = line.find(':');
    std::string::size_type second =
        first == std::string::npos ? std::string::npos : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    std::string_view controllers = std::string_view(line).substr(first + 1, second - first - 1);
    std::string cgroup_path = line.substr(second + 1);
    if (line.compare(0, first, "0") == 0 && controllers.empty()) {
      // cgroup v2, mounted at the root or, on hybrid systems, at root/unified.
      std::ifstream probe(paths.cgroup_root + "/cgroup.controllers");
      std::string root = probe ? paths.cgroup_root : paths.cgroup_root + "/unified";
      scan_hierarchy(root, cgroup_path, "memory.max", best);
    } else if (has_controller(controllers, "memory")) {
      scan_hierarchy(paths.cgroup_root + "/memory", cgroup_path, "memory.limit_in_bytes", best);
    }
  }
  return best;
}

std::optional<MemoryLimit> address_space_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return std::nullopt;
  return MemoryLimit{MemoryLimitKind::kAddressSpace, static_cast<std::uint64_t>(limit.rlim_cur),
                     "ulimit -v"};
}

std::optional<std::uint64_t> available_memory_bytes(const MemoryLimitPaths& paths) {
  std::ifstream in(paths.meminfo);
  for (std::string line; std::getline(in, line);) {
    // "MemAvailable:   21230316 kB"
    constexpr std::string_view kKey = "MemAvailable:";
    if (line.compare(0, kKey.size(), kKey) != 0) continue;
    std::istringstream fields(line.substr(kKey.size()));
    std::uint64_t kib = 0;
    std::string unit;
    if (fields >> kib >> unit && unit == "kB") return kib * config::kKiB;
    return std::nullopt;
  }
  return std::nullopt;
}

MemoryEnvironment probe_memory_environment(const MemoryLimitPaths& paths) {
  return MemoryEnvironment{cgroup_memory_limit(paths), address_space_limit(),
                           available_memory_bytes(paths)};
}

std::uint64_t budget_fitting(const MemoryLimit& limit, std::size_t threads) noexcept {
  std::uint64_t reserve = config::kCgroupReserveBytes;
  if (limit.kind == MemoryLimitKind::kAddressSpace) {
    reserve = config::kAddressSpaceReserveBytes +
              static_cast<std::uint64_t>(threads) * config::kAddressSpacePerThreadBytes;
  }
  return limit.bytes > reserve ? limit.bytes - reserve : 0;
}

std::optional<MemoryLimit> tightest_limit(const MemoryEnvironment& environment,
                                          std::size_t threads) {
  std::optional<MemoryLimit> tightest;
  for (const std::optional<MemoryLimit>& limit : {environment.cgroup, environment.address_space}) {
    if (limit &&
        (!tightest || budget_fitting(*limit, threads) < budget_fitting(*tightest, threads))) {
      tightest = limit;
    }
  }
  return tightest;
}

}  // namespace samsort
