// libFuzzer target: one BGZF block. The header parser and the inflater (CRC, ISIZE, deflate
// errors) on arbitrary bytes, and deflate -> parse -> inflate round trip of the input as payload.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "samsort/core/config.hpp"
#include "samsort/io/bgzf_block.hpp"

namespace {
constexpr int kRoundTripLevel = 1;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace samsort;
  static BlockInflater inflater;
  static BlockDeflater deflater(kRoundTripLevel);
  std::vector<std::uint8_t> out(config::kBgzfMaxBlockBytes);
  std::size_t out_bytes = 0;

  // Arbitrary bytes as a block: the header decides the size; it must lie within the input.
  if (size >= config::kBgzfHeaderBytes) {
    std::size_t block_bytes = 0;
    if (parse_block_header(data, &block_bytes) == BlockStatus::kOk && block_bytes <= size) {
      // An exact-size copy, so reading past the block is a sanitizer report.
      std::vector<std::uint8_t> block(data, data + block_bytes);
      BlockStatus status = inflater.inflate(block.data(), block.size(), out.data(), &out_bytes);
      if (status == BlockStatus::kOk && out_bytes > config::kBgzfMaxBlockBytes) std::abort();
      static_cast<void>(block_status_text(status));
    }
  }

  // The input as payload: what the writer makes, the reader must take back unchanged.
  std::size_t payload_bytes = std::min(size, config::kBgzfMaxPayloadBytes);
  std::vector<std::uint8_t> block(config::kBgzfMaxBlockBytes);
  std::size_t block_bytes = deflater.deflate(data, payload_bytes, block.data());
  std::size_t parsed_bytes = 0;
  if (parse_block_header(block.data(), &parsed_bytes) != BlockStatus::kOk ||
      parsed_bytes != block_bytes) {
    std::abort();
  }
  if (inflater.inflate(block.data(), block_bytes, out.data(), &out_bytes) != BlockStatus::kOk ||
      out_bytes != payload_bytes ||
      (payload_bytes > 0 && std::memcmp(out.data(), data, payload_bytes) != 0)) {
    std::abort();
  }
  return 0;
}
