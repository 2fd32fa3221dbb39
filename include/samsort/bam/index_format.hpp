// The BAI and CSI binary formats (SAMv1 5.2-5.3; htslib hts.c idx_read_core, idx_save_core) as
// bam/index_merge streams them: an index read front to back one reference's section at a time,
// offsets moved to another place in the indexed file, and an index written the same way.
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "samsort/core/config.hpp"
#include "samsort/core/memory_budget.hpp"

struct BGZF;

namespace samsort {

// The header fields that must agree between indexes of one file.
struct IndexLayout {
  bool csi = false;
  std::int32_t min_shift = 14;  // BAI: fixed 14 and 5
  std::int32_t depth = 5;
  std::string aux;
  std::int32_t reference_count = 0;

  bool operator==(const IndexLayout&) const = default;
  std::uint32_t bin_count() const noexcept {
    return static_cast<std::uint32_t>(((std::uint64_t{1} << (3 * depth + 3)) - 1) / 7);
  }
  std::uint32_t meta_bin() const noexcept { return bin_count() + 1; }  // htslib's META_BIN
};

// The windows (of 2^min_shift bases) a bin covers: [first, end). first is htslib's hts_bin_bot.
struct BinWindows {
  std::uint64_t first;
  std::uint64_t end;
};
BinWindows bin_windows(std::uint32_t bin, std::int32_t depth) noexcept;

struct BinChunk {
  std::uint32_t bin;
  std::uint64_t begin;  // virtual offsets
  std::uint64_t end;
};

struct BinLoffset {
  std::uint32_t bin;
  std::uint64_t loffset;
};

// A budget claim that grows before the tables it covers do (at least
// config::kIndexMergeGrowthBytes at a time) and is released on destruction. A table's old buffer
// stays counted when it grows, which covers the copy. Throws ResourceError naming "index merge".
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
  void claim(std::size_t bytes);

  MemoryBudget& budget_;
  std::vector<Reservation> claims_;
  std::size_t used_bytes_ = 0;
  std::size_t reserved_bytes_ = 0;
};

// One reference's entries in one index, offsets already moved (OffsetShift).
struct IndexSection {
  std::vector<std::uint32_t> bins;    // every bin listed, for the duplicate check
  std::vector<BinChunk> chunks;       // in file order (each bin's chunks sorted, as htslib saves)
  std::vector<BinLoffset> loffsets;   // CSI: one per bin with chunks
  std::vector<std::uint64_t> linear;  // BAI
  bool has_meta = false;              // the pseudo-bin:
  std::uint64_t first_offset = 0;
  std::uint64_t last_offset = 0;
  std::uint64_t mapped = 0;
  std::uint64_t unmapped = 0;

  bool empty() const noexcept { return chunks.empty() && !has_meta && linear.empty(); }
  void clear() noexcept;
};

struct BgzfCloser {
  void operator()(BGZF* file) const noexcept;
};

// Moves the virtual offsets of an index of a part that starts at `part_start` in the indexed
// file and holds `part_bytes` bytes; an offset beyond the part is a corrupt index.
struct OffsetShift {
  std::uint64_t part_start;
  std::uint64_t part_bytes;
};

// An index file (BGZF-compressed or not, as bgzf_open reads it) read front to back. Errors name
// the file and the uncompressed byte offset. Not thread-safe.
class IndexReader {
 public:
  // Opens `path` and reads the magic and header. Throws IoError (open), Error (corrupt).
  explicit IndexReader(const std::string& path);
  const std::string& path() const noexcept { return path_; }
  const IndexLayout& layout() const noexcept { return layout_; }

  // The next reference's section, offsets moved by `shift`, tables grown through `growth`.
  // Throws Error (corrupt, truncated), ResourceError (budget).
  void read_section(const OffsetShift& shift, ReservedGrowth& growth, IndexSection& section);
  // n_no_coor after the last section: optional in old files, 0 when absent (as htslib reads it).
  std::uint64_t read_no_coor_count();

 private:
  [[noreturn]] void corrupt(const std::string& what) const;
  std::size_t read_some(void* out, std::size_t bytes);
  void read_bytes(void* out, std::size_t bytes, const char* what);
  std::uint32_t read_u32(const char* what);
  std::uint64_t read_u64(const char* what);
  std::int32_t read_count(const char* what);
  template <class EachBatch>
  void read_u64s(std::size_t count, const char* what, EachBatch&& each_batch);
  std::uint64_t shifted(std::uint64_t virtual_offset, const OffsetShift& shift) const;
  void read_layout();
  void read_meta(std::int32_t chunk_count, const OffsetShift& shift, IndexSection& section);

  std::string path_;
  std::unique_ptr<BGZF, BgzfCloser> file_;
  std::uint64_t position_ = 0;
  IndexLayout layout_;
  std::vector<std::uint8_t> batch_;
};

// An index written front to back: BAI uncompressed, CSI compressed, as hts_idx_save_as writes
// them. The constructor writes the header; then each reference's section (put_u32/put_u64, or
// put_empty_reference), then put_u64(n_no_coor), then close(). `write_path` is the file opened,
// `index_path` the name errors give. Throws IoError.
class IndexWriter {
 public:
  IndexWriter(const std::string& write_path, const std::string& index_path,
              const IndexLayout& layout);
  void put_u32(std::uint32_t value);
  void put_u64(std::uint64_t value);
  void put_empty_reference();
  void close();

 private:
  void put_bytes(const void* data, std::size_t bytes);
  void flush();

  std::string index_path_;
  bool csi_;
  std::unique_ptr<BGZF, BgzfCloser> file_;
  std::vector<std::uint8_t> buffer_;
};

}  // namespace samsort
