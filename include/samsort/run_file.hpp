// Spilled runs. A RunStore keeps every run of the sort in one unlinked temporary file inside
// the private temp directory (so a killed process leaves no run files behind and fan-in is
// not limited by open files); a run is a byte range holding a BGZF stream of raw BAM
// records (block_size included, no header). A RunReader streams one run back through a
// caller-provided buffer: one compressed block, one payload block, one spanning record.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "samsort/bgzf_block.hpp"
#include "samsort/file_io.hpp"
#include "samsort/record_stream.hpp"

namespace samsort {

class BgzfWriter;
class MemoryBudget;
class TempDir;

struct RunInfo {
  std::uint64_t offset = 0;
  std::uint64_t bytes = 0;
  std::uint64_t record_count = 0;
  std::uint32_t max_record_bytes = 0;  // largest record, block_size included
};

class RunStore {
 public:
  explicit RunStore(const TempDir& dir);
  RunStore(const RunStore&) = delete;
  RunStore& operator=(const RunStore&) = delete;

  // Opens a writer for a new run at the end of the store. Finish it with end_run().
  std::unique_ptr<BgzfWriter> begin_run(std::size_t threads, MemoryBudget& budget);
  RunInfo end_run(BgzfWriter& writer, std::uint64_t record_count,
                  std::uint32_t max_record_bytes);
  // Frees the disk space of a run that has been merged (hole punching, best effort).
  void discard(const RunInfo& run) noexcept;

  int fd() const noexcept { return file_.get(); }
  const std::string& path() const noexcept { return path_; }
  std::uint64_t bytes_written() const noexcept { return end_offset_; }

 private:
  std::string path_;
  FileDescriptor file_;
  std::uint64_t end_offset_ = 0;
  std::uint64_t run_start_ = 0;
};

class RunReader final : public RecordStream {
 public:
  // Bytes a reader of a run needs from the caller's buffer.
  static std::size_t buffer_bytes_for(const RunInfo& run) noexcept;

  // `buffer` must hold buffer_bytes_for(run) bytes and outlive the reader.
  RunReader(const RunStore& store, const RunInfo& run, std::uint8_t* buffer);

  // The next record (pointing at its block_size), valid until the next call; nullptr at the
  // end of the run. Throws FormatError/IoError on a damaged run file.
  const std::uint8_t* next() override;

 private:
  bool load_block();
  void take(std::uint8_t* out, std::size_t bytes);

  const RunStore& store_;
  RunInfo run_;
  std::uint64_t file_offset_;
  std::uint64_t records_left_;
  std::uint8_t* compressed_;
  std::uint8_t* payload_;
  std::uint8_t* record_;
  const std::uint8_t* cursor_ = nullptr;
  std::size_t left_bytes_ = 0;
  BlockInflater inflater_;
};

}  // namespace samsort
