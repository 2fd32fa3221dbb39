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

// Where a record lies on its reference, queued by the producer until the writer thread learns
// the record's virtual offset.
struct RecordLocation {
  std::int32_t tid;
  std::int64_t begin;
  std::int64_t end;
  bool mapped;
};

// Fed from both sides of a BgzfWriter: the producer calls note() just before the writer's
// mark() for each record; the writer thread calls marked() with that record's virtual offset.
class BamIndexBuilder final : public MarkObserver {
 public:
  // `csi` picks CSI (samtools' default) over BAI. Reserves an estimate of the index size and
  // a queue of `locations_in_flight` locations (BgzfWriter::max_marks_in_flight).
  BamIndexBuilder(const sam_hdr_t* header, bool csi, std::size_t locations_in_flight,
                  MemoryBudget& budget);
  ~BamIndexBuilder() override;
  BamIndexBuilder(const BamIndexBuilder&) = delete;
  BamIndexBuilder& operator=(const BamIndexBuilder&) = delete;

  // Producer thread: the next record marked (or its location).
  void note(const std::uint8_t* record) noexcept { note(location_of(record)); }
  void note(const RecordLocation& location) noexcept;
  static RecordLocation location_of(const std::uint8_t* record) noexcept;
  // Writer thread. Throws Error if records arrive out of coordinate order.
  void marked(std::uint64_t virtual_offset) override;
  void finished(std::uint64_t end_virtual_offset) override;

  // Writes the finished index to `index_path` (for output `output_path`). Throws IoError.
  void save(const std::string& output_path, const std::string& index_path);

  // Budget the builder reserves for an index of `header`'s references.
  static std::size_t reserved_bytes_for(const sam_hdr_t* header,
                                        std::size_t locations_in_flight) noexcept;

 private:
  void init(std::uint64_t first_virtual_offset);
  void push_pending(std::uint64_t end_virtual_offset);

  const sam_hdr_t* header_;
  bool csi_;
  Reservation reservation_;
  MappedBuffer queue_memory_;
  RecordLocation* queue_;
  std::size_t queue_capacity_;
  std::uint64_t noted_ = 0;     // producer's count
  std::uint64_t consumed_ = 0;  // writer thread's count
  hts_idx_t* index_ = nullptr;
  bool finished_ = false;
  RecordLocation pending_{};
  bool has_pending_ = false;
};

}  // namespace samsort
