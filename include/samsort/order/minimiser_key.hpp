// Minimiser keys of unplaced reads (samtools sort -M): a port of samtools HEAD's bam_sort.c
// `minhash`, `minhash_with_idx(_squash)` and `reverse_complement`, on raw BAM records.
// samtools' quirks are kept on purpose (they are the contract): the key wraps modulo 2^62,
// a read without a whole k-mer keys as 2^30 - 1, and IUPAC Y complements to Y.
#pragma once
#include <cstddef>
#include <cstdint>

namespace samsort {

class MinimiserIndex;

// The -M options. kmer is already clamped to 1..31 (samtools clamps -K).
struct MinimiserSettings {
  int kmer = 20;        // -K
  bool try_rev = true;  // cleared by -R: forward strand only
  bool squash = false;  // -H: skip a base equal to the previous one (homopolymer squash)
};

// --minimiser-group-names: which record's key a read-name group takes (measured in
// bench/RESULTS.md, "Minimiser order with name groups").
enum class GroupKeyRule {
  kSmallest,  // the smallest (key, then larger position term) of the group's records
  kFirst,     // the group's first record in name order (READ1, else the first read)
};

// samtools' salt: "punt homopolymers somewhere central in the hash space".
inline constexpr std::uint64_t kMinimiserXor = 0xdead7878beef7878ULL;

// What samtools' minhash() returns for bases [start, min(start + window, length)) of a
// 4-bit packed sequence: the smallest salted k-mer value (UINT64_MAX when no k-mer fits),
// the start of that k-mer (`next_start`, samtools' *curr_pos), whether the window reached the
// end of the sequence, and whether the value came from the reverse strand.
struct WindowMinimiser {
  std::uint64_t value;
  int next_start;
  bool at_end;
  bool reverse;
};
WindowMinimiser window_minimiser(const std::uint8_t* seq, int length, int kmer, int window,
                                 int start, bool try_forward, bool try_reverse,
                                 bool squash) noexcept;

// What samtools stores for one unplaced record: the 62-bit key (its pos and mpos fields), the
// tie term (its isize field; compared descending) and whether the read is to be
// reverse-complemented.
struct MinimiserKey {
  std::uint64_t key;  // < 2^62
  std::int32_t term;
  bool reverse;
};

// The key of a raw BAM record (samtools' worker_minhash), without `index` (-I) or with it.
// Pure: reads the record only. Thread safe.
MinimiserKey minimiser_key(const std::uint8_t* record, const MinimiserSettings& settings,
                           const MinimiserIndex* index) noexcept;

// samtools' reverse_complement() in place on a raw BAM record: IUPAC complement of the
// sequence as samtools' table has it ('=' -> N, Y -> Y), qualities reversed, FLAG ^ 0x10;
// name, CIGAR and aux untouched.
void reverse_complement_record(std::uint8_t* record) noexcept;

// Where the key lives while a record travels through runs: pos (+8) = key >> 31,
// mpos (+28) = key & 0x7fffffff, isize (+32) = term, as samtools keeps it in bam1_core_t.
void store_minimiser_key(std::uint8_t* record, const MinimiserKey& key) noexcept;
std::uint64_t stored_minimiser_key(const std::uint8_t* record) noexcept;
std::int32_t stored_minimiser_term(const std::uint8_t* record) noexcept;
// The output form of an unplaced record: pos -1, mpos -1, isize 0 (samtools' write_buffer).
void clear_minimiser_key(std::uint8_t* record) noexcept;

}  // namespace samsort
