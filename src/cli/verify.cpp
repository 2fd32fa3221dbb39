// Order verification over any input format, using each order's merge comparison.
#include "samsort/cli/verify.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "samsort/bam/bam_record.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/io/record_source.hpp"
#include "samsort/order/minimiser_key.hpp"
#include "samsort/order/name_key.hpp"
#include "samsort/order/order_dispatch.hpp"
#include "samsort/order/order_names.hpp"

namespace samsort {

namespace {

template <MergeOrder Order>
VerifyResult check(RecordSource& source, const Order& order, const char* order_name) {
  VerifyResult result;
  std::vector<std::uint8_t> previous;
  std::vector<std::uint8_t> current;
  typename Order::MergeKey previous_key{};
  while (std::size_t bytes = source.next_record_bytes()) {
    current.resize(bytes);
    source.read_record(current.data());
    typename Order::MergeKey key = order.merge_key(current.data());
    if (result.records > 0 && order.merge_less(key, previous_key)) {
      result.sorted = false;
      result.message = source.path() + ": not sorted by " + order_name + ": record " +
                       std::to_string(result.records + 1) + " (" + bam::read_name(current.data()) +
                       ") comes after record " + std::to_string(result.records) + " (" +
                       bam::read_name(previous.data()) + ")";
      return result;
    }
    // Keys may point into their record: swap buffers, not copies, and keep the key.
    std::swap(previous, current);
    previous_key = key;
    ++result.records;
  }
  return result;
}

// --minimiser-group-names: unaligned records only; the records of one name adjacent, in
// samtools' name-order ties (flag key); each group's key, the smallest minimiser recomputed
// from its reads, not below the previous group's. What a stream cannot see: a name that comes
// back in a later group (that needs memory growing with the input), the position-term and
// name ties between groups of equal key, and -I keys. Paired records catch the common case:
// a group with a paired record must hold both a READ1 and a READ2 record (so a split pair, or
// input whose mates are missing, fails).
VerifyResult check_grouped(RecordSource& source, const MinimiserSettings& settings) {
  VerifyResult result;
  std::vector<std::uint8_t> previous;
  std::vector<std::uint8_t> current;
  std::uint64_t previous_group_key = 0;
  std::uint64_t group_key = 0;
  std::uint64_t group_start = 0;  // records before the group's first record
  std::uint16_t group_flags = 0;  // the group's flags, or-ed
  auto fail = [&](std::uint64_t record_idx, const char* name, const std::string& why) {
    result.sorted = false;
    result.message = source.path() + ": not in name-grouped minimiser order: record " +
                     std::to_string(record_idx + 1) + " (" + name + ") " + why;
    return result;
  };
  // The group just completed (its name in `previous`) against the one before it.
  auto group_in_order = [&]() { return group_start == 0 || group_key >= previous_group_key; };
  auto group_has_mates = [&]() {
    constexpr std::uint16_t kMates = bam::kRead1 | bam::kRead2;
    return (group_flags & bam::kPaired) == 0 || (group_flags & kMates) == kMates;
  };
  const char* kBelow = "starts a group whose key is below the previous group's";
  const char* kSplit = "starts a group of paired reads without both READ1 and READ2 (mates apart)";
  while (std::size_t bytes = source.next_record_bytes()) {
    current.resize(bytes);
    source.read_record(current.data());
    const std::uint8_t* record = current.data();
    if (bam::ref_id(record) != -1) {
      return fail(result.records, bam::read_name(record), "is placed (tid >= 0)");
    }
    std::uint64_t key = minimiser_key(record, settings, nullptr).key;
    bool same_group = result.records > 0 &&
                      std::strcmp(bam::read_name(previous.data()), bam::read_name(record)) == 0;
    if (same_group) {
      if (name_flag_key(bam::flag(record)) < name_flag_key(bam::flag(previous.data()))) {
        return fail(result.records, bam::read_name(record),
                    "comes after a record of its name that the name order's flag ties put later");
      }
      group_key = std::min(group_key, key);
      group_flags |= bam::flag(record);
    } else {
      if (result.records > 0) {
        if (!group_in_order()) return fail(group_start, bam::read_name(previous.data()), kBelow);
        if (!group_has_mates()) return fail(group_start, bam::read_name(previous.data()), kSplit);
        previous_group_key = group_key;
        group_start = result.records;
      }
      group_key = key;
      group_flags = bam::flag(record);
    }
    std::swap(previous, current);
    ++result.records;
  }
  if (result.records > 0 && !group_in_order()) {
    return fail(group_start, bam::read_name(previous.data()), kBelow);
  }
  if (result.records > 0 && !group_has_mates()) {
    return fail(group_start, bam::read_name(previous.data()), kSplit);
  }
  return result;
}

}  // namespace

VerifyResult verify_order(const VerifyOptions& options) {
  MemoryBudget budget(config::kVerifyBudgetBytes);
  InputSettings settings;
  settings.path = options.input_path;
  settings.reference = options.reference;
  settings.threads = options.threads;
  std::unique_ptr<RecordSource> source = open_record_source(settings, budget);
  std::string label{order_names(options.order).label};
  if (!options.sort_tag.empty()) label = "tag " + options.sort_tag + " then " + label;
  if (options.minimiser_group_names) return check_grouped(*source, options.minimiser);
  if (options.order == SortOrder::kMinimiser && options.sort_tag.empty()) {
    return check(*source, MinimiserOutputCheck(options.minimiser), label.c_str());
  }
  return with_order(options.order, options.sort_tag, source->header(),
                    [&](auto order) { return check(*source, order, label.c_str()); });
}

}  // namespace samsort
