// SAM record lines read with a length bound, for htslib's sam_parse1. htslib's own reader grows
// its line buffer (and the record it parses into) to whatever a line needs, outside any budget:
// a SAM file with 12 Mbase reads took 100+ MiB at --max-memory 64M. This reader reads an
// uncompressed SAM file's lines itself into a buffer it bounds, so a line longer than the
// budget's share is refused before it is held.
#pragma once
#include <htslib/kstring.h>

#include <cstddef>
#include <string>

struct htsFile;
struct sam_hdr_t;
struct bam1_t;

namespace samsort {

class SamLineReader {
 public:
  // `file` is an open uncompressed SAM file whose header has been read (the first record line
  // may wait in its line buffer); lines of more than `max_line_bytes` are refused. `path` and
  // `first_line_number` (the header's line count + 1) name a refused line.
  SamLineReader(htsFile* file, std::size_t max_line_bytes, std::string path,
                std::uint64_t first_line_number);
  ~SamLineReader();
  SamLineReader(const SamLineReader&) = delete;
  SamLineReader& operator=(const SamLineReader&) = delete;

  // Parses the next line into `record`: 0, -1 at the end, < -1 on a parse or read error (as
  // sam_read1). Throws ResourceError for a line above the bound.
  int read(sam_hdr_t* header, bam1_t* record);
  // Bytes the line buffer holds (its capacity).
  std::size_t buffer_bytes() const noexcept { return line_.m; }

 private:
  // Reads one line into line_ without its newline (and a CR before it). False at the end.
  bool read_line();
  [[noreturn]] void refuse_line() const;

  htsFile* file_;
  std::size_t max_line_bytes_;
  std::string path_;
  std::uint64_t line_number_;
  kstring_t line_{0, 0, nullptr};
  bool read_error_ = false;
};

}  // namespace samsort
