// RunMerge: the merge side of the sort. Readers over the spilled runs (their buffers carved
// from the merge region; the runs' blocks read and decoded ahead on threads of their own when
// the memory the readers leave holds RunPrefetcher::kMinDepth blocks per run), intermediate
// passes that merge consecutive groups of runs into new runs until one merge takes them all
// (a full -T location: the group is merged again into the next one), and the final merge of
// every run (and the run kept in memory, last: ties go to earlier runs, so input order holds)
// into the output.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <system_error>
#include <type_traits>
#include <vector>

#include "samsort/bam/bam_record.hpp"
#include "samsort/cli/progress.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/io/bgzf_writer.hpp"
#include "samsort/io/block_codec.hpp"
#include "samsort/io/record_sink.hpp"
#include "samsort/io/record_stream.hpp"
#include "samsort/merge/merge_plan.hpp"
#include "samsort/merge/merger.hpp"
#include "samsort/merge/run_file.hpp"
#include "samsort/merge/run_prefetch.hpp"
#include "samsort/merge/run_samples.hpp"

namespace samsort {

struct RunMergeSettings {
  std::size_t threads = 1;           // run writers of the intermediate passes
  std::size_t prefetch_threads = 0;  // read-ahead threads (0: readers decode on this thread)
  std::size_t debug_max_fan_in = 0;  // --debug-max-fan-in (0: none)
  BlockFormat temp_format = BlockFormat::kZstd;
  MemoryBudget* sample_pool = nullptr;  // the runs of the passes keep samples from it (or none)
};

template <MergeOrder Order>
class RunMerge {
 public:
  // `runs` (the job's, updated by the passes), `store`, `region` and the rest outlive this.
  RunMerge(const Order& order, RunStore& store, std::vector<RunInfo>& runs, std::uint8_t* region,
           std::size_t region_bytes, const RunMergeSettings& settings, MemoryBudget& budget,
           Progress& progress)
      : order_(order),
        store_(store),
        runs_(runs),
        region_(region),
        region_bytes_(region_bytes),
        settings_(settings),
        budget_(budget),
        progress_(progress) {}

  // How many runs from `first` one merge takes inside `buffer_bytes` (merge/merge_plan.hpp).
  std::size_t fan_in_from(std::size_t first, std::size_t buffer_bytes) const {
    return merge_fan_in(runs_, first, buffer_bytes, settings_.debug_max_fan_in);
  }

  // Intermediate passes until one merge in the whole region takes every run.
  void pass_until_one_merge() {
    while (fan_in_from(0, region_bytes_) < runs_.size()) merge_pass();
  }

  // The final merge of every run, then `memory_run` (may be null), into `sink`, reader
  // buffers from `buffer` with the memory up to `limit` for read-ahead. Each record is handed
  // to `on_record(record, bytes)` (it may rewrite the record in place: it lies in this job's
  // own memory) before it is written. Returns the record count.
  template <class OnRecord>
  std::uint64_t merge_all(RecordStream* memory_run, std::uint8_t* buffer, const std::uint8_t* limit,
                          RecordSink& sink, OnRecord&& on_record) {
    MergeReaders readers = open_readers(0, runs_.size(), buffer, limit);
    std::vector<RecordStream*> streams = stream_pointers(readers.readers);
    if (memory_run != nullptr) streams.push_back(memory_run);
    std::uint64_t count = merge_into(streams, sink, nullptr, nullptr, on_record);
    count_reads(readers);
    return count;
  }

  // Figures for the summary.
  std::uint64_t temp_read_bytes() const noexcept { return temp_read_bytes_; }
  std::uint64_t pass_bytes_written() const noexcept { return pass_bytes_written_; }
  std::uint64_t passes() const noexcept { return passes_; }
  double wait_seconds() const noexcept { return wait_seconds_; }
  // The most of the region the readers (and read-ahead) used, from the region's start.
  std::size_t region_used_peak() const noexcept { return region_used_peak_; }

 private:
  // The readers of one merge, and the prefetcher decoding their blocks ahead (when any).
  struct MergeReaders {
    std::unique_ptr<RunPrefetcher> prefetch;  // outlives the readers: destroyed after them
    std::vector<std::unique_ptr<RunReader>> readers;
  };

  // Opens readers for runs [first, first + count) with buffers carved from `buffer`; the
  // memory left up to `limit` holds the prefetcher's decoded blocks when it has room for
  // RunPrefetcher::kMinDepth per run (and there are threads to decode them).
  MergeReaders open_readers(std::size_t first, std::size_t count, std::uint8_t* buffer,
                            const std::uint8_t* limit) {
    std::size_t used = static_cast<std::size_t>(buffer - region_);
    std::size_t whole = 0;
    std::size_t reader_bytes = 0;
    for (std::size_t idx = first; idx < first + count; ++idx) {
      reader_bytes += RunReader::buffer_bytes_for(runs_[idx]);
      whole = std::max(whole, RunReader::whole_bytes_for(runs_[idx]));
    }
    std::uint8_t* whole_buffer = whole == 0 ? nullptr : buffer;  // shared by the group
    buffer += whole;
    if (!decoder_) decoder_.emplace(settings_.temp_format);
    MergeReaders merge;
    std::uint8_t* slots = buffer + reader_bytes;
    std::size_t slot_bytes = limit > slots ? static_cast<std::size_t>(limit - slots) : 0;
    std::size_t depth = RunPrefetcher::depth_for(count, slot_bytes);
    if (settings_.prefetch_threads > 0 && depth > 0) {
      std::vector<const RunInfo*> runs;
      for (std::size_t idx = first; idx < first + count; ++idx) runs.push_back(&runs_[idx]);
      try {
        merge.prefetch = std::make_unique<RunPrefetcher>(store_, runs, settings_.prefetch_threads,
                                                         slots, slot_bytes);
        used += depth * count * config::kBgzfMaxBlockBytes;
      } catch (const std::system_error&) {
        // no thread to be had: the readers decode on this thread
      }
    }
    region_used_peak_ = std::max(region_used_peak_, used + whole + reader_bytes);
    merge.readers.reserve(count);
    for (std::size_t idx = first; idx < first + count; ++idx) {
      merge.readers.push_back(std::make_unique<RunReader>(
          store_, runs_[idx], *decoder_, buffer, whole_buffer, merge.prefetch.get(), idx - first));
      buffer += RunReader::buffer_bytes_for(runs_[idx]);
    }
    return merge;
  }

