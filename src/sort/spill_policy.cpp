// Early spill decision.
#include "samsort/sort/spill_policy.hpp"

#include "samsort/core/config.hpp"

namespace samsort {

bool spill_early(const EarlySpillState& state) noexcept {
  if (state.input_bytes == 0 || state.input_consumed == 0 ||
      state.input_consumed >= state.input_bytes || state.arena_records == 0 ||
      state.merge_reader_bytes >= state.arena_capacity_bytes) {
    return false;
  }
  double arena_bytes_per_input_byte =
      static_cast<double>(state.arena_bytes_read) / static_cast<double>(state.input_consumed);
  double rest =
      static_cast<double>(state.input_bytes - state.input_consumed) * arena_bytes_per_input_byte;
  double room = static_cast<double>(state.arena_capacity_bytes - state.merge_reader_bytes) *
                (1.0 - config::kEarlySpillMargin);
  return rest + static_cast<double>(state.arena_used_bytes) >
             static_cast<double>(state.arena_capacity_bytes) &&
         rest <= room;
}

}  // namespace samsort
