// One BAM part per key range, written one after another.
#include "samsort/dist/range_parts.hpp"

#include "samsort/core/errors.hpp"
#include "samsort/dist/manifest.hpp"
#include "samsort/io/output_file.hpp"

namespace samsort {

RangePartsSink::RangePartsSink(const OutputSettings& settings, OutputFile& manifest,
                               std::vector<std::string> part_paths, const BamHeader& header,
                               MemoryBudget& budget, std::size_t slice_index)
    : settings_(settings),
      manifest_(manifest),
      part_paths_(std::move(part_paths)),
      header_(header),
      budget_(budget),
      slice_index_(slice_index) {
  if (settings_.format != OutputFormat::kBam) {
    throw UsageError("the parts of a slice are BAM files");
  }
  parts_.reserve(part_paths_.size());
  open_part(0);
}

RangePartsSink::~RangePartsSink() = default;

std::string RangePartsSink::part_path(const std::string& output, std::size_t range) {
  return output + ".part" + std::to_string(range) + ".bam";
}

void RangePartsSink::open_part(std::size_t range) {
  parts_.push_back(std::make_unique<OutputFile>(part_paths_[range]));
  current_ = open_record_sink(settings_, *parts_.back(), header_, budget_);
  range_ = range;
}

void RangePartsSink::close_current() {
  bytes_ += current_->finish();
  parts_.back()->finish();
  current_.reset();  // its writer's ring goes back to the budget before the next one
}

void RangePartsSink::begin_range(std::size_t range) {
  if (range == range_) return;
  if (range < range_ || range >= part_paths_.size()) {
    throw Error("internal error: range " + std::to_string(range) + " out of sequence");
  }
  while (range_ < range) {
    close_current();
    open_part(range_ + 1);
  }
}

void RangePartsSink::write(const std::uint8_t* record, std::uint32_t bytes) {
  current_->write(record, bytes);
  written_.add(record, bytes);
}

std::uint64_t RangePartsSink::finish() {
  begin_range(part_paths_.size() - 1);
  close_current();
  PieceManifest manifest;
  manifest.kind = "slice";
  manifest.index = slice_index_;
  manifest.shards = part_paths_.size();
  manifest.records = written_.count();
  manifest.checksum = written_.value();
  write_manifest(manifest, manifest_);
  return bytes_;
}

void RangePartsSink::commit_companions() {
  for (const auto& part : parts_) part->commit();
}

}  // namespace samsort
