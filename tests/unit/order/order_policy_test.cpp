// The Order policy concepts reject orders that lack a member or whose radix digits fall
// outside the entry, and accept every order with_order() can pick. These are compile-time
// checks: a concept that accepted a broken order (or rejected a real one) fails the build.
#include "samsort/order/order_policy.hpp"

#include <cstddef>
#include <cstdint>

#include "samsort/order/order_dispatch.hpp"

namespace samsort {
namespace {

// A complete radix order built from scratch, and variants that each break one requirement.
struct MinimalOrder {
  static constexpr bool kRadix = true;
  static constexpr bool kIndexable = false;
  struct Entry {
    std::uint64_t key_and_offset;
  };
  using MergeKey = std::uint64_t;
  static constexpr RadixDigit kRadixDigits[] = {{0, 6}, {0, 7}};
  static Entry make_entry(const std::uint8_t*, std::uint64_t offset) noexcept { return {offset}; }
  static std::uint64_t offset_of(const Entry& entry) noexcept { return entry.key_and_offset; }
  static bool entry_less(const Entry& a, const Entry& b, const std::uint8_t*) noexcept {
    return a.key_and_offset < b.key_and_offset;
  }
  template <class EntryAt>
  static void prepare_run(EntryAt&&, std::size_t, const std::uint8_t*) noexcept {}
  static MergeKey merge_key(const std::uint8_t*) noexcept { return 0; }
  static bool merge_less(MergeKey a, MergeKey b) noexcept { return a < b; }
  static HeaderSortTags header_tags() noexcept { return {"unknown", nullptr, nullptr}; }
};
static_assert(OrderPolicy<MinimalOrder>);

struct DigitOutsideEntry : MinimalOrder {
  static constexpr RadixDigit kRadixDigits[] = {{1, 0}};
};
static_assert(!RadixSortable<DigitOutsideEntry>);
static_assert(!OrderPolicy<DigitOutsideEntry>);

struct ByteOutsideWord : MinimalOrder {
  static constexpr RadixDigit kRadixDigits[] = {{0, 8}};
};
static_assert(!RadixSortable<ByteOutsideWord>);

struct OwnDigitType : MinimalOrder {
  struct Digit {
    unsigned word;
    unsigned byte;
  };
  static constexpr Digit kRadixDigits[] = {{0, 0}};
};
static_assert(!RadixSortable<OwnDigitType>);

struct HalfWordEntry : MinimalOrder {
  struct Entry {
    std::uint32_t key;
  };
};
static_assert(!RadixSortable<HalfWordEntry>);

struct NoMergeLess {
  using MergeKey = int;
  static MergeKey merge_key(const std::uint8_t*) noexcept { return 0; }
};
static_assert(!MergeOrder<NoMergeLess>);

// Not a radix order, and no refine(): the engine's comparison pass could not finish it.
struct ComparisonWithoutRefine : MinimalOrder {
  static constexpr bool kRadix = false;
  static constexpr std::size_t kPrefixWords = 1;
};
static_assert(!PrefixSortable<ComparisonWithoutRefine>);
static_assert(!OrderPolicy<ComparisonWithoutRefine>);

struct ComparisonWithRefine : ComparisonWithoutRefine {
  static bool refine(Entry*, std::size_t, unsigned, const std::uint8_t*) noexcept { return false; }
};
static_assert(OrderPolicy<ComparisonWithRefine>);

struct PrefixWiderThanEntry : ComparisonWithRefine {
  static constexpr std::size_t kPrefixWords = 2;
};
static_assert(!OrderPolicy<PrefixWiderThanEntry>);

struct NoHeaderTags : MinimalOrder {
  static void header_tags() noexcept {}
};
static_assert(!OrderPolicy<NoHeaderTags>);

// Every order the dispatcher can pick.
static_assert(OrderPolicy<CoordinateOrder>);
static_assert(OrderPolicy<NaturalNameOrder>);
static_assert(OrderPolicy<LexicographicNameOrder>);
static_assert(OrderPolicy<TemplateOrder>);
static_assert(OrderPolicy<TagOrder<CoordinateOrder>>);
static_assert(OrderPolicy<TagOrder<NaturalNameOrder>>);

}  // namespace
}  // namespace samsort
