// The header of `samsort merge`: N input headers merged into one exactly as samtools HEAD's
// `samtools merge` (bam_sort.c: trans_tbl_init and its helpers) does, with the per-input
// translation of reference ids and RG/PG tag values that the merged header implies.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "samsort/order/order_names.hpp"

namespace samsort {

struct HeaderMergeOptions {
  bool combine_read_groups = false;  // -c: @RG lines with an ID already present are dropped
  bool combine_programs = false;     // -p: the same for @PG
  bool attach_read_group = false;    // -r: each input's @RG IDs become its file's base name
  std::optional<std::string> header_override;  // -h FILE's header text (merged in first)
  // -s: seed of the random ID suffixes; absent = time(nullptr), as samtools does (the only
  // input that is not an argument).
  std::optional<long> seed;
  // The merge order (-n, -N, --template-coordinate) and -t TAG. Only samtools' plain
  // coordinate merge (kCoordinate, no tag) touches @HD: when an input's @SQ order disagrees
  // with the merged one, SO becomes "unsorted" and GO/SS are removed.
  SortOrder order = SortOrder::kCoordinate;
  std::optional<std::string> sort_tag;
};

// An RG or PG ID map of one input: input ID -> output ID, every ID of the input header
// (unchanged ones included).
using IdMap = std::map<std::string, std::string>;

// How to rewrite input i's records, as samtools' bam_translate() then the -r step do.
struct InputTranslation {
  std::vector<std::int32_t> tid_map;  // input tid (tid and mtid) -> output tid; -1 stays -1
  // RG:Z / PG:Z values (the first RG and the first PG tag of a record, bam_aux_get): a value
  // found in the map is replaced by the output ID (samtools deletes the tag and appends the
  // new one at the end of the record, even when the ID is unchanged); a value not in the map
  // makes samtools delete the tag and warn once per input and value ("[bam_translate] RG tag
  // \"g\" on read \"r\" encountered with no corresponding entry in header, tag lost. Unknown
  // tags are only reported once per input file for each tag ID."). An input without @RG
  // lines has an empty read_group_map, so every RG:Z of it is lost.
  IdMap read_group_map;
  IdMap program_map;
  // -r: the RG:Z value every record of this input gets (old RG:Z deleted, this appended after
  // the translation above); "" = none. It is the file's base name, even where the @RG line
  // added for it got a random suffix (two inputs of the same base name, no @RG lines).
  std::string attached_read_group;
  // True when this input's @SQ order disagrees with the merged list (samtools:
  // lost_coord_sort; for a coordinate merge it reports and resets @HD SO).
  bool lost_coordinate_order = false;
  // Records pass unchanged (merge-range: every input carries the same header, the plan
  // input's, so there is nothing to translate and samtools' tag moves would alter records).
  bool identity = false;
};

struct MergedHeader {
  // The merged header text, as htslib's sam_hdr_str() gives it; @HD first, then every @SQ,
  // @RG, @PG and @CO line (other line types are not carried). The command's own @PG is not
  // in it (samtools adds its @PG last, with sam_hdr_add_pg).
  std::string text;
  std::vector<InputTranslation> inputs;
  // The diagnostics samtools prints on stderr while merging the headers, one line each
  // without the newline, in order (e.g. "[W::bam_merge_core2] No @HD tag found.").
  std::vector<std::string> warnings;
};

// Merges the headers of the inputs as `samtools merge` does.
// input_texts[i]: input i's full SAM header text, every reference as an @SQ line (for BAM,
// the text htslib's sam_hdr_str() gives once the header is parsed); input_names[i]: its file
// name as given on the command line (for -r and the messages). Sizes must match.
// Throws samsort::Error for text htslib cannot parse as a header ("failed to read header
// from \"NAME\"", or "couldn't read headers from the -h file") or a mismatch of sizes.
// No I/O: the result depends only on the arguments (and the clock when no seed is given).
// While it runs, htslib's global log level is at most HTS_LOG_ERROR (htslib's warnings on
// the inputs were given when they were read); otherwise thread-safe.
MergedHeader merge_headers(const std::vector<std::string>& input_texts,
                           const std::vector<std::string>& input_names,
                           const HeaderMergeOptions& options);

// samtools' -r read-group name of a file: the name without one trailing ".bam", ".sam" or
// ".cram" (when more than the suffix is there) and then without its directory part.
std::string read_group_from_file_name(const std::string& file_name);

}  // namespace samsort
