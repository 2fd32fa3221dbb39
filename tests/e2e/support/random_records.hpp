// Messy random BAM inputs for the order property tests: names with digit runs and leading
// zeros, every flag combination, clipped CIGARs, MC/RG/MI/CB and a mixed-type XT tag, and an
// `id:i:<input index>` tag on every record. Deterministic by seed; written with htslib.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

namespace samsort::e2e {

// The header of every random input: `@HD VN:1.6 SO:unsorted GO:none`, @SQ chrA chrB chrC
// (1000 bp each), @RG rg1 (LB libX), rg2 (LB libA), rg3 (no LB). Records may also name rgX,
// which the header lacks.
extern const char* const kRandomHeaderText;

struct RandomRecordsSpec {
  int64_t record_count = 0;
  uint64_t seed = 1;
  // Append one more record (id = record_count): paired, mate mapped with a mate reference, but
  // without MC, which template-coordinate must reject.
  bool trailing_missing_mc = false;
  // Data on which htsjdk's comparators are consistent, for Picard SortSam: paired records are
  // exactly one of first/second of pair. Adds random MAPQ, insert size and an HI tag (any
  // integer type) on some records, and repeats a record's key fields now and then (a copy with
  // only its id changed) so that fully equal keys occur.
  bool picard = false;
};

// Writes the records of `spec` as BAM (level 1) to `path`. Throws std::runtime_error on
// failure. Every paired record whose flags say the mate is mapped gets a mate reference and an
// MC tag (except the trailing one above).
void write_random_records(const std::string& path, const RandomRecordsSpec& spec);

// kGeneratedDir/name, made by make(temp_path) first when missing: `make` writes a private
// temporary name that is then renamed into place, so concurrent test processes (ctest -j) never
// see a partial file; two makers racing write the same content. Throws what `make` throws.
std::string cached_generated(const std::string& name,
                             const std::function<void(const std::string&)>& make);

// write_random_records cached in kGeneratedDir (written to a temporary name, then renamed, so
// concurrent test processes never see a partial file). Returns the path.
std::string random_records_bam(const RandomRecordsSpec& spec);

}  // namespace samsort::e2e
