// PieceManifest: the few figures a distributed sort's step leaves beside what it wrote, for
// the gather to check the whole: a slice's records in and their checksum, or a range part's
// records out, checksum and bytes. One "key value" per line, written atomically.
#pragma once
#include <cstdint>
#include <string>

namespace samsort {

struct PieceManifest {
  std::string kind;         // "slice" or "range"
  std::uint64_t index = 0;  // slice or range number
  std::uint64_t shards = 0;
  std::uint64_t records = 0;
  std::uint64_t checksum = 0;  // RecordChecksum value
  std::uint64_t bytes = 0;     // a range part's size in bytes (0 for a slice)
};

std::string format_manifest(const PieceManifest& manifest);
// Throws Error for a file that is not a manifest, IoError when it cannot be read.
PieceManifest read_manifest(const std::string& path);
// Writes the manifest to `path` (an OutputFile: committed by the caller). Throws IoError.
class OutputFile;
void write_manifest(const PieceManifest& manifest, OutputFile& file);

}  // namespace samsort
