// SplitArena: the arena region cut for spilling beside reading. A run holds at most
// run_capacity() bytes at the region's base. When a run may take more than half the region,
// the two halves are the bottom and the top half of that run (the top half ends at its top)
// and the half being filled can grow into the whole run (RecordArena::move_to) once nothing is
// in flight (so an input that fits in memory is never spilled). When runs are capped at half
// the region or less (small budgets, --debug-max-run-bytes), each half holds a whole run (the
// top half then lies right above the bottom one). Reading starts in the top half: growing it
// moves only its entries. Not thread-safe: the job's main thread owns it.
#pragma once
#include <cstddef>
#include <cstdint>

#include "samsort/sort/record_arena.hpp"

namespace samsort {

class SplitArena {
 public:
  enum class Fill { kTop, kBottom, kWhole };  // what arena() is

  // Entries start on a cache line in either half.
  static constexpr std::size_t kAlignBytes = 64;

  // `entry_bytes`: the order's sort entry size. Unusable until plan().
  explicit SplitArena(std::size_t entry_bytes) noexcept : entry_bytes_(entry_bytes) {}

  // Cuts `region` of `region_bytes` (borrowed) for runs of at most `run_capacity_bytes`
  // (rounded down to kAlignBytes; at most `region_bytes`) and starts filling the top half.
  void plan(std::uint8_t* region, std::size_t region_bytes, std::size_t run_capacity_bytes);

  // The half being filled, or the whole run it grew into.
  RecordArena& arena() noexcept { return arena_; }
  const RecordArena& arena() const noexcept { return arena_; }
  Fill filling() const noexcept { return filling_; }

  // Starts an empty arena in `half` (kTop or kBottom).
  void use_half(Fill half) noexcept;
  // Starts an empty arena in the half not being filled.
  void use_other_half() noexcept { use_half(filling_ == Fill::kTop ? Fill::kBottom : Fill::kTop); }
  // The half being filled takes the whole run, its records kept. Only with nothing in flight:
  // it overlaps the other half.
  void grow_into_run() noexcept;

  std::size_t run_capacity() const noexcept { return run_capacity_; }
  // Whether a half is part of a larger run that it may grow into.
  bool can_grow() const noexcept { return can_grow_; }
  std::size_t half_bytes() const noexcept { return half_bytes_; }
  std::uint8_t* top_half_base() const noexcept { return top_half_base_; }
  // The run's base: the bottom half starts here.
  std::uint8_t* run_base() const noexcept { return run_base_; }

  // What `arena` holds: records, entries and their scratch.
  static std::size_t used_bytes(const RecordArena& arena) noexcept {
    return arena.capacity_bytes() - arena.free_bytes();
  }

 private:
  std::size_t entry_bytes_;
  RecordArena arena_{nullptr, 0, entry_bytes_};
  Fill filling_ = Fill::kTop;
  std::uint8_t* run_base_ = nullptr;
  std::size_t run_capacity_ = 0;  // the most one run may fill
  std::uint8_t* top_half_base_ = nullptr;
  std::size_t half_bytes_ = 0;
  bool can_grow_ = false;
};

}  // namespace samsort
