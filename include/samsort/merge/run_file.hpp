// Spilled runs. A RunStore keeps every run of the sort in one unlinked temporary file per
// temp location (so a killed process leaves no run files behind and fan-in is not limited by
// open files); when a location fills up, runs move on to the next one. A run is a byte range
// holding blocks (BGZF or zstd, block_codec.hpp) of raw BAM records (block_size included, no
// header). A RunReader
// streams one run back through a caller-provided buffer: one compressed block, one payload
// block, one spanning record (or, for a record above config::kMergeWholeRecordMaxBytes, its
// key copy; the whole record is read back on demand into a buffer the merge's readers share).
#pragma once
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "samsort/io/block_codec.hpp"
#include "samsort/io/file_io.hpp"
#include "samsort/io/record_stream.hpp"

namespace samsort {

class BgzfWriter;
class MemoryBudget;
class RunPrefetcher;
class RunSamples;
class TempDir;
struct RunPosition;

struct RunInfo {
  std::uint64_t offset = 0;
  std::uint64_t bytes = 0;
  std::uint64_t record_count = 0;
  std::uint32_t max_record_bytes = 0;  // largest record, block_size included
  std::uint32_t location_idx = 0;      // which temp location's file holds it
  std::uint32_t max_copy_bytes = 0;    // largest RunReader::copy_bytes() of its records
  std::uint64_t record_bytes = 0;      // its records' bytes (before compression)
  // Key copies at positions, kept while the run was written (merge/run_samples.hpp); null
  // when none were.
  std::shared_ptr<const RunSamples> samples;
};

// The record sizes a run's reader is planned from, gathered while the run is written.
struct RunRecordSizes {
  std::uint32_t max_record_bytes = 0;
  std::uint32_t max_copy_bytes = 0;
  // Counts one record (block_size first; its fields must be consistent with block_size).
  void add(const std::uint8_t* record) noexcept;
};

class RunStore {
 public:
  // One location.
  RunStore(const TempDir& dir, const BlockCodec& codec);
  // Several locations (-T given more than once), in order of use; at least one. The TempDirs
  // must outlive the store. Throws IoError if a run file cannot be created in one of them.
  RunStore(const std::vector<const TempDir*>& dirs, const BlockCodec& codec);
  RunStore(const RunStore&) = delete;
  RunStore& operator=(const RunStore&) = delete;

  // Opens a writer for a new run at the end of the current location. Finish it with end_run().
  std::unique_ptr<BgzfWriter> begin_run(std::size_t threads, MemoryBudget& budget);
  RunInfo end_run(BgzfWriter& writer, std::uint64_t record_count, const RunRecordSizes& sizes);
  // Frees the disk space of a run that has been merged (hole punching, best effort).
  void discard(const RunInfo& run) noexcept;
  // How the runs' blocks are compressed.
  const BlockCodec& codec() const noexcept { return codec_; }
  // Bytes of runs written (merge passes included), and the most held at once (written and
  // not yet discarded): the temporary disk the runs took.
  std::uint64_t total_bytes_written() const noexcept { return total_written_; }
  std::uint64_t peak_live_bytes() const noexcept { return peak_live_; }

  // After a run's writer failed because its location is full (is_disk_full()), with the writer
  // destroyed: gives the partial run's bytes back and makes the next location current, so the
  // caller can write the run again. False (nothing changed) when no location is left.
  //   for (;;) { try { writer = begin_run(); ...; end_run(); break; }
  //              catch (const IoError& e) { if (!is_disk_full(e) || !next_location()) throw; } }
  bool next_location() noexcept;
  // True for an IoError with ENOSPC or EDQUOT.
  static bool is_disk_full(const std::exception& error) noexcept;

  // The current location's file (where begin_run() writes).
  int fd() const noexcept { return locations_[current_].file.get(); }
  const std::string& path() const noexcept { return locations_[current_].path; }
  // The file holding `run`.
  int fd_of(const RunInfo& run) const noexcept { return locations_[run.location_idx].file.get(); }
  const std::string& path_of(const RunInfo& run) const noexcept {
    return locations_[run.location_idx].path;
  }
  std::size_t location_count() const noexcept { return locations_.size(); }
  std::size_t current_location() const noexcept { return current_; }
  // Bytes in the current location's file (runs written there, merged ones included).
  std::uint64_t bytes_written() const noexcept { return locations_[current_].end_offset; }

 private:
  struct Location {
    std::string path;  // "<temp dir>/runs", for messages
    FileDescriptor file;
    std::uint64_t end_offset = 0;
  };

