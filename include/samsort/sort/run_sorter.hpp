// Parallel, stable LSD radix sort of fixed-width sort entries (key prefix + arena offset).
// Digits that are the same in every entry are skipped, so a coordinate run typically needs
// 5-7 passes. Work is split across a team of threads: each pass histograms per thread,
// prefix-sums once, and scatters per thread, so the sort is stable and fully parallel.
#pragma once
#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "samsort/core/config.hpp"
#include "samsort/core/thread_team.hpp"
#include "samsort/order/order_policy.hpp"

namespace samsort {

// Sorts `count` entries of `Order::Entry` using `scratch` (same size). Returns the array that
// holds the result (either `entries` or `scratch`). Entries compare as Order's radix digits;
// equal digits keep their input order.
template <RadixSortable Order>
typename Order::Entry* radix_sort_entries(typename Order::Entry* entries,
                                          typename Order::Entry* scratch, std::size_t count,
                                          std::size_t threads) {
  using Entry = typename Order::Entry;
  constexpr std::size_t kWords = sizeof(Entry) / sizeof(std::uint64_t);
  constexpr std::size_t kDigits = std::size(Order::kRadixDigits);

  if (count < config::kParallelSortMinEntries) threads = 1;
  if (count < 2) return entries;

  struct alignas(64) MemberState {
    std::array<std::uint64_t, kWords> and_bits;
    std::array<std::uint64_t, kWords> or_bits;
    std::array<std::size_t, 256> counts;
  };
  std::vector<MemberState> members(std::max<std::size_t>(threads, 1));
  std::array<bool, kDigits> active{};
  Entry* source = entries;
  Entry* target = scratch;

  auto word_of = [](const Entry& entry, unsigned word) {
    std::uint64_t value;
    std::memcpy(&value, reinterpret_cast<const char*>(&entry) + word * 8, 8);
    return value;
  };

  run_team(threads, [&](std::size_t member, std::size_t team, auto& barrier) noexcept {
    std::size_t begin = count * member / team;
    std::size_t end = count * (member + 1) / team;
    MemberState& state = members[member];
    state.and_bits.fill(~std::uint64_t{0});
    state.or_bits.fill(0);
    for (std::size_t idx = begin; idx < end; ++idx) {
      for (unsigned word = 0; word < kWords; ++word) {
        std::uint64_t value = word_of(entries[idx], word);
        state.and_bits[word] &= value;
        state.or_bits[word] |= value;
      }
    }
    barrier.arrive_and_wait();
    if (member == 0) {
      for (std::size_t digit = 0; digit < kDigits; ++digit) {
        unsigned word = Order::kRadixDigits[digit].word;
        unsigned shift = Order::kRadixDigits[digit].byte * 8;
        std::uint64_t all_and = ~std::uint64_t{0};
        std::uint64_t any_or = 0;
        for (std::size_t other = 0; other < team; ++other) {
          all_and &= members[other].and_bits[word];
          any_or |= members[other].or_bits[word];
        }
        active[digit] = (((all_and ^ any_or) >> shift) & 0xff) != 0;
      }
    }
    barrier.arrive_and_wait();
    for (std::size_t digit = 0; digit < kDigits; ++digit) {
      if (!active[digit]) continue;
      unsigned word = Order::kRadixDigits[digit].word;
      unsigned shift = Order::kRadixDigits[digit].byte * 8;
      state.counts.fill(0);
      for (std::size_t idx = begin; idx < end; ++idx) {
        ++state.counts[(word_of(source[idx], word) >> shift) & 0xff];
      }
      barrier.arrive_and_wait();
      if (member == 0) {
        // Turn per-member counts into per-member start positions: digit-major, member-minor.
        std::size_t position = 0;
        for (std::size_t value = 0; value < 256; ++value) {
          for (std::size_t other = 0; other < team; ++other) {
            std::size_t n = members[other].counts[value];
            members[other].counts[value] = position;
            position += n;
          }
        }
      }
      barrier.arrive_and_wait();
      for (std::size_t idx = begin; idx < end; ++idx) {
        const Entry& entry = source[idx];
        target[state.counts[(word_of(entry, word) >> shift) & 0xff]++] = entry;
      }
      barrier.arrive_and_wait();
      if (member == 0) std::swap(source, target);
      barrier.arrive_and_wait();
    }
  });
  return source;
}

}  // namespace samsort

