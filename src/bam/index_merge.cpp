// Index merge: each fragment parsed front to back (SAMv1 5.2-5.3; htslib hts.c idx_read_core
// and idx_save_core), one reference's merged tables held at a time.
#include "samsort/bam/index_merge.hpp"

#include <htslib/bgzf.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>

#include "samsort/core/byte_order.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/io/output_file.hpp"

namespace samsort {

namespace {

constexpr std::uint64_t kMaxCompressedOffset = (std::uint64_t{1} << 48) - 1;
constexpr std::uint64_t kNoBound = std::numeric_limits<std::uint64_t>::max();
constexpr std::int32_t kBaiMinShift = 14;
constexpr std::int32_t kBaiDepth = 5;
constexpr std::int32_t kMaxDepth = 9;  // htslib's limit (hts_adjust_csi_settings)

struct IndexLayout {
  bool csi = false;
  std::int32_t min_shift = kBaiMinShift;
  std::int32_t depth = kBaiDepth;
  std::string aux;
  std::int32_t reference_count = 0;

  bool operator==(const IndexLayout&) const = default;
  std::uint32_t bin_count() const noexcept {
    return static_cast<std::uint32_t>(((std::uint64_t{1} << (3 * depth + 3)) - 1) / 7);
  }
  std::uint32_t meta_bin() const noexcept { return bin_count() + 1; }  // htslib's META_BIN
};

// The windows (of 2^min_shift bases) a bin covers: [first, end). htslib's hts_bin_bot.
struct BinWindows {
  std::uint64_t first;
  std::uint64_t end;
};

constexpr std::uint64_t first_bin_of_level(std::int32_t level) noexcept {
  return ((std::uint64_t{1} << (3 * level)) - 1) / 7;
}

BinWindows bin_windows(std::uint32_t bin, std::int32_t depth) noexcept {
  std::int32_t level = depth;
  while (level > 0 && bin < first_bin_of_level(level)) --level;
  std::uint64_t span = std::uint64_t{1} << (3 * (depth - level));
  std::uint64_t first = (bin - first_bin_of_level(level)) * span;
  return {first, first + span};
}

struct BinChunk {
  std::uint32_t bin;
  std::uint64_t begin;
  std::uint64_t end;
};

struct BinLoffset {
  std::uint32_t bin;
  std::uint64_t loffset;
};

// The module's budget claim: grows before any of its tables does, released at the end. A
// table's old buffer stays counted when it grows, which covers the copy.
class ReservedGrowth {
 public:
  explicit ReservedGrowth(MemoryBudget& budget) : budget_(budget) {}

  template <class T>
  void ensure_capacity(std::vector<T>& table, std::size_t count) {
    if (count <= table.capacity()) return;
    std::size_t capacity = std::max(count, 2 * table.capacity());
    claim(capacity * sizeof(T));
    table.reserve(capacity);
  }
  template <class T>
  void push(std::vector<T>& table, const T& value) {
    ensure_capacity(table, table.size() + 1);
    table.push_back(value);
  }

 private:
  void claim(std::size_t bytes) {
    used_bytes_ += bytes;
    if (used_bytes_ <= reserved_bytes_) return;
    std::size_t step = std::max(used_bytes_ - reserved_bytes_, config::kIndexMergeGrowthBytes);
    claims_.push_back(budget_.reserve(step, "index merge"));
    reserved_bytes_ += step;
  }

  MemoryBudget& budget_;
  std::vector<Reservation> claims_;
  std::size_t used_bytes_ = 0;
  std::size_t reserved_bytes_ = 0;
};

struct BgzfCloser {
  void operator()(BGZF* file) const noexcept { bgzf_close(file); }
};
using BgzfHandle = std::unique_ptr<BGZF, BgzfCloser>;

// One fragment read front to back; the constructor reads the magic and the layout.
class FragmentReader {
 public:
  explicit FragmentReader(const std::string& path)
      : path_(path), file_(bgzf_open(path.c_str(), "r")) {
    if (file_ == nullptr) throw IoError(path, "cannot open index fragment", errno ? errno : EIO);
    read_layout();
  }

  const std::string& path() const noexcept { return path_; }
  const IndexLayout& layout() const noexcept { return layout_; }

