// Memory of htslib's CRAM decoder and encoder as samsort counts it (config.hpp has the
// measurements), and the htslib thread count a budget can afford.
#pragma once
#include <cstddef>

#include "samsort/core/config.hpp"

namespace samsort {

struct CodecMemory {
  std::size_t base_bytes;
  std::size_t per_extra_thread_bytes;
};

inline constexpr CodecMemory kCramDecoderMemory{config::kCramDecoderBaseBytes,
                                                config::kCramDecoderBytesPerExtraThread};
inline constexpr CodecMemory kCramEncoderMemory{config::kCramEncoderBaseBytes,
                                                config::kCramEncoderBytesPerExtraThread};

// Bytes counted for a codec running `threads` (>= 1) htslib threads.
inline std::size_t codec_bytes(CodecMemory memory, std::size_t threads) noexcept {
  return memory.base_bytes + memory.per_extra_thread_bytes * (threads > 1 ? threads - 1 : 0);
}

// The most threads, up to `requested`, whose codec memory fits the codec's share of
// `budget_bytes`; at least 1.
inline std::size_t codec_threads(CodecMemory memory, std::size_t requested,
                                 std::size_t budget_bytes) noexcept {
  double allowed = static_cast<double>(budget_bytes) * config::kCramBudgetShare;
  std::size_t threads = 1;
  while (threads < requested && static_cast<double>(codec_bytes(memory, threads + 1)) <= allowed) {
    ++threads;
  }
  return threads;
}

}  // namespace samsort
