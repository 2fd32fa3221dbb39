// Bounded SAM line reading over htslib's hFILE, parsing with sam_parse1.
#include "samsort/io/sam_line_reader.hpp"

#include <htslib/hfile.h>
#include <htslib/sam.h>

#include <algorithm>
#include <cstdio>
#include <utility>

#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"

namespace samsort {

namespace {
constexpr std::size_t kMinLineCapacity = 64 * 1024;
constexpr std::size_t kReadRoom = 200;  // grow when less than this is free, as htslib does
}  // namespace

SamLineReader::SamLineReader(htsFile* file, std::size_t max_line_bytes, std::string path,
                             std::uint64_t first_line_number)
    : file_(file),
      max_line_bytes_(std::max(max_line_bytes, kMinLineCapacity)),
      path_(std::move(path)),
      line_number_(first_line_number) {
  // htslib's header reader keeps the first record line it read: take it over.
  if (file_->line.l != 0) {
    std::swap(line_, file_->line);
    if (line_.l > max_line_bytes_) refuse_line();
  }
}

SamLineReader::~SamLineReader() { ks_free(&line_); }

void SamLineReader::refuse_line() const {
  char text[200];
  std::snprintf(text, sizeof text,
                "SAM line %llu is longer than the %.1f MiB the memory budget gives one record; "
                "raise --max-memory",
                static_cast<unsigned long long>(line_number_),
                static_cast<double>(max_line_bytes_) / config::kMiB);
  throw ResourceError(path_ + ": " + text);
}

bool SamLineReader::read_line() {
  hFILE* in = file_->fp.hfile;
  line_.l = 0;
  while (line_.l == 0 || line_.s[line_.l - 1] != '\n') {
    if (line_.m - line_.l < kReadRoom) {
      if (line_.m >= max_line_bytes_) refuse_line();
      std::size_t grown = std::min(std::max(2 * line_.m, kMinLineCapacity), max_line_bytes_);
      if (ks_resize(&line_, grown) < 0) throw std::bad_alloc();
    }
    ssize_t got = hgetln(line_.s + line_.l, line_.m - line_.l, in);
    if (got < 0) read_error_ = true;
    if (got <= 0) break;
    line_.l += static_cast<std::size_t>(got);
  }
  if (line_.l == 0) return false;
  if (line_.s[line_.l - 1] == '\n') {
    --line_.l;
    if (line_.l > 0 && line_.s[line_.l - 1] == '\r') --line_.l;
  }
  line_.s[line_.l] = '\0';
  return true;
}

int SamLineReader::read(sam_hdr_t* header, bam1_t* record) {
  if (line_.l == 0 && !read_line()) return read_error_ || herrno(file_->fp.hfile) != 0 ? -2 : -1;
  int result = sam_parse1(&line_, header, record);
  line_.l = 0;
  ++line_number_;
  return result;
}

}  // namespace samsort
