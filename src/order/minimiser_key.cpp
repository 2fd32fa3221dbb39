// samtools HEAD's minimiser hashing (bam_sort.c minhash, minhash_with_idx,
// minhash_with_idx_squash, worker_minhash, reverse_complement) on raw BAM records. The loops
// follow samtools' line by line, including where they differ from one another (which bases
// the index variants count, which position each reports), because the key is the contract.
#include "samsort/order/minimiser_key.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "samsort/bam/bam_record.hpp"
#include "samsort/core/byte_order.hpp"
#include "samsort/order/minimiser_index.hpp"

namespace samsort {

namespace {

// samtools' L and R tables: 4-bit base code (=ACM GRSV TWYH KDBN) to 2-bit forward value and
// its complement; anything but A, C, G, T counts as 0.
constexpr std::array<std::uint8_t, 16> kForward = {0, 0, 1, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0};
constexpr std::array<std::uint8_t, 16> kComplement = {0, 3, 2, 0, 1, 0, 0, 0,
                                                      0, 0, 0, 0, 0, 0, 0, 0};

// samtools' comp[] table applied to seq_nt16_str and read back with seq_nt16_table:
// = A C M G R S V T W Y H K D B N  ->  N T G K C Y S B A W Y D M H V N.
constexpr std::array<std::uint8_t, 16> kComplementCode = {15, 8, 4,  12, 2, 10, 6, 14,
                                                          1,  9, 10, 13, 3, 11, 7, 15};

constexpr std::size_t kPosOffset = 8;
constexpr std::size_t kMatePosOffset = 28;
constexpr std::size_t kInsertSizeOffset = 32;

inline int base_at(const std::uint8_t* seq, int idx) noexcept {
  return (seq[idx >> 1] >> ((~idx & 1) << 2)) & 0xf;
}

inline std::uint64_t kmer_mask(int kmer) noexcept { return (std::uint64_t{1} << (2 * kmer)) - 1; }

std::array<std::uint64_t, 16> reverse_table(int kmer) noexcept {
  std::array<std::uint64_t, 16> table{};
  for (std::size_t idx = 0; idx < table.size(); ++idx) {
    table[idx] = std::uint64_t{kComplement[idx]} << (2 * (kmer - 1));
  }
  return table;
}

const std::uint8_t* sequence_of(const std::uint8_t* record) noexcept {
  return record + bam::kFixedBytes + bam::read_name_bytes(record) +
         4 * std::size_t{bam::cigar_op_count(record)};
}

// One strand's scan of minhash_with_idx(_squash): the index-preferred minimum and where.
struct IndexedScan {
  std::uint64_t value = UINT64_MAX;
  int position = 0;
  int found = 0;  // samtools' found_f / found_r: 2 = a unique hit, 1 = a repeated one
};

// Priority: 1. a k-mer unique in the index, 2. a repeated one (the last scanned that passed
// the test, as samtools), 3. the plain minimum.
struct IndexedChooser {
  const MinimiserIndex& index;
  std::uint64_t unique_value = UINT64_MAX;
  std::uint64_t repeated_value = UINT64_MAX;
  std::uint64_t plain_value = UINT64_MAX;
  int unique_position = 0;
  int repeated_position = 0;
  int plain_position = 0;
  int found = 0;

  void offer(std::uint64_t value, int position) noexcept {
    int hit = 0;
    if (unique_value > value || (found < 2 && repeated_value > value)) {
      if (std::optional<std::uint64_t> stored = index.find(value)) {
        hit = (*stored & MinimiserIndex::kRepeatedBit) == 0 ? 2 : 1;
      }
    }
    found |= hit;
    switch (hit) {
      case 2:
        unique_value = value;
        unique_position = position;
        break;
      case 1:
        repeated_value = value;
        repeated_position = position;
        break;
      default:
        if (plain_value > value) {
          plain_value = value;
          plain_position = position;
        }
    }
  }

