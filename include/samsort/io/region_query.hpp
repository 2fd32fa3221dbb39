// What part of an indexed input `samsort merge -R/-L` reads, as samtools merge asks htslib for
// it: one interval of the input's own reference (sam_itr_queryi), nothing (the region's
// reference is not in this input), or a BED file's regions (sam_itr_regions, the multi-region
// iterator: each overlapping record once, in file order). Also the BED reader (samtools'
// bed_read + bed_unify) and the index memory estimate reserved before an index is loaded.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

struct hts_reglist_t;

namespace samsort {

// A BED file's intervals by reference name, 0-based half-open, sorted and with overlapping
// and adjacent ones joined (samtools' bed_unify), in the file's first-seen reference order.
struct BedRegions {
  struct Interval {
    std::int64_t beg = 0;
    std::int64_t end = 0;
  };
  std::vector<std::pair<std::string, std::vector<Interval>>> references;

  // A new hts_reglist_t array for sam_itr_regions (which takes it; names point into this
  // object, which must outlive the iterator's construction). An interval of length 0 (start
  // = end, kept by samtools) is widened by one base each side: htslib 1.16 cannot make an
  // iterator over it, samtools HEAD's reads the records around it, so the reader filters
  // (needs_filter). Throws std::bad_alloc.
  hts_reglist_t* reglist() const;
  std::size_t interval_count() const noexcept;
  // An interval of length 0 is there, and no "." region (htslib reads the whole file then).
  bool needs_filter() const noexcept;
};

// Reads a BED file as samtools' bed_read does: plain or gzip-compressed, '-' for standard
// input; blank, '#', "browser" and "track" lines skipped; 3+ columns are BED (0-based start,
// end), 2 columns a VCF-style 1-based position. Throws IoError (unreadable) or FormatError
// (a line that is neither, or whose end is before its start; no regions at all).
BedRegions read_bed_regions(const std::string& path);

struct RegionQuery {
  enum class Kind { kInterval, kNothing, kBed };
  Kind kind = Kind::kNothing;
  int tid = -1;  // kInterval: the input's reference id
  std::int64_t beg = 0;
  std::int64_t end = 0;
  const BedRegions* bed = nullptr;  // kBed
  std::string index_path;           // -X: the input's index file; "" = found beside the input
};

// Bytes an input's index may take once loaded, estimated from the index file's size
// (`index_path`, else the largest of the names htslib looks for beside `input_path`).
std::size_t index_memory_estimate(const std::string& input_path, const std::string& index_path);

}  // namespace samsort
