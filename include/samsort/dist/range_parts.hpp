// RangePartsSink: the output of `samsort sort-slice`. A slice's records arrive sorted; they are
// written as K BAM files, one per key range of the plan (range k to part_paths[k]), one file
// open at a time: the job calls begin_range() as records cross a splitter (dist/range_cut.hpp)
// and every range without records still gets its (empty) file. finish() writes the slice's
// manifest (records, checksum) to the job's output file; the parts are committed with it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "samsort/bam/record_checksum.hpp"
#include "samsort/io/record_sink.hpp"

namespace samsort {

class BamHeader;
class MemoryBudget;
class OutputFile;

class RangePartsSink final : public RecordSink {
 public:
  // `settings` describe each part (BAM); `manifest` is the job's output file.
  RangePartsSink(const OutputSettings& settings, OutputFile& manifest,
                 std::vector<std::string> part_paths, const BamHeader& header, MemoryBudget& budget,
                 std::size_t slice_index);
  ~RangePartsSink() override;

  // Records from now on belong to `range` (never lower than the current one).
  void begin_range(std::size_t range);

  void write(const std::uint8_t* record, std::uint32_t bytes) override;
  std::uint64_t finish() override;
  void commit_companions() override;

  // "OUT.part3.bam": the file of range `range` for the output (manifest) path `output`.
  static std::string part_path(const std::string& output, std::size_t range);

 private:
  void close_current();
  void open_part(std::size_t range);

  OutputSettings settings_;
  OutputFile& manifest_;
  std::vector<std::string> part_paths_;
  const BamHeader& header_;
  MemoryBudget& budget_;
  std::size_t slice_index_;
  std::vector<std::unique_ptr<OutputFile>> parts_;
  std::unique_ptr<RecordSink> current_;
  std::size_t range_ = 0;
  std::uint64_t bytes_ = 0;
  RecordChecksum written_;
};

}  // namespace samsort
