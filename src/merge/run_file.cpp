// Run store (one unlinked spill file) and the sequential run reader.
#include "samsort/merge/run_file.hpp"

#include <fcntl.h>
#include <linux/falloc.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "samsort/bam/bam_record.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/signals.hpp"
#include "samsort/io/bgzf_writer.hpp"
#include "samsort/merge/temp_dir.hpp"

namespace samsort {

namespace {
// An unnamed file in `dir`: O_TMPFILE where the filesystem supports it, else a named file
// unlinked at once.
FileDescriptor open_unlinked_file(const std::string& dir, std::string* shown_path) {
  *shown_path = dir + "/runs";
  int fd = open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return FileDescriptor(fd);
  std::string pattern = dir + "/runs.XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  signals::CleanupGuard guard;  // the named file is gone before a signal's cleanup runs
  fd = mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) throw IoError(dir, "cannot create run file", errno);
  unlink(name.data());
  return FileDescriptor(fd);
}
}  // namespace

RunStore::RunStore(const TempDir& dir) : RunStore(std::vector<const TempDir*>{&dir}) {}

RunStore::RunStore(const std::vector<const TempDir*>& dirs) {
  if (dirs.empty()) throw Error("no temporary directory for spilled runs");
  for (const TempDir* dir : dirs) {
    Location location;
    location.file = open_unlinked_file(dir->path(), &location.path);
    locations_.push_back(std::move(location));
  }
}

std::unique_ptr<BgzfWriter> RunStore::begin_run(std::size_t threads, MemoryBudget& budget) {
  Location& location = locations_[current_];
  run_start_ = location.end_offset;
  return std::make_unique<BgzfWriter>(location.file.get(), location.path, location.end_offset, true,
                                      config::kSpillLibdeflateLevel, threads, budget);
}

RunInfo RunStore::end_run(BgzfWriter& writer, std::uint64_t record_count,
                          std::uint32_t max_record_bytes) {
  std::uint64_t bytes = writer.finish(false);
  locations_[current_].end_offset = run_start_ + bytes;
  return RunInfo{run_start_, bytes, record_count, max_record_bytes,
                 static_cast<std::uint32_t>(current_)};
}

void RunStore::discard(const RunInfo& run) noexcept {
  if (run.bytes == 0) return;
  fallocate(fd_of(run), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(run.offset),
            static_cast<off_t>(run.bytes));
}

bool RunStore::next_location() noexcept {
  if (current_ + 1 >= locations_.size()) return false;
  // The partial run is the tail of the file: cut it off so the full disk gets its space back
  // (best effort; the space is freed at exit anyway).
  static_cast<void>(ftruncate(locations_[current_].file.get(), static_cast<off_t>(run_start_)));
  locations_[current_].end_offset = run_start_;
  ++current_;
  run_start_ = locations_[current_].end_offset;
  return true;
}

bool RunStore::is_disk_full(const std::exception& error) noexcept {
  const auto* io_error = dynamic_cast<const IoError*>(&error);
  return io_error != nullptr &&
         (io_error->errno_value() == ENOSPC || io_error->errno_value() == EDQUOT);
}

std::size_t RunReader::buffer_bytes_for(const RunInfo& run) noexcept {
  return 2 * config::kBgzfMaxBlockBytes +
         std::max<std::size_t>(run.max_record_bytes, config::kMergeMinRecordBufferBytes);
}

RunReader::RunReader(const RunStore& store, const RunInfo& run, std::uint8_t* buffer)
    : store_(store),
      run_(run),
      file_offset_(run.offset),
      records_left_(run.record_count),
      compressed_(buffer),
      payload_(buffer + config::kBgzfMaxBlockBytes),
      record_(buffer + 2 * config::kBgzfMaxBlockBytes) {}

bool RunReader::load_block() {
  std::uint64_t end = run_.offset + run_.bytes;
  while (file_offset_ < end) {
    std::size_t block_bytes = 0;
    long long got =
        pread_fully(store_.fd_of(run_), compressed_, config::kBgzfHeaderBytes, file_offset_);
    if (got < 0) throw IoError(store_.path_of(run_), "read failed", errno);
    BlockStatus status = static_cast<std::size_t>(got) == config::kBgzfHeaderBytes
                             ? parse_block_header(compressed_, &block_bytes)
                             : BlockStatus::kBadSize;
    if (status == BlockStatus::kOk && file_offset_ + block_bytes > end) {
      status = BlockStatus::kBadSize;
    }
    if (status == BlockStatus::kOk) {
      std::size_t rest = block_bytes - config::kBgzfHeaderBytes;
      got = pread_fully(store_.fd_of(run_), compressed_ + config::kBgzfHeaderBytes, rest,
                        file_offset_ + config::kBgzfHeaderBytes);
      if (got < 0) throw IoError(store_.path_of(run_), "read failed", errno);
      if (static_cast<std::size_t>(got) != rest) status = BlockStatus::kBadSize;
    }
    if (status == BlockStatus::kOk) {
      status = inflater_.inflate(compressed_, block_bytes, payload_, &left_bytes_);
    }
    if (status != BlockStatus::kOk) {
      throw FormatError(store_.path_of(run_),
                        std::string("damaged run file: ") + block_status_text(status),
                        file_offset_);
    }
    file_offset_ += block_bytes;
    cursor_ = payload_;
    if (left_bytes_ > 0) return true;
  }
  return false;
}

void RunReader::take(std::uint8_t* out, std::size_t bytes) {
  while (bytes > 0) {
    if (left_bytes_ == 0 && !load_block()) {
      throw FormatError(store_.path_of(run_), "damaged run file: record cut short", file_offset_);
    }
    std::size_t step = std::min(bytes, left_bytes_);
    std::memcpy(out, cursor_, step);
    out += step;
    cursor_ += step;
    left_bytes_ -= step;
    bytes -= step;
  }
}

const std::uint8_t* RunReader::next() {
  if (records_left_ == 0) return nullptr;
  --records_left_;
  if (left_bytes_ == 0 && !load_block()) {
    throw FormatError(store_.path_of(run_), "damaged run file: fewer records than written",
                      file_offset_);
  }
  if (left_bytes_ >= 4) {
    std::size_t record_bytes = bam::record_bytes(cursor_);
    if (record_bytes <= left_bytes_) {  // the common case: the record lies in this block
      const std::uint8_t* record = cursor_;
      cursor_ += record_bytes;
      left_bytes_ -= record_bytes;
      return record;
    }
  }
  take(record_, 4);
  std::size_t record_bytes = static_cast<std::size_t>(bam::load_u32(record_)) + 4;
  if (record_bytes >
      std::max<std::size_t>(run_.max_record_bytes, config::kMergeMinRecordBufferBytes)) {
    throw FormatError(store_.path_of(run_), "damaged run file: record larger than recorded",
                      file_offset_);
  }
  take(record_ + 4, record_bytes - 4);
  return record_;
}

}  // namespace samsort
