// htslib records for unit tests: owning pointers, SAM text parsed into a bam1_t and formatted
// back (the tests of io/hts_record and of wide records).
#pragma once
#include <gtest/gtest.h>
#include <htslib/kstring.h>
#include <htslib/sam.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace samsort::test {

struct HeaderFree {
  void operator()(sam_hdr_t* header) const { sam_hdr_destroy(header); }
};
struct RecordFree {
  void operator()(bam1_t* record) const { bam_destroy1(record); }
};
using HeaderPtr = std::unique_ptr<sam_hdr_t, HeaderFree>;
using RecordPtr = std::unique_ptr<bam1_t, RecordFree>;

// `line` parsed by htslib (sam_parse1) into a new bam1_t.
inline RecordPtr parse_sam(sam_hdr_t* header, std::string line) {
  RecordPtr record(bam_init1());
  kstring_t text{line.size(), line.size() + 1, line.data()};
  EXPECT_GE(sam_parse1(&text, header, record.get()), 0) << line.substr(0, 100);
  return record;
}

// The SAM line htslib formats for `record`.
inline std::string format_sam(sam_hdr_t* header, const bam1_t* record) {
  kstring_t text{0, 0, nullptr};
  EXPECT_GE(sam_format1(header, record, &text), 0);
  std::string line(text.s, text.l);
  free(text.s);
  return line;
}

}  // namespace samsort::test