namespace samsort {

// Sorts entries whose first `Order::kPrefixWords` 64-bit words are an order-preserving prefix
// of the key: a stable radix sort on those words (Order::kRadixDigits), then each run of
// entries with equal prefixes is finished. Small runs (mates share a name) are sorted with the
// full comparator `less`; large runs are first asked to `order.refine()` their prefixes to the
// next bytes of the key (names sharing a flowcell and tile prefix) and radix-sorted again, an
// MSD string sort in 16-byte steps. `less` must agree with the prefix order at every depth
// and break ties by offset.
template <PrefixSortable Order, class Less>
requires std::predicate<const Less&, const typename Order::Entry&, const typename Order::Entry&>
typename Order::Entry* prefix_radix_sort_entries(const Order& order, typename Order::Entry* entries,
                                                 typename Order::Entry* scratch, std::size_t count,
                                                 std::size_t threads, const std::uint8_t* top,
                                                 const Less& less) {
  using Entry = typename Order::Entry;
  constexpr std::size_t kSmallRun = 16;
  Entry* sorted = radix_sort_entries<Order>(entries, scratch, count, threads);
  Entry* spare = sorted == entries ? scratch : entries;
  if (count < config::kParallelSortMinEntries) threads = 1;
  auto same_prefix = [](const Entry& a, const Entry& b) {
    return std::memcmp(&a, &b, Order::kPrefixWords * sizeof(std::uint64_t)) == 0;
  };
  // Finishes sorted[begin, end), whose prefixes are all equal at `depth`.
  auto finish_run = [&](auto& self, std::size_t begin, std::size_t end, unsigned depth) -> void {
    if (end - begin <= kSmallRun || !order.refine(sorted + begin, end - begin, depth + 1, top)) {
      std::sort(sorted + begin, sorted + end, less);
      return;
    }
    Entry* result = radix_sort_entries<Order>(sorted + begin, spare + begin, end - begin, 1);
    if (result != sorted + begin) {
      std::memcpy(sorted + begin, result, (end - begin) * sizeof(Entry));
    }
    for (std::size_t idx = begin; idx < end;) {
      std::size_t last = idx + 1;
      while (last < end && same_prefix(sorted[idx], sorted[last])) ++last;
      if (last - idx > 1) self(self, idx, last, depth + 1);
      idx = last;
    }
  };
  // A run of equal prefixes belongs to the member whose nominal range holds its first entry.
  // Every member first finds where its runs start, reading only; after the barrier each one
  // refines inside [starts[member], starts[member + 1]) alone, so no member reads entries that
  // another is rewriting (refine() changes the prefixes of the run it works on).
  std::vector<std::size_t> starts(threads + 1, count);
  run_team(threads, [&](std::size_t member, std::size_t team, auto& barrier) noexcept {
    std::size_t begin = count * member / team;
    while (begin > 0 && begin < count && same_prefix(sorted[begin - 1], sorted[begin])) ++begin;
    starts[member] = begin;
    barrier.arrive_and_wait();
    std::size_t end = member + 1 < team ? starts[member + 1] : count;
    std::size_t idx = begin;
    while (idx < end) {
      std::size_t last = idx + 1;
      while (last < end && same_prefix(sorted[idx], sorted[last])) ++last;
      if (last - idx > 1) finish_run(finish_run, idx, last, 0);
      idx = last;
    }
  });
  return sorted;
}

}  // namespace samsort
