// RecordArena: the one pre-reserved region phase 1 fills. Records are packed back to back
// from the top of the region downwards; fixed-width sort entries grow from the bottom
// upwards, and the space for an equal-sized sort scratch array is kept free between them.
// No allocation per record: a record is read straight into the arena.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace samsort {

class RecordArena {
 public:
  // `region` of `region_bytes` is borrowed, not owned. `entry_bytes` is the sort entry size.
  RecordArena(std::uint8_t* region, std::size_t region_bytes, std::size_t entry_bytes) noexcept
      : base_(region), capacity_bytes_(region_bytes), entry_bytes_(entry_bytes) {}

  // Space for one more record of `record_bytes` (block_size included) plus its entry and
  // scratch; nullptr if it does not fit. Call commit() after filling it.
  std::uint8_t* reserve_record(std::size_t record_bytes) noexcept {
    std::size_t needed = record_bytes_used_ + record_bytes + (count_ + 1) * 2 * entry_bytes_;
    if (needed > capacity_bytes_) return nullptr;
    return base_ + capacity_bytes_ - record_bytes_used_ - record_bytes;
  }
  // Whether a record of this size could fit in an empty arena.
  bool fits_when_empty(std::size_t record_bytes) const noexcept {
    return record_bytes + 2 * entry_bytes_ <= capacity_bytes_;
  }
  // Accepts the record last reserved; returns its offset: its distance below top(). Offsets
  // grow with input order, so sort entries can use them as the final, stable tie.
  std::uint64_t commit(std::size_t record_bytes) noexcept {
    record_bytes_used_ += record_bytes;
    ++count_;
    return record_bytes_used_;
  }
  // One past the highest byte of the record area; a record lives at top() - offset.
  std::uint8_t* top() const noexcept { return base_ + capacity_bytes_; }

  std::uint8_t* base() const noexcept { return base_; }
  std::size_t capacity_bytes() const noexcept { return capacity_bytes_; }
  std::size_t count() const noexcept { return count_; }
  std::size_t record_bytes_used() const noexcept { return record_bytes_used_; }
  // Entry i lives at entries() + i * entry_bytes; scratch follows the last entry.
  std::uint8_t* entries() const noexcept { return base_; }
  std::uint8_t* scratch() const noexcept { return base_ + count_ * entry_bytes_; }
  // Bytes from the end of the scratch array to the lowest record: free for other uses.
  std::size_t free_bytes() const noexcept {
    return capacity_bytes_ - record_bytes_used_ - 2 * count_ * entry_bytes_;
  }
  // Moves the arena into `region` of `region_bytes`, which must contain the current region
  // and start at a suitably aligned address: entries go to the new base, records to the new
  // top. Offsets are distances below top(), so every entry stays valid. Costs a copy of the
  // entries when the base moves and of the records when the top moves.
  void move_to(std::uint8_t* region, std::size_t region_bytes) noexcept {
    std::uint8_t* new_top = region + region_bytes;
    if (new_top != top() && record_bytes_used_ != 0) {
      std::memmove(new_top - record_bytes_used_, top() - record_bytes_used_, record_bytes_used_);
    }
    if (region != base_ && count_ != 0) std::memmove(region, base_, count_ * entry_bytes_);
    base_ = region;
    capacity_bytes_ = region_bytes;
  }
  void clear() noexcept {
    count_ = 0;
    record_bytes_used_ = 0;
  }

 private:
  std::uint8_t* base_;
  std::size_t capacity_bytes_;
  std::size_t entry_bytes_;
  std::size_t count_ = 0;
  std::size_t record_bytes_used_ = 0;
};

}  // namespace samsort
