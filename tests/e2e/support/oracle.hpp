// The order oracle for the end-to-end property tests: a BAM read whole into memory as raw
// records (block_size first, as samsort holds them), the order to ask for, and helpers to
// compare and describe record sequences. The expected order comes from reference_order.hpp,
// written from the contract (specs/sort-orders.md) independently of samsort's comparators.
#pragma once
#include <gtest/gtest.h>
#include <htslib/bgzf.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace samsort::e2e {

// Reads a BAM's records one at a time as raw bytes (block_size + fixed fields + data), straight
// from the decompressed stream, so they are byte for byte what the file holds.
class BamRecordReader {
 public:
  // Opens `path` and reads the header. Throws std::runtime_error if that fails.
  explicit BamRecordReader(const std::string& path);
  ~BamRecordReader();
  BamRecordReader(const BamRecordReader&) = delete;
  BamRecordReader& operator=(const BamRecordReader&) = delete;

  const std::string& header_text() const { return header_text_; }
  // The next record into `record` (replacing its contents); false at a clean end of file.
  // Throws std::runtime_error on a truncated or unreadable record.
  bool next(std::vector<uint8_t>& record);

 private:
  std::string path_;
  BGZF* file_ = nullptr;
  std::string header_text_;
};

// A whole BAM in memory.
struct BamRecords {
  std::string header_text;
  std::vector<uint8_t> bytes;   // records back to back
  std::vector<size_t> offsets;  // where each record starts in `bytes`

  size_t size() const { return offsets.size(); }
  const uint8_t* record(size_t idx) const { return bytes.data() + offsets[idx]; }
  size_t record_bytes(size_t idx) const;
};
BamRecords read_bam_records(const std::string& path);

// What the oracle sorts by: an order and, for samtools -t, a tag as the primary key.
enum class OracleOrder {
  kCoordinate,
  kQueryName,
  kQueryNameLex,
  kTemplateCoordinate,
  kPicardCoordinate,
  kPicardQueryName
};
struct OracleSort {
  OracleOrder order = OracleOrder::kCoordinate;
  // "", two characters, or several tags separated by commas ("CB,UB"); a literal: cases are
  // built statically.
  const char* tag = "";
};

// The first `id:i` value of a raw record, or -1 when it has none (or not an integer).
int64_t record_id(const uint8_t* record);

// Name, flag, tid, pos, CIGAR, mate and the tags the orders look at, for failure messages.
std::string describe_record(const uint8_t* record);

// Success when the id sequences are equal; else the first difference with a few records
// around it, described by describe(id).
template <typename Describe>
::testing::AssertionResult same_id_sequence(const std::vector<int64_t>& expected,
                                            const std::vector<int64_t>& actual,
                                            const Describe& describe) {
  constexpr size_t kContextRecords = 3;
  size_t common = std::min(expected.size(), actual.size());
  size_t first = 0;
  while (first < common && expected[first] == actual[first]) ++first;
  if (first == common && expected.size() == actual.size()) {
    return ::testing::AssertionSuccess() << common << " records in the same order";
  }
  auto failure = ::testing::AssertionFailure();
  failure << expected.size() << " records expected, " << actual.size() << " written; first "
          << "difference at output record " << first << "\n";
  size_t begin = first >= kContextRecords ? first - kContextRecords : 0;
  for (size_t idx = begin; idx < first; ++idx) {
    failure << "  both     [" << idx << "] " << describe(expected[idx]) << "\n";
  }
  for (size_t idx = first; idx < std::min(first + kContextRecords, common); ++idx) {
    failure << "  expected [" << idx << "] " << describe(expected[idx]) << "\n"
            << "  actual   [" << idx << "] " << describe(actual[idx]) << "\n";
  }
  return failure;
}

}  // namespace samsort::e2e
