// Shared pieces of the libFuzzer targets: an in-memory file descriptor holding the input, and
// the read loop the sort runs on a BAM stream (header, then records checked as the sort does).
#pragma once
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "samsort/bam/bam_header.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/io/bgzf_reader.hpp"

namespace samsort::fuzz {

// Budget for one input: the reader ring, the header claims, a record buffer.
inline constexpr std::size_t kBudgetBytes = 64u << 20;
// Larger records are skipped as the sort would refuse or spill them; keeps runs fast.
inline constexpr std::uint32_t kMaxRecordBlockSize = 1u << 20;

// A memfd holding `bytes`, positioned at 0; closed on destruction.
class MemoryFile {
 public:
  MemoryFile(const std::uint8_t* data, std::size_t bytes) : fd_(memfd_create("fuzz", 0)) {
    std::size_t done = 0;
    while (fd_ >= 0 && done < bytes) {
      ssize_t put = write(fd_, data + done, bytes - done);
      if (put <= 0) break;
      done += static_cast<std::size_t>(put);
    }
    if (fd_ >= 0) lseek(fd_, 0, SEEK_SET);
  }
  ~MemoryFile() {
    if (fd_ >= 0) close(fd_);
  }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// What the sort does with a BAM stream up to the arena: read the header (and edit it as the
// sort does), then each record's block_size, body and structural check. samsort's own errors
// are the expected outcome for bad input; anything else (a crash, a sanitizer report, another
// exception type) is a finding.
inline void read_bam_stream(int fd, std::size_t threads) {
  MemoryBudget budget(kBudgetBytes);
  try {
    BgzfReader reader(fd, "fuzz-input", threads, budget);
    BamHeader header = BamHeader::read(reader, budget);
    std::int32_t reference_count = header.reference_count();
    header.set_sort_tags(HeaderSortTags{"coordinate", nullptr, nullptr});
    header.add_program_line("fuzz", "samsort sort fuzz");
    static_cast<void>(header.serialize());
    std::vector<std::uint8_t> record;
    for (;;) {
      std::uint8_t length_bytes[4];
      std::size_t got = reader.read(length_bytes, 4);
      if (got != 4) return;
      std::uint32_t block_size = bam::load_u32(length_bytes);
      if (block_size < bam::kFixedBytes - 4 || block_size > kMaxRecordBlockSize) return;
      record.resize(std::size_t{block_size} + 4);
      std::copy(length_bytes, length_bytes + 4, record.begin());
      if (reader.read(record.data() + 4, block_size) != block_size) return;
      if (bam::check_record(record.data(), reference_count) != nullptr) return;
    }
  } catch (const Error&) {
  }
}

}  // namespace samsort::fuzz
