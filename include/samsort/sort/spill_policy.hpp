// When to spill before the arena is full. For a file whose size is known, the arena is spilled
// early once the rest of the input (estimated from the bytes consumed so far) will not fit
// beside what the arena holds but would fit in an empty arena beside the spilled runs' merge
// buffers: the whole tail then stays in memory for the final merge instead of spilling a full
// arena and keeping a small remainder (an input of 2.02 arenas spills ~1.07 arenas, not 2). A
// wrong estimate costs one extra run, never correctness. A pure function, tested on its own.
#pragma once
#include <cstddef>
#include <cstdint>

namespace samsort {

struct EarlySpillState {
  std::uint64_t input_bytes = 0;         // size of the input file; 0 when unknown (a pipe)
  std::uint64_t input_consumed = 0;      // compressed bytes consumed so far; 0 when not counted
  std::uint64_t arena_bytes_read = 0;    // arena bytes (records + entries) read so far
  std::size_t arena_used_bytes = 0;      // what the arena holds now (records + entries)
  std::size_t arena_records = 0;         // records the arena holds now
  std::size_t arena_capacity_bytes = 0;  // what one run may fill
  // The final merge's readers if the arena is spilled now: every spilled run's buffer and
  // this one's, plus a whole-record buffer.
  std::size_t merge_reader_bytes = 0;
};

// True when spilling now keeps the rest of the input in memory (see above).
bool spill_early(const EarlySpillState& state) noexcept;

}  // namespace samsort
