// Test helpers: build a BGZF file in memory block by block, and split one back into its
// blocks (with offsets and inflated payloads) to check what a writer produced.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "samsort/core/config.hpp"
#include "samsort/io/bgzf_block.hpp"

namespace samsort::test {

struct ParsedBlock {
  std::size_t offset = 0;
  std::size_t compressed_bytes = 0;
  std::vector<std::uint8_t> payload;
};

// Splits `file` into blocks; fails the test (and stops) at the first malformed block.
inline std::vector<ParsedBlock> parse_bgzf(const std::vector<std::uint8_t>& file) {
  std::vector<ParsedBlock> blocks;
  BlockInflater inflater;
  std::vector<std::uint8_t> out(config::kBgzfMaxBlockBytes);
  std::size_t offset = 0;
  while (offset < file.size()) {
    std::size_t block_bytes = 0;
    if (file.size() - offset < config::kBgzfHeaderBytes ||
        parse_block_header(file.data() + offset, &block_bytes) != BlockStatus::kOk ||
        offset + block_bytes > file.size()) {
      ADD_FAILURE() << "malformed block at offset " << offset;
      return blocks;
    }
    std::size_t out_bytes = 0;
    BlockStatus status =
        inflater.inflate(file.data() + offset, block_bytes, out.data(), &out_bytes);
    if (status != BlockStatus::kOk) {
      ADD_FAILURE() << "block at offset " << offset << ": " << block_status_text(status);
      return blocks;
    }
    blocks.push_back(ParsedBlock{offset, block_bytes,
                                 std::vector<std::uint8_t>(out.begin(), out.begin() + out_bytes)});
    offset += block_bytes;
  }
  return blocks;
}

// The payloads of `blocks` concatenated.
inline std::vector<std::uint8_t> joined_payload(const std::vector<ParsedBlock>& blocks) {
  std::vector<std::uint8_t> joined;
  for (const ParsedBlock& block : blocks) {
    joined.insert(joined.end(), block.payload.begin(), block.payload.end());
  }
  return joined;
}

// A BGZF file holding `payload` in blocks of `block_payload_bytes`, with or without the EOF
// marker. `block_offsets` (optional) receives each block's file offset.
inline std::vector<std::uint8_t> make_bgzf(const std::vector<std::uint8_t>& payload,
                                           std::size_t block_payload_bytes, bool eof_marker,
                                           std::vector<std::size_t>* block_offsets = nullptr) {
  BlockDeflater deflater(6);
  std::vector<std::uint8_t> file;
  std::vector<std::uint8_t> block(config::kBgzfMaxBlockBytes);
  for (std::size_t at = 0; at < payload.size(); at += block_payload_bytes) {
    std::size_t take = std::min(block_payload_bytes, payload.size() - at);
    std::size_t size = deflater.deflate(payload.data() + at, take, block.data());
    if (block_offsets != nullptr) block_offsets->push_back(file.size());
    file.insert(file.end(), block.begin(), block.begin() + size);
  }
  if (eof_marker) file.insert(file.end(), kBgzfEofBlock, kBgzfEofBlock + 28);
  return file;
}

}  // namespace samsort::test