  [[noreturn]] void corrupt(const std::string& what) const {
    throw Error(path_ + ": corrupt index fragment: " + what + ", at byte " +
                std::to_string(position_));
  }
  void read_bytes(void* out, std::size_t bytes, const char* what) {
    if (read_some(out, bytes) != bytes) corrupt(std::string("truncated in ") + what);
  }
  std::uint32_t read_u32(const char* what) {
    std::uint8_t bytes[4];
    read_bytes(bytes, sizeof bytes, what);
    return load_le32(bytes);
  }
  std::uint64_t read_u64(const char* what) {
    std::uint8_t bytes[8];
    read_bytes(bytes, sizeof bytes, what);
    return load_le64(bytes);
  }
  std::int32_t read_count(const char* what) {
    auto count = static_cast<std::int32_t>(read_u32(what));
    if (count < 0) corrupt(std::string("negative ") + what);
    return count;
  }
  // `count` little-endian u64 values, handed to `each_batch(bytes, values)` a batch at a time.
  template <class EachBatch>
  void read_u64s(std::size_t count, const char* what, EachBatch&& each_batch) {
    while (count > 0) {
      std::size_t values = std::min(count, batch_.size() / 8);
      read_bytes(batch_.data(), values * 8, what);
      each_batch(batch_.data(), values);
      count -= values;
    }
  }
  // n_no_coor: optional in old files (htslib reads it as 0 when absent).
  std::uint64_t read_trailing_count() {
    std::uint8_t bytes[8];
    std::size_t got = read_some(bytes, sizeof bytes);
    if (got == 0) return 0;
    if (got != sizeof bytes) corrupt("truncated in n_no_coor");
    return load_le64(bytes);
  }

 private:
  std::size_t read_some(void* out, std::size_t bytes) {
    ssize_t got = bgzf_read(file_.get(), out, bytes);
    if (got < 0) corrupt("unreadable BGZF data");
    position_ += static_cast<std::uint64_t>(got);
    return static_cast<std::size_t>(got);
  }
  void read_layout() {
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
      if (aux_bytes > config::kIndexMergeReadBatch * 8) corrupt("l_aux too large");
      layout_.aux.resize(aux_bytes);
      read_bytes(layout_.aux.data(), aux_bytes, "aux");
    } else if (std::memcmp(magic, "BAI\1", 4) != 0) {
      corrupt("not a BAI or CSI index");
    }
    layout_.reference_count = read_count("n_ref");
  }

  std::string path_;
  BgzfHandle file_;
  std::uint64_t position_ = 0;
  IndexLayout layout_;
  std::array<std::uint8_t, config::kIndexMergeReadBatch * 16> batch_{};
};

// A part's virtual offsets moved to its place in the gathered file, checked to lie in the part.
class OffsetShift {
 public:
  OffsetShift(std::uint64_t part_start, std::uint64_t part_bytes)
      : part_start_(part_start), part_bytes_(part_bytes) {}
  std::uint64_t operator()(std::uint64_t virtual_offset, const FragmentReader& in) const {
    std::uint64_t block = virtual_offset >> 16;
    if (block > part_bytes_ || (block == part_bytes_ && (virtual_offset & 0xffff) != 0)) {
      in.corrupt("virtual offset beyond the part's " + std::to_string(part_bytes_) + " bytes");
    }
    return virtual_offset + (part_start_ << 16);
  }

 private:
  std::uint64_t part_start_;
  std::uint64_t part_bytes_;
};

// One reference's entries in one fragment, offsets already moved into the gathered file.
struct PartSection {
  std::vector<std::uint32_t> bins;    // every bin listed, for the duplicate check
  std::vector<BinChunk> chunks;       // in file order (each bin's chunks sorted, as htslib saves)
  std::vector<BinLoffset> loffsets;   // CSI: one per bin with chunks
  std::vector<std::uint64_t> linear;  // BAI
  bool has_meta = false;
  std::uint64_t first_offset = 0;
  std::uint64_t last_offset = 0;
  std::uint64_t mapped = 0;
  std::uint64_t unmapped = 0;

