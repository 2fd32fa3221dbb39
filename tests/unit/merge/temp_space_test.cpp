// The spill estimate and the free-space check: no check for inputs that fit one run, zstd
// runs estimated smaller than stored ones, one file system counted once, and the message.
#include "samsort/merge/temp_space.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

constexpr BlockCodec kZstd{BlockFormat::kZstd, 1};
constexpr BlockCodec kStored{BlockFormat::kBgzf, 0};

TEST(TempSpaceTest, InputThatFitsOneRunNeedsNoCheck) {
  EXPECT_EQ(estimated_spill_bytes(100 * config::kMiB, 800 * config::kMiB, kZstd), 0u);
  EXPECT_EQ(estimated_spill_bytes(0, 800 * config::kMiB, kZstd), 0u);
}

TEST(TempSpaceTest, ZstdRunsAreEstimatedSmallerThanStoredOnes) {
  std::uint64_t input = 10 * config::kGiB;
  std::uint64_t zstd = estimated_spill_bytes(input, 800 * config::kMiB, kZstd);
  std::uint64_t stored = estimated_spill_bytes(input, 800 * config::kMiB, kStored);
  EXPECT_GE(zstd, input);
  EXPECT_GT(stored, 2 * zstd);
}

TEST(TempSpaceTest, OneFileSystemCountsOnce) {
  test::ScratchDir scratch;
  std::uint64_t once = free_temp_bytes({scratch.path()});
  EXPECT_GT(once, 0u);
  EXPECT_LT(once, std::numeric_limits<std::uint64_t>::max());
  std::uint64_t twice = free_temp_bytes({scratch.path(), scratch.path()});
  // Other writers may change the free space in between; never doubled.
  EXPECT_LT(twice, once + once / 2);
  EXPECT_EQ(free_temp_bytes({scratch.path() + "/missing"}),
            std::numeric_limits<std::uint64_t>::max());
}

TEST(TempSpaceTest, TooLittleSpaceIsOneClearError) {
  EXPECT_NO_THROW(check_temp_space(0, 0, {"/tmp"}));
  EXPECT_NO_THROW(check_temp_space(5'000'000'000, 5'000'000'000, {"/tmp"}));
  auto message = test::thrown_message<ResourceError>([] {
    check_temp_space(12'300'000'000, 4'000'000'000, {"/scratch/a", "/scratch/b"});
  });
  ASSERT_TRUE(message.has_value());
  EXPECT_TRUE(test::contains(*message, "about 12.3 GB of temporary runs")) << *message;
  EXPECT_TRUE(test::contains(*message, "only 4.0 GB are free in /scratch/a, /scratch/b"))
      << *message;
  EXPECT_TRUE(test::contains(*message, "-T")) << *message;
}

}  // namespace
}  // namespace samsort
