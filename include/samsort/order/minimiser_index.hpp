// MinimiserIndex: samtools sort -I FASTA's reference index (bam_sort.c build_minhash_index):
// the forward minimiser of each window of each reference sequence at least a window long,
// mapped to its position in the concatenated reference, with a flag for k-mers seen more than
// once. Its table is sized from an upper bound and reserved from the budget before it is built.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "samsort/core/memory_budget.hpp"
#include "samsort/order/minimiser_key.hpp"

namespace samsort {

class MinimiserIndex {
 public:
  // samtools' UNIQ_BIT: set in a value whose k-mer was inserted more than once.
  static constexpr std::uint64_t kRepeatedBit = std::uint64_t{1} << 60;
  static constexpr std::uint64_t kPositionMask = kRepeatedBit - 1;

  // Reads FASTA `path` twice (lengths, then sequences), reserving from `budget` the table for
  // the most entries the sequences can give plus the longest sequence. Throws IoError (cannot
  // read), FormatError (not FASTA) or ResourceError (one line: the MiB the reference needs).
  static MinimiserIndex build(const std::string& path, const MinimiserSettings& settings,
                              int window, MemoryBudget& budget);

  // The value stored for `kmer_value` (position | kRepeatedBit), or nullopt. Thread safe.
  std::optional<std::uint64_t> find(std::uint64_t kmer_value) const noexcept;
  std::size_t entry_count() const noexcept { return entries_; }

  // Inserts as samtools' kh_put + kh_value: a new key stores `position`, a present one is
  // overwritten with `position | kRepeatedBit`. Public for tests; the table must have room.
  void insert(std::uint64_t kmer_value, std::uint64_t position) noexcept;

  // An empty table with room for `max_entries`, reserved from `budget`.
  MinimiserIndex(std::size_t max_entries, MemoryBudget& budget);

 private:
  struct Slot {
    std::uint64_t key;
    std::uint64_t value;  // kEmpty marks a free slot; stored values are masked below it
  };
  static std::size_t slot_count_for(std::size_t max_entries) noexcept;
  std::size_t home_of(std::uint64_t key) const noexcept;

  std::size_t mask_ = 0;
  std::size_t entries_ = 0;
  MappedBuffer table_;
};

// The table bytes an index of at most `max_entries` entries takes.
std::size_t minimiser_index_bytes(std::size_t max_entries) noexcept;

}  // namespace samsort
