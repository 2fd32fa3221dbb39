// RangeCut: which of the plan's K key ranges a record belongs to, for records that arrive in
// the order's sequence (a slice's sorted output). Range k holds the records at or after
// splitter k - 1 and before splitter k, comparing keys only (never the input-order tie), so
// that equal keys always share a range and the ranges, merged one after another, give exactly
// the single-node order. Orders by read name compare the name alone against a splitter
// (the order's own name comparison), so one name's records never straddle two ranges, as
// GATK's putReadsWithTheSameNameInTheSamePartition keeps them together.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace samsort {

template <class Order>
class RangeCut {
 public:
  // `splitters` (records, in key order) must outlive the cut.
  RangeCut(const Order& order, const std::vector<std::vector<std::uint8_t>>& splitters)
      : order_(order) {
    for (const auto& splitter : splitters) {
      keys_.push_back(order.merge_key(splitter.data()));
      records_.push_back(splitter.data());
    }
  }

  // The range of `record`, which comes at or after every record asked about before.
  std::size_t advance(const std::uint8_t* record) {
    while (range_ < keys_.size() && reaches(record, range_)) ++range_;
    return range_;
  }

  std::size_t range() const noexcept { return range_; }

  // Whether `record` is at or after splitter `idx`.
  bool reaches(const std::uint8_t* record, std::size_t idx) const {
    if constexpr (requires { Order::compare_names(record, record); }) {
      return Order::compare_names(record, records_[idx]) >= 0;
    } else {
      return !order_.merge_less(order_.merge_key(record), keys_[idx]);
    }
  }

 private:
  const Order& order_;
  std::vector<typename Order::MergeKey> keys_;
  std::vector<const std::uint8_t*> records_;
  std::size_t range_ = 0;
};

}  // namespace samsort
