// Order verification over any input format, using each order's merge comparison.
#include "samsort/cli/verify.hpp"

#include <utility>
#include <vector>

#include "samsort/bam/bam_record.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/io/record_source.hpp"
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
  if (options.order == SortOrder::kMinimiser && options.sort_tag.empty()) {
    return check(*source, MinimiserOutputCheck(options.minimiser), label.c_str());
  }
  return with_order(options.order, options.sort_tag, source->header(),
                    [&](auto order) { return check(*source, order, label.c_str()); });
}

}  // namespace samsort
