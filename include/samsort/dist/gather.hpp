// run_gather: the last step of a distributed sort. Puts the output together from the range
// parts that merge-range wrote (headerless BGZF): the input's header as the sort would write
// it (sort tags, @PG), the parts copied in range order without recompression, the EOF marker;
// the index merged from the parts' index fragments by shifting their offsets (bam/index_merge).
// Before anything is committed, the slices' manifests (records read) and the parts' (records
// written) must add up to the same count and checksum, each slice and range present once.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace samsort {

struct GatherOptions {
  std::string plan_path;
  std::string output_path;
  std::vector<std::string> slice_manifests;  // sort-slice outputs, any order
  std::vector<std::string> range_parts;      // merge-range outputs, in range order
  int samtools_level = -1;                   // the header blocks' level
  std::size_t threads = 1;
  std::size_t memory_bytes = 0;
  bool write_index = false;  // from the parts' fragments (PART.csi or PART.bai)
  bool index_csi = true;
  std::string index_path;  // "" = OUT.csi / OUT.bai
  bool write_program_line = true;
  std::string command_line;
};

struct GatherSummary {
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;
  double seconds = 0;
};

// Throws the typed errors of errors.hpp; nothing is left at the destination on a throw.
GatherSummary run_gather(const GatherOptions& options);

// The index fragment merge-range writes beside PART.
std::string fragment_path(const std::string& part, bool csi);
// The manifest merge-range writes beside PART.
std::string range_manifest_path(const std::string& part);

}  // namespace samsort
