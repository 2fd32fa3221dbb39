// RangeMerge: the final merge on several threads, for BAM output. The key space is cut into
// ranges at the keys of the runs' samples (merge/run_samples.hpp), each about one worker's
// output buffer of records; workers take ranges in order, each merging its range from readers
// started at the last sample before the range (records before it are skipped, a run ends at
// its first record past it) and compressing its own BGZF blocks. The worker whose range is the
// oldest unwritten one (the head) hands its blocks straight to the output writer; the others
// keep theirs in their buffer until their range is the head (a full buffer waits for it).
// With an index, each block carries its records' starts and locations, noted in order by
// whoever hands the block over.
// Every record equal in key lies in one range, whose merge breaks ties by run as the one-thread
// merge does (the run kept in memory last), so the record order is the same; only the BGZF
// block boundaries differ (each range ends its last block).
#pragma once
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include "samsort/bam/bam_index.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/bam/record_checksum.hpp"
#include "samsort/cli/progress.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/io/bgzf_writer.hpp"
#include "samsort/io/block_codec.hpp"
#include "samsort/io/record_sink.hpp"
#include "samsort/io/record_stream.hpp"
#include "samsort/merge/merger.hpp"
#include "samsort/merge/run_file.hpp"
#include "samsort/merge/run_samples.hpp"

namespace samsort {

// The records of the run kept in memory: sorted entries over the arena's records.
template <class Order>
struct MemoryRun {
  const typename Order::Entry* entries = nullptr;
  std::size_t count = 0;
  const std::uint8_t* top = nullptr;  // the arena's top (records lie below it)
  std::uint64_t record_bytes = 0;
};

template <MergeOrder Order>
class RangeMerge {
 public:
  using Key = typename Order::MergeKey;

  // Heap bytes `workers` workers allocate (a run block decoder and an output compressor each),
  // reserved by the caller before the merge region is cut.
  static std::size_t state_bytes_for(BlockFormat temp_format, const BlockCodec& output,
                                     std::size_t workers) noexcept {
    return workers * (decoder_state_bytes(temp_format) + compressor_state_bytes(output));
  }

  // Everything given outlives the merge. Buffers for `workers` workers are carved from
  // [buffer, limit).
  RangeMerge(const Order& order, const RunStore& store, const std::vector<RunInfo>& runs,
             const MemoryRun<Order>& memory_run, std::uint8_t* buffer, const std::uint8_t* limit,
             std::size_t workers, BlockOutput& out, Progress& progress)
      : order_(order),
        store_(store),
        runs_(runs),
        memory_(memory_run),
        buffer_(buffer),
        limit_(limit),
        workers_(std::max<std::size_t>(1, workers)),
        out_(out),
        progress_(progress) {}

  // Cuts the ranges. False (nothing planned) when the merge is better left to one thread: one
  // worker, no room for the workers' buffers, a run without samples, ranges that would start
  // too far before their first record, or fewer than two ranges. `forced_range_bytes` (tests):
  // ranges of that many record bytes, however far before them their readers start.
  bool plan(std::size_t forced_range_bytes = 0) {
    if (workers_ < 2 || runs_.empty()) return false;
    if (!carve_buffers()) return false;
    std::uint64_t range_bytes =
        out_.codec().level == 0
            ? static_cast<std::uint64_t>(static_cast<double>(out_bytes_) * config::kRangeStoredFill)
            : static_cast<std::uint64_t>(static_cast<double>(out_bytes_) *
                                         config::kRangeRecordsPerBufferByte);
    // Each range's readers start on average half a sample interval before it, in every run,
    // and decode the block holding the range's start again (the range before ends in it).
    double skip = 0;
    for (const RunInfo& run : runs_) {
      if (!run.samples || run.samples->size() == 0) return false;
      skip += static_cast<double>(run.record_bytes) / static_cast<double>(run.samples->size()) / 2 +
              static_cast<double>(config::kBgzfMaxPayloadBytes);
    }
    // At least kRangesPerWorker ranges per worker, so that the last ones to finish are short.
    std::uint64_t total = memory_.record_bytes;
    for (const RunInfo& run : runs_) total += run.record_bytes;
    range_bytes = std::max<std::uint64_t>(
        1, std::min<std::uint64_t>(range_bytes, total / (kRangesPerWorker * workers_)));
    if (forced_range_bytes > 0) {
      range_bytes = forced_range_bytes;
    } else if (skip > max_skip_share() * static_cast<double>(range_bytes)) {
      return false;
    }
    cut_ranges(range_bytes);
    if (splitters_.empty()) return false;
    // Where each range starts in the run kept in memory, found now: the workers rewrite its
    // records to their output form as they go.
    memory_bounds_.push_back(0);
    for (const Key& splitter : splitters_) memory_bounds_.push_back(memory_lower_bound(splitter));
    memory_bounds_.push_back(memory_.count);
    return true;
  }

