// Template-coordinate order (samtools sort --template-coordinate, with
// the newest samtools' CB key and hard clips ignored): the per-record fields of samtools'
// template_coordinate_key, the @RG ID -> LB table they need, and their compare.
// Input order, the final tie-break, is the engine's job.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "samsort/core/errors.hpp"

namespace samsort {

// A record whose template key cannot be built (no MC on a paired read with a mapped mate, or
// MC/CB/MI not a string). The engine may rethrow it as a FormatError with file and record.
class TemplateKeyError : public Error {
 public:
  using Error::Error;
};

// @RG ID -> LB from the header text, as samtools' lookup_libraries builds it: @RG lines in
// order, the first with a given ID that has an LB wins; lines without LB are skipped.
// Each distinct library also gets a rank in strcmp order ("" is rank 0), for packed keys.
// Immutable after construction: lookups are thread-safe; returned pointers stay valid for the
// table's lifetime, moves included.
class LibraryTable {
 public:
  struct Library {
    const char* name;    // NUL-terminated; "" when unknown or without LB
    std::uint32_t rank;  // equal names <=> equal ranks; strcmp order <=> rank order
  };

  LibraryTable() = default;
  explicit LibraryTable(std::string_view header_text);
  LibraryTable(LibraryTable&&) noexcept = default;
  LibraryTable& operator=(LibraryTable&&) noexcept = default;
  LibraryTable(const LibraryTable&) = delete;
  LibraryTable& operator=(const LibraryTable&) = delete;

  // The library of read group `read_group` (an RG:Z value); {"", 0} if none.
  Library find(std::string_view read_group) const noexcept;
  // Number of read groups with a library.
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  struct Entry {
    std::string_view id;
    Library library;
  };
  std::unique_ptr<char[]> pool_;  // IDs and library names, NUL-terminated, never moves
  std::vector<Entry> entries_;    // sorted by id
};

// The key samtools builds per record. Unset ends keep the defaults below (tid INT32_MAX, pos
// kTemplateUnsetPosition, forward), so unmapped reads with a mapped mate sort with their
// mate and fully unmapped reads sort last. Views point into the record (and the table).
inline constexpr std::int64_t kTemplateUnsetPosition =
    (std::int64_t{INT32_MAX} << 32) | INT32_MAX;  // htslib's HTS_POS_MAX

struct TemplateFields {
  std::int32_t tid1 = INT32_MAX;
  std::int32_t tid2 = INT32_MAX;
  std::int64_t pos1 = kTemplateUnsetPosition;  // 1-based unclipped 5' position
  std::int64_t pos2 = kTemplateUnsetPosition;
  bool neg1 = false;
  bool neg2 = false;
  bool upper = false;  // the ends were swapped: this record is the upper end of its template
  const char* library = "";
  std::uint32_t library_rank = 0;
  std::string_view cb;    // CB:Z value or ""
  std::string_view mi;    // MI:Z value with one trailing "/X" removed, or ""
  std::string_view name;  // read name without NUL
};

// 1-based unclipped positions of a record (newest samtools: soft clips count, hard clips are
// skipped over). Start: pos - leading soft clips + 1. End: htslib's bam_endpos (pos + reference
// length, or pos + 1 when that length is 0) + trailing soft clips.
std::int64_t unclipped_start(const std::uint8_t* record) noexcept;
std::int64_t unclipped_end(const std::uint8_t* record) noexcept;

// The same for the mate from its 0-based position and MC string, parsed as samtools does
// (a missing count is 1; parsing stops at '*' or the end). Start: mate_pos - leading soft clips
// + 1. End: mate_pos + M/D/N/=/X lengths + soft clips after the first of those.
std::int64_t mate_unclipped_start(std::int64_t mate_pos, std::string_view mate_cigar) noexcept;
std::int64_t mate_unclipped_end(std::int64_t mate_pos, std::string_view mate_cigar) noexcept;

// Fills `out` for `record`. Returns nullptr, or a static description of why the key cannot be
// built (then `out` is unspecified). A paired record whose mate is flagged mapped but has no
// mate reference (tid -1) is treated as having an unmapped mate (spec: "undefined corner").
// Thread-safe.
const char* make_template_fields(const std::uint8_t* record, const LibraryTable& libraries,
                                 TemplateFields& out) noexcept;

// The same, throwing TemplateKeyError with the read name and the fix (samtools fixmate).
TemplateFields template_fields(const std::uint8_t* record, const LibraryTable& libraries);

// <0, 0, >0 in samtools order: tid1, tid2 (signed), pos1, pos2, neg1 (reverse first), neg2
// (reverse first), library, CB, MI, name (byte order, strcmp), upper (false first).
int compare_template(const TemplateFields& a, const TemplateFields& b) noexcept;

}  // namespace samsort
