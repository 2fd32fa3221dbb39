// The early-spill decision: spill when the rest will not fit beside the arena's contents but
// fits an empty arena beside the merge readers; never for an input of unknown size, an empty
// arena, or readers that leave no room.
#include "samsort/sort/spill_policy.hpp"

#include <gtest/gtest.h>

#include "samsort/core/config.hpp"

namespace samsort {
namespace {

constexpr std::size_t kCapacity = 1000 * config::kMiB;

// Half the file consumed; `rest` arenas of records still to come (the rate so far projects
// exactly that) and `used` arenas held now. Room for the tail: (capacity - readers) x 0.95.
EarlySpillState reading(double rest, double used) {
  EarlySpillState state;
  state.input_bytes = 1'000'000'000;
  state.input_consumed = 500'000'000;
  state.arena_bytes_read = static_cast<std::uint64_t>(rest * static_cast<double>(kCapacity));
  state.arena_used_bytes = static_cast<std::size_t>(used * static_cast<double>(kCapacity));
  state.arena_records = 1000;
  state.arena_capacity_bytes = kCapacity;
  state.merge_reader_bytes = 10 * config::kMiB;
  return state;
}

TEST(SpillPolicyTest, SpillsWhenOnlyAnEmptyArenaHoldsTheRest) {
  // 0.93 to come beside 0.08 held overflows; 0.93 fits an empty arena (room 0.94).
  EXPECT_TRUE(spill_early(reading(0.93, 0.08)));
  // Beside 0.05 it all fits: no spill at all.
  EXPECT_FALSE(spill_early(reading(0.93, 0.05)));
  // 0.95 to come does not fit even an empty arena beside the readers: wait for it to fill.
  EXPECT_FALSE(spill_early(reading(0.95, 0.08)));
}

TEST(SpillPolicyTest, NoEarlySpillWithoutWhatItNeedsToKnow) {
  EarlySpillState pipe = reading(0.93, 0.08);
  pipe.input_bytes = 0;
  EXPECT_FALSE(spill_early(pipe)) << "a pipe: size unknown";
  EarlySpillState uncounted = reading(0.93, 0.08);
  uncounted.input_consumed = 0;
  EXPECT_FALSE(spill_early(uncounted)) << "SAM/CRAM: bytes not counted";
  EarlySpillState done = reading(0.93, 0.08);
  done.input_consumed = done.input_bytes;
  EXPECT_FALSE(spill_early(done)) << "nothing left to read";
  EarlySpillState empty = reading(0.93, 0.08);
  empty.arena_records = 0;
  EXPECT_FALSE(spill_early(empty));
  EarlySpillState crowded = reading(0.93, 0.08);
  crowded.merge_reader_bytes = kCapacity;
  EXPECT_FALSE(spill_early(crowded)) << "readers leave no room for the tail";
}

}  // namespace
}  // namespace samsort