  void count_reads(const MergeReaders& merge) {
    for (const auto& reader : merge.readers) temp_read_bytes_ += reader->bytes_read();
    if (merge.prefetch) wait_seconds_ += merge.prefetch->wait_seconds();
  }

  static std::vector<RecordStream*> stream_pointers(
      const std::vector<std::unique_ptr<RunReader>>& readers) {
    std::vector<RecordStream*> streams;
    streams.reserve(readers.size() + 1);
    for (const auto& reader : readers) streams.push_back(reader.get());
    return streams;
  }

  // Streams the merge of `streams` into `writer`; returns the record count. A run writer's
  // records are added to `sizes` (its reader is planned from them) and sampled by `sampler`.
  template <class Out, class OnRecord>
  std::uint64_t merge_into(const std::vector<RecordStream*>& streams, Out& writer,
                           RunRecordSizes* sizes, RunSampler* sampler, OnRecord&& on_record) {
    LoserTree<Order> tree(order_, streams);
    std::uint64_t count = 0;
    while (const std::uint8_t* record = tree.top_whole()) {
      std::uint32_t bytes = bam::record_bytes(record);
      on_record(const_cast<std::uint8_t*>(record), bytes);
      if constexpr (std::is_same_v<Out, BgzfWriter>) {
        if (sampler != nullptr) sampler->before(record, bytes, writer);
      }
      writer.write(record, bytes);
      if (sizes != nullptr) sizes->add(record);
      ++count;
      progress_.processed(bytes);
      tree.pop();
    }
    return count;
  }

  // One intermediate pass: merges consecutive groups of runs that fit the region into new
  // runs, keeping group order (and so input order for equal keys).
  void merge_pass() {
    std::uint64_t pass_record_bytes = 0;  // progress counts record bytes, not disk bytes
    for (const RunInfo& run : runs_) pass_record_bytes += run.record_bytes;
    progress_.begin_merge_pass(pass_record_bytes);
    std::vector<RunInfo> merged;
    for (const MergeGroup& group :
         plan_merge_pass(runs_, region_bytes_, settings_.debug_max_fan_in)) {
      if (group.carried) {
        merged.push_back(runs_[group.first]);
        continue;
      }
      for (;;) {  // a full temp location: merge the group again into the next one
        try {
          MergeReaders readers =
              open_readers(group.first, group.count, region_, region_ + region_bytes_);
          std::vector<RecordStream*> streams = stream_pointers(readers.readers);
          std::optional<RunSampler> sampler;
          if (settings_.sample_pool != nullptr) {
            std::uint64_t group_bytes = 0;
            for (std::size_t idx = group.first; idx < group.first + group.count; ++idx) {
              group_bytes += runs_[idx].record_bytes;
            }
            sampler.emplace(*settings_.sample_pool, group_bytes);
          }
          std::unique_ptr<BgzfWriter> writer = store_.begin_run(settings_.threads, budget_);
          if (sampler) sampler->attach(*writer, budget_);
          RunRecordSizes sizes;
          std::uint64_t records =
              merge_into(streams, *writer, &sizes, sampler ? &*sampler : nullptr,
                         [](std::uint8_t*, std::uint32_t) {});
          merged.push_back(store_.end_run(*writer, records, sizes));
          if (sampler) merged.back().samples = sampler->finish();
          count_reads(readers);
          break;
        } catch (const IoError& error) {
          if (!RunStore::is_disk_full(error) || !store_.next_location()) throw;
        }
      }
      pass_bytes_written_ += merged.back().bytes;
      for (std::size_t idx = group.first; idx < group.first + group.count; ++idx) {
        store_.discard(runs_[idx]);
      }
    }
    runs_ = std::move(merged);
    ++passes_;
  }

  const Order& order_;
  RunStore& store_;
  std::vector<RunInfo>& runs_;
  std::uint8_t* region_;
  std::size_t region_bytes_;
  RunMergeSettings settings_;
  MemoryBudget& budget_;
  Progress& progress_;
  std::optional<BlockDecoder> decoder_;  // made at the first merge; serves every reader
  std::uint64_t temp_read_bytes_ = 0;
  std::uint64_t pass_bytes_written_ = 0;
  std::uint64_t passes_ = 0;
  double wait_seconds_ = 0;
  std::size_t region_used_peak_ = 0;
};

}  // namespace samsort