  // The most extra decoding the ranges may cost, as a share of their records: on two threads
  // the one-thread merge already keeps both busy (its read-ahead decodes beside it), so the
  // ranges must cost almost nothing to gain.
  double max_skip_share() const noexcept {
    return workers_ <= 2 ? config::kRangeMaxSkipShareTwoThreads : config::kRangeMaxSkipShare;
  }

  std::size_t range_count() const noexcept { return splitters_.size() + 1; }
  std::size_t worker_count() const noexcept { return workers_; }
  // Bytes of the region the workers' buffers take, from its start.
  std::size_t region_used() const noexcept { return static_cast<std::size_t>(used_end_ - buffer_); }

  // Merges every range into the writer, handing each record to `on_record(record, bytes,
  // checksum)` first (on the worker's thread; it may rewrite the record in place and adds it
  // to `checksum`, the worker's own). Returns the record count. Rethrows the first worker's
  // error once every worker stopped.
  template <class OnRecord>
  std::uint64_t run(OnRecord&& on_record) {
    checksums_.assign(workers_, RecordChecksum{});
    counts_.assign(workers_, 0);
    read_bytes_.assign(workers_, 0);
    std::vector<std::thread> threads;
    for (std::size_t worker = 1; worker < workers_; ++worker) {
      try {
        threads.emplace_back([this, worker, &on_record] { work(worker, on_record); });
      } catch (const std::system_error&) {
        break;  // fewer threads: the others take more ranges
      }
    }
    work(0, on_record);
    for (std::thread& thread : threads) thread.join();
    if (failure_) std::rethrow_exception(failure_);
    std::uint64_t count = 0;
    for (std::uint64_t worker_count : counts_) count += worker_count;
    return count;
  }

  // After run(): the records written, as one checksum; compressed run bytes read.
  RecordChecksum checksum() const noexcept {
    RecordChecksum all;
    for (const RecordChecksum& part : checksums_) all.add_all(part);
    return all;
  }
  std::uint64_t temp_read_bytes() const noexcept {
    std::uint64_t bytes = 0;
    for (std::uint64_t worker_bytes : read_bytes_) bytes += worker_bytes;
    return bytes;
  }

 private:
  // One worker's memory: a whole-record buffer its readers share, their buffers, the block
  // being filled and compressed, and the output kept until its range is the head.
  struct WorkerBuffers {
    std::uint8_t* whole = nullptr;
    std::uint8_t* readers = nullptr;
    std::uint8_t* payload = nullptr;
    std::uint8_t* block = nullptr;
    std::uint8_t* out = nullptr;
    std::uint32_t* starts = nullptr;  // the block's record starts (with an index)
    RecordLocation* locations = nullptr;
  };

  static constexpr std::size_t kMemorySamples = 4096;  // of the run kept in memory, at most
  static constexpr std::size_t kRangesPerWorker = 4;

  struct Sample {
    Key key;
    std::size_t run;
    std::uint64_t weight;  // record bytes it stands for
  };

