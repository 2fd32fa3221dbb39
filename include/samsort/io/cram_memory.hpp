// Memory of htslib's CRAM decoder and encoder as samsort counts it (config.hpp has the
// measurements): the codec's buffers, base plus per extra thread, and the reference sequences
// htslib loads whole, estimated from the header's @SQ lengths before any record is decoded.
// And the htslib thread count a budget can afford.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "samsort/core/config.hpp"

struct sam_hdr_t;

namespace samsort {

struct CodecMemory {
  std::size_t base_bytes;
  std::size_t per_extra_thread_bytes;
};

inline constexpr CodecMemory kCramDecoderMemory{config::kCramDecoderBaseBytes,
                                                config::kCramDecoderBytesPerExtraThread};
inline constexpr CodecMemory kCramEncoderMemory{config::kCramEncoderBaseBytes,
                                                config::kCramEncoderBytesPerExtraThread};

// The contigs htslib may load as reference, and whether it keeps them all (unsorted data).
struct CramReference {
  std::vector<std::uint64_t> lengths;  // bases per contig, largest first
  bool keeps_all = false;              // unsorted: every contig touched stays loaded
};

// The reference a CRAM file with `header` may need: every @SQ with a length when a reference
// file is given (`reference_given`), else those whose @SQ names a source (M5 or UR) htslib
// could find. `sorted`: the records come (or go) in coordinate order.
CramReference cram_reference(const sam_hdr_t* header, bool reference_given, bool sorted);

// Bytes counted for the reference with `threads` (>= 1) htslib threads: every contig when
// htslib keeps them all, else the largest threads + 1 (one in use per thread, one cached).
std::size_t reference_bytes(const CramReference& reference, std::size_t threads) noexcept;

// Bytes counted for a codec running `threads` (>= 1) htslib threads, reference included.
inline std::size_t codec_bytes(CodecMemory memory, std::size_t threads,
                               const CramReference& reference = {}) noexcept {
  return memory.base_bytes + memory.per_extra_thread_bytes * (threads > 1 ? threads - 1 : 0) +
         reference_bytes(reference, threads);
}

// The most threads, up to `requested`, whose extra memory over one thread (codec and
// reference) fits the codec's share of `budget_bytes`; at least 1. One thread's needs are not
// capped here: they are reserved from the budget, which refuses what cannot fit.
std::size_t codec_threads(CodecMemory memory, std::size_t requested, std::size_t budget_bytes,
                          const CramReference& reference = {}) noexcept;

}  // namespace samsort