  std::vector<Location> locations_;
  BlockCodec codec_;
  std::size_t current_ = 0;
  std::uint64_t run_start_ = 0;
  std::uint64_t total_written_ = 0;
  std::uint64_t live_ = 0;
  std::uint64_t peak_live_ = 0;
};

// Reads the block at `offset` of `run` into `compressed` and decodes it into `payload` (each
// kBgzfMaxBlockBytes); returns the block's size and stores its payload length. Safe on any
// thread with its own decoder and buffers. Throws IoError/FormatError (a damaged run file).
std::size_t read_run_block(const RunStore& store, const RunInfo& run, std::uint64_t offset,
                           BlockDecoder& decoder, std::uint8_t* compressed, std::uint8_t* payload,
                           std::size_t* payload_bytes);

class RunReader final : public RecordStream {
 public:
  // Bytes a reader of a run needs from the caller's buffer.
  static std::size_t buffer_bytes_for(const RunInfo& run) noexcept;
  // Bytes of the whole-record buffer a reader of the run needs (0 when every record is held
  // whole). One buffer of the largest of these serves all readers of one merge.
  static std::size_t whole_bytes_for(const RunInfo& run) noexcept;
  // What the reader holds of `record` for the merge's comparisons: the whole record up to
  // config::kMergeWholeRecordMaxBytes, else the record without its sequence and qualities.
  static std::size_t copy_bytes(const std::uint8_t* record) noexcept;

  // `buffer` must hold buffer_bytes_for(run) bytes, `whole_buffer` whole_bytes_for(run) bytes
  // (nullptr when that is 0); both outlive the reader. Readers whose whole() calls do not
  // overlap (one merge) may share `whole_buffer`. `decoder` (of the store's codec's format)
  // serves every reader of one thread and outlives them. With `prefetch` (outliving the
  // reader), the run's blocks come decoded from it as its run `prefetch_run`; `decoder` and
  // `buffer`'s two blocks then serve whole() only.
  RunReader(const RunStore& store, const RunInfo& run, BlockDecoder& decoder, std::uint8_t* buffer,
            std::uint8_t* whole_buffer = nullptr, RunPrefetcher* prefetch = nullptr,
            std::size_t prefetch_run = 0);
  // A reader of the run from `start` on (a record's position: a sample's), decoding on this
  // thread.
  RunReader(const RunStore& store, const RunInfo& run, BlockDecoder& decoder, std::uint8_t* buffer,
            std::uint8_t* whole_buffer, const RunPosition& start);
  // Compressed bytes read from the run file so far (whole() re-reads included).
  std::uint64_t bytes_read() const;

  // The next record (pointing at its block_size), valid until the next call; nullptr at the
  // end of the run. A record above config::kMergeWholeRecordMaxBytes that spans blocks comes
  // as its key copy (l_seq 0, no sequence or qualities; every other field as stored), which
  // every order compares like the record. Throws FormatError/IoError on a damaged run file.
  const std::uint8_t* next() override;
  // The whole record that `current` (the last next() result) stands for: `current` itself, or
  // the record read back from the run file into the whole-record buffer, valid until the next
  // call of next() or whole() on any reader sharing that buffer. Throws like next().
  const std::uint8_t* whole(const std::uint8_t* current) override;

 private:
  bool load_block();
  std::size_t inflate_block_at(std::uint64_t offset, std::size_t* payload_bytes);
  void take(std::uint8_t* out, std::size_t bytes);
  void skip(std::size_t bytes);
  const std::uint8_t* next_copy(std::size_t record_bytes);

  const RunStore& store_;
  RunInfo run_;
  std::uint64_t file_offset_;
  std::uint64_t records_left_;
  std::uint8_t* compressed_;
  std::uint8_t* payload_;
  std::uint8_t* record_;
  std::uint8_t* whole_;
  const std::uint8_t* block_ = nullptr;  // the payload of the block being read
  const std::uint8_t* cursor_ = nullptr;
  std::size_t left_bytes_ = 0;
  std::uint64_t block_offset_ = 0;  // file offset of the block at block_
  std::size_t start_skip_ = 0;      // payload bytes before the start record in the first block
  // The last record, when next() returned its key copy: where it starts (block, payload
  // offset) and its size; copy_bytes_ == 0 otherwise.
  std::uint64_t copy_block_offset_ = 0;
  std::size_t copy_payload_offset_ = 0;
  std::size_t copy_record_bytes_ = 0;
  std::uint64_t bytes_read_ = 0;
  BlockDecoder& decoder_;
  RunPrefetcher* prefetch_;
  std::size_t prefetch_run_;
};

}  // namespace samsort
