// Memory limits read from a stubbed cgroup tree and /proc files: cgroup v2 memory.max ("max"
// or a number, the smallest on the way up), cgroup v1 memory.limit_in_bytes (its "unlimited"
// value), hybrid mounts, missing files; MemAvailable; the budget that fits a limit.
#include "samsort/core/memory_limit.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "samsort/core/config.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

using config::kGiB;
using config::kMiB;

// A fake /proc/self/cgroup, /sys/fs/cgroup tree and /proc/meminfo under a scratch directory.
class StubbedTree {
 public:
  StubbedTree() {
    paths_.proc_self_cgroup = scratch_.file("cgroup");
    paths_.cgroup_root = scratch_.file("sys");
    paths_.meminfo = scratch_.file("meminfo");
    std::filesystem::create_directories(paths_.cgroup_root);
  }

  // Writes `text` to `relative` under the cgroup root, making its directories.
  void cgroup_file(const std::string& relative, const std::string& text) const {
    std::filesystem::path file = paths_.cgroup_root + "/" + relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
  }
  void proc_cgroup(const std::string& text) const {
    std::ofstream(paths_.proc_self_cgroup) << text;
  }
  void meminfo(const std::string& text) const { std::ofstream(paths_.meminfo) << text; }

  const MemoryLimitPaths& paths() const { return paths_; }
  std::string root() const { return paths_.cgroup_root; }

 private:
  test::ScratchDir scratch_;
  MemoryLimitPaths paths_;
};

// One cgroup layout: /proc/self/cgroup, the files under the cgroup root, and the limit found
// (none when `bytes` is 0) with the file it came from.
struct CgroupCase {
  const char* name;
  const char* proc_cgroup;
  std::vector<std::pair<const char*, const char*>> files;
  std::uint64_t bytes;
  const char* source;  // relative to the cgroup root; "" to leave unchecked
};

const std::vector<CgroupCase>& cgroup_cases() {
  static const std::vector<CgroupCase> cases = {
      {"V2TakesTheSmallestLimitOnTheWayUp",
       "0::/job.slice/step.scope\n",
       {{"cgroup.controllers", "cpu memory\n"},
        {"job.slice/step.scope/memory.max", "max\n"},
        {"job.slice/memory.max", "8589934592\n"}},
       8 * kGiB,
       "job.slice/memory.max"},
      {"V2LimitBelowItsParentWins",
       "0::/job.slice/step.scope\n",
       {{"cgroup.controllers", "cpu memory\n"},
        {"job.slice/step.scope/memory.max", "1073741824\n"},
        {"job.slice/memory.max", "8589934592\n"}},
       kGiB,
       "job.slice/step.scope/memory.max"},
      {"V2MaxEverywhereIsNoLimit",
       "0::/a/b\n",
       {{"cgroup.controllers", "memory\n"}, {"a/b/memory.max", "max\n"}, {"a/memory.max", "max\n"}},
       0,
       ""},
      // In a container the process's cgroup is "/" and the limit sits at the mount's root.
      {"V2RootOfANamespaceCounts",
       "0::/\n",
       {{"cgroup.controllers", "memory\n"}, {"memory.max", "536870912\n"}},
       512 * kMiB,
       "memory.max"},
      {"V1IgnoresItsUnlimitedValue",
       "9:pids:/x\n5:cpu,memory:/batch/job42\n1:cpuset:/\n0::/\n",
       {{"memory/memory.limit_in_bytes", "9223372036854771712\n"},
        {"memory/batch/memory.limit_in_bytes", "9223372036854771712\n"}},
       0,
       ""},
      {"V1ReadsTheMemoryHierarchy",
       "9:pids:/x\n5:cpu,memory:/batch/job42\n1:cpuset:/\n0::/\n",
       {{"memory/memory.limit_in_bytes", "9223372036854771712\n"},
        {"memory/batch/memory.limit_in_bytes", "9223372036854771712\n"},
        {"memory/batch/job42/memory.limit_in_bytes", "2147483648\n"}},
       2 * kGiB,
       "memory/batch/job42/memory.limit_in_bytes"},
      // A container sees the host's path in /proc/self/cgroup but its own cgroup at the mount.
      {"V1PathMissingUnderTheMountFallsBackToItsRoot",
       "4:memory:/docker/0123abcd\n",
       {{"memory/memory.limit_in_bytes", "1073741824\n"}},
       kGiB,
       "memory/memory.limit_in_bytes"},
      {"HybridMountReadsTheUnifiedHierarchy",
       "0::/user.slice\n",
       {{"unified/cgroup.controllers", "\n"}, {"unified/user.slice/memory.max", "3221225472\n"}},
       3 * kGiB,
       "unified/user.slice/memory.max"},
      {"BothHierarchiesGiveTheSmaller",
       "4:memory:/a\n0::/b\n",
       {{"cgroup.controllers", "\n"},
        {"b/memory.max", "4294967296\n"},
        {"memory/a/memory.limit_in_bytes", "1073741824\n"}},
       kGiB,
       "memory/a/memory.limit_in_bytes"},
  };
  return cases;
}

