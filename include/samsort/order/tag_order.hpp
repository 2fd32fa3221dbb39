// Tag order (samtools -t XY; samsort also -t XY,UV,...): the value of the first XY aux field,
// then of the first UV field and so on (each compared as samtools compares one -t tag), then a
// secondary order (coordinate, or a name order with -n/-N), then input order. The entry
// carries the first 8 bytes of the first tag value's order-preserving encoding; ties on them
// compare the full values from the record.
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
    const std::uint8_t* record;
    const std::uint8_t* field;  // bam::find_aux() result for the first tag, nullptr when absent
    typename Secondary::MergeKey inner;
  };

  // The engine radix-sorts on the value prefix, then sorts equal runs with entry_less.
  static constexpr std::size_t kPrefixWords = 1;
  static constexpr RadixDigit kRadixDigits[] = {{0, 0}, {0, 1}, {0, 2}, {0, 3},
                                                {0, 4}, {0, 5}, {0, 6}, {0, 7}};

  // `tags` is one two-character tag or several separated by commas ("CB,UB"; checked by
  // options.cpp's parse_sort_tags); `secondary_name` names the secondary order in @HD SS,
  // which becomes unsorted:CB:UB:<secondary_name>.
  TagOrder(const std::string& tags, Secondary secondary, const char* secondary_name)
      : secondary_(std::move(secondary)), sub_sort_("unsorted") {
    for (std::size_t at = 0; at + 1 < tags.size(); at += 3) {
      tags_.append(tags, at, 2);
      sub_sort_ += ':';
      sub_sort_.append(tags, at, 2);
    }
    sub_sort_ += ':';
    sub_sort_ += secondary_name;
    tag_[0] = tags_[0];
    tag_[1] = tags_[1];
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
    const std::uint8_t* record_a = top - offset_of(a);
    const std::uint8_t* record_b = top - offset_of(b);
    int order = compare_tag_values(bam::find_aux(record_a, tag_), bam::find_aux(record_b, tag_));
    if (order == 0) order = compare_later_tags(record_a, record_b);
    if (order != 0) return order < 0;
    return secondary_.entry_less(a.inner, b.inner, top);
  }

  MergeKey merge_key(const std::uint8_t* record) const noexcept {
    return MergeKey{record, bam::find_aux(record, tag_), secondary_.merge_key(record)};
  }
  bool merge_less(const MergeKey& a, const MergeKey& b) const noexcept {
    int order = compare_tag_values(a.field, b.field);
    if (order == 0) order = compare_later_tags(a.record, b.record);
    if (order != 0) return order < 0;
    return secondary_.merge_less(a.inner, b.inner);
  }

 private:
  // The second and later tags' values, in turn; 0 when all are equal (or there are none).
  int compare_later_tags(const std::uint8_t* a, const std::uint8_t* b) const noexcept {
    for (std::size_t at = 2; at < tags_.size(); at += 2) {
      int order = compare_tag_values(bam::find_aux(a, tags_.data() + at),
                                     bam::find_aux(b, tags_.data() + at));
      if (order != 0) return order;
    }
    return 0;
  }

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
  char tag_[2];       // the first tag
  std::string tags_;  // every tag, back to back ("CBUB")
  std::string sub_sort_;
};

}  // namespace samsort
