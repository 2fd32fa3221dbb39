// with_order: turns the run-time order choice (--order / -n / -N / --template-coordinate,
// -t TAG or -t TAG,TAG,...) into one call of a generic function with the concrete order object, so
// everything below it is compiled per order and no comparator ever switches on the order.
#pragma once
#include <string>
#include <utility>

#include "samsort/bam/bam_header.hpp"
#include "samsort/cli/options.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/order/coordinate_key.hpp"
#include "samsort/order/minimiser_order.hpp"
#include "samsort/order/name_order.hpp"
#include "samsort/order/order_names.hpp"
#include "samsort/order/picard_order.hpp"
#include "samsort/order/tag_order.hpp"
#include "samsort/order/template_order.hpp"

namespace samsort {

static_assert(OrderPolicy<TagOrder<CoordinateOrder>>);
static_assert(OrderPolicy<TagOrder<NaturalNameOrder>>);
static_assert(OrderPolicy<TagOrder<LexicographicNameOrder>>);

namespace detail {
template <OrderPolicy Order, class Fn>
decltype(auto) with_optional_tag(const std::string& tag, Order order, SortOrder which, Fn&& fn) {
  if (tag.empty()) return fn(std::move(order));
  return fn(TagOrder<Order>(tag, std::move(order), order_names(which).sub_sort_name));
}
}  // namespace detail

// Calls fn(order) with the order object `order` and `tag` (one tag or several, comma
// separated; empty = none; never with template-coordinate or a Picard order) select; `header`
// supplies the read-group libraries of template-coordinate and the reference count of
// coordinate keys, `minimiser` and `minimiser_index` (may be null) the minimiser order's
// settings. Returns what fn returns.
template <class Fn>
decltype(auto) with_order(SortOrder order, const std::string& tag, const BamHeader& header, Fn&& fn,
                          const MinimiserSettings& minimiser = {},
                          const MinimiserIndex* minimiser_index = nullptr) {
  switch (order) {
    case SortOrder::kCoordinate:
      return detail::with_optional_tag(
          tag, CoordinateOrder(static_cast<std::uint64_t>(header.reference_count())), order, fn);
    case SortOrder::kQueryName:
      return detail::with_optional_tag(tag, NaturalNameOrder{}, order, fn);
    case SortOrder::kQueryNameLex:
      return detail::with_optional_tag(tag, LexicographicNameOrder{}, order, fn);
    case SortOrder::kTemplateCoordinate:
      return fn(TemplateOrder(header.text()));
    case SortOrder::kPicardCoordinate:
      return fn(PicardCoordinateOrder{});
    case SortOrder::kPicardQueryName:
      return fn(PicardQueryNameOrder{});
    case SortOrder::kMinimiser:
      // samtools: -t TAG turns -M into tag-then-coordinate order.
      if (!tag.empty())
        return detail::with_optional_tag(
            tag, CoordinateOrder(static_cast<std::uint64_t>(header.reference_count())), order, fn);
      return fn(MinimiserOrder(minimiser, minimiser_index));
  }
  throw UsageError("unsupported sort order");
}

}  // namespace samsort