  bool empty() const noexcept { return chunks.empty() && !has_meta && linear.empty(); }
  void clear() noexcept {
    bins.clear();
    chunks.clear();
    loffsets.clear();
    linear.clear();
    has_meta = false;
  }
};

void read_meta(FragmentReader& in, std::int32_t chunk_count, const OffsetShift& shift,
               PartSection& section) {
  if (chunk_count != 2) in.corrupt("pseudo-bin without 2 chunks");
  if (section.has_meta) in.corrupt("two pseudo-bins for one reference");
  section.has_meta = true;
  section.first_offset = shift(in.read_u64("pseudo-bin"), in);
  section.last_offset = shift(in.read_u64("pseudo-bin"), in);
  section.mapped = in.read_u64("pseudo-bin");
  section.unmapped = in.read_u64("pseudo-bin");
}

void read_section(FragmentReader& in, const OffsetShift& shift, ReservedGrowth& growth,
                  PartSection& section) {
  const IndexLayout& layout = in.layout();
  section.clear();
  std::int32_t bin_count = in.read_count("n_bin");
  for (std::int32_t bin_idx = 0; bin_idx < bin_count; ++bin_idx) {
    std::uint32_t bin = in.read_u32("bin");
    std::uint64_t loffset = layout.csi ? in.read_u64("loffset") : 0;
    std::int32_t chunk_count = in.read_count("n_chunk");
    if (bin == layout.meta_bin()) {
      read_meta(in, chunk_count, shift, section);
      continue;
    }
    if (bin >= layout.bin_count()) in.corrupt("bin " + std::to_string(bin) + " out of range");
    growth.push(section.bins, bin);
    if (chunk_count == 0) continue;
    if (layout.csi) growth.push(section.loffsets, BinLoffset{bin, shift(loffset, in)});
    growth.ensure_capacity(section.chunks, section.chunks.size() + chunk_count);
    in.read_u64s(2 * static_cast<std::size_t>(chunk_count), "chunks",
                 [&](const std::uint8_t* bytes, std::size_t values) {
                   for (std::size_t idx = 0; idx < values; idx += 2) {
                     BinChunk chunk{bin, shift(load_le64(bytes + 8 * idx), in),
                                    shift(load_le64(bytes + 8 * idx + 8), in)};
                     if (chunk.end < chunk.begin) in.corrupt("chunk ends before it begins");
                     section.chunks.push_back(chunk);
                   }
                 });
  }
  std::sort(section.bins.begin(), section.bins.end());
  if (std::adjacent_find(section.bins.begin(), section.bins.end()) != section.bins.end()) {
    in.corrupt("a bin listed twice for one reference");
  }
  if (layout.csi) return;
  std::int32_t interval_count = in.read_count("n_intv");
  growth.ensure_capacity(section.linear, static_cast<std::size_t>(interval_count));
  in.read_u64s(static_cast<std::size_t>(interval_count), "linear index",
               [&](const std::uint8_t* bytes, std::size_t values) {
                 for (std::size_t idx = 0; idx < values; ++idx) {
                   section.linear.push_back(shift(load_le64(bytes + 8 * idx), in));
                 }
               });
}

// The merged index being written; integers buffered, then handed to htslib's BGZF writer
// (BAI uncompressed and CSI compressed, as hts_idx_save_as writes them).
class IndexWriter {
 public:
  IndexWriter(const std::string& write_path, const std::string& index_path, bool csi)
      : index_path_(index_path), file_(bgzf_open(write_path.c_str(), csi ? "w" : "wu")) {
    if (file_ == nullptr) throw IoError(index_path, "cannot write index", errno ? errno : EIO);
  }
  void put_u32(std::uint32_t value) {
    std::uint8_t bytes[4];
    store_le32(bytes, value);
    put_bytes(bytes, sizeof bytes);
  }
  void put_u64(std::uint64_t value) {
    std::uint8_t bytes[8];
    store_le64(bytes, value);
    put_bytes(bytes, sizeof bytes);
  }
  void put_bytes(const void* data, std::size_t bytes) {
    if (buffered_ + bytes > buffer_.size()) flush();
    if (bytes > buffer_.size()) {
      write(data, bytes);
      return;
    }
    std::memcpy(buffer_.data() + buffered_, data, bytes);
    buffered_ += bytes;
  }
  void close() {
    flush();
    if (bgzf_close(file_.release()) < 0) throw IoError(index_path_, "cannot write index", errno);
  }

 private:
  void flush() {
    write(buffer_.data(), buffered_);
    buffered_ = 0;
  }
  void write(const void* data, std::size_t bytes) {
    if (bytes > 0 && bgzf_write(file_.get(), data, bytes) != static_cast<ssize_t>(bytes)) {
      throw IoError(index_path_, "cannot write index", errno ? errno : EIO);
    }
  }

