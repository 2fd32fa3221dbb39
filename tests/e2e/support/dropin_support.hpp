// Helpers for the drop-in tests: our index against samtools' own index of the same
// file, natural read-name order, streamed `samtools view` comparisons with a line filter, and
// checks that a directory holds exactly the expected names (no samsort temporary debris).
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace samsort::e2e {

enum class IndexKind { kBai, kCsi };

// `our_index` (an index of `bam`) is byte-identical to `samtools index -b|-c bam`, written into
// `work_dir`; and `samtools idxstats` and `samtools view` of each region answer the same through
// our index (looked up beside the BAM by name, and named explicitly with ##idx##) as through
// samtools' index. Each region must select at least one record.
::testing::AssertionResult index_matches_samtools(const std::string& bam,
                                                  const std::string& our_index, IndexKind kind,
                                                  const std::vector<std::string>& regions,
                                                  const std::string& work_dir);

// samtools' strnum_cmp: digit runs compare as numbers (leading zeros skipped), the rest by byte.
int strnum_compare(std::string_view a, std::string_view b);

// Records are in samtools -n order: names non-decreasing under strnum_compare, each name's
// records contiguous, and within a name the newest samtools' flag tie-break (PR samtools#2012)
// non-decreasing: READ1/READ2 bits (0xc0), then primary, supplementary, secondary.
::testing::AssertionResult in_natural_name_order(const std::string& bam);

// Every read name has the same first ':'-separated field, and no digit run after it starts
// with '0': natural order is then one total order (no names equal as numbers but different as
// text), so samtools -n output is a valid oracle for it.
::testing::AssertionResult names_free_of_leading_zeros(const std::string& bam);

// Rewrites a `samtools view` line in place before comparison; false drops the line.
using LineFilter = std::function<bool(std::string& line)>;
// The first `count` tab-separated columns (for CRAM round trips: columns 1-11).
LineFilter first_columns(int count);
// Drops secondary and supplementary records (flag 0x900).
LineFilter primary_only();
// Drops records whose CIGAR (column 6) has a hard clip.
LineFilter without_hard_clips();

// `samtools view [--reference FASTA] file`, as an argv.
std::vector<std::string> samtools_view(const std::string& file, const std::string& reference = "");

// Both commands' stdout, line by line after `filter`, identical (streamed); at least one line.
::testing::AssertionResult same_view_lines(const std::vector<std::string>& expected_argv,
                                           const std::vector<std::string>& actual_argv,
                                           const LineFilter& filter = {});

// `samtools quickcheck -v path` exits 0.
::testing::AssertionResult passes_quickcheck(const std::string& path);

// `dir` holds exactly `names` (no `.samsort.*` directories or `*.samsort-tmp*` files left).
::testing::AssertionResult directory_holds_exactly(const std::string& dir,
                                                   std::vector<std::string> names);

// Size of the data a BGZF (gzip) file holds, decompressed; 0 if that fails.
uint64_t decompressed_bytes(const std::string& path);

// The first `bytes` bytes of a file (fewer if it is shorter).
std::string file_prefix(const std::string& path, size_t bytes);

}  // namespace samsort::e2e
