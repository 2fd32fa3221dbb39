// Template-coordinate order (samtools sort --template-coordinate). The
// numeric part of the key (tids, unclipped 5' positions, strands, library rank) is packed
// into the sort entry; ties on it (the two ends of one template always tie) fall back to the
// full key: CB, MI, read name, upper end, then input order.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "samsort/bam/bam_header.hpp"
#include "samsort/order/order_policy.hpp"
#include "samsort/order/template_key.hpp"

namespace samsort {

class TemplateOrder {
 public:
  static constexpr bool kRadix = false;
  static constexpr bool kIndexable = false;

  struct Entry {
    std::uint64_t tids;       // tid1, tid2 as signed 32-bit, biased to unsigned
    std::uint64_t position1;  // signed 64-bit, biased
    std::uint64_t position2;
    std::uint64_t strands_library;  // !neg1 (1) | !neg2 (1) | library rank (32)
    std::uint64_t offset;
  };
  struct MergeKey {
    TemplateFields fields;
  };

  // The engine radix-sorts on the four packed words, then sorts equal runs with entry_less.
  static constexpr std::size_t kPrefixWords = 4;
  static constexpr RadixDigit kRadixDigits[] = {
      {3, 0}, {3, 1}, {3, 2}, {3, 3}, {3, 4}, {3, 5}, {3, 6}, {3, 7}, {2, 0}, {2, 1}, {2, 2},
      {2, 3}, {2, 4}, {2, 5}, {2, 6}, {2, 7}, {1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4}, {1, 5},
      {1, 6}, {1, 7}, {0, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}, {0, 6}, {0, 7}};

  explicit TemplateOrder(std::string_view header_text) : libraries_(header_text) {}

  static HeaderSortTags header_tags() noexcept {
    return {"unsorted", "query", "unsorted:template-coordinate"};
  }

  // Throws TemplateKeyError (e.g. a paired read without MC: run samtools fixmate first).
  Entry make_entry(const std::uint8_t* record, std::uint64_t offset) const {
    TemplateFields fields = template_fields(record, libraries_);
    return Entry{(static_cast<std::uint64_t>(bias32(fields.tid1)) << 32) | bias32(fields.tid2),
                 bias64(fields.pos1), bias64(fields.pos2),
                 (std::uint64_t{!fields.neg1} << 63) | (std::uint64_t{!fields.neg2} << 62) |
                     fields.library_rank,
                 offset};
  }

  // Prefixes are the whole packed key: there is nothing deeper to refine to.
  static bool refine(Entry*, std::size_t, unsigned, const std::uint8_t*) noexcept { return false; }

  template <class EntryAt>
  static void prepare_run(EntryAt&&, std::size_t, const std::uint8_t*) noexcept {}

  static std::uint64_t offset_of(const Entry& entry) noexcept { return entry.offset; }

  bool entry_less(const Entry& a, const Entry& b, const std::uint8_t* top) const noexcept {
    if (a.tids != b.tids) return a.tids < b.tids;
    if (a.position1 != b.position1) return a.position1 < b.position1;
    if (a.position2 != b.position2) return a.position2 < b.position2;
    if (a.strands_library != b.strands_library) {
      // Reverse strands first: the inverted bits make a plain integer compare right.
      return a.strands_library < b.strands_library;
    }
    TemplateFields fields_a;
    TemplateFields fields_b;
    // Both records passed make_entry(), so their fields can be built again.
    make_template_fields(top - a.offset, libraries_, fields_a);
    make_template_fields(top - b.offset, libraries_, fields_b);
    int order = compare_template(fields_a, fields_b);
    if (order != 0) return order < 0;
    return a.offset < b.offset;
  }

  MergeKey merge_key(const std::uint8_t* record) const noexcept {
    MergeKey key;
    make_template_fields(record, libraries_, key.fields);
    return key;
  }
  static bool merge_less(const MergeKey& a, const MergeKey& b) noexcept {
    return compare_template(a.fields, b.fields) < 0;
  }

 private:
  static std::uint32_t bias32(std::int32_t value) noexcept {
    return static_cast<std::uint32_t>(value) ^ 0x80000000u;
  }
  static std::uint64_t bias64(std::int64_t value) noexcept {
    return static_cast<std::uint64_t>(value) ^ (std::uint64_t{1} << 63);
  }

  LibraryTable libraries_;
};
static_assert(OrderPolicy<TemplateOrder>);

}  // namespace samsort