  std::string index_path_;
  BgzfHandle file_;
  std::array<std::uint8_t, 8192> buffer_{};
  std::size_t buffered_ = 0;
};

void write_empty_reference(IndexWriter& out, const IndexLayout& layout) {
  out.put_u32(0);                   // n_bin
  if (!layout.csi) out.put_u32(0);  // n_intv
}

// One reference's entries from the parts that hold it, added in part order, then written.
class ReferenceMerge {
 public:
  ReferenceMerge(const IndexLayout& layout, ReservedGrowth& growth)
      : layout_(layout), growth_(growth) {}

  bool empty() const noexcept { return part_count_ == 0; }

  void add(const PartSection& part) {
    growth_.ensure_capacity(chunks_, chunks_.size() + part.chunks.size());
    chunks_.insert(chunks_.end(), part.chunks.begin(), part.chunks.end());
    // BAI: a window's first record lies in the first part whose linear index reaches it (a
    // part reaching a window holds a record overlapping it or one starting before the later
    // parts' records), so earlier parts' entries are kept and a part only extends the table.
    if (part.linear.size() > linear_.size()) {
      growth_.ensure_capacity(linear_, part.linear.size());
      linear_.insert(linear_.end(),
                     part.linear.begin() + static_cast<std::ptrdiff_t>(linear_.size()),
                     part.linear.end());
    }
    if (layout_.csi) add_loffsets(part);
    if (part.has_meta) {
      if (!has_meta_) first_offset_ = part.first_offset;
      has_meta_ = true;
      last_offset_ = std::max(last_offset_, part.last_offset);
      mapped_ += part.mapped;
      unmapped_ += part.unmapped;
    }
    ++part_count_;
  }

  void write(IndexWriter& out);

 private:
  // Where an earlier part's records may still reach: windows before end_window, offsets at
  // least floor, and the part's bins' (first window, loffset) in bounds_[first_bound, end_bound).
  struct PartReach {
    std::size_t first_bound;
    std::size_t end_bound;
    std::uint64_t end_window;
    std::uint64_t floor;
  };
  struct WindowBound {
    std::uint64_t window;
    std::uint64_t loffset;  // running maximum over the part's bins starting at or before window
  };

  // A CSI loffset bounds the offsets of records overlapping the bin's first window or later
  // ones (hts_itr_query's min_off). An earlier part that does not list the bin may still hold
  // such a record (one long enough to reach into it), so the bound is lowered to what that
  // part's own bins say: a bin's loffset is the part's linear-index entry at its first window,
  // and those entries never decrease, so the last bin starting at or before the window gives a
  // bound that holds for that part.
  void add_loffsets(const PartSection& part) {
    growth_.ensure_capacity(loffsets_, loffsets_.size() + part.loffsets.size());
    for (const BinLoffset& entry : part.loffsets) {
      std::uint64_t window = bin_windows(entry.bin, layout_.depth).first;
      loffsets_.push_back({entry.bin, std::min(entry.loffset, earlier_bound(window))});
    }
    PartReach reach{bounds_.size(), 0, 0, kNoBound};
    for (const BinChunk& chunk : part.chunks) reach.floor = std::min(reach.floor, chunk.begin);
    if (part.has_meta) reach.floor = std::min(reach.floor, part.first_offset);
    growth_.ensure_capacity(bounds_, bounds_.size() + part.loffsets.size());
    for (const BinLoffset& entry : part.loffsets) {
      BinWindows windows = bin_windows(entry.bin, layout_.depth);
      reach.end_window = std::max(reach.end_window, windows.end);
      bounds_.push_back({windows.first, entry.loffset});
    }
    auto first = bounds_.begin() + static_cast<std::ptrdiff_t>(reach.first_bound);
    std::sort(first, bounds_.end(), [](const WindowBound& left, const WindowBound& right) {
      return left.window < right.window;
    });
    for (auto at = first; at != bounds_.end(); ++at) {
      if (at != first) at->loffset = std::max(at->loffset, (at - 1)->loffset);
    }
    reach.end_bound = bounds_.size();
    growth_.push(reaches_, reach);
  }

