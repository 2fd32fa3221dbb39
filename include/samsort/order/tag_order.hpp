// Tag order (samtools -t XY): the value of the first XY aux field, then a secondary order
// (coordinate, or a name order with -n/-N), then input order. The entry carries the first
// 8 bytes of the value's order-preserving encoding; ties on them compare the full values.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "samsort/bam/bam_aux.hpp"
#include "samsort/bam/bam_header.hpp"
#include "samsort/order/order_policy.hpp"
#include "samsort/order/tag_key.hpp"

namespace samsort {

// Secondary: the order that breaks ties between equal tag values.
template <OrderPolicy Secondary>
class TagOrder {
 public:
  static constexpr bool kRadix = false;
  static constexpr bool kIndexable = false;
  using Inner = typename Secondary::Entry;

  struct Entry {
    std::uint64_t value_prefix;
    Inner inner;
  };
  struct MergeKey {
    const std::uint8_t* field;  // bam::find_aux() result, nullptr when absent
    typename Secondary::MergeKey inner;
  };

  // The engine radix-sorts on the value prefix, then sorts equal runs with entry_less.
  static constexpr std::size_t kPrefixWords = 1;
  static constexpr RadixDigit kRadixDigits[] = {{0, 0}, {0, 1}, {0, 2}, {0, 3},
                                                {0, 4}, {0, 5}, {0, 6}, {0, 7}};

  // `tag` is two characters; `secondary_name` names the secondary order in @HD SS.
  TagOrder(const std::string& tag, Secondary secondary, const char* secondary_name)
      : secondary_(std::move(secondary)), sub_sort_("unsorted:" + tag + ":" + secondary_name) {
    tag_[0] = tag[0];
    tag_[1] = tag[1];
  }

  HeaderSortTags header_tags() const noexcept { return {"unsorted", nullptr, sub_sort_.c_str()}; }

  Entry make_entry(const std::uint8_t* record, std::uint64_t offset) const {
    return Entry{value_prefix(bam::find_aux(record, tag_)), secondary_.make_entry(record, offset)};
  }

  // Prefixes are the whole packed key: there is nothing deeper to refine to.
  static bool refine(Entry*, std::size_t, unsigned, const std::uint8_t*) noexcept { return false; }

  template <class EntryAt>
  void prepare_run(EntryAt&& entry_at, std::size_t count, const std::uint8_t* top) {
    secondary_.prepare_run([&entry_at](std::size_t idx) -> Inner& { return entry_at(idx).inner; },
                           count, top);
  }

  std::uint64_t offset_of(const Entry& entry) const noexcept {
    return secondary_.offset_of(entry.inner);
  }

  bool entry_less(const Entry& a, const Entry& b, const std::uint8_t* top) const noexcept {
    if (a.value_prefix != b.value_prefix) return a.value_prefix < b.value_prefix;
    int order = compare_tag_values(bam::find_aux(top - offset_of(a), tag_),
                                   bam::find_aux(top - offset_of(b), tag_));
    if (order != 0) return order < 0;
    return secondary_.entry_less(a.inner, b.inner, top);
  }

  MergeKey merge_key(const std::uint8_t* record) const noexcept {
    return MergeKey{bam::find_aux(record, tag_), secondary_.merge_key(record)};
  }
  bool merge_less(const MergeKey& a, const MergeKey& b) const noexcept {
    int order = compare_tag_values(a.field, b.field);
    if (order != 0) return order < 0;
    return secondary_.merge_less(a.inner, b.inner);
  }

 private:
  // The first 8 bytes of the encoding, big-endian, zero-padded: a strict difference decides
  // the order; equal prefixes decide nothing.
  static std::uint64_t value_prefix(const std::uint8_t* field) noexcept {
    TagValue value = tag_value(field);
    std::uint8_t bytes[16] = {};
    if (value.type_class == TagClass::kString) {
      bytes[0] = 4;  // tag_key.hpp's class byte for strings
      std::size_t length = strnlen(value.text, 7);
      std::memcpy(bytes + 1, value.text, length);
    } else {
      encode_tag_value(value, bytes);
    }
    std::uint64_t prefix = 0;
    for (int idx = 0; idx < 8; ++idx) prefix = (prefix << 8) | bytes[idx];
    return prefix;
  }

  Secondary secondary_;
  char tag_[2];
  std::string sub_sort_;
};

}  // namespace samsort
