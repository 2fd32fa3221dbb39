// Index merge: the fragments read one at a time, front to back; one reference's merged tables
// held at a time (a reference's entries come from consecutive parts, the parts being in
// coordinate order).
#include "samsort/bam/index_merge.hpp"

#include <algorithm>
#include <limits>
#include <memory>

#include "samsort/bam/index_format.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/io/output_file.hpp"

namespace samsort {

namespace {

constexpr std::uint64_t kMaxCompressedOffset = (std::uint64_t{1} << 48) - 1;
constexpr std::uint64_t kNoBound = std::numeric_limits<std::uint64_t>::max();

// One reference's entries from the parts that hold it, added in part order, then written.
class ReferenceMerge {
 public:
  ReferenceMerge(const IndexLayout& layout, ReservedGrowth& growth)
      : layout_(layout), growth_(growth) {}

  bool empty() const noexcept { return part_count_ == 0; }

  void add(const IndexSection& part) {
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
  void add_loffsets(const IndexSection& part) {
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
  if (first.csi != other.csi) {
    return std::string("is ") + (other.csi ? "CSI" : "BAI") + ", the first fragment " +
           (first.csi ? "CSI" : "BAI");
  }
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

  void add(IndexReader& in, const OffsetShift& shift) {
    if (!(in.layout() == layout_)) {
      throw Error(in.path() + ": index fragment " + layout_mismatch(layout_, in.layout()));
    }
    for (std::int32_t tid = 0; tid < layout_.reference_count; ++tid) {
      in.read_section(shift, growth_, section_);
      if (section_.empty()) continue;
      if (tid < current_tid_ || no_coor_count_ > 0) {
        throw Error(in.path() +
                    ": index fragment out of coordinate order with the parts before it");
      }
      if (tid > current_tid_) advance_to(tid);
      reference_.add(section_);
    }
    no_coor_count_ += in.read_no_coor_count();
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
    for (; written_ < tid; ++written_) out_.put_empty_reference();
    current_tid_ = tid;
  }

  const IndexLayout& layout_;
  ReservedGrowth& growth_;
  IndexWriter& out_;
  ReferenceMerge reference_;
  IndexSection section_;
  std::int32_t current_tid_ = -1;
  std::int32_t written_ = 0;
  std::uint64_t no_coor_count_ = 0;
};

}  // namespace

void merge_index_fragments(const std::vector<IndexFragment>& fragments, std::uint64_t header_bytes,
                           const std::string& index_path, MemoryBudget& budget) {
  if (fragments.empty()) throw Error("index merge: no index fragments");
  Reservation htslib_buffers = budget.reserve(config::kIndexMergeHtslibBytes, "index merge");
  ReservedGrowth growth(budget);
  auto first = std::make_unique<IndexReader>(fragments.front().path);
  const IndexLayout layout = first->layout();

  OutputFile output(index_path);
  IndexWriter out(output.write_path(), index_path, layout);
  FragmentMerge merge(layout, growth, out);
  std::uint64_t part_start = header_bytes;
  for (std::size_t part = 0; part < fragments.size(); ++part) {
    const IndexFragment& fragment = fragments[part];
    if (part_start > kMaxCompressedOffset ||
        fragment.part_bytes > kMaxCompressedOffset - part_start) {
      throw Error("index merge: the gathered file is beyond BGZF's 2^48-byte offsets");
    }
    std::unique_ptr<IndexReader> in =
        part == 0 ? std::move(first) : std::make_unique<IndexReader>(fragment.path);
    merge.add(*in, OffsetShift{part_start, fragment.part_bytes});
    part_start += fragment.part_bytes;
  }
  merge.finish();
  out.close();
  output.commit();
}

}  // namespace samsort
