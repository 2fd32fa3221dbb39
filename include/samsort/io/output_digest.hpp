// OutputDigest: the MD5 of the output file for --write-md5 (Picard's CREATE_MD5_FILE,
// biobambam's md5=1), written to OUT.md5 as Picard writes it: 32 lower-case hex digits, no
// newline. BAM output is hashed as its blocks are written (a ByteObserver on the BGZF writer's
// output thread); htslib's SAM/CRAM output is read back from the finished regular file. The
// .md5 file is an OutputFile of its own (temporary, renamed with the output, never left behind).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "samsort/io/bgzf_writer.hpp"
#include "samsort/io/output_file.hpp"

struct hts_md5_context;

namespace samsort {

class OutputDigest final : public ByteObserver {
 public:
  // Bytes of budget the read-back of a finished file uses (htslib outputs).
  static constexpr std::size_t kReadBackBytes = std::size_t{1} << 20;

  // Creates OUTPUT.md5's temporary now (an unusable place fails before any input is read).
  explicit OutputDigest(const std::string& output_path);
  ~OutputDigest() override;
  OutputDigest(const OutputDigest&) = delete;
  OutputDigest& operator=(const OutputDigest&) = delete;

  void written(const std::uint8_t* bytes, std::size_t count) noexcept override;
  // Hashes the first `bytes` bytes of the file at `path` (a finished regular file; an in-place
  // output may still hold old bytes beyond them) through a kReadBackBytes buffer.
  void add_file(const std::string& path, std::uint64_t bytes);
  // Writes the digest to the .md5 temporary and closes it. Returns the hex digits.
  std::string finish();
  // Renames the .md5 file into place (after finish()).
  void commit() { file_.commit(); }

 private:
  hts_md5_context* context_;
  OutputFile file_;
};

}  // namespace samsort
