// SplitArena: the arena region's two halves and the whole run one of them may grow into.
#include "samsort/sort/split_arena.hpp"

namespace samsort {

void SplitArena::plan(std::uint8_t* region, std::size_t region_bytes,
                      std::size_t run_capacity_bytes) {
  run_base_ = region;
  run_capacity_ = run_capacity_bytes / kAlignBytes * kAlignBytes;
  can_grow_ = 2 * run_capacity_ > region_bytes;
  if (can_grow_) {
    half_bytes_ = run_capacity_ / 2 / kAlignBytes * kAlignBytes;
    top_half_base_ = region + run_capacity_ - half_bytes_;
  } else {
    half_bytes_ = run_capacity_;
    top_half_base_ = region + half_bytes_;  // right above: the pages above stay untouched
  }
  use_half(Fill::kTop);
}

void SplitArena::use_half(Fill half) noexcept {
  filling_ = half;
  arena_ = RecordArena(half == Fill::kTop ? top_half_base_ : run_base_, half_bytes_, entry_bytes_);
}

void SplitArena::grow_into_run() noexcept {
  arena_.move_to(run_base_, run_capacity_);
  filling_ = Fill::kWhole;
}

}  // namespace samsort
