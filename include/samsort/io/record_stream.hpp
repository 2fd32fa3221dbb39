// RecordStream: a sorted sequence of raw BAM records that the merger pulls from (a spilled
// run on disk, or the last run still in the arena).
#pragma once
#include <cstddef>
#include <cstdint>

#include "samsort/order/order_policy.hpp"

namespace samsort {

class RecordStream {
 public:
  virtual ~RecordStream() = default;
  // The next record (pointing at its block_size), valid until the next call; nullptr at end.
  // It may be a key copy of a huge record (see RunReader::next): enough for every order's
  // comparison, not for output.
  virtual const std::uint8_t* next() = 0;
  // The whole record that `current`, the last next() result, stands for; valid until the next
  // call of next() or whole(). The default: `current` is the whole record.
  virtual const std::uint8_t* whole(const std::uint8_t* current) { return current; }
};

// The sorted entries of a run that stayed in the arena (records at arena_top - offset).
template <EntryOrder Order>
class MemoryRunStream final : public RecordStream {
 public:
  MemoryRunStream(const Order& order, const typename Order::Entry* entries, std::size_t count,
                  const std::uint8_t* arena_top) noexcept
      : order_(order), entries_(entries), count_(count), top_(arena_top) {}

  const std::uint8_t* next() override {
    if (next_idx_ == count_) return nullptr;
    return top_ - order_.offset_of(entries_[next_idx_++]);
  }

 private:
  const Order& order_;
  const typename Order::Entry* entries_;
  std::size_t count_;
  const std::uint8_t* top_;
  std::size_t next_idx_ = 0;
};

}  // namespace samsort
