// Shared pieces of the libFuzzer targets: an in-memory file descriptor holding the input, and
// the sort's own record source reading it (header, then every record, checked as in a sort).
#pragma once
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "samsort/bam/bam_header.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/io/record_source.hpp"

namespace samsort::fuzz {

// Budget for one input: the reader ring, the header claims, a record buffer.
inline constexpr std::size_t kBudgetBytes = 64u << 20;
// Reading stops at a larger record (the sort would take it into the arena); keeps runs fast.
inline constexpr std::size_t kMaxRecordBytes = std::size_t{1} << 20;

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

// What the sort does with an input up to the arena, through the production code: the record
// source the sort opens (format detection, the threaded BGZF reader, record checks), the header
// edited as the sort edits it, then every record read. samsort's own errors are the expected
// outcome for bad input; anything else (a crash, a sanitizer report, another exception type)
// is a finding. The memfd is opened by its /proc path, as the sort opens a file.
inline void read_bam_stream(int fd, std::size_t threads) {
  // A CRAM-looking input must not make htslib fetch references from the network.
  setenv("REF_PATH", "/nonexistent", 1);
  unsetenv("REF_CACHE");
  MemoryBudget budget(kBudgetBytes);
  try {
    InputSettings settings;
    settings.path = "/proc/self/fd/" + std::to_string(fd);
    settings.threads = threads;
    std::unique_ptr<RecordSource> source = open_record_source(settings, budget);
    BamHeader& header = source->header();
    header.set_sort_tags(HeaderSortTags{"coordinate", nullptr, nullptr});
    header.add_program_line("fuzz", "samsort sort fuzz");
    static_cast<void>(header.serialize());
    std::vector<std::uint8_t> record;
    while (std::size_t bytes = source->next_record_bytes()) {
      if (bytes > kMaxRecordBytes) return;
      record.resize(bytes);
      source->read_record(record.data());
    }
  } catch (const Error&) {
  }
}

}  // namespace samsort::fuzz
