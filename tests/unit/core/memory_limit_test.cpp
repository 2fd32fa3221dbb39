// Memory limits read from a stubbed cgroup tree and /proc files: cgroup v2 memory.max ("max"
// or a number, the smallest on the way up), cgroup v1 memory.limit_in_bytes (its "unlimited"
// value), hybrid mounts, missing files; MemAvailable; the budget that fits a limit.
#include "samsort/core/memory_limit.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

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

TEST(CgroupMemoryLimitTest, V2TakesTheSmallestLimitOnTheWayUp) {
  StubbedTree tree;
  tree.proc_cgroup("0::/job.slice/step.scope\n");
  tree.cgroup_file("cgroup.controllers", "cpu memory\n");
  tree.cgroup_file("job.slice/step.scope/memory.max", "max\n");
  tree.cgroup_file("job.slice/memory.max", "8589934592\n");
  auto limit = cgroup_memory_limit(tree.paths());
  ASSERT_TRUE(limit.has_value());
  EXPECT_EQ(limit->bytes, 8 * kGiB);
  EXPECT_EQ(limit->kind, MemoryLimitKind::kCgroup);
  EXPECT_EQ(limit->source, tree.root() + "/job.slice/memory.max");

  tree.cgroup_file("job.slice/step.scope/memory.max", "1073741824\n");
  limit = cgroup_memory_limit(tree.paths());
  ASSERT_TRUE(limit.has_value());
  EXPECT_EQ(limit->bytes, kGiB);
  EXPECT_EQ(limit->source, tree.root() + "/job.slice/step.scope/memory.max");
}

TEST(CgroupMemoryLimitTest, V2MaxEverywhereIsNoLimit) {
  StubbedTree tree;
  tree.proc_cgroup("0::/a/b\n");
  tree.cgroup_file("cgroup.controllers", "memory\n");
  tree.cgroup_file("a/b/memory.max", "max\n");
  tree.cgroup_file("a/memory.max", "max\n");
  EXPECT_FALSE(cgroup_memory_limit(tree.paths()).has_value());
}

TEST(CgroupMemoryLimitTest, V2RootOfANamespaceCounts) {
  // In a container the process's cgroup is "/" and the limit sits at the mount's root.
  StubbedTree tree;
  tree.proc_cgroup("0::/\n");
  tree.cgroup_file("cgroup.controllers", "memory\n");
  tree.cgroup_file("memory.max", "536870912\n");
  auto limit = cgroup_memory_limit(tree.paths());
  ASSERT_TRUE(limit.has_value());
  EXPECT_EQ(limit->bytes, 512 * kMiB);
}

TEST(CgroupMemoryLimitTest, V1ReadsTheMemoryHierarchyAndIgnoresItsUnlimitedValue) {
  StubbedTree tree;
  tree.proc_cgroup("9:pids:/x\n5:cpu,memory:/batch/job42\n1:cpuset:/\n0::/\n");
  tree.cgroup_file("memory/memory.limit_in_bytes", "9223372036854771712\n");
  tree.cgroup_file("memory/batch/memory.limit_in_bytes", "9223372036854771712\n");
  EXPECT_FALSE(cgroup_memory_limit(tree.paths()).has_value());

  tree.cgroup_file("memory/batch/job42/memory.limit_in_bytes", "2147483648\n");
  auto limit = cgroup_memory_limit(tree.paths());
  ASSERT_TRUE(limit.has_value());
  EXPECT_EQ(limit->bytes, 2 * kGiB);
  EXPECT_EQ(limit->source, tree.root() + "/memory/batch/job42/memory.limit_in_bytes");
}

TEST(CgroupMemoryLimitTest, V1PathMissingUnderTheMountFallsBackToItsRoot) {
  // A container sees the host's path in /proc/self/cgroup but its own cgroup at the mount.
  StubbedTree tree;
  tree.proc_cgroup("4:memory:/docker/0123abcd\n");
  tree.cgroup_file("memory/memory.limit_in_bytes", "1073741824\n");
  auto limit = cgroup_memory_limit(tree.paths());
  ASSERT_TRUE(limit.has_value());
  EXPECT_EQ(limit->bytes, kGiB);
}

TEST(CgroupMemoryLimitTest, HybridMountReadsTheUnifiedHierarchy) {
  StubbedTree tree;
  tree.proc_cgroup("0::/user.slice\n");
  tree.cgroup_file("unified/cgroup.controllers", "\n");
  tree.cgroup_file("unified/user.slice/memory.max", "3221225472\n");
  auto limit = cgroup_memory_limit(tree.paths());
  ASSERT_TRUE(limit.has_value());
  EXPECT_EQ(limit->bytes, 3 * kGiB);
}

TEST(CgroupMemoryLimitTest, BothHierarchiesGiveTheSmaller) {
  StubbedTree tree;
  tree.proc_cgroup("4:memory:/a\n0::/b\n");
  tree.cgroup_file("cgroup.controllers", "\n");
  tree.cgroup_file("b/memory.max", "4294967296\n");
  tree.cgroup_file("memory/a/memory.limit_in_bytes", "1073741824\n");
  auto limit = cgroup_memory_limit(tree.paths());
  ASSERT_TRUE(limit.has_value());
  EXPECT_EQ(limit->bytes, kGiB);
}

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
