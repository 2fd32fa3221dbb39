// LoserTree: k-way merge of sorted record streams. Ties between streams go to the stream with
// the lower index, so streams given in input order keep equal keys in input order (stable).
// One key computation per record, log2(k) comparisons per record, no allocation per record.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "samsort/io/record_stream.hpp"
#include "samsort/order/order_policy.hpp"

namespace samsort {

template <MergeOrder Order>
class LoserTree {
 public:
  // Streams are borrowed and must outlive the tree. Pulls the first record of each.
  LoserTree(const Order& order, std::vector<RecordStream*> streams)
      : LoserTree(order, std::move(streams), std::nullopt, std::nullopt) {}

  // The merge of the streams' records with keys in [lower, upper) (either bound may be
  // absent): records before `lower` are skipped at each stream's start, and a stream ends at
  // its first record not before `upper` (the streams are sorted).
  using Key = typename Order::MergeKey;
  LoserTree(const Order& order, std::vector<RecordStream*> streams, std::optional<Key> lower,
            std::optional<Key> upper)
      : order_(order),
        streams_(std::move(streams)),
        count_(streams_.size()),
        records_(count_, nullptr),
        keys_(count_),
        tree_(count_ == 0 ? 1 : count_, 0),
        upper_(std::move(upper)) {
    for (std::size_t idx = 0; idx < count_; ++idx) {
      load(idx);
      if (lower) {
        while (records_[idx] != nullptr && order_.merge_less(keys_[idx], *lower)) load(idx);
      }
    }
    build();
  }

  // The smallest current record, or nullptr when every stream is exhausted. It may be a key
  // copy (RecordStream::next); top_whole() is the record to write.
  const std::uint8_t* top() const noexcept { return count_ == 0 ? nullptr : records_[tree_[0]]; }
  // The whole smallest record (RecordStream::whole), or nullptr; valid until pop().
  const std::uint8_t* top_whole() {
    const std::uint8_t* record = top();
    return record == nullptr ? nullptr : streams_[tree_[0]]->whole(record);
  }

  // Advances past top().
  void pop() {
    std::size_t winner = tree_[0];
    load(winner);
    for (std::size_t node = (winner + count_) / 2; node > 0; node /= 2) {
      if (beats(tree_[node], winner)) std::swap(tree_[node], winner);
    }
    tree_[0] = winner;
  }

 private:
  void load(std::size_t idx) {
    records_[idx] = streams_[idx]->next();
    if (records_[idx] == nullptr) return;
    keys_[idx] = order_.merge_key(records_[idx]);
    if (upper_ && !order_.merge_less(keys_[idx], *upper_)) records_[idx] = nullptr;
  }

  // Whether stream a's record goes before stream b's.
  bool beats(std::size_t a, std::size_t b) const noexcept {
    if (records_[a] == nullptr) return false;
    if (records_[b] == nullptr) return true;
    if (order_.merge_less(keys_[a], keys_[b])) return true;
    if (order_.merge_less(keys_[b], keys_[a])) return false;
    return a < b;
  }

  void build() {
    if (count_ <= 1) {
      tree_[0] = 0;
      return;
    }
    // Implicit tree: leaves count_..2*count_-1, internal nodes 1..count_-1.
    std::vector<std::size_t> winners(2 * count_);
    for (std::size_t idx = 0; idx < count_; ++idx) winners[count_ + idx] = idx;
    for (std::size_t node = count_ - 1; node > 0; --node) {
      std::size_t left = winners[2 * node];
      std::size_t right = winners[2 * node + 1];
      if (beats(left, right)) {
        winners[node] = left;
        tree_[node] = right;
      } else {
        winners[node] = right;
        tree_[node] = left;
      }
    }
    tree_[0] = winners[1];
  }

  const Order& order_;
  std::vector<RecordStream*> streams_;
  std::size_t count_;
  std::vector<const std::uint8_t*> records_;
  std::vector<typename Order::MergeKey> keys_;
  std::vector<std::size_t> tree_;
  std::optional<Key> upper_;
};

}  // namespace samsort
