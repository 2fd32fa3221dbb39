// RecordSink: where sorted records go. BAM through samsort's own BGZF ring (with an index
// built while writing when asked); SAM and CRAM through htslib (its own threads and index).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "samsort/io/cram_memory.hpp"
#include "samsort/io/output_format.hpp"

namespace samsort {

class BamHeader;
class MemoryBudget;
struct BlockCodec;
struct RecordLocation;

// A BAM sink taking blocks compressed elsewhere (the final merge on several threads), in
// order, after what was written: each holds whole records (passed through check_bam_record),
// the i-th starting at payload offset starts[i] and lying at locations[i] (for the index;
// locations are not read without one). Blocks hold at most
// BgzfWriter::max_marks_per_block() record starts. Callers take turns (their own
// synchronisation orders them).
class BlockOutput {
 public:
  virtual ~BlockOutput() = default;
  virtual const BlockCodec& codec() const noexcept = 0;
  virtual bool indexed() const noexcept = 0;
  virtual void write_block(const std::uint8_t* block, std::size_t block_bytes,
                           std::size_t payload_bytes, const std::uint32_t* starts,
                           const RecordLocation* locations, std::size_t count) = 0;
};
class OutputFile;

struct OutputSettings {
  OutputFormat format = OutputFormat::kBam;
  int samtools_level = -1;           // -l on samtools' scale; 0 = uncompressed
  std::string reference;             // --reference (CRAM)
  std::vector<std::string> options;  // --output-fmt-option key=value (htslib formats)
  std::size_t threads = 1;
  std::string index_path;  // "" = no index
  bool index_csi = true;
  bool coordinate_sorted = false;  // records come in coordinate order (CRAM reference use)
  // SAM output: budget bytes for one record's buffers (htslib's record copy and the formatted
  // line); a record needing more is refused before it is formatted. 0 for other formats.
  std::size_t sam_record_bytes = 0;
  bool write_md5 = false;  // --write-md5: the output's MD5 in OUT.md5
  // BAM only: a piece of a file the distributed sort's gather puts together (dist/gather):
  // the records alone (no header, no EOF marker; the index as for a file whose first record
  // is at offset 0) or the header alone (no EOF marker).
  enum class Piece { kWholeFile, kRecordsOnly, kHeaderOnly } piece = Piece::kWholeFile;
};

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // Producer thread only. Throws IoError when writing failed.
  virtual void write(const std::uint8_t* record, std::uint32_t bytes) = 0;
  // Flushes everything (EOF marker included); returns the bytes written.
  virtual std::uint64_t finish() = 0;
  // After finish(), in the job's commit step: puts the index and the .md5 file in place.
  virtual void commit_companions() = 0;
  // A BAM sink: where blocks compressed elsewhere go. Null for every other sink.
  virtual BlockOutput* block_output() noexcept { return nullptr; }
};

// Throws Error for a record BAM cannot hold (a position beyond 2^31 - 1).
void check_bam_record(const std::uint8_t* record);

// The reference htslib's CRAM encoder may load for `header` (none with no_ref=1).
CramReference output_cram_reference(const OutputSettings& settings, const BamHeader& header);

// Budget the sink will reserve beyond the BGZF writer ring (index, htslib buffers), so the
// job can plan the arena around it.
std::size_t sink_extra_bytes(const OutputSettings& settings, const BamHeader& header);

// Writes the header and returns the sink. Throws IoError/UsageError.
std::unique_ptr<RecordSink> open_record_sink(const OutputSettings& settings,
                                             const OutputFile& output, const BamHeader& header,
                                             MemoryBudget& budget);

}  // namespace samsort
