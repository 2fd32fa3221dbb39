// The Order policy: what the sort, merge and verify templates ask of a sort order, stated as
// C++20 concepts so that an order missing a member (a new minimiser or Picard order, say) is
// rejected at the template's door with the name of the unmet requirement, not with an
// instantiation backtrace from deep inside the radix sorter.
//
// An order supplies
//   Entry                      the fixed-width sort entry: trivially copyable, whole 64-bit
//                              words, holding a key prefix and the record's arena offset
//   kRadixDigits               the radix digits of Entry, least significant first (RadixDigit)
//   kRadix, kIndexable         whether the digits are the whole key (no comparison pass) and
//                              whether the output can carry a BAI/CSI index
//   make_entry, offset_of      entry of a record at an arena offset, and back
//   prepare_run                called once per complete run before sorting (may fill entries)
//   entry_less                 the full comparison of two entries (records at top - offset)
//   MergeKey, merge_key, merge_less   the key and comparison used by the merger and verify
//   header_tags                the @HD SO/GO/SS values the order writes
// and, unless kRadix, kPrefixWords and refine() (see prefix_radix_sort_entries).
#pragma once
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <type_traits>

#include "samsort/bam/bam_header.hpp"

namespace samsort {

// One radix digit: byte `byte` (0 = least significant) of 64-bit word `word` of an entry.
struct RadixDigit {
  unsigned word;
  unsigned byte;
};

namespace detail {

// The callable prepare_run() receives: entry i of the run, by reference.
template <class Entry>
struct EntryAtArchetype {
  Entry& operator()(std::size_t) const noexcept;
};

// Whether every digit of Order::kRadixDigits names a byte inside Order::Entry.
template <class Order>
constexpr bool digits_within_entry() {
  constexpr std::size_t kWords = sizeof(typename Order::Entry) / sizeof(std::uint64_t);
  for (const RadixDigit& digit : Order::kRadixDigits) {
    if (digit.word >= kWords || digit.byte >= 8) return false;
  }
  return true;
}

}  // namespace detail

// What radix_sort_entries needs: word-sized, trivially copyable entries and digits in them.
template <class Order>
concept RadixSortable =
    std::is_trivially_copyable_v<typename Order::Entry> &&
    (sizeof(typename Order::Entry) % sizeof(std::uint64_t) == 0) &&
    std::same_as<std::remove_cv_t<decltype(Order::kRadixDigits[0])>, const RadixDigit&> &&
    (std::size(Order::kRadixDigits) > 0) && detail::digits_within_entry<Order>();

// What the merger (LoserTree) and verify need: a key per record and a strict weak order on keys.
template <class Order>
concept MergeOrder = std::copy_constructible<typename Order::MergeKey> &&
    requires(const Order& order, const std::uint8_t* record, const typename Order::MergeKey& key) {
  { order.merge_key(record) } -> std::same_as<typename Order::MergeKey>;
  { order.merge_less(key, key) } -> std::same_as<bool>;
};

// What a run in the arena needs: entries made from records and back to their offsets.
template <class Order>
concept EntryOrder = requires(const Order& order, const std::uint8_t* record, std::uint64_t offset,
                              const typename Order::Entry& entry) {
  { order.make_entry(record, offset) } -> std::same_as<typename Order::Entry>;
  { order.offset_of(entry) } -> std::same_as<std::uint64_t>;
  { order.entry_less(entry, entry, record) } -> std::same_as<bool>;
};

// What prefix_radix_sort_entries needs on top of RadixSortable: the number of leading words
// that are an order-preserving key prefix, and refine() to move those words deeper into the
// key (false when there is nothing deeper).
template <class Order>
concept PrefixSortable = RadixSortable<Order> &&
    requires(const Order& order, typename Order::Entry* entries, std::size_t count, unsigned depth,
             const std::uint8_t* top) {
  requires Order::kPrefixWords >= 1;
  requires Order::kPrefixWords * sizeof(std::uint64_t) <= sizeof(typename Order::Entry);
  { order.refine(entries, count, depth, top) } -> std::same_as<bool>;
};

// A complete sort order: everything SortJob does with one.
template <class Order>
concept OrderPolicy = std::move_constructible<Order> && RadixSortable<Order> && EntryOrder<Order> &&
    MergeOrder<Order> && requires(Order& order, const Order& const_order,
                                  detail::EntryAtArchetype<typename Order::Entry> entry_at,
                                  std::size_t count, const std::uint8_t* top) {
  requires bool(Order::kRadix) || PrefixSortable<Order>;
  { Order::kIndexable } -> std::convertible_to<bool>;
  { const_order.header_tags() } -> std::same_as<HeaderSortTags>;
  order.prepare_run(entry_at, count, top);
};

}  // namespace samsort
