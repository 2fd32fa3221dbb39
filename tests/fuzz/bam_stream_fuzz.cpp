// libFuzzer target: an uncompressed BAM stream (magic, header text, references, records),
// wrapped in valid BGZF blocks so the fuzzer works on the header parser and the record checker
// rather than on deflate.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "samsort/core/config.hpp"
#include "samsort/io/bgzf_block.hpp"

namespace {
// Small blocks: fields and records straddle block boundaries often.
constexpr std::size_t kPayloadBytesPerBlock = 4096;
constexpr int kStoredLevel = 0;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace samsort;
  static BlockDeflater deflater(kStoredLevel);
  std::vector<std::uint8_t> compressed;
  std::vector<std::uint8_t> block(config::kBgzfMaxBlockBytes);
  for (std::size_t begin = 0; begin < size; begin += kPayloadBytesPerBlock) {
    std::size_t bytes = std::min(kPayloadBytesPerBlock, size - begin);
    std::size_t block_bytes = deflater.deflate(data + begin, bytes, block.data());
    compressed.insert(compressed.end(), block.begin(), block.begin() + block_bytes);
  }
  compressed.insert(compressed.end(), kBgzfEofBlock, kBgzfEofBlock + sizeof kBgzfEofBlock);
  fuzz::MemoryFile file(compressed.data(), compressed.size());
  if (file.fd() < 0) return 0;
  fuzz::read_bam_stream(file.fd(), 1);
  return 0;
}
