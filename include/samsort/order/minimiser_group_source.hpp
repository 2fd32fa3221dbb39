// MinimiserGroupSource: pass 2's input in the two-pass grouped minimiser sort. It reads the
// temporary BAM that pass 1 merged (records in bytewise name order, each with its own key) one
// name group at a time into a buffer reserved from the budget, gives every record of the group
// the group's key, and hands the records on in the same order.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "samsort/core/memory_budget.hpp"
#include "samsort/io/record_source.hpp"
#include "samsort/order/minimiser_group_order.hpp"

namespace samsort {

class MinimiserGroupSource final : public RecordSource {
 public:
  // Takes `inner` over; reserves `buffer_bytes` from `budget` for one group and the record
  // after it. Throws ResourceError when the budget cannot hold it.
  MinimiserGroupSource(std::unique_ptr<RecordSource> inner, MemoryBudget& budget,
                       std::size_t buffer_bytes, GroupKeyRule rule);

  // Throws ResourceError when one name's records do not fit the buffer, and Error when the
  // names are not in bytewise order (pass 1's output is: anything else is a bug).
  std::size_t next_record_bytes() override;
  void read_record(std::uint8_t* out) override;
  std::uint64_t record_offset() const noexcept override { return inner_->record_offset(); }
  bool is_bam() const noexcept override { return inner_->is_bam(); }
  std::uint64_t bytes_consumed() const noexcept override { return inner_->bytes_consumed(); }

 private:
  bool fill_group();
  std::uint8_t* read_inner(std::size_t at);

  std::unique_ptr<RecordSource> inner_;
  MappedBuffer buffer_;
  GroupKeyRule rule_;
  std::size_t group_end_ = 0;        // the group's records are [0, group_end_)
  std::size_t serve_at_ = 0;         // the next record handed on
  std::size_t lookahead_bytes_ = 0;  // the next group's first record, at group_end_
};

}  // namespace samsort