  IndexedScan result() const noexcept {
    if (unique_value != UINT64_MAX) return {unique_value, unique_position, found};
    if (repeated_value != UINT64_MAX) return {repeated_value, repeated_position, found};
    return {plain_value, plain_position, found};
  }
};

IndexedScan indexed_forward(const std::uint8_t* seq, int length, int kmer, bool squash,
                            const MinimiserIndex& index) noexcept {
  const std::uint64_t mask = kmer_mask(kmer);
  const std::uint64_t salt = kMinimiserXor & mask;
  IndexedChooser chooser{index};
  std::uint64_t hash = 0;
  int idx = 0;
  int last_base = -1;
  for (int counted = 0; counted < kmer - 1 && idx < length; ++idx) {
    int base = base_at(seq, idx);
    if (squash) {
      if (base == last_base) continue;
      last_base = base;
    }
    ++counted;
    hash = (hash << 2) | kForward[base];
  }
  for (; idx < length; ++idx) {
    int base = base_at(seq, idx);
    if (squash) {
      if (base == last_base) continue;
      last_base = base;
    }
    hash = ((hash << 2) | kForward[base]) & mask;
    chooser.offer(hash ^ salt, idx);
  }
  return chooser.result();
}

IndexedScan indexed_reverse(const std::uint8_t* seq, int length, int kmer, bool squash,
                            const MinimiserIndex& index) noexcept {
  const std::uint64_t salt = kMinimiserXor & kmer_mask(kmer);
  const std::array<std::uint64_t, 16> complement = reverse_table(kmer);
  IndexedChooser chooser{index};
  std::uint64_t hash = 0;
  int idx = 0;
  int last_base = -1;
  for (int counted = 0; counted < kmer - 1 && idx < length; ++idx) {
    int base = base_at(seq, idx);
    if (squash) {
      if (base == last_base) continue;
      last_base = base;
    }
    ++counted;
    hash = (hash >> 2) | complement[base];
  }
  for (; idx < length; ++idx) {
    int base = base_at(seq, idx);
    if (squash) {
      if (base == last_base) continue;
      last_base = base;
    }
    hash = (hash >> 2) | complement[base];
    chooser.offer(hash ^ salt, idx);
  }
  return chooser.result();
}

// minhash_with_idx / minhash_with_idx_squash: the key value and the read position term.
struct IndexedMinimiser {
  std::uint64_t value;
  int position;
  bool reverse;
};

IndexedMinimiser indexed_minimiser(const std::uint8_t* seq, int length,
                                   const MinimiserSettings& settings,
                                   const MinimiserIndex& index) noexcept {
  IndexedScan forward = indexed_forward(seq, length, settings.kmer, settings.squash, index);
  IndexedMinimiser chosen{forward.value, forward.position, false};
  if (settings.try_rev) {
    IndexedScan reverse = indexed_reverse(seq, length, settings.kmer, settings.squash, index);
    // "Pick reverse if better mapping"
    if ((forward.value > reverse.value) || (forward.found == 0 && reverse.found != 0)) {
      if (forward.found == 0 || reverse.found != 0) {
        chosen.value = reverse.value;
        chosen.position = length - reverse.position + settings.kmer - 2;
        chosen.reverse = true;
      }
    }
  }
  // An indexed k-mer keys by its position in the concatenated reference.
  if (std::optional<std::uint64_t> stored = index.find(chosen.value)) {
    chosen.value = *stored & MinimiserIndex::kPositionMask;
  }
  if (chosen.value == UINT64_MAX) chosen.value = 0;
  return chosen;
}

}  // namespace

WindowMinimiser window_minimiser(const std::uint8_t* seq, int length, int kmer, int window,
                                 int start, bool try_forward, bool try_reverse,
                                 bool squash) noexcept {
  const std::uint64_t mask = kmer_mask(kmer);
  const std::uint64_t salt = kMinimiserXor & mask;
  std::uint64_t min_forward = UINT64_MAX;
  int min_forward_position = start;
  bool reverse = false;
  const int end =
      static_cast<int>(std::min<std::int64_t>(std::int64_t{start} + window, std::int64_t{length}));
  int idx = 0;

  if (try_forward) {
    std::uint64_t hash = 0;
    int last_base = -1;
    int counted = 0;
    for (idx = start; counted < kmer - 1 && idx < end; ++idx) {
      int base = base_at(seq, idx);
      if (!squash || last_base != base) {
        last_base = base;
        hash = (hash << 2) | kForward[base];
        ++counted;
      }
    }
    for (; idx < end; ++idx) {
      int base = base_at(seq, idx);
      if (squash) {
        if (last_base == base) continue;
        last_base = base;
      }
      hash = (hash << 2) | kForward[base];
      std::uint64_t value = (hash ^ kMinimiserXor) & mask;
      if (min_forward > value) {
        min_forward = value;
        min_forward_position = idx;
      }
    }
  }

  if (try_reverse) {
    const std::array<std::uint64_t, 16> complement = reverse_table(kmer);
    std::uint64_t hash = 0;
    std::uint64_t min_reverse = UINT64_MAX;
    int min_reverse_position = start;
    int last_base = -1;
    int counted = 0;
    // samtools bounds this initial loop by the sequence length, not the window end.
    for (idx = start; counted < kmer - 1 && idx < length; ++idx) {
      int base = base_at(seq, idx);
      if (!squash || last_base != base) {
        last_base = base;
        hash = (hash >> 2) | complement[base];
        ++counted;
      }
    }
    for (; idx < end; ++idx) {
      int base = base_at(seq, idx);
      if (squash) {
        if (last_base == base) continue;
        last_base = base;
      }
      hash = (hash >> 2) | complement[base];
      if (min_reverse > (hash ^ salt)) {
        min_reverse = hash ^ salt;
        min_reverse_position = length - idx + kmer - 2;
      }
    }
    if (min_reverse < min_forward) {
      min_forward = min_reverse;
      min_forward_position = min_reverse_position;
      reverse = true;
    }
  }
  return {min_forward, min_forward_position - (kmer - 1), end == length, reverse};
}

MinimiserKey minimiser_key(const std::uint8_t* record, const MinimiserSettings& settings,
                           const MinimiserIndex* index) noexcept {
  const std::uint8_t* seq = sequence_of(record);
  int length = bam::seq_length(record);
  std::uint64_t value;
  std::int32_t term;
  bool reverse;
  if (index == nullptr) {
    WindowMinimiser found = window_minimiser(seq, length, settings.kmer, length, 0, true,
                                             settings.try_rev, settings.squash);
    value = found.value + (std::uint64_t{1} << 30);  // wraps as samtools' uint64_t does
    term = 65535 - found.next_start >= 0 ? 65535 - found.next_start : 0;
    reverse = found.reverse;
  } else {
    IndexedMinimiser found = indexed_minimiser(seq, length, settings, *index);
    value = found.value - static_cast<std::uint64_t>(static_cast<std::int64_t>(found.position));
    term = 0;
    reverse = found.reverse;
  }
  // samtools keeps 31 bits in pos and 31 in mpos: the key is the value modulo 2^62.
  return {value & ((std::uint64_t{1} << 62) - 1), term, reverse};
}

void reverse_complement_record(std::uint8_t* record) noexcept {
  int length = bam::seq_length(record);
  std::uint8_t* seq = const_cast<std::uint8_t*>(sequence_of(record));
  std::uint8_t* qual = seq + (static_cast<std::size_t>(length) + 1) / 2;
  auto get = [seq](int idx) { return base_at(seq, idx); };
  auto set = [seq](int idx, int code) {
    int shift = (~idx & 1) << 2;
    seq[idx >> 1] = static_cast<std::uint8_t>((seq[idx >> 1] & ~(0xf << shift)) | (code << shift));
  };
  int left = 0;
  int right = length - 1;
  for (; left < right; ++left, --right) {
    int left_code = get(left);
    set(left, kComplementCode[get(right)]);
    set(right, kComplementCode[left_code]);
    std::swap(qual[left], qual[right]);
  }
  if (left == right) set(left, kComplementCode[get(left)]);
  store_le16(record + 18, static_cast<std::uint16_t>(bam::flag(record) ^ 0x10));
}

void store_minimiser_key(std::uint8_t* record, const MinimiserKey& key) noexcept {
  store_le32(record + kPosOffset, static_cast<std::uint32_t>((key.key >> 31) & 0x7fffffff));
  store_le32(record + kMatePosOffset, static_cast<std::uint32_t>(key.key & 0x7fffffff));
  store_le32(record + kInsertSizeOffset, static_cast<std::uint32_t>(key.term));
}

std::uint64_t stored_minimiser_key(const std::uint8_t* record) noexcept {
  // samtools: ((uint64_t)pos << 31) | (uint32_t)mpos
  auto pos = static_cast<std::uint64_t>(
      static_cast<std::int64_t>(load_le<std::int32_t>(record + kPosOffset)));
  return (pos << 31) | load_le32(record + kMatePosOffset);
}

std::int32_t stored_minimiser_term(const std::uint8_t* record) noexcept {
  return load_le<std::int32_t>(record + kInsertSizeOffset);
}

void clear_minimiser_key(std::uint8_t* record) noexcept {
  store_le32(record + kPosOffset, 0xffffffffu);
  store_le32(record + kMatePosOffset, 0xffffffffu);
  store_le32(record + kInsertSizeOffset, 0);
}

}  // namespace samsort