  // The bound the earliest part still reaching `window` gives; its offsets precede all later
  // parts' offsets, so later parts cannot lower it.
  std::uint64_t earlier_bound(std::uint64_t window) const {
    for (const PartReach& reach : reaches_) {
      if (reach.end_window <= window) continue;
      auto first = bounds_.begin() + static_cast<std::ptrdiff_t>(reach.first_bound);
      auto end = bounds_.begin() + static_cast<std::ptrdiff_t>(reach.end_bound);
      auto after = std::upper_bound(
          first, end, window,
          [](std::uint64_t value, const WindowBound& bound) { return value < bound.window; });
      return after == first ? reach.floor : std::max(reach.floor, (after - 1)->loffset);
    }
    return kNoBound;
  }

  void join_chunks();
  void clear() noexcept;

  const IndexLayout& layout_;
  ReservedGrowth& growth_;
  std::size_t part_count_ = 0;
  std::vector<BinChunk> chunks_;
  std::vector<BinLoffset> loffsets_;
  std::vector<std::uint64_t> linear_;
  std::vector<WindowBound> bounds_;
  std::vector<PartReach> reaches_;
  bool has_meta_ = false;
  std::uint64_t first_offset_ = 0;
  std::uint64_t last_offset_ = 0;
  std::uint64_t mapped_ = 0;
  std::uint64_t unmapped_ = 0;
};

// Each bin's chunks in part order; chunks meeting in one BGZF block joined, as htslib's
// compress_binning joins them (a no-op inside a part, which htslib already joined).
void ReferenceMerge::join_chunks() {
  std::stable_sort(chunks_.begin(), chunks_.end(), [](const BinChunk& left, const BinChunk& right) {
    return left.bin < right.bin;
  });
  std::size_t kept = 0;
  for (std::size_t idx = 0; idx < chunks_.size(); ++idx) {
    BinChunk& last = chunks_[kept == 0 ? 0 : kept - 1];
    const BinChunk& next = chunks_[idx];
    if (kept > 0 && last.bin == next.bin && (last.end >> 16) >= (next.begin >> 16)) {
      last.end = std::max(last.end, next.end);
    } else {
      chunks_[kept++] = next;
    }
  }
  chunks_.resize(kept);
}

void ReferenceMerge::write(IndexWriter& out) {
  join_chunks();
  std::sort(
      loffsets_.begin(), loffsets_.end(), [](const BinLoffset& left, const BinLoffset& right) {
        return left.bin < right.bin || (left.bin == right.bin && left.loffset < right.loffset);
      });
  std::size_t bin_count = has_meta_ ? 1 : 0;
  for (std::size_t idx = 0; idx < chunks_.size(); ++idx) {
    if (idx == 0 || chunks_[idx].bin != chunks_[idx - 1].bin) ++bin_count;
  }
  out.put_u32(static_cast<std::uint32_t>(bin_count));
  auto loffset = loffsets_.begin();
  for (std::size_t begin = 0, end = 0; begin < chunks_.size(); begin = end) {
    std::uint32_t bin = chunks_[begin].bin;
    for (end = begin; end < chunks_.size() && chunks_[end].bin == bin;) ++end;
    if (end - begin > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
      throw Error("index merge: more chunks in one bin than the index format holds");
    }
    out.put_u32(bin);
    if (layout_.csi) {
      while (loffset->bin != bin) ++loffset;  // every CSI bin with chunks has one
      out.put_u64(loffset->loffset);
    }
    out.put_u32(static_cast<std::uint32_t>(end - begin));
    for (std::size_t idx = begin; idx < end; ++idx) {
      out.put_u64(chunks_[idx].begin);
      out.put_u64(chunks_[idx].end);
    }
  }
  if (has_meta_) {
    out.put_u32(layout_.meta_bin());
    if (layout_.csi) out.put_u64(0);
    out.put_u32(2);
    out.put_u64(first_offset_);
    out.put_u64(last_offset_);
    out.put_u64(mapped_);
    out.put_u64(unmapped_);
  }
  if (!layout_.csi) {
    out.put_u32(static_cast<std::uint32_t>(linear_.size()));
    for (std::uint64_t entry : linear_) out.put_u64(entry);
  }
  clear();
}

void ReferenceMerge::clear() noexcept {
  part_count_ = 0;
  chunks_.clear();
  loffsets_.clear();
  linear_.clear();
  bounds_.clear();
  reaches_.clear();
  has_meta_ = false;
  first_offset_ = last_offset_ = mapped_ = unmapped_ = 0;
}

std::string layout_mismatch(const IndexLayout& first, const IndexLayout& other) {
  if (first.csi != other.csi)
    return std::string("is ") + (other.csi ? "CSI" : "BAI") + ", the first fragment " +
           (first.csi ? "CSI" : "BAI");
  if (first.reference_count != other.reference_count) {
    return "has " + std::to_string(other.reference_count) + " references, the first fragment " +
           std::to_string(first.reference_count);
  }
  return "has other CSI parameters (min_shift, depth, aux) than the first fragment";
}

// The fragments in part order: which reference comes next, where each part starts.
class FragmentMerge {
 public:
  FragmentMerge(const IndexLayout& layout, ReservedGrowth& growth, IndexWriter& out)
      : layout_(layout), growth_(growth), out_(out), reference_(layout, growth) {}

