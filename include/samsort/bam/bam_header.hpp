// BamHeader: the input's header (text and binary reference list), held in htslib's
// sam_hdr_t for editing (@HD sort tags, @PG), serialised back to BAM's binary header.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "samsort/core/memory_budget.hpp"

struct sam_hdr_t;

namespace samsort {

class BgzfReader;

// How set_sort_tags edits @HD: as samtools sort does (SO/GO/SS replaced, unset GO/SS removed)
// or as Picard SortSam (htsjdk) does (VN:1.6 first, only SO replaced, GO/SS kept).
enum class HeaderRule : std::uint8_t { kSamtools, kPicard };

// The @HD tags an order sets (SO, GO, SS, as samtools sort writes them); nullptr means
// the tag must not be present. Under HeaderRule::kPicard only sort_order is used.
struct HeaderSortTags {
  const char* sort_order;   // SO
  const char* group_order;  // GO
  const char* sub_sort;     // SS
  HeaderRule rule = HeaderRule::kSamtools;
};

class BamHeader {
 public:
  // Reads "BAM\1", the text and the reference list from `reader`, reserving the memory the
  // copy needs from `budget`. Throws FormatError on a malformed header.
  static BamHeader read(BgzfReader& reader, MemoryBudget& budget);
  // Takes ownership of a header htslib read (SAM/CRAM input), reserving its size.
  static BamHeader adopt(sam_hdr_t* header, MemoryBudget& budget);

  BamHeader(BamHeader&&) noexcept;
  BamHeader& operator=(BamHeader&&) noexcept;
  ~BamHeader();

  std::int32_t reference_count() const noexcept;
  // Sets @HD SO/GO/SS as `tags` says: other @HD tags stay in place, present tags are replaced,
  // missing ones appended, unset GO/SS removed; without @HD, "@HD VN:1.6 SO:..." goes first.
  // Under HeaderRule::kPicard the @HD line becomes what htsjdk writes: VN:1.6 first, then the
  // other tags in their order with SO's value replaced (SO appended when absent); an @HD line
  // without VN, which htsjdk ignores, becomes "@HD VN:1.6 SO:...".
  void set_sort_tags(const HeaderSortTags& tags);
  // Appends a @PG line for samsort with ID uniqueness and PP chaining as htslib does.
  void add_program_line(const std::string& version, const std::string& command_line);
  // The complete binary BAM header (magic through the reference list).
  std::string serialize() const;
  // The header text (for tests and diagnostics).
  std::string text() const;
  // htslib's view, for htslib writers and index builders; owned by this object.
  sam_hdr_t* hts_header() const noexcept { return header_.get(); }

 private:
  struct HeaderDeleter {
    void operator()(sam_hdr_t* header) const noexcept;
  };
  BamHeader(sam_hdr_t* header, Reservation text_reservation, Reservation references_reservation);

  std::unique_ptr<sam_hdr_t, HeaderDeleter> header_;
  Reservation text_reservation_;
  Reservation references_reservation_;
};

}  // namespace samsort