  bool carve_buffers() {
    std::size_t whole = 0;
    std::size_t readers = 0;
    for (const RunInfo& run : runs_) {
      readers += RunReader::buffer_bytes_for(run);
      whole = std::max(whole, RunReader::whole_bytes_for(run));
    }
    std::size_t marks = out_.indexed() ? BgzfWriter::max_marks_per_block() : 0;
    std::size_t mark_bytes = marks * (sizeof(std::uint32_t) + sizeof(RecordLocation));
    std::size_t fixed = whole + readers + 2 * config::kBgzfMaxBlockBytes + mark_bytes + 64 +
                        runs_.size() * (sizeof(RunReader) + 2 * sizeof(void*));
    std::size_t space = limit_ > buffer_ ? static_cast<std::size_t>(limit_ - buffer_) : 0;
    // What planning and the workers' readers take from the heap is left unused here (the
    // region is reserved from the budget; its untouched pages cost nothing): the samples
    // sorted once, the splitters and the memory run's bounds.
    std::size_t samples = kMemorySamples + 1;
    for (const RunInfo& run : runs_) samples += run.samples ? run.samples->size() : 0;
    std::size_t heap = round_up_to_pages(samples * (sizeof(Sample) + sizeof(Key) + 16));
    if (space < heap) return false;
    space -= heap;
    if (space < workers_ * (fixed + config::kRangeBufferMinBytes)) return false;
    out_bytes_ = std::min(config::kRangeBufferMaxBytes, space / workers_ - fixed);
    out_bytes_ &= ~std::size_t{63};  // a multiple of 8: the kept blocks stay aligned
    std::uint8_t* at = buffer_;
    buffers_.resize(workers_);
    for (WorkerBuffers& worker : buffers_) {
      worker.whole = whole == 0 ? nullptr : at;
      at += whole;
      worker.readers = at;
      at += readers;
      worker.payload = at;
      at += config::kBgzfMaxBlockBytes;
      worker.block = at;
      at += config::kBgzfMaxBlockBytes;
      if (marks > 0) {
        at = align_up(at, alignof(RecordLocation));
        worker.locations = reinterpret_cast<RecordLocation*>(at);
        at += marks * sizeof(RecordLocation);
        worker.starts = reinterpret_cast<std::uint32_t*>(at);
        at += marks * sizeof(std::uint32_t);
      }
      at = align_up(at, 8);
      worker.out = at;
      at += out_bytes_;
    }
    used_end_ = at;
    return true;
  }

  // Splitters every `range_bytes` of records (by the samples' weights), distinct and in order.
  void cut_ranges(std::uint64_t range_bytes) {
    std::vector<Sample> samples;
    std::size_t total = kMemorySamples + 1;
    for (const RunInfo& run : runs_) total += run.samples->size();
    samples.reserve(total);
    for (std::size_t run = 0; run < runs_.size(); ++run) {
      const RunSamples& run_samples = *runs_[run].samples;
      for (std::size_t idx = 0; idx < run_samples.size(); ++idx) {
        std::uint64_t end = idx + 1 < run_samples.size() ? run_samples.bytes_before(idx + 1)
                                                         : run_samples.run_record_bytes();
        samples.push_back(
            {order_.merge_key(run_samples.key(idx)), run, end - run_samples.bytes_before(idx)});
      }
    }
    // Every few records of the run in memory, by the mean size. (The workers rewrite those
    // records to their output form; the orders that do keep their merge keys by value.)
    if (memory_.count > 0) {
      std::size_t step = (memory_.count + kMemorySamples - 1) / kMemorySamples;
      std::uint64_t weight = memory_.record_bytes / memory_.count * step;
      for (std::size_t idx = 0; idx < memory_.count; idx += step) {
        const std::uint8_t* record = memory_record(idx);
        samples.push_back({order_.merge_key(record), runs_.size(), weight});
      }
    }
    std::stable_sort(samples.begin(), samples.end(), [this](const Sample& a, const Sample& b) {
      return order_.merge_less(a.key, b.key);
    });
    std::uint64_t filled = 0;
    for (const Sample& sample : samples) {
      if (filled >= range_bytes &&
          (splitters_.empty() || order_.merge_less(splitters_.back(), sample.key))) {
        splitters_.push_back(sample.key);
        filled = 0;
      }
      filled += sample.weight;
    }
  }

  const std::uint8_t* memory_record(std::size_t idx) const noexcept {
    return memory_.top - order_.offset_of(memory_.entries[idx]);
  }

