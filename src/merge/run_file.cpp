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
#include "samsort/core/byte_order.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/signals.hpp"
#include "samsort/io/bgzf_writer.hpp"
#include "samsort/merge/run_prefetch.hpp"
#include "samsort/merge/run_samples.hpp"
#include "samsort/merge/temp_dir.hpp"

namespace samsort {

namespace {
constexpr std::size_t kSeqLengthAt = 20;  // l_seq in a raw record (block_size first)

// Bytes of a record's sequence and qualities ((l_seq + 1) / 2 + l_seq); 0 for l_seq <= 0.
std::size_t sequence_bytes(const std::uint8_t* record) noexcept {
  std::int32_t length = bam::seq_length(record);
  if (length <= 0) return 0;
  auto bases = static_cast<std::size_t>(length);
  return (bases + 1) / 2 + bases;
}

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

RunStore::RunStore(const TempDir& dir, const BlockCodec& codec)
    : RunStore(std::vector<const TempDir*>{&dir}, codec) {}

RunStore::RunStore(const std::vector<const TempDir*>& dirs, const BlockCodec& codec)
    : codec_(codec) {
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
  return std::make_unique<BgzfWriter>(BgzfWriterSettings{.fd = location.file.get(),
                                                         .path = location.path,
                                                         .mode = BgzfWriteMode::kPositional,
                                                         .start_offset = location.end_offset,
                                                         .codec = codec_,
                                                         .threads = threads},
                                      budget);
}

void RunRecordSizes::add(const std::uint8_t* record) noexcept {
  max_record_bytes = std::max(max_record_bytes, bam::record_bytes(record));
  max_copy_bytes =
      std::max(max_copy_bytes, static_cast<std::uint32_t>(RunReader::copy_bytes(record)));
}

RunInfo RunStore::end_run(BgzfWriter& writer, std::uint64_t record_count,
                          const RunRecordSizes& sizes) {
  std::uint64_t bytes = writer.finish(false);
  locations_[current_].end_offset = run_start_ + bytes;
  total_written_ += bytes;
  live_ += bytes;
  peak_live_ = std::max(peak_live_, live_);
  return RunInfo{run_start_,
                 bytes,
                 record_count,
                 sizes.max_record_bytes,
                 static_cast<std::uint32_t>(current_),
                 sizes.max_copy_bytes,
                 writer.payload_bytes()};
}

void RunStore::discard(const RunInfo& run) noexcept {
  if (run.bytes == 0) return;
  live_ -= std::min(live_, run.bytes);
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
         std::max<std::size_t>(run.max_copy_bytes, config::kMergeMinRecordBufferBytes);
}

std::size_t RunReader::whole_bytes_for(const RunInfo& run) noexcept {
  return run.max_record_bytes > config::kMergeWholeRecordMaxBytes ? run.max_record_bytes : 0;
}

std::size_t RunReader::copy_bytes(const std::uint8_t* record) noexcept {
  std::size_t bytes = bam::record_bytes(record);
  if (bytes <= config::kMergeWholeRecordMaxBytes) return bytes;
  std::size_t sequence = sequence_bytes(record);
  return sequence <= bytes - bam::kFixedBytes ? bytes - sequence : bytes;
}

RunReader::RunReader(const RunStore& store, const RunInfo& run, BlockDecoder& decoder,
                     std::uint8_t* buffer, std::uint8_t* whole_buffer, RunPrefetcher* prefetch,
                     std::size_t prefetch_run)
    : store_(store),
      run_(run),
      file_offset_(run.offset),
      records_left_(run.record_count),
      compressed_(buffer),
      payload_(buffer + config::kBgzfMaxBlockBytes),
      record_(buffer + 2 * config::kBgzfMaxBlockBytes),
      whole_(whole_buffer),
      decoder_(decoder),
      prefetch_(prefetch),
      prefetch_run_(prefetch_run) {}

RunReader::RunReader(const RunStore& store, const RunInfo& run, BlockDecoder& decoder,
                     std::uint8_t* buffer, std::uint8_t* whole_buffer, const RunPosition& start)
    : RunReader(store, run, decoder, buffer, whole_buffer) {
  if (start.record_index > run.record_count || start.block_offset < run.offset ||
      start.block_offset >= run.offset + run.bytes) {
    if (start.record_index == run.record_count) {  // the end of the run
      records_left_ = 0;
      return;
    }
    throw FormatError(store.path_of(run), "damaged run sample: position outside its run",
                      start.block_offset);
  }
  file_offset_ = start.block_offset;
  records_left_ = run.record_count - start.record_index;
  start_skip_ = start.payload_offset;
}

std::size_t read_run_block(const RunStore& store, const RunInfo& run, std::uint64_t offset,
                           BlockDecoder& decoder, std::uint8_t* compressed, std::uint8_t* payload,
                           std::size_t* payload_bytes) {
  std::uint64_t end = run.offset + run.bytes;
  std::size_t block_bytes = 0;
  std::size_t header_bytes = decoder.header_bytes();
  long long got = pread_fully(store.fd_of(run), compressed, header_bytes, offset);
  if (got < 0) throw IoError(store.path_of(run), "read failed", errno);
  BlockStatus status = static_cast<std::size_t>(got) == header_bytes
                           ? decoder.parse_header(compressed, &block_bytes)
                           : BlockStatus::kBadSize;
  if (status == BlockStatus::kOk && offset + block_bytes > end) status = BlockStatus::kBadSize;
  if (status == BlockStatus::kOk) {
    std::size_t rest = block_bytes - header_bytes;
    got = pread_fully(store.fd_of(run), compressed + header_bytes, rest, offset + header_bytes);
    if (got < 0) throw IoError(store.path_of(run), "read failed", errno);
    if (static_cast<std::size_t>(got) != rest) status = BlockStatus::kBadSize;
  }
  if (status == BlockStatus::kOk)
    status = decoder.decode(compressed, block_bytes, payload, payload_bytes);
  if (status != BlockStatus::kOk) {
    throw FormatError(store.path_of(run),
                      std::string("damaged run file: ") + block_status_text(status), offset);
  }
  return block_bytes;
}

std::size_t RunReader::inflate_block_at(std::uint64_t offset, std::size_t* payload_bytes) {
  std::size_t block_bytes =
      read_run_block(store_, run_, offset, decoder_, compressed_, payload_, payload_bytes);
  bytes_read_ += block_bytes;
  return block_bytes;
}

std::uint64_t RunReader::bytes_read() const {
  return bytes_read_ + (prefetch_ != nullptr ? prefetch_->bytes_read(prefetch_run_) : 0);
}

bool RunReader::load_block() {
  if (prefetch_ != nullptr) {
    block_ = prefetch_->next_block(prefetch_run_, &left_bytes_, &block_offset_);
    cursor_ = block_;
    if (block_ == nullptr) return false;
    file_offset_ = block_offset_;  // for messages
    return true;
  }
  std::uint64_t end = run_.offset + run_.bytes;
  while (file_offset_ < end) {
    block_offset_ = file_offset_;
    file_offset_ += inflate_block_at(file_offset_, &left_bytes_);
    block_ = payload_;
    cursor_ = payload_;
    if (start_skip_ > 0) {  // the first block of a reader started at a record's position
      if (start_skip_ >= left_bytes_) {
        throw FormatError(store_.path_of(run_), "damaged run sample: position past its block",
                          block_offset_);
      }
      cursor_ += start_skip_;
      left_bytes_ -= start_skip_;
      start_skip_ = 0;
    }
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

void RunReader::skip(std::size_t bytes) {
  while (bytes > 0) {
    if (left_bytes_ == 0 && !load_block()) {
      throw FormatError(store_.path_of(run_), "damaged run file: record cut short", file_offset_);
    }
    std::size_t step = std::min(bytes, left_bytes_);
    cursor_ += step;
    left_bytes_ -= step;
    bytes -= step;
  }
}

const std::uint8_t* RunReader::next() {
  copy_record_bytes_ = 0;
  if (records_left_ == 0) return nullptr;
  --records_left_;
  if (left_bytes_ == 0 && !load_block()) {
    throw FormatError(store_.path_of(run_), "damaged run file: fewer records than written",
                      file_offset_);
  }
  std::uint64_t start_block_offset = block_offset_;
  auto start_payload_offset = static_cast<std::size_t>(cursor_ - block_);
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
  std::size_t record_bytes = bam::record_bytes(record_);
  std::size_t capacity =
      std::max<std::size_t>(run_.max_copy_bytes, config::kMergeMinRecordBufferBytes);
  bool huge = record_bytes > config::kMergeWholeRecordMaxBytes;
  if (record_bytes > (huge ? (whole_ != nullptr ? whole_bytes_for(run_) : 0) : capacity)) {
    throw FormatError(store_.path_of(run_), "damaged run file: record larger than recorded",
                      file_offset_);
  }
  if (!huge) {
    take(record_ + 4, record_bytes - 4);
    return record_;
  }
  // A huge record: keep its key copy; whole() reads it back from where it starts.
  take(record_ + 4, bam::kFixedBytes - 4);
  std::size_t head_bytes = bam::kFixedBytes + bam::read_name_bytes(record_) +
                           4 * std::size_t{bam::cigar_op_count(record_)};
  std::size_t sequence = sequence_bytes(record_);
  if (bam::seq_length(record_) < 0 || head_bytes + sequence > record_bytes ||
      record_bytes - sequence > capacity) {
    throw FormatError(store_.path_of(run_), "damaged run file: record fields do not add up",
                      file_offset_);
  }
  take(record_ + bam::kFixedBytes, head_bytes - bam::kFixedBytes);
  skip(sequence);
  take(record_ + head_bytes, record_bytes - head_bytes - sequence);
  auto copy_block_size = static_cast<std::uint32_t>(record_bytes - sequence - 4);
  store_le32(record_, copy_block_size | (load_le32(record_) & bam::kWideBit));
  store_le32(record_ + kSeqLengthAt, 0);
  copy_block_offset_ = start_block_offset;
  copy_payload_offset_ = start_payload_offset;
  copy_record_bytes_ = record_bytes;
  return record_;
}

const std::uint8_t* RunReader::whole(const std::uint8_t* current) {
  if (copy_record_bytes_ == 0 || current != record_) return current;
  // Inflates the record's blocks again through compressed_/payload_. The last block read is
  // the one the reader stands in (the record's last byte is in it), so its state holds; with a
  // prefetch that block lies in the prefetcher's slot, untouched.
  std::uint64_t end = run_.offset + run_.bytes;
  std::uint64_t offset = copy_block_offset_;
  std::size_t skip_bytes = copy_payload_offset_;
  std::size_t done = 0;
  while (done < copy_record_bytes_) {
    if (offset >= end) {
      throw FormatError(store_.path_of(run_), "damaged run file: record cut short", offset);
    }
    std::size_t payload_bytes = 0;
    offset += inflate_block_at(offset, &payload_bytes);
    if (skip_bytes >= payload_bytes) {
      skip_bytes -= payload_bytes;
      continue;
    }
    std::size_t step = std::min(copy_record_bytes_ - done, payload_bytes - skip_bytes);
    std::memcpy(whole_ + done, payload_ + skip_bytes, step);
    done += step;
    skip_bytes = 0;
  }
  return whole_;
}

}  // namespace samsort