  void add(FragmentReader& in, const OffsetShift& shift) {
    if (!(in.layout() == layout_)) {
      throw Error(in.path() + ": index fragment " + layout_mismatch(layout_, in.layout()));
    }
    for (std::int32_t tid = 0; tid < layout_.reference_count; ++tid) {
      read_section(in, shift, growth_, section_);
      if (section_.empty()) continue;
      if (tid < current_tid_ || no_coor_count_ > 0) {
        throw Error(in.path() +
                    ": index fragment out of coordinate order with the parts before it");
      }
      if (tid > current_tid_) advance_to(tid);
      reference_.add(section_);
    }
    no_coor_count_ += in.read_trailing_count();
  }

  void finish() {
    advance_to(layout_.reference_count);
    out_.put_u64(no_coor_count_);
  }

 private:
  // Writes the reference being merged and the empty ones up to `tid`.
  void advance_to(std::int32_t tid) {
    if (!reference_.empty()) {
      reference_.write(out_);
      ++written_;
    }
    for (; written_ < tid; ++written_) write_empty_reference(out_, layout_);
    current_tid_ = tid;
  }

  const IndexLayout& layout_;
  ReservedGrowth& growth_;
  IndexWriter& out_;
  ReferenceMerge reference_;
  PartSection section_;
  std::int32_t current_tid_ = -1;
  std::int32_t written_ = 0;
  std::uint64_t no_coor_count_ = 0;
};

void write_layout(IndexWriter& out, const IndexLayout& layout) {
  if (layout.csi) {
    out.put_bytes("CSI\1", 4);
    out.put_u32(static_cast<std::uint32_t>(layout.min_shift));
    out.put_u32(static_cast<std::uint32_t>(layout.depth));
    out.put_u32(static_cast<std::uint32_t>(layout.aux.size()));
    out.put_bytes(layout.aux.data(), layout.aux.size());
  } else {
    out.put_bytes("BAI\1", 4);
  }
  out.put_u32(static_cast<std::uint32_t>(layout.reference_count));
}

}  // namespace

void merge_index_fragments(const std::vector<IndexFragment>& fragments, std::uint64_t header_bytes,
                           const std::string& index_path, MemoryBudget& budget) {
  if (fragments.empty()) throw Error("index merge: no index fragments");
  Reservation htslib_buffers = budget.reserve(config::kIndexMergeHtslibBytes, "index merge");
  ReservedGrowth growth(budget);
  auto first = std::make_unique<FragmentReader>(fragments.front().path);
  const IndexLayout layout = first->layout();

  OutputFile output(index_path);
  IndexWriter out(output.write_path(), index_path, layout.csi);
  write_layout(out, layout);
  FragmentMerge merge(layout, growth, out);
  std::uint64_t part_start = header_bytes;
  for (std::size_t part = 0; part < fragments.size(); ++part) {
    const IndexFragment& fragment = fragments[part];
    if (part_start > kMaxCompressedOffset ||
        fragment.part_bytes > kMaxCompressedOffset - part_start) {
      throw Error("index merge: the gathered file is beyond BGZF's 2^48-byte offsets");
    }
    std::unique_ptr<FragmentReader> in =
        part == 0 ? std::move(first) : std::make_unique<FragmentReader>(fragment.path);
    merge.add(*in, OffsetShift(part_start, fragment.part_bytes));
    part_start += fragment.part_bytes;
  }
  merge.finish();
  out.close();
  output.commit();
}

}  // namespace samsort
