// Shared helpers for the end-to-end tests: scratch directories, cached generated inputs and
// samtools references, running samsort, parsing its summary line, comparing BAMs via samtools.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "process.hpp"

namespace samsort::e2e {

inline constexpr const char* kSamsortBin = SAMSORT_BIN;
inline constexpr const char* kMakeTestBamBin = MAKE_TEST_BAM_BIN;
inline constexpr const char* kTestDataDir = SAMSORT_TESTDATA_DIR;
inline constexpr const char* kGeneratedDir = SAMSORT_GENERATED_DIR;

// A fresh directory under /tmp, removed with everything in it on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Creates (and returns) a subdirectory.
  std::string subdir(const std::string& name) const;

 private:
  std::string path_;
};

// Where a sort writes, for tests that look for debris: out/ for the output and its temporary,
// spill/ for -T.
struct SortDirs {
  ScratchDir scratch;
  std::string out_dir = scratch.subdir("out");
  std::string spill_dir = scratch.subdir("spill");
  std::string output = out_dir + "/out.bam";
};

// A make_test_bam output cached in kGeneratedDir as synthetic_r<records>_s<seed>[_<extra>].bam;
// made once (under a lock, written to a temporary name and renamed) and reused by later tests.
// extra_args are further make_test_bam options (e.g. {"--big-positions"}).
std::string generated_bam(int64_t records, uint64_t seed,
                          const std::vector<std::string>& extra_args = {});

// `input` sorted by samtools (with a .csi index beside it), cached in kGeneratedDir as
// <input's name without .bam>.samtools.bam.
std::string samtools_reference(const std::string& input);

// `input` as CRAM without a reference (sequences stored, `no_ref=1`), cached in kGeneratedDir
// as <input's name without .bam>.noref.cram.
std::string generated_cram(const std::string& input);

// The bundled real-looking input (no @HD line).
std::string example_bam();

// What every samsort error line starts with.
inline constexpr const char* kErrorPrefix = "samsort: error: ";
// stderr is exactly one line, starting with kErrorPrefix.
::testing::AssertionResult is_one_error_line(const std::string& stderr_text);
bool contains(const std::string& text, const std::string& part);

// Runs `samsort sort args...`.
ProcessResult run_samsort(const std::vector<std::string>& args, const ProcessOptions& options = {});

// The figures of samsort's summary line ("samsort: sorted N records ... R spilled runs, P merge
// passes ..."); found is false when stderr has no such line.
struct SortSummary {
  bool found = false;
  uint64_t records = 0;
  uint64_t runs = 0;
  uint64_t merge_passes = 0;
};
SortSummary parse_summary(const std::string& stderr_text);

// `samtools view` text of both files, line by line: success when identical, otherwise the first
// differing line. Headers (and so @PG lines) are not compared.
::testing::AssertionResult same_records_in_order(const std::string& expected_bam,
                                                 const std::string& actual_bam);
// As above, but each side's lines sorted first: the same records, in any order.
::testing::AssertionResult same_record_multiset(const std::string& expected_bam,
                                                const std::string& actual_bam);

// `samtools view -c bam [region]`; -1 when samtools fails.
int64_t count_records(const std::string& bam, const std::string& region = "");
// `samtools view -H --no-PG bam`, one element per line.
std::vector<std::string> header_lines(const std::string& bam);
// Bytes of the uncompressed BAM stream (`samtools view -u bam | wc -c`).
uint64_t uncompressed_bytes(const std::string& bam);

// Names in `dir` (without . and ..), sorted. A directory that cannot be read (missing, not a
// directory) fails the calling test (and lists as empty), so "nothing left" is never vacuous.
std::vector<std::string> list_directory(const std::string& dir);
bool path_exists(const std::string& path);
uint64_t file_size(const std::string& path);
// Copies the first `bytes` bytes of `from` to `to` (a truncated file).
void copy_prefix(const std::string& from, const std::string& to, uint64_t bytes);
std::string join_lines(const std::vector<std::string>& lines);
// The whole content of a file (empty when it cannot be read).
std::string read_text(const std::string& path);

}  // namespace samsort::e2e