class CgroupMemoryLimitCaseTest : public testing::TestWithParam<CgroupCase> {};

TEST_P(CgroupMemoryLimitCaseTest, FindsTheLimit) {
  const CgroupCase& layout = GetParam();
  StubbedTree tree;
  tree.proc_cgroup(layout.proc_cgroup);
  for (const auto& [file, text] : layout.files) tree.cgroup_file(file, text);
  auto limit = cgroup_memory_limit(tree.paths());
  if (layout.bytes == 0) {
    EXPECT_FALSE(limit.has_value()) << limit->source;
    return;
  }
  ASSERT_TRUE(limit.has_value());
  EXPECT_EQ(limit->bytes, layout.bytes);
  EXPECT_EQ(limit->kind, MemoryLimitKind::kCgroup);
  EXPECT_EQ(limit->source, tree.root() + "/" + layout.source);
}

INSTANTIATE_TEST_SUITE_P(Layouts, CgroupMemoryLimitCaseTest, testing::ValuesIn(cgroup_cases()),
                         [](const testing::TestParamInfo<CgroupCase>& param_info) {
                           return std::string(param_info.param.name);
                         });

TEST(CgroupMemoryLimitTest, MissingOrGarbledFilesAreNoLimit) {
  StubbedTree tree;
  EXPECT_FALSE(cgroup_memory_limit(tree.paths()).has_value());  // no /proc/self/cgroup
  tree.proc_cgroup("garbage\n0::/job\n4:memory:/job\n");
  EXPECT_FALSE(cgroup_memory_limit(tree.paths()).has_value());  // no limit files
  tree.cgroup_file("cgroup.controllers", "\n");
  tree.cgroup_file("job/memory.max", "12x\n");
  tree.cgroup_file("memory/job/memory.limit_in_bytes", "\n");
  EXPECT_FALSE(cgroup_memory_limit(tree.paths()).has_value());
}

TEST(AvailableMemoryTest, ReadsMemAvailable) {
  StubbedTree tree;
  EXPECT_FALSE(available_memory_bytes(tree.paths()).has_value());
  tree.meminfo(
      "MemTotal:       24000000 kB\nMemFree:         1000 kB\n"
      "MemAvailable:   21230316 kB\nBuffers:  12 kB\n");
  EXPECT_EQ(available_memory_bytes(tree.paths()), std::uint64_t{21230316} * 1024);
  tree.meminfo("MemTotal:       24000000 kB\n");
  EXPECT_FALSE(available_memory_bytes(tree.paths()).has_value());
}

TEST(BudgetFittingTest, LimitLessTheReserveOfItsKind) {
  MemoryLimit cgroup{MemoryLimitKind::kCgroup, 8 * kGiB, "memory.max"};
  EXPECT_EQ(budget_fitting(cgroup, 16), 8 * kGiB - config::kCgroupReserveBytes);
  MemoryLimit address_space{MemoryLimitKind::kAddressSpace, 8 * kGiB, "ulimit -v"};
  EXPECT_EQ(budget_fitting(address_space, 2),
            8 * kGiB - config::kAddressSpaceReserveBytes - 2 * config::kAddressSpacePerThreadBytes);
  MemoryLimit tiny{MemoryLimitKind::kCgroup, config::kCgroupReserveBytes / 2, "memory.max"};
  EXPECT_EQ(budget_fitting(tiny, 1), 0u);
}

TEST(BudgetFittingTest, TightestLimitIsTheOneLeavingTheSmallestBudget) {
  MemoryEnvironment environment;
  EXPECT_FALSE(tightest_limit(environment, 1).has_value());
  environment.cgroup = MemoryLimit{MemoryLimitKind::kCgroup, 2 * kGiB, "memory.max"};
  // The same number of bytes as address space leaves less: its reserve is larger.
  environment.address_space = MemoryLimit{MemoryLimitKind::kAddressSpace, 2 * kGiB, "ulimit -v"};
  auto tightest = tightest_limit(environment, 4);
  ASSERT_TRUE(tightest.has_value());
  EXPECT_EQ(tightest->kind, MemoryLimitKind::kAddressSpace);
  environment.cgroup->bytes = kGiB;
  tightest = tightest_limit(environment, 4);
  ASSERT_TRUE(tightest.has_value());
  EXPECT_EQ(tightest->kind, MemoryLimitKind::kCgroup);
}

}  // namespace
}  // namespace samsort