  // The first entry of the run in memory not before `key`.
  std::size_t memory_lower_bound(const Key& key) const {
    std::size_t low = 0;
    std::size_t high = memory_.count;
    while (low < high) {
      std::size_t mid = low + (high - low) / 2;
      if (order_.merge_less(order_.merge_key(memory_record(mid)), key)) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  // Where a reader of `run` starts for a range from `lower`: the last sample before it.
  const RunPosition* start_of(const RunInfo& run, const std::optional<Key>& lower) const {
    if (!lower) return nullptr;
    const RunSamples& samples = *run.samples;
    std::size_t low = 0;
    std::size_t high = samples.size();
    while (low < high) {
      std::size_t mid = low + (high - low) / 2;
      if (order_.merge_less(order_.merge_key(samples.key(mid)), *lower)) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low == 0 ? nullptr : &samples.position(low - 1);
  }

  template <class OnRecord>
  void work(std::size_t worker, OnRecord& on_record) noexcept {
    try {
      BlockDecoder decoder(store_.codec().format);
      BlockCompressor compressor(out_.codec());
      for (;;) {
        std::size_t range = next_range_.fetch_add(1);
        if (range >= range_count() || stopping_.load()) break;
        merge_range(worker, range, decoder, compressor, on_record);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!failure_) failure_ = std::current_exception();
      stopping_ = true;
      head_changed_.notify_all();
    }
  }

  static std::uint8_t* align_up(std::uint8_t* at, std::size_t alignment) noexcept {
    auto address = reinterpret_cast<std::uintptr_t>(at);
    return at + ((alignment - address % alignment) % alignment);
  }

  // The state of the range a worker merges.
  struct RangeOutput {
    std::size_t range = 0;
    bool head = false;           // this range is the oldest unwritten one
    std::size_t kept_bytes = 0;  // blocks in the worker's buffer (each behind its sizes)
    std::size_t marks = 0;       // record starts in the block being filled (with an index)
    std::uint64_t record_bytes = 0;
  };

  // A kept block in a worker's buffer: this, the block, its locations, its starts, each part
  // at a multiple of 8 bytes (kept_bytes_for).
  struct KeptHeader {
    std::uint32_t block_bytes;
    std::uint32_t payload_bytes;
    std::uint32_t marks;
    std::uint32_t unused;
  };
  static std::size_t round8(std::size_t bytes) noexcept { return (bytes + 7) & ~std::size_t{7}; }
  static std::size_t kept_bytes_for(std::size_t block_bytes, std::size_t marks) noexcept {
    return sizeof(KeptHeader) + round8(block_bytes) + marks * sizeof(RecordLocation) +
           round8(marks * sizeof(std::uint32_t));
  }

  template <class OnRecord>
  void merge_range(std::size_t worker, std::size_t range, BlockDecoder& decoder,
                   BlockCompressor& compressor, OnRecord& on_record) {
    WorkerBuffers& buffers = buffers_[worker];
    std::optional<Key> lower;
    std::optional<Key> upper;
    if (range > 0) lower = splitters_[range - 1];
    if (range < splitters_.size()) upper = splitters_[range];
    std::vector<std::unique_ptr<RunReader>> readers;
    std::vector<RecordStream*> streams;
    readers.reserve(runs_.size());
    std::uint8_t* reader_buffer = buffers.readers;
    for (const RunInfo& run : runs_) {
      const RunPosition* start = start_of(run, lower);
      if (start == nullptr) {
        readers.push_back(
            std::make_unique<RunReader>(store_, run, decoder, reader_buffer, buffers.whole));
      } else {
        readers.push_back(std::make_unique<RunReader>(store_, run, decoder, reader_buffer,
                                                      buffers.whole, *start));
      }
      reader_buffer += RunReader::buffer_bytes_for(run);
      streams.push_back(readers.back().get());
    }
    std::optional<MemoryRunStream<Order>> memory_stream;
    if (memory_.count > 0) {
      std::size_t begin = memory_bounds_[range];
      std::size_t end = memory_bounds_[range + 1];
      memory_stream.emplace(order_, memory_.entries + begin, end - begin, memory_.top);
      streams.push_back(&*memory_stream);
    }
    LoserTree<Order> tree(order_, streams, lower, upper);
    RangeOutput output{.range = range};
    std::size_t fill = 0;
    std::uint64_t count = 0;
    while (const std::uint8_t* top = tree.top_whole()) {
      auto* record = const_cast<std::uint8_t*>(top);
      std::uint32_t bytes = bam::record_bytes(record);
      on_record(record, bytes, checksums_[worker]);
      check_bam_record(record);
      output.record_bytes += bytes;
      if (buffers.starts != nullptr) {
        buffers.starts[output.marks] = static_cast<std::uint32_t>(fill);
        buffers.locations[output.marks] = BamIndexBuilder::location_of(record);
        ++output.marks;
      }
      const std::uint8_t* in = record;
      std::size_t left = bytes;
      while (left > 0) {
        std::size_t take = std::min(left, config::kBgzfMaxPayloadBytes - fill);
        std::memcpy(buffers.payload + fill, in, take);
        fill += take;
        in += take;
        left -= take;
        if (fill == config::kBgzfMaxPayloadBytes) {
          emit(output, buffers, compressor, fill);
          fill = 0;
        }
      }
      ++count;
      tree.pop();
    }
    if (fill > 0) emit(output, buffers, compressor, fill);
    for (const auto& reader : readers) read_bytes_[worker] += reader->bytes_read();
    counts_[worker] += count;
    become_head(output, buffers);
    std::lock_guard<std::mutex> lock(mutex_);
    progress_.processed(output.record_bytes);
    head_ = range + 1;
    head_changed_.notify_all();
  }

  // Compresses the payload block and writes it (head) or keeps it.
  void emit(RangeOutput& output, WorkerBuffers& buffers, BlockCompressor& compressor,
            std::size_t payload_bytes) {
    std::size_t block_bytes = compressor.compress(buffers.payload, payload_bytes, buffers.block);
    std::size_t marks = output.marks;
    output.marks = 0;
    std::size_t kept = kept_bytes_for(block_bytes, marks);
    if (!output.head && (head_.load(std::memory_order_acquire) == output.range ||
                         output.kept_bytes + kept > out_bytes_)) {
      become_head(output, buffers);  // the head now, or a full buffer: wait for the ranges before
    }
    if (output.head) {
      out_.write_block(buffers.block, block_bytes, payload_bytes, buffers.starts, buffers.locations,
                       marks);
      return;
    }
    if (stopping_.load(std::memory_order_relaxed)) throw Error("parallel merge stopped");
    std::uint8_t* at = buffers.out + output.kept_bytes;
    KeptHeader header{static_cast<std::uint32_t>(block_bytes),
                      static_cast<std::uint32_t>(payload_bytes), static_cast<std::uint32_t>(marks),
                      0};
    std::memcpy(at, &header, sizeof header);
    at += sizeof header;
    std::memcpy(at, buffers.block, block_bytes);
    at += round8(block_bytes);
    if (marks > 0) {
      std::memcpy(at, buffers.locations, marks * sizeof(RecordLocation));
      at += marks * sizeof(RecordLocation);
      std::memcpy(at, buffers.starts, marks * sizeof(std::uint32_t));
    }
    output.kept_bytes += kept;
  }

  // Waits until the range is the head, then writes the blocks kept.
  void become_head(RangeOutput& output, WorkerBuffers& buffers) {
    if (!output.head) {
      std::unique_lock<std::mutex> lock(mutex_);
      head_changed_.wait(lock, [&] { return head_.load() == output.range || stopping_.load(); });
      if (stopping_.load()) throw Error("parallel merge stopped");
      output.head = true;
    }
    // (The block being emitted keeps its starts and locations in the scratch arrays: the
    // kept ones are handed over from where they lie, 8-byte aligned.)
    for (std::size_t at = 0; at < output.kept_bytes;) {
      KeptHeader header;
      std::memcpy(&header, buffers.out + at, sizeof header);
      const std::uint8_t* block = buffers.out + at + sizeof header;
      const std::uint8_t* marks = block + round8(header.block_bytes);
      const auto* locations = reinterpret_cast<const RecordLocation*>(marks);
      const auto* starts =
          reinterpret_cast<const std::uint32_t*>(marks + header.marks * sizeof(RecordLocation));
      out_.write_block(block, header.block_bytes, header.payload_bytes, starts, locations,
                       header.marks);
      at += kept_bytes_for(header.block_bytes, header.marks);
    }
    output.kept_bytes = 0;
  }

  const Order& order_;
  const RunStore& store_;
  const std::vector<RunInfo>& runs_;
  MemoryRun<Order> memory_;
  std::uint8_t* buffer_;
  const std::uint8_t* limit_;
  std::size_t workers_;
  BlockOutput& out_;
  Progress& progress_;

  std::vector<WorkerBuffers> buffers_;
  std::uint8_t* used_end_ = nullptr;
  std::size_t out_bytes_ = 0;
  std::vector<Key> splitters_;              // range r is [splitters_[r - 1], splitters_[r])
  std::vector<std::size_t> memory_bounds_;  // range r's entries of the run in memory

  std::atomic<std::size_t> next_range_{0};
  std::atomic<std::size_t> head_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable head_changed_;
  std::exception_ptr failure_;
  std::vector<RecordChecksum> checksums_;
  std::vector<std::uint64_t> counts_;
  std::vector<std::uint64_t> read_bytes_;
};

}  // namespace samsort
