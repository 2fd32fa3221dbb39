// BAI/CSI reading and writing through htslib's BGZF layer; every count and offset the merge
// relies on is checked as it is read.
#include "samsort/bam/index_format.hpp"

#include <htslib/bgzf.h>

#include <cerrno>
#include <cstring>

#include "samsort/core/byte_order.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/io/hts_log.hpp"

namespace samsort {

namespace {
constexpr std::int32_t kMaxDepth = 9;  // htslib's limit (hts_adjust_csi_settings)
constexpr std::size_t kWriteBufferBytes = 8192;

constexpr std::uint64_t first_bin_of_level(std::int32_t level) noexcept {
  return ((std::uint64_t{1} << (3 * level)) - 1) / 7;
}
}  // namespace

BinWindows bin_windows(std::uint32_t bin, std::int32_t depth) noexcept {
  std::int32_t level = depth;
  while (level > 0 && bin < first_bin_of_level(level)) --level;
  std::uint64_t span = std::uint64_t{1} << (3 * (depth - level));
  std::uint64_t first = (bin - first_bin_of_level(level)) * span;
  return {first, first + span};
}

void ReservedGrowth::claim(std::size_t bytes) {
  used_bytes_ += bytes;
  if (used_bytes_ <= reserved_bytes_) return;
  std::size_t step = std::max(used_bytes_ - reserved_bytes_, config::kIndexMergeGrowthBytes);
  claims_.push_back(budget_.reserve(step, "index merge"));
  reserved_bytes_ += step;
}

void IndexSection::clear() noexcept {
  bins.clear();
  chunks.clear();
  loffsets.clear();
  linear.clear();
  has_meta = false;
}

void BgzfCloser::operator()(BGZF* file) const noexcept { bgzf_close(file); }

IndexReader::IndexReader(const std::string& path)
    : path_(path), file_(bgzf_open(path.c_str(), "r")), batch_(config::kIndexMergeReadBatch * 16) {
  if (file_ == nullptr) throw IoError(path, "cannot open index fragment", errno ? errno : EIO);
  read_layout();
}

void IndexReader::corrupt(const std::string& what) const {
  throw Error(path_ + ": corrupt index fragment: " + what + ", at byte " +
              std::to_string(position_));
}

std::size_t IndexReader::read_some(void* out, std::size_t bytes) {
  HtsLogLevelGuard quiet;  // our error line replaces htslib's
  ssize_t got = bgzf_read(file_.get(), out, bytes);
  if (got < 0) corrupt("unreadable BGZF data");
  position_ += static_cast<std::uint64_t>(got);
  return static_cast<std::size_t>(got);
}

void IndexReader::read_bytes(void* out, std::size_t bytes, const char* what) {
  if (read_some(out, bytes) != bytes) corrupt(std::string("truncated in ") + what);
}

std::uint32_t IndexReader::read_u32(const char* what) {
  std::uint8_t bytes[4];
  read_bytes(bytes, sizeof bytes, what);
  return load_le32(bytes);
}

std::uint64_t IndexReader::read_u64(const char* what) {
  std::uint8_t bytes[8];
  read_bytes(bytes, sizeof bytes, what);
  return load_le64(bytes);
}

std::int32_t IndexReader::read_count(const char* what) {
  auto count = static_cast<std::int32_t>(read_u32(what));
  if (count < 0) corrupt(std::string("negative ") + what);
  return count;
}

// `count` little-endian u64 values, handed to `each_batch(bytes, values)` a batch at a time, so
// a corrupt count claims memory only as far as the file really goes.
template <class EachBatch>
void IndexReader::read_u64s(std::size_t count, const char* what, EachBatch&& each_batch) {
  while (count > 0) {
    std::size_t values = std::min(count, batch_.size() / 8);
    read_bytes(batch_.data(), values * 8, what);
    each_batch(batch_.data(), values);
    count -= values;
  }
}

std::uint64_t IndexReader::shifted(std::uint64_t virtual_offset, const OffsetShift& shift) const {
  std::uint64_t block = virtual_offset >> 16;
  if (block > shift.part_bytes || (block == shift.part_bytes && (virtual_offset & 0xffff) != 0)) {
    corrupt("virtual offset beyond the part's " + std::to_string(shift.part_bytes) + " bytes");
  }
  return virtual_offset + (shift.part_start << 16);
}

void IndexReader::read_layout() {
  char magic[4];
  read_bytes(magic, sizeof magic, "magic");
  if (std::memcmp(magic, "CSI\1", 4) == 0) {
    layout_.csi = true;
    layout_.min_shift = static_cast<std::int32_t>(read_u32("min_shift"));
    layout_.depth = static_cast<std::int32_t>(read_u32("depth"));
    if (layout_.depth < 0 || layout_.depth > kMaxDepth || layout_.min_shift < 0 ||
        layout_.min_shift + 3 * layout_.depth > 62) {
      corrupt("CSI min_shift/depth out of range");
    }
    std::uint32_t aux_bytes = read_u32("l_aux");
    if (aux_bytes > batch_.size()) corrupt("l_aux too large");
    layout_.aux.resize(aux_bytes);
    read_bytes(layout_.aux.data(), aux_bytes, "aux");
  } else if (std::memcmp(magic, "BAI\1", 4) != 0) {
    corrupt("not a BAI or CSI index");
  }
  layout_.reference_count = read_count("n_ref");
}

void IndexReader::read_meta(std::int32_t chunk_count, const OffsetShift& shift,
                            IndexSection& section) {
  if (chunk_count != 2) corrupt("pseudo-bin without 2 chunks");
  if (section.has_meta) corrupt("two pseudo-bins for one reference");
  section.has_meta = true;
  section.first_offset = shifted(read_u64("pseudo-bin"), shift);
  section.last_offset = shifted(read_u64("pseudo-bin"), shift);
  section.mapped = read_u64("pseudo-bin");
  section.unmapped = read_u64("pseudo-bin");
}

void IndexReader::read_section(const OffsetShift& shift, ReservedGrowth& growth,
                               IndexSection& section) {
  section.clear();
  std::int32_t bin_count = read_count("n_bin");
  for (std::int32_t bin_idx = 0; bin_idx < bin_count; ++bin_idx) {
    std::uint32_t bin = read_u32("bin");
    std::uint64_t loffset = layout_.csi ? read_u64("loffset") : 0;
    std::int32_t chunk_count = read_count("n_chunk");
    if (bin == layout_.meta_bin()) {
      read_meta(chunk_count, shift, section);
      continue;
    }
    if (bin >= layout_.bin_count()) corrupt("bin " + std::to_string(bin) + " out of range");
    growth.push(section.bins, bin);
    if (chunk_count == 0) continue;
    if (layout_.csi) growth.push(section.loffsets, BinLoffset{bin, shifted(loffset, shift)});
    read_u64s(2 * static_cast<std::size_t>(chunk_count), "chunks",
              [&](const std::uint8_t* bytes, std::size_t values) {
                growth.ensure_capacity(section.chunks, section.chunks.size() + values / 2);
                for (std::size_t idx = 0; idx < values; idx += 2) {
                  BinChunk chunk{bin, shifted(load_le64(bytes + 8 * idx), shift),
                                 shifted(load_le64(bytes + 8 * idx + 8), shift)};
                  if (chunk.end < chunk.begin) corrupt("chunk ends before it begins");
                  section.chunks.push_back(chunk);
                }
              });
  }
  std::sort(section.bins.begin(), section.bins.end());
  if (std::adjacent_find(section.bins.begin(), section.bins.end()) != section.bins.end()) {
    corrupt("a bin listed twice for one reference");
  }
  if (layout_.csi) return;
  std::int32_t interval_count = read_count("n_intv");
  read_u64s(static_cast<std::size_t>(interval_count), "linear index",
            [&](const std::uint8_t* bytes, std::size_t values) {
              growth.ensure_capacity(section.linear, section.linear.size() + values);
              for (std::size_t idx = 0; idx < values; ++idx) {
                section.linear.push_back(shifted(load_le64(bytes + 8 * idx), shift));
              }
            });
}

std::uint64_t IndexReader::read_no_coor_count() {
  std::uint8_t bytes[8];
  std::size_t got = read_some(bytes, sizeof bytes);
  if (got == 0) return 0;
  if (got != sizeof bytes) corrupt("truncated in n_no_coor");
  return load_le64(bytes);
}

IndexWriter::IndexWriter(const std::string& write_path, const std::string& index_path,
                         const IndexLayout& layout)
    : index_path_(index_path),
      csi_(layout.csi),
      file_(bgzf_open(write_path.c_str(), layout.csi ? "w" : "wu")) {
  if (file_ == nullptr) throw IoError(index_path, "cannot write index", errno ? errno : EIO);
  buffer_.reserve(kWriteBufferBytes);
  if (layout.csi) {
    put_bytes("CSI\1", 4);
    put_u32(static_cast<std::uint32_t>(layout.min_shift));
    put_u32(static_cast<std::uint32_t>(layout.depth));
    put_u32(static_cast<std::uint32_t>(layout.aux.size()));
    put_bytes(layout.aux.data(), layout.aux.size());
  } else {
    put_bytes("BAI\1", 4);
  }
  put_u32(static_cast<std::uint32_t>(layout.reference_count));
}

void IndexWriter::put_u32(std::uint32_t value) {
  std::uint8_t bytes[4];
  store_le32(bytes, value);
  put_bytes(bytes, sizeof bytes);
}

void IndexWriter::put_u64(std::uint64_t value) {
  std::uint8_t bytes[8];
  store_le64(bytes, value);
  put_bytes(bytes, sizeof bytes);
}

void IndexWriter::put_empty_reference() {
  put_u32(0);             // n_bin
  if (!csi_) put_u32(0);  // n_intv
}

void IndexWriter::put_bytes(const void* data, std::size_t bytes) {
  if (buffer_.size() + bytes > kWriteBufferBytes) flush();
  const auto* first = static_cast<const std::uint8_t*>(data);
  buffer_.insert(buffer_.end(), first, first + bytes);
}

void IndexWriter::flush() {
  if (!buffer_.empty() && bgzf_write(file_.get(), buffer_.data(), buffer_.size()) !=
                              static_cast<ssize_t>(buffer_.size())) {
    throw IoError(index_path_, "cannot write index", errno ? errno : EIO);
  }
  buffer_.clear();
}

void IndexWriter::close() {
  flush();
  if (bgzf_close(file_.release()) < 0) throw IoError(index_path_, "cannot write index", errno);
}

}  // namespace samsort
