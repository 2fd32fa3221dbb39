// RecordSource: where records come from, one at a time, in BAM's binary layout (block_size
// included), so the arena can take them without conversion. BAM goes through samsort's own
// multi-threaded BGZF reader; SAM and CRAM go through htslib. open_record_source() detects
// the format (file or stdin) from the first bytes, as htslib does.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "samsort/bam/bam_header.hpp"

namespace samsort {

class MemoryBudget;
struct RegionQuery;

class RecordSource {
 public:
  virtual ~RecordSource() = default;

  // Size of the next record (block_size included), 0 at the end. Throws FormatError.
  virtual std::size_t next_record_bytes() = 0;
  // Copies the record that next_record_bytes() announced to `out`.
  virtual void read_record(std::uint8_t* out) = 0;
  // Compressed offset (BAM) or record number (SAM/CRAM) of the last announced record.
  virtual std::uint64_t record_offset() const noexcept = 0;
  virtual bool missing_eof_marker() const noexcept { return false; }
  // The input is BGZF-compressed BAM (samsort's own reader), not SAM or CRAM through htslib.
  virtual bool is_bam() const noexcept { return false; }
  // Input bytes consumed so far and the input's size if known (0 otherwise), for progress.
  virtual std::uint64_t bytes_consumed() const noexcept = 0;
  // From now on only the records of `query`, through the input's index, as htslib's iterators
  // give them (samtools merge -R/-L); called before the first record. The index (and the
  // iterator's chunk list) is reserved from `budget`. Throws Error naming the input when the
  // index cannot be loaded: only sources opened with InputSettings::indexed can do this.
  virtual void restrict_to(const RegionQuery& query, MemoryBudget& budget);

  const std::string& path() const noexcept { return path_; }
  BamHeader& header() noexcept { return *header_; }

 protected:
  std::string path_;
  std::optional<BamHeader> header_;
};

struct InputSettings {
  std::string path = "-";            // "-" is standard input
  std::string reference;             // --reference (CRAM)
  std::vector<std::string> options;  // --input-fmt-option key=value
  std::size_t threads = 1;
  // Records with positions beyond 32 bits are read (as wide records, bam_record.hpp) rather
  // than refused: true unless the output is BAM.
  bool wide_records_allowed = true;
  // A slice of a BGZF BAM file (the distributed sort, dist/plan.hpp): records from virtual
  // offset slice_begin (0: the first record) up to slice_end (0: the end of the file), where
  // the next slice starts; a record running past slice_end is an error.
  std::uint64_t slice_begin = 0;
  std::uint64_t slice_end = 0;
  // The input will be read through its index (RecordSource::restrict_to): BGZF BAM too goes
  // through htslib's reader, which can seek.
  bool indexed = false;
};

// Opens and detects the input and reads its header. Throws IoError/FormatError.
std::unique_ptr<RecordSource> open_record_source(const InputSettings& settings,
                                                 MemoryBudget& budget);

}  // namespace samsort
