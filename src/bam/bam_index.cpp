// Index building on htslib's hts_idx_* with samtools' parameters (sam_idx_init).
#include "samsort/bam/bam_index.hpp"

#include <htslib/hts.h>
#include <htslib/sam.h>

#include <cerrno>

#include "samsort/bam/bam_flags.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/bam/cigar.hpp"
#include "samsort/core/errors.hpp"

namespace samsort {

namespace {
constexpr int kMinShift = 14;  // 16 kb bins, as samtools sort --write-index
constexpr int kBaiLevels = 5;
constexpr std::size_t kIndexBaseBytes = 1u << 20;
constexpr std::size_t kIndexBytesPerReference = 256;

std::size_t estimate_bytes(const sam_hdr_t* header) noexcept {
  // Linear index: 8 bytes per 16 kb window; bins: about as many again.
  std::size_t bytes = kIndexBaseBytes;
  for (int tid = 0; tid < sam_hdr_nref(header); ++tid) {
    bytes += kIndexBytesPerReference +
             2 * 8 * (static_cast<std::size_t>(sam_hdr_tid2len(header, tid)) >> kMinShift);
  }
  return bytes;
}
}  // namespace

BamIndexBuilder::BamIndexBuilder(const sam_hdr_t* header, bool csi, std::size_t locations_in_flight,
                                 MemoryBudget& budget)
    : header_(header),
      csi_(csi),
      reservation_(budget.reserve(estimate_bytes(header), "index")),
      queue_memory_(budget, round_up_to_pages(locations_in_flight * sizeof(RecordLocation)),
                    "index record queue"),
      queue_(reinterpret_cast<RecordLocation*>(queue_memory_.data())),
      queue_capacity_(locations_in_flight) {}

std::size_t BamIndexBuilder::reserved_bytes_for(const sam_hdr_t* header,
                                                std::size_t locations_in_flight) noexcept {
  return estimate_bytes(header) + round_up_to_pages(locations_in_flight * sizeof(RecordLocation));
}

// The writer holds at most queue_capacity_ marks not yet seen by marked(), so an entry is
// consumed before it is written again; the writer's ring orders the two threads' accesses.
RecordLocation BamIndexBuilder::location_of(const std::uint8_t* record) noexcept {
  return RecordLocation{bam::ref_id(record), bam::pos(record), bam::end_position(record),
                        !bam::has_flag(bam::flag(record), bam::kUnmapped)};
}

void BamIndexBuilder::note(const RecordLocation& location) noexcept {
  queue_[noted_++ % queue_capacity_] = location;
}

BamIndexBuilder::~BamIndexBuilder() {
  if (index_ != nullptr) hts_idx_destroy(index_);
}

void BamIndexBuilder::init(std::uint64_t first_virtual_offset) {
  int levels = kBaiLevels;
  if (csi_) {
    std::int64_t max_length = 0;
    for (int tid = 0; tid < sam_hdr_nref(header_); ++tid) {
      max_length = std::max<std::int64_t>(max_length, sam_hdr_tid2len(header_, tid));
    }
    max_length += 256;
    levels = 0;
    for (std::int64_t span = std::int64_t{1} << kMinShift; max_length > span; span <<= 3) {
      ++levels;
    }
  }
  index_ = hts_idx_init(sam_hdr_nref(header_), csi_ ? HTS_FMT_CSI : HTS_FMT_BAI,
                        first_virtual_offset, kMinShift, levels);
  if (index_ == nullptr) throw Error("cannot create the index");
}

// htslib pushes each record with the virtual offset where it ENDS (bgzf_tell after writing
// it); a record ends where the next one starts, and the last one where the data ends.
void BamIndexBuilder::marked(std::uint64_t virtual_offset) {
  if (index_ == nullptr) init(virtual_offset);
  if (has_pending_) push_pending(virtual_offset);
  pending_ = queue_[consumed_++ % queue_capacity_];
  has_pending_ = true;
}

void BamIndexBuilder::push_pending(std::uint64_t end_virtual_offset) {
  if (hts_idx_push(index_, pending_.tid, pending_.begin, pending_.end, end_virtual_offset,
                   pending_.mapped) < 0) {
    throw Error("cannot index the output (records out of coordinate order?)");
  }
  has_pending_ = false;
}

void BamIndexBuilder::finished(std::uint64_t end_virtual_offset) {
  if (index_ == nullptr) init(end_virtual_offset);
  if (has_pending_) push_pending(end_virtual_offset);
  if (hts_idx_finish(index_, end_virtual_offset) < 0) throw Error("cannot finish the index");
  finished_ = true;
}

void BamIndexBuilder::save(const std::string& output_path, const std::string& index_path) {
  if (!finished_) throw Error("index saved before it was finished");
  if (hts_idx_save_as(index_, output_path.c_str(), index_path.c_str(),
                      csi_ ? HTS_FMT_CSI : HTS_FMT_BAI) < 0) {
    throw IoError(index_path, "cannot write index", errno);
  }
}

}  // namespace samsort
