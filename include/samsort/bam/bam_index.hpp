// BamIndexBuilder: a BAI or CSI index built while the BGZF writer writes, from the virtual
// offsets of record starts (htslib's hts_idx API, with the parameters samtools uses), never by
// re-reading the output. Saved under a temporary name, renamed next to the output on commit.
#pragma once
#include <cstdint>
#include <string>

#include "samsort/core/memory_budget.hpp"
#include "samsort/io/bgzf_writer.hpp"

struct sam_hdr_t;
struct hts_idx_t;

namespace samsort {

class BamIndexBuilder final : public BlockIndexer {
 public:
  // `csi` picks CSI (samtools' default) over BAI. Reserves an estimate of the index size.
  BamIndexBuilder(const sam_hdr_t* header, bool csi, MemoryBudget& budget);
  ~BamIndexBuilder() override;
  BamIndexBuilder(const BamIndexBuilder&) = delete;
  BamIndexBuilder& operator=(const BamIndexBuilder&) = delete;

  // Writer thread. Throws Error if records arrive out of coordinate order.
  void push(const RecordStart& start, std::uint64_t virtual_offset) override;
  void finish(std::uint64_t end_virtual_offset) override;

  // Writes the finished index to `index_path` (for output `output_path`). Throws IoError.
  void save(const std::string& output_path, const std::string& index_path);

  // Budget the builder reserves for an index of `header`'s references.
  static std::size_t reserved_bytes_for(const sam_hdr_t* header) noexcept;

  // Reference span of a raw record as htslib's bam_endpos computes it (pos + 1 if unmapped).
  static std::int64_t record_end(const std::uint8_t* record) noexcept;

 private:
  void init(std::uint64_t first_virtual_offset);
  void push_pending(std::uint64_t end_virtual_offset);

  const sam_hdr_t* header_;
  bool csi_;
  Reservation reservation_;
  hts_idx_t* index_ = nullptr;
  bool finished_ = false;
  RecordStart pending_{};
  bool has_pending_ = false;
};

}  // namespace samsort
