// MemoryLimit: the memory this process may really use, read at start so that the budget can
// fit the job it runs in: the cgroup's limit (v2 memory.max, v1 memory.limit_in_bytes, the
// smallest on the way from the process's cgroup up to the root), the address-space rlimit
// (ulimit -v), and the machine's available memory (MemAvailable) for `--max-memory auto`.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace samsort {

// Where the probes read; tests point them at a stubbed tree.
struct MemoryLimitPaths {
  std::string proc_self_cgroup = "/proc/self/cgroup";
  std::string cgroup_root = "/sys/fs/cgroup";
  std::string meminfo = "/proc/meminfo";
};

enum class MemoryLimitKind { kCgroup, kAddressSpace };

struct MemoryLimit {
  MemoryLimitKind kind = MemoryLimitKind::kCgroup;
  std::uint64_t bytes = 0;
  std::string source;  // for messages: the file it came from, or "ulimit -v"
};

// The smallest cgroup memory limit that applies to this process: for each hierarchy in
// paths.proc_self_cgroup (v2 "0::PATH", v1 "N:...memory...:PATH"), every directory from
// cgroup_root's PATH up to the hierarchy's root, reading memory.max ("max" = none) or
// memory.limit_in_bytes (2^60 and above = none). Missing or unreadable files are skipped.
// nullopt when no limit is set.
std::optional<MemoryLimit> cgroup_memory_limit(const MemoryLimitPaths& paths);

// RLIMIT_AS's soft limit as a MemoryLimit; nullopt when unlimited.
std::optional<MemoryLimit> address_space_limit();

// MemAvailable from paths.meminfo, in bytes; nullopt when it cannot be read.
std::optional<std::uint64_t> available_memory_bytes(const MemoryLimitPaths& paths);

// Everything the budget is fitted to, read once at start.
struct MemoryEnvironment {
  std::optional<MemoryLimit> cgroup;
  std::optional<MemoryLimit> address_space;
  std::optional<std::uint64_t> available_bytes;
};
MemoryEnvironment probe_memory_environment(const MemoryLimitPaths& paths = {});

// The largest budget that fits under `limit` with `threads` workers: the limit less what the
// process needs beside its budget (config::kCgroupReserveBytes for a cgroup; for ulimit -v the
// address space of the binary, libraries, allocator and thread stacks,
// config::kAddressSpaceReserveBytes + threads x config::kAddressSpacePerThreadBytes).
// 0 when nothing is left.
std::uint64_t budget_fitting(const MemoryLimit& limit, std::size_t threads) noexcept;

// The tightest of the environment's limits for `threads` workers (the one whose
// budget_fitting() is smallest); nullopt when there is none.
std::optional<MemoryLimit> tightest_limit(const MemoryEnvironment& environment,
                                          std::size_t threads);

}  // namespace samsort
