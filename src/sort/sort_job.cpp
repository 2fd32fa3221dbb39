// The sort pipeline: input -> arena -> sorted runs -> loser-tree merge -> BGZF output.
// Memory: the budget is carved once (small objects, input ring, header, writer ring, arena);
// the arena is reused for merge read buffers once the input is consumed. The arena is split in
// two halves: while one half's run is sorted and written on the spill thread, the reader fills
// the other (spill beside reading); see plan_arena().
#include "samsort/sort/sort_job.hpp"

#include <fcntl.h>
#include <htslib/sam.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <system_error>
#include <thread>
#include <type_traits>
#include <vector>

#include "samsort/bam/bam_header.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/bam/record_checksum.hpp"
#include "samsort/cli/output_settings.hpp"
#include "samsort/cli/progress.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/core/signals.hpp"
#include "samsort/dist/plan.hpp"
#include "samsort/dist/range_cut.hpp"
#include "samsort/dist/range_parts.hpp"
#include "samsort/io/bgzf_block.hpp"
#include "samsort/io/bgzf_writer.hpp"
#include "samsort/io/cram_memory.hpp"
#include "samsort/io/destination.hpp"
#include "samsort/io/file_io.hpp"
#include "samsort/io/output_file.hpp"
#include "samsort/io/record_sink.hpp"
#include "samsort/io/record_source.hpp"
#include "samsort/merge/merge_plan.hpp"
#include "samsort/merge/merger.hpp"
#include "samsort/merge/run_file.hpp"
#include "samsort/merge/run_prefetch.hpp"
#include "samsort/merge/run_samples.hpp"
#include "samsort/merge/temp_dir.hpp"
#include "samsort/merge/temp_space.hpp"
#include "samsort/order/minimiser_group_order.hpp"
#include "samsort/order/minimiser_group_source.hpp"
#include "samsort/order/order_dispatch.hpp"
#include "samsort/sort/arena_prefault.hpp"
#include "samsort/sort/job_setup.hpp"
#include "samsort/sort/phase_timer.hpp"
#include "samsort/sort/range_merge.hpp"
#include "samsort/sort/record_arena.hpp"
#include "samsort/sort/run_merge.hpp"
#include "samsort/sort/run_sorter.hpp"
#include "samsort/sort/spill_policy.hpp"
#include "samsort/sort/spill_thread.hpp"
#include "samsort/sort/split_arena.hpp"
#include "samsort/version.hpp"

namespace samsort {

namespace {

using Clock = PhaseTimer::Clock;
double seconds_since(Clock::time_point start) { return PhaseTimer::seconds_since(start); }

template <OrderPolicy Order>
class SortJob {
 public:
  using Entry = typename Order::Entry;

  SortJob(const SortOptions& options, JobSetup& setup, Order& order, OutputCompanion* companion,
          const SortPlan* plan)
      : options_(options),
        setup_(setup),
        plan_(plan),
        companion_(companion),
        order_(order),
        threads_(setup.threads),
        budget_(setup.budget),
        output_level_(libdeflate_level_for_samtools_level(options.samtools_level)),
        input_bytes_(plan == nullptr ? input_file_bytes(options.input_path)
                                     : slice_bytes(*plan, options.slice_index)),
        progress_({.enabled = options.progress || (!options.quiet && isatty(STDERR_FILENO) != 0),
                   .input_bytes = input_bytes_,
                   .samtools_level = options.samtools_level,
                   .threads = setup.threads,
                   .interval_milliseconds = options.debug_progress_interval_ms}) {}

  SortSummary run(Clock::time_point started) {
    OutputFile& output = setup_.output;
    std::unique_ptr<RecordSource>& source = setup_.source;
    BamHeader header = std::move(source->header());
    reference_count_ = header.reference_count();
    check_reference_lengths(header);
    HeaderSortTags tags = order_.header_tags();
    header.set_sort_tags(tags);
    if (options_.write_program_line) {
      header.add_program_line(kVersion, options_.command_line);
    }
    if (!options_.index_path.empty() && !Order::kIndexable) {
      progress_.warn("samsort: warning: --write-index needs coordinate order; no index written\n");
    }

    run_decoder_state_ =
        budget_.reserve(decoder_state_bytes(options_.temp_codec.format), "run block decoder");
    // Run blocks are decoded ahead of the merge on threads of their own when there are threads
    // to spare; a few are enough to keep one merging thread fed.
    prefetch_threads_ = threads_ < 2 ? 0 : std::min(config::kRunPrefetchMaxThreads, threads_ / 2);
    // The final merge may run on every thread instead (sort/range_merge.hpp): BAM output, two
    // threads or more. Its runs keep samples to cut the key space at.
    OutputSettings out_settings = output_settings(header);
    if constexpr (!kRegroups) {
      range_merge_possible_ =
          threads_ >= 2 && plan_ == nullptr && out_settings.format == OutputFormat::kBam;
    }
    std::size_t merge_state =
        RunPrefetcher::state_bytes_for(options_.temp_codec.format, prefetch_threads_);
    if (range_merge_possible_) {
      merge_state = std::max(merge_state, RangeMerge<Order>::state_bytes_for(
                                              options_.temp_codec.format,
                                              {BlockFormat::kBgzf, output_level_}, threads_));
      std::size_t pool_bytes = RunSampler::pool_bytes_for(budget_.total_bytes());
      sample_pool_reservation_ = budget_.reserve(pool_bytes, "run samples");
      sample_pool_.emplace(pool_bytes);
    }
    prefetch_state_ = budget_.reserve(merge_state, "merge threads' codecs");
    MappedBuffer arena_region(budget_, region_bytes(sink_extra_bytes(out_settings, header)),
                              "record arena");
    merge_region_ = arena_region.data();
    merge_region_bytes_ = arena_region.size();
    plan_arena(arena_region.data(), arena_region.size());
    // The arena's fresh pages are faulted in on a thread of its own, ahead of the reader
    // (destroyed before the region: it stops before the pages go).
    std::optional<ArenaPrefault> prefault;
    if (threads_ >= 2) {
      // A file fills at most about 4 bytes of arena per byte of BAM (records and entries).
      std::size_t most = input_bytes_ == 0 || !source->is_bam()
                             ? std::numeric_limits<std::size_t>::max()
                             : static_cast<std::size_t>(input_bytes_) * 4;
      prefault.emplace(
          std::vector<ArenaPrefault::Range>{{split_.top_half_base(), split_.half_bytes()},
                                            {split_.run_base(), split_.half_bytes()}},
          config::kArenaPrefaultLeadBytes, most);
      prefault_ = &*prefault;
    }
    // Declared after the region: on any error the spill thread is stopped and joined before
    // the memory it reads is unmapped.
    struct SpillJoiner {
      SortJob& job;
      ~SpillJoiner() { job.abandon_spill(); }
    } spill_joiner{*this};
    std::size_t fan_in = merge_region_bytes_ / RunReader::buffer_bytes_for(RunInfo{});
    if (options_.debug_max_fan_in != 0) fan_in = std::min(fan_in, options_.debug_max_fan_in);
    progress_.set_run_capacity(split_.run_capacity(), 2 * sizeof(Entry), fan_in);
    if (source->is_bam()) check_temp_space_for(split_.run_capacity());
    timer_.begin_reading();
    if (plan_ != nullptr) cut_.emplace(order_, plan_->splitters);
    if (plan_ == nullptr || !plan_->slices[options_.slice_index].empty()) {
      read_input(*source);
    }
    wait_for_spill();
    if (prefault) prefault->stop();
    prefault_ = nullptr;
    timer_.end_reading();
    if (source->missing_eof_marker()) {
      progress_.warn("samsort: warning: " + source->path() +
                     ": EOF marker is absent; the input may be truncated\n");
    }
    source.reset();  // returns the input ring to the budget before the merge
    if constexpr (kTagsAfterInput) {
      // samtools' minimiser order: SO depends on whether any record was placed. The text
      // planned above was the longer one, so the output's reservations still cover it.
      header.set_sort_tags(Order::header_tags_after_input(any_placed_));
    }

    timer_.begin_merge();
    // The last run may take the whole region again now that nothing is in flight.
    if (!runs_.empty() && split_.filling() != SplitArena::Fill::kWhole && split_.can_grow())
      split_.grow_into_run();
    std::uint64_t written = runs_.empty() ? write_from_memory(split_.arena(), header, output)
                                          : merge_runs(split_.arena(), header, output);
    timer_.end_merge();
    timer_.fill(summary_);
    if (written != summary_.records || checksum_out_.count() != summary_.records) {
      throw Error("record count mismatch: read " + std::to_string(summary_.records) + ", wrote " +
                  std::to_string(written) + "; output removed");
    }
    if (!(checksum_in_ == checksum_out_)) {
      throw Error("record checksum mismatch between input and output; output removed");
    }
    summary_.checksum = checksum_out_.value();
    if constexpr (kRegroups) {
      if (group_pass_file_) {  // pass 1 of two: its output is pass 2's input
        group_pass_file_->commit();
        summary_.seconds = seconds_since(started);
        return summary_;
      }
    }
    progress_.finish();
    output.finish();  // delayed write errors surface before anything is committed
    summary_.budget_bytes = options_.memory_bytes;
    // The arena is reserved whole up front; count the part of it that was actually used.
    summary_.accounted_peak_bytes =
        budget_.peak_reserved_bytes() - merge_region_bytes_ + arena_used_peak_bytes_;
    summary_.output_in_place = output.in_place();
    summary_.seconds = seconds_since(started);
    if (earlier_pass_) {
      // The passes' sums stand for the same records in output form: chained end to end.
      if (earlier_pass_->checksum != summary_.checksum) {
        throw Error("record checksum mismatch between the grouping passes; output removed");
      }
      add_pass(*earlier_pass_);
    }
    if (companion_ != nullptr) companion_->write(summary_);
    {
      // One step for a signal: it finds every file committed or none. The output goes last,
      // so a failed rename leaves no output behind an exit status of 1.
      signals::CleanupGuard guard;
      if (companion_ != nullptr) companion_->commit();
      sink_->commit_companions();
      output.commit();
    }
    return summary_;
  }

 private:
  // The arena region: what is left after the fixed reservations, minus one writer ring
  // (spill or output). The merge re-cuts the whole region into run read buffers.
  std::size_t region_bytes(std::size_t sink_extra) const {
    // The output writer and a run writer never coexist: room for the larger of the two.
    std::size_t writer_bytes =
        std::max(BgzfWriter::reserved_bytes_for(threads_, {BlockFormat::kBgzf, output_level_}),
                 BgzfWriter::reserved_bytes_for(threads_, options_.temp_codec) +
                     (sample_pool_ ? BgzfWriter::mark_table_bytes_for(threads_) : 0)) +
        sink_extra;
    std::size_t available = budget_.available_bytes();
    if (available < writer_bytes + config::kMinArenaBytes) {
      throw ResourceError("memory budget too small for the pipeline (" +
                          std::to_string(options_.memory_bytes) + " bytes at " +
                          std::to_string(threads_) + " threads): the output needs " +
                          std::to_string((writer_bytes + config::kMinArenaBytes) >> 20) + " MiB, " +
                          std::to_string(available >> 20) + " MiB are left; raise --max-memory");
    }
    std::size_t page_bytes = round_up_to_pages(1);
    return (available - writer_bytes) / page_bytes * page_bytes;
  }

  // samtools' rule: a reference longer than 2^31 - 1 needs an output that holds such
  // positions (SAM, CRAM 4.0), checked before any record is read.
  void check_reference_lengths(const BamHeader& header) const {
    if (output_holds_large_positions(options_.output_format, options_.output_format_options)) {
      return;
    }
    sam_hdr_t* hts = header.hts_header();
    for (int tid = 0; tid < sam_hdr_nref(hts); ++tid) {
      hts_pos_t length = sam_hdr_tid2len(hts, tid);
      if (length > INT32_MAX) {
        throw Error(std::string("output format is not compatible with very large references "
                                "(") +
                    sam_hdr_tid2name(hts, tid) + " is " + std::to_string(length) +
                    " bp); write SAM (-O sam) or CRAM 4.0 (-O cram,version=4.0)");
      }
    }
  }

  // How much of the region one run may fill.
  std::size_t run_capacity_bytes(std::size_t region) const {
    std::size_t bytes = region;
    if (options_.memory_bytes < config::kSmallBudgetFloorBytes) {
      // Small budgets (samtools' -m 1M style): runs as small as asked; the rest of the
      // pipeline still fits the 64 MiB floor of the memory model.
      bytes = std::min(bytes, std::max(options_.memory_bytes / 2, config::kMinArenaBytes));
    }
    if (options_.debug_max_run_bytes != 0) {
      bytes = std::min(bytes, std::max(options_.debug_max_run_bytes, config::kMinArenaBytes));
    }
    return bytes;
  }

  // The split arena (sort/split_arena.hpp): the half being filled grows into the whole run
  // once nothing is in flight and the input's rest fits in it (so an input that fits in
  // memory is never spilled), or at the end of input.
  void plan_arena(std::uint8_t* region, std::size_t region_bytes) {
    split_.plan(region, region_bytes, run_capacity_bytes(region_bytes));
  }

  // The arena has no room for a record of `record_bytes` that fits an empty run.
  void make_room(const RecordSource& source, std::size_t record_bytes) {
    if (split_.filling() ==
        SplitArena::Fill::kWhole) {  // the rest was expected to fit: spill here, as unsplit
      spill(split_.arena());
      split_.use_half(SplitArena::Fill::kTop);
      return;
    }
    if (split_.can_grow() &&
        (split_.arena().count() == 0 || !split_.arena().fits_when_empty(record_bytes) ||
         rest_fits_in_run(source))) {
      wait_for_spill();
      split_.grow_into_run();
      return;
    }
    spill_beside_reading();
  }

  // Spills the half being filled on the spill thread (after the previous spill is done) and
  // goes on in the other half.
  void spill_beside_reading() {
    if (in_flight_) {  // both halves are in use until the previous spill ends
      note_arena_use(used_bytes(in_flight_->arena) + used_bytes(split_.arena()));
    }
    wait_for_spill();
    launch_spill();
    split_.use_other_half();
    run_sizes_ = {};
    run_transformed_ = false;
  }

  static std::size_t used_bytes(const RecordArena& arena) noexcept {
    return arena.record_bytes_used() + 2 * arena.count() * sizeof(Entry);
  }

  // A run handed to the spill thread (sort/spill_thread.hpp). It carries everything the spill
  // reads and writes; the job's shared state (runs_, summary_, checksum_in_, progress_) is
  // updated from it by the main thread, after the join (wait_for_spill).
  struct SpillTask {
    SpillTask(const RecordArena& arena_in, const RunRecordSizes& sizes_in, bool transformed_in)
        : arena(arena_in), sizes(sizes_in), transformed(transformed_in) {}
    RecordArena arena;
    RunRecordSizes sizes;
    bool transformed;
    RunInfo run;
    std::uint64_t checksum_delta = 0;  // Order::transform_run's change to the input checksum
    double sort_seconds = 0;
    double write_seconds = 0;
  };

  void launch_spill() {
    run_store();  // made here, on the main thread (it may create the default temp directory)
    in_flight_ = std::make_unique<SpillTask>(split_.arena(), run_sizes_, run_transformed_);
    SpillTask* task = in_flight_.get();
    spill_thread_.launch(
        [this, task](const std::atomic<bool>& stop) { run_spill_task(*task, stop); });
  }

  // Sorts and writes one run exactly as spill() does, touching no shared state but the
  // order's per-run state (one run is sorted at a time) and the run store (one run is
  // written at a time). A set `stop` ends it with an error.
  void run_spill_task(SpillTask& task, const std::atomic<bool>& stop) {
    auto started = Clock::now();
    task.checksum_delta = sort_entries(task.arena, task.transformed);
    task.sort_seconds = seconds_since(started);
    started = Clock::now();
    task.run = write_run(task.arena, task.sizes, &stop);
    task.write_seconds = seconds_since(started);
  }

  // Joins the spill in flight, if any, and takes its run; rethrows its error.
  void wait_for_spill() {
    if (!in_flight_) return;
    std::unique_ptr<SpillTask> task = std::move(in_flight_);
    timer_.add_reader_stall(spill_thread_.join());
    progress_.begin_spill(task->arena.record_bytes_used());
    progress_.processed(task->arena.record_bytes_used());
    checksum_in_.adjust(task->checksum_delta);
    timer_.add_sort(task->sort_seconds);
    timer_.add_spill(task->write_seconds);
    add_run(task->run);
    progress_.end_spill();
  }

  // On an error elsewhere: stops the spill in flight and joins it, dropping its run and any
  // error of its own (the first error is the one reported).
  void abandon_spill() noexcept {
    spill_thread_.abandon();
    in_flight_.reset();
  }

  // For a file of known size: whether the rest of the input (estimated from the bytes
  // consumed so far) fits in the whole run beside what the arena holds, leaving room for the
  // final merge's readers of the runs spilled so far.
  bool rest_fits_in_run(const RecordSource& source) const {
    std::uint64_t consumed = source.bytes_consumed();
    if (input_bytes_ == 0 || consumed == 0) return false;
    if (consumed >= input_bytes_) return true;
    double rest = static_cast<double>(input_bytes_ - consumed) *
                  static_cast<double>(arena_bytes_read_) / static_cast<double>(consumed);
    double used = static_cast<double>(used_bytes(split_.arena()));
    std::size_t spilled = runs_.size() + (in_flight_ ? 1 : 0);
    if (spilled == 0) return rest + used <= static_cast<double>(split_.run_capacity());
    RunInfo like_this_run;
    like_this_run.max_record_bytes = run_sizes_.max_record_bytes;
    like_this_run.max_copy_bytes = run_sizes_.max_copy_bytes;
    std::size_t readers = spilled * RunReader::buffer_bytes_for(like_this_run) +
                          RunReader::whole_bytes_for(like_this_run);
    if (readers >= split_.run_capacity()) return false;
    return rest + used <=
           static_cast<double>(split_.run_capacity() - readers) * (1.0 - config::kEarlySpillMargin);
  }

  void read_input(RecordSource& source) {
    while (std::size_t record_bytes = source.next_record_bytes()) {
      std::uint8_t* slot = split_.arena().reserve_record(record_bytes);
      if (slot == nullptr) {
        if (record_bytes + 2 * sizeof(Entry) > split_.run_capacity()) {
          throw ResourceError(source.path() + ": record " + std::to_string(summary_.records + 1) +
                              " of " + std::to_string(record_bytes) +
                              " bytes does not fit the memory budget (raise --max-memory), at "
                              "compressed offset " +
                              std::to_string(source.record_offset()));
        }
        while ((slot = split_.arena().reserve_record(record_bytes)) == nullptr) {
          make_room(source, record_bytes);
        }
      }
      source.read_record(slot);
      checksum_in_.add(slot, record_bytes);
      if constexpr (kTagsAfterInput) any_placed_ = any_placed_ || bam::ref_id(slot) >= 0;
      std::uint64_t offset = split_.arena().commit(record_bytes);
      try {
        entries(split_.arena())[split_.arena().count() - 1] = order_.make_entry(slot, offset);
      } catch (const FormatError&) {
        throw;
      } catch (const Error& error) {  // a record the order cannot key (e.g. no MC tag)
        throw FormatError(source.path(), error.what(), source.record_offset(), summary_.records);
      }
      run_sizes_.add(slot);
      ++summary_.records;
      arena_bytes_read_ += record_bytes + 2 * sizeof(Entry);
      if (prefault_ != nullptr) prefault_->reader_at(arena_bytes_read_);
      progress_.reading(summary_.records, record_bytes, source.bytes_consumed());
      if (summary_.records % config::kEarlySpillCheckInterval == 0 &&
          rest_fits_after_spill(source)) {
        if (split_.filling() == SplitArena::Fill::kWhole) {
          spill(split_.arena());
          split_.use_half(SplitArena::Fill::kTop);
        } else {
          spill_beside_reading();
        }
      }
    }
  }

  // Early spill (sort/spill_policy.hpp): only for a BAM file, whose reader counts bytes.
  // The whole run is the capacity: the rest goes to the other half, which grows into the run.
  bool rest_fits_after_spill(const RecordSource& source) const {
    const RecordArena& arena = split_.arena();
    RunInfo like_this_run;
    like_this_run.max_record_bytes = run_sizes_.max_record_bytes;
    like_this_run.max_copy_bytes = run_sizes_.max_copy_bytes;
    return spill_early(
        {.input_bytes = input_bytes_,
         .input_consumed = source.bytes_consumed(),
         .arena_bytes_read = arena_bytes_read_,
         .arena_used_bytes = arena.record_bytes_used() + 2 * arena.count() * sizeof(Entry),
         .arena_records = arena.count(),
         .arena_capacity_bytes = split_.run_capacity(),
         .merge_reader_bytes =
             (runs_.size() + (in_flight_ ? 2 : 1)) * RunReader::buffer_bytes_for(like_this_run) +
             RunReader::whole_bytes_for(like_this_run)});
  }

  // Optional Order hooks (the minimiser order has them; other orders are untouched).
  static constexpr bool kTransformsRuns =
      requires(const Order& order, Entry* entries, std::uint8_t* top) {
    {
      order.transform_run(entries, std::size_t{}, top, std::size_t{})
      } -> std::same_as<std::uint64_t>;
  };
  static constexpr bool kTagsAfterInput = requires {
    { Order::header_tags_after_input(true) } -> std::same_as<HeaderSortTags>;
  };

  // --minimiser-group-names: the name-sorted pass can finish the grouped order in memory
  // (regroup_run) or, after spills, hands its merge to a second pass (run_sort).
  static constexpr bool kRegroups =
      requires(const Order& order, Entry* entries, std::uint8_t* top) {
    order.regroup_run(entries, entries, std::size_t{}, top, std::size_t{});
  };

 public:
  // Before run(): the figures of the pass that made this job's input (pass 1 of the grouped
  // order) go into this job's summary and --stats; its output counts as spilled and read back.
  void add_earlier_pass(const SortSummary& earlier) { earlier_pass_ = earlier; }

  // After run(): the temporary BAM that pass 2 of the grouped order reads ("" when none).
  std::string group_pass_path() const {
    return group_pass_file_ ? group_pass_file_->path() : std::string();
  }

 private:
  void add_pass(const SortSummary& earlier) {
    summary_.runs += earlier.runs;
    summary_.merge_passes += earlier.merge_passes + 1;  // its merge into this job's input
    summary_.spilled_bytes += earlier.spilled_bytes + earlier.output_bytes;
    summary_.temp_read_bytes += earlier.temp_read_bytes + earlier.output_bytes;
    // Its output stayed on disk beside its own runs, then beside this job's.
    summary_.temp_peak_bytes =
        std::max(summary_.temp_peak_bytes, earlier.temp_peak_bytes) + earlier.output_bytes;
    summary_.accounted_peak_bytes =
        std::max(summary_.accounted_peak_bytes, earlier.accounted_peak_bytes);
    PhaseTimer::add_earlier(summary_, earlier);
  }

  // A record about to reach the output, in the form the order writes it.
  void to_output_form(std::uint8_t* record) const noexcept {
    if constexpr (requires { order_.to_output_form(record); }) order_.to_output_form(record);
  }

  static Entry* entries(const RecordArena& arena) {
    return reinterpret_cast<Entry*>(arena.entries());
  }

  // Sorts the arena's entries on the main thread; the result is left at entries().
  void sort_arena(RecordArena& arena) {
    auto started = Clock::now();
    note_arena_use(used_bytes(arena));
    checksum_in_.adjust(sort_entries(arena, run_transformed_));
    timer_.add_sort(seconds_since(started));
  }

  // Sorts the arena's entries (the result is left at entries()); returns the change
  // Order::transform_run makes to the input checksum (0 for other orders). Touches no state of
  // the job but the order's per-run state: one run is sorted at a time.
  std::uint64_t sort_entries(RecordArena& arena, bool& transformed) {
    std::uint64_t checksum_delta = 0;
    Entry* scratch = reinterpret_cast<Entry*>(arena.scratch());
    Entry* unsorted = entries(arena);
    if constexpr (kTransformsRuns) {
      if (!transformed) {  // merge_runs may sort the last run twice: transform it once
        checksum_delta = order_.transform_run(unsorted, arena.count(), arena.top(), threads_);
        transformed = true;
      }
    }
    order_.prepare_run([unsorted](std::size_t idx) -> Entry& { return unsorted[idx]; },
                       arena.count(), arena.top());
    Entry* sorted;
    if constexpr (Order::kRadix) {
      sorted = radix_sort_entries<Order>(entries(arena), scratch, arena.count(), threads_);
    } else {
      const std::uint8_t* top = arena.top();
      const Order& order = order_;
      sorted = prefix_radix_sort_entries(
          order, entries(arena), scratch, arena.count(), threads_, top,
          [&order, top](const Entry& a, const Entry& b) { return order.entry_less(a, b, top); });
    }
    if (sorted != entries(arena)) {
      std::memcpy(entries(arena), sorted, arena.count() * sizeof(Entry));
    }
    return checksum_delta;
  }

  // Writes the arena's sorted records to `writer`; returns the count. On the spill thread
  // (`stop` given) progress is left alone and a set `stop` ends the gather with an error.
  template <class Out>
  std::uint64_t gather(const RecordArena& arena, Out& writer,
                       const std::atomic<bool>* stop = nullptr, RunSampler* sampler = nullptr) {
    const Entry* sorted = entries(arena);
    std::uint8_t* top = arena.top();
    std::size_t count = arena.count();
    for (std::size_t idx = 0; idx < count; ++idx) {
      if (idx + config::kGatherPrefetchDistance < count) {
        __builtin_prefetch(top - order_.offset_of(sorted[idx + config::kGatherPrefetchDistance]));
      }
      std::uint8_t* record = top - order_.offset_of(sorted[idx]);
      if constexpr (std::is_same_v<Out, RecordSink>) {
        if (cut_) parts_->begin_range(cut_->advance(record));
        to_output_form(record);
      } else if (sampler != nullptr) {
        sampler->before(record, bam::record_bytes(record), writer);
      }
      writer.write(record, bam::record_bytes(record));
      if (stop == nullptr) {
        progress_.processed(bam::record_bytes(record));
      } else if (idx % config::kSpillStopCheckRecords == 0 &&
                 stop->load(std::memory_order_relaxed)) {
        throw Error("spill abandoned");
      }
      if constexpr (std::is_same_v<Out, RecordSink>) {
        checksum_out_.add(record, bam::record_bytes(record));
      }
    }
    return count;
  }

  // Before reading: the runs a BAM file of known size will spill must fit the free space of
  // the temporary locations (the default place: the directory its run directory goes in).
  void check_temp_space_for(std::uint64_t run_capacity_bytes) const {
    std::uint64_t estimated =
        estimated_spill_bytes(input_bytes_, run_capacity_bytes, options_.temp_codec);
    if (estimated == 0) return;
    std::vector<std::string> places;
    for (const auto& dir : setup_.temp_dirs) places.push_back(dir->path());
    if (places.empty()) {
      places.push_back(temp_dir_place("", setup_.output.neighbour_path()).parent);
    }
    check_temp_space(estimated, free_temp_bytes(places), places);
  }

  RunStore& run_store() {
    if (!run_store_) {
      if (setup_.temp_dirs.empty()) {  // no -T: the default place, made at the first spill
        setup_.temp_dirs.push_back(std::make_unique<TempDir>("", setup_.output.neighbour_path()));
      }
      std::vector<const TempDir*> dirs;
      for (const auto& dir : setup_.temp_dirs) dirs.push_back(dir.get());
      run_store_.emplace(dirs, options_.temp_codec);
    }
    return *run_store_;
  }

  // Writes the sorted arena as a new run; `stop` as for gather().
  RunInfo write_run(const RecordArena& arena, const RunRecordSizes& sizes,
                    const std::atomic<bool>* stop) {
    RunStore& store = *run_store_;
    for (;;) {  // a full temp location: write the run again in the next one
      try {
        std::optional<RunSampler> sampler;
        if (sample_pool_) sampler.emplace(*sample_pool_, arena.record_bytes_used());
        std::unique_ptr<BgzfWriter> writer = store.begin_run(threads_, budget_);
        if (sampler) sampler->attach(*writer, budget_);
        std::uint64_t count = gather(arena, *writer, stop, sampler ? &*sampler : nullptr);
        RunInfo run = store.end_run(*writer, count, sizes);
        if (sampler) run.samples = sampler->finish();
        return run;
      } catch (const IoError& error) {
        if (!RunStore::is_disk_full(error) || !store.next_location()) throw;
      }
    }
  }

  void add_run(const RunInfo& run) {
    runs_.push_back(run);
    summary_.spilled_bytes += run.bytes;
    ++summary_.runs;
  }

  // Sorts and writes the arena on the main thread (nothing in flight).
  void spill(RecordArena& arena) {
    auto began = Clock::now();
    progress_.begin_spill(arena.record_bytes_used());
    sort_arena(arena);
    auto started = Clock::now();
    run_store();
    add_run(write_run(arena, run_sizes_, nullptr));
    arena.clear();
    run_transformed_ = false;
    run_sizes_ = {};
    timer_.add_spill(seconds_since(started));
    timer_.add_reader_stall(seconds_since(began));
    progress_.end_spill();
  }

  OutputSettings output_settings(const BamHeader& header) const {
    return output_settings_for(options_, threads_, budget_, Order::kIndexable, header);
  }

  std::unique_ptr<RecordSink> open_output(const BamHeader& header, const OutputFile& output) {
    if (plan_ == nullptr) return open_record_sink(output_settings(header), output, header, budget_);
    std::vector<std::string> paths;
    for (std::size_t range = 0; range < plan_->shards; ++range) {
      paths.push_back(RangePartsSink::part_path(options_.output_path, range));
    }
    auto parts =
        std::make_unique<RangePartsSink>(output_settings(header), setup_.output, std::move(paths),
                                         header, budget_, options_.slice_index);
    parts_ = parts.get();
    return parts;
  }

  // The compressed bytes of a slice, for progress and the early-spill estimate.
  static std::uint64_t slice_bytes(const SortPlan& plan, std::size_t index) {
    const PlanSlice& slice = plan.slices[index];
    if (slice.empty()) return 0;
    std::uint64_t end = slice.end != 0 ? slice.end >> 16 : plan.input_bytes;
    std::uint64_t begin = slice.begin >> 16;
    return end > begin ? end - begin : 0;
  }

  // Pass 1's output when it spilled: a BAM in the run directory, records with their keys.
  std::unique_ptr<RecordSink> open_group_pass_output(const BamHeader& header) {
    group_pass_file_.emplace(setup_.temp_dirs[run_store_->current_location()]->path() +
                             "/name-grouped.bam");
    OutputSettings settings;
    settings.samtools_level = config::kGroupPassTempLevel;
    settings.threads = threads_;
    return open_record_sink(settings, *group_pass_file_, header, budget_);
  }

  std::uint64_t write_from_memory(RecordArena& arena, const BamHeader& header,
                                  const OutputFile& output) {
    sort_arena(arena);
    if constexpr (kRegroups) {
      auto started = Clock::now();
      order_.regroup_run(entries(arena), reinterpret_cast<Entry*>(arena.scratch()), arena.count(),
                         arena.top(), threads_);
      timer_.add_sort(seconds_since(started));
    }
    progress_.begin_write();
    std::unique_ptr<RecordSink> sink = open_output(header, output);
    std::uint64_t count = gather(arena, *sink);
    summary_.output_bytes = sink->finish();
    sink_ = std::move(sink);
    return count;
  }

  void note_arena_use(std::size_t bytes) noexcept {
    arena_used_peak_bytes_ = std::max(arena_used_peak_bytes_, bytes);
  }

  // A record about to be written by the final merge: its range (sort-slice), output form and
  // checksum. Pass 1 of the grouped minimiser order keeps the records' keys for pass 2 and
  // counts them in output form.
  void output_record(std::uint8_t* record, std::uint32_t bytes) {
    if constexpr (kRegroups) {
      checksum_out_.add_hash(Order::kept_key_hash(record));
    } else {
      if (cut_) parts_->begin_range(cut_->advance(record));
      to_output_form(record);
      checksum_out_.add(record, bytes);
    }
  }

  std::uint64_t merge_runs(RecordArena& arena, const BamHeader& header, const OutputFile& output) {
    RunMerge<Order> merge(order_, *run_store_, runs_, merge_region_, merge_region_bytes_,
                          RunMergeSettings{.threads = threads_,
                                           .prefetch_threads = prefetch_threads_,
                                           .debug_max_fan_in = options_.debug_max_fan_in,
                                           .temp_format = options_.temp_codec.format,
                                           .sample_pool = sample_pool_ ? &*sample_pool_ : nullptr},
                          budget_, progress_);
    // Keep the last run in memory when every spilled run's reader fits beside it.
    bool last_in_memory = false;
    if (arena.count() > 0) {
      sort_arena(arena);
      std::size_t free_bytes =
          arena.capacity_bytes() - arena.record_bytes_used() - arena.count() * sizeof(Entry);
      bool fan_in_allows =
          options_.debug_max_fan_in == 0 || runs_.size() + 1 <= options_.debug_max_fan_in;
      last_in_memory = fan_in_allows && merge.fan_in_from(0, free_bytes) == runs_.size();
      if (!last_in_memory) spill(arena);
    }
    if (!last_in_memory) merge.pass_until_one_merge();
    std::uint8_t* buffers =
        last_in_memory ? arena.base() + arena.count() * sizeof(Entry) : merge_region_;
    // The records of the run kept in memory lie at the top of the arena.
    const std::uint8_t* limit = last_in_memory ? arena.top() - arena.record_bytes_used()
                                               : merge_region_ + merge_region_bytes_;
    std::optional<MemoryRunStream<Order>> memory_run;
    if (last_in_memory) memory_run.emplace(order_, entries(arena), arena.count(), arena.top());
    progress_.begin_write();
    std::unique_ptr<RecordSink> sink;
    if constexpr (kRegroups) {
      sink = open_group_pass_output(header);
    } else {
      sink = open_output(header, output);
    }
    std::uint64_t count = 0;
    BlockOutput* blocks =
        range_merge_possible_ && !options_.debug_one_thread_merge ? sink->block_output() : nullptr;
    std::optional<RangeMerge<Order>> ranges;
    std::uint8_t* range_buffers = buffers;
    if (blocks != nullptr) {
      MemoryRun<Order> in_memory;
      const std::uint8_t* range_limit = limit;
      if (last_in_memory) {
        in_memory = {entries(arena), arena.count(), arena.top(), arena.record_bytes_used()};
        // The workers' buffers go in the largest free part of the region: the gap inside the
        // arena, or the region below or above it (the other half of a split arena).
        std::uint8_t* region_end = merge_region_ + merge_region_bytes_;
        if (arena.base() - merge_region_ > range_limit - range_buffers) {
          range_buffers = merge_region_;
          range_limit = arena.base();
        }
        if (region_end - arena.top() > range_limit - range_buffers) {
          range_buffers = arena.top();
          range_limit = region_end;
        }
      }
      ranges.emplace(order_, *run_store_, runs_, in_memory, range_buffers, range_limit, threads_,
                     *blocks, progress_);
      if (!ranges->plan(options_.debug_range_bytes)) ranges.reset();
    }
    if (ranges) {
      count = ranges->run([this](std::uint8_t* record, std::uint32_t bytes, RecordChecksum& sum) {
        to_output_form(record);
        sum.add(record, bytes);
      });
      checksum_out_.add_all(ranges->checksum());
      summary_.temp_read_bytes += ranges->temp_read_bytes();
      summary_.merge_ranges = ranges->range_count();
      summary_.merge_workers = ranges->worker_count();
      note_arena_use(static_cast<std::size_t>(range_buffers - merge_region_) +
                     ranges->region_used());
    } else {
      count = merge.merge_all(
          memory_run ? &*memory_run : nullptr, buffers, limit, *sink,
          [this](std::uint8_t* record, std::uint32_t bytes) { output_record(record, bytes); });
    }
    summary_.output_bytes = sink->finish();
    summary_.temp_read_bytes += merge.temp_read_bytes();
    summary_.spilled_bytes += merge.pass_bytes_written();
    summary_.merge_passes += merge.passes();
    timer_.add_merge_wait(merge.wait_seconds());
    note_arena_use(merge.region_used_peak());
    summary_.temp_peak_bytes = run_store_->peak_live_bytes();
    sink_ = std::move(sink);
    return count;
  }

  const SortOptions& options_;
  JobSetup& setup_;
  const SortPlan* plan_;        // sort-slice: the plan; null for a sort
  OutputCompanion* companion_;  // may be null
  Order& order_;
  std::size_t threads_;
  MemoryBudget& budget_;
  int output_level_;
  std::int32_t reference_count_ = 0;
  std::uint64_t input_bytes_ = 0;       // size of the input file; 0 when unknown (a pipe)
  std::uint64_t arena_bytes_read_ = 0;  // arena bytes (records + entries + scratch) read so far
  ArenaPrefault* prefault_ = nullptr;   // while reading, when the arena is faulted in ahead
  std::uint8_t* merge_region_ = nullptr;
  std::size_t merge_region_bytes_ = 0;
  // The split arena (plan_arena): the half being filled, or the whole run it grew into.
  SplitArena split_{sizeof(Entry)};
  std::unique_ptr<SpillTask> in_flight_;  // the run on the spill thread; at most one
  SpillThread spill_thread_;
  PhaseTimer timer_;
  std::size_t arena_used_peak_bytes_ = 0;
  RunRecordSizes run_sizes_;            // of the records in the arena
  std::unique_ptr<RecordSink> sink_;    // kept until the output is committed (its index)
  std::optional<RangeCut<Order>> cut_;  // sort-slice: the range of each record written
  RangePartsSink* parts_ = nullptr;     // sort-slice: sink_ as the range parts
  std::optional<RunStore> run_store_;
  Reservation run_decoder_state_;      // reserved before the arena is planned (RunMerge)
  Reservation prefetch_state_;         // the read-ahead threads' or merge workers' codec state
  bool range_merge_possible_ = false;  // the final merge may run on every thread
  Reservation sample_pool_reservation_;
  std::optional<MemoryBudget> sample_pool_;  // the runs' samples (in runs_: declared before)
  std::size_t prefetch_threads_ = 0;         // threads decoding run blocks ahead of a merge
  std::vector<RunInfo> runs_;
  SortSummary summary_;
  Progress progress_;
  RecordChecksum checksum_in_;
  RecordChecksum checksum_out_;
  bool run_transformed_ = false;               // the arena's run went through Order::transform_run
  bool any_placed_ = false;                    // some record read had tid >= 0
  std::optional<OutputFile> group_pass_file_;  // pass 1's output when two passes run
  std::optional<SortSummary> earlier_pass_;    // pass 1's figures, in pass 2's job
};

}  // namespace

// --minimiser-group-names: pass 1 (name order, records keyed); when it spilled, pass 2 sorts
// its output by group key into the real output (minimiser_group_order.hpp).
SortSummary run_grouped_sort(const SortOptions& options, JobSetup& setup,
                             const MinimiserIndex* index, OutputCompanion* companion,
                             Clock::time_point started) {
  std::string pass_path;
  SortSummary first;
  {
    MinimiserGroupingOrder order(options.minimiser, index, options.minimiser_group_key);
    SortJob<MinimiserGroupingOrder> job(options, setup, order, companion, nullptr);
    first = job.run(started);
    pass_path = job.group_pass_path();
  }
  if (pass_path.empty()) return first;
  SortOptions second_options = options;
  second_options.input_path = pass_path;
  second_options.write_program_line = false;  // pass 1's header has it
  second_options.index_path.clear();          // not indexable: pass 1 said so once
  std::size_t buffer_bytes = std::max(config::kGroupBufferMinBytes,
                                      setup.budget.total_bytes() / config::kGroupBufferBudgetShare);
  std::unique_ptr<RecordSource> pass_input = open_record_source(
      JobSetup::input_settings(second_options, setup.threads, PlanSlice{}), setup.budget);
  setup.source = std::make_unique<MinimiserGroupSource>(std::move(pass_input), setup.budget,
                                                        buffer_bytes, options.minimiser_group_key);
  MinimiserGroupedOrder order;
  SortJob<MinimiserGroupedOrder> second(second_options, setup, order, companion, nullptr);
  second.add_earlier_pass(first);
  unlink(pass_path.c_str());  // open (and measured): its space returns once pass 2 read it
  return second.run(started);
}

SortSummary run_sort(const SortOptions& given, OutputCompanion* companion) {
  auto started = Clock::now();
  // sort-slice: the input, order and slice come from the plan.
  std::optional<SortPlan> plan;
  SortOptions options = given;
  PlanSlice slice;
  if (!given.plan_path.empty()) {
    plan.emplace(load_plan(given.plan_path));
    check_plan_input(*plan);
    if (given.slice_index >= plan->slices.size()) {
      throw UsageError("--slice " + std::to_string(given.slice_index) + " is beyond the plan's " +
                       std::to_string(plan->slices.size()) + " slices");
    }
    options.input_path = plan->input_path;
    options.order = plan->order;
    options.sort_tag = plan->sort_tag;
    options.output_format = OutputFormat::kBam;
    options.write_program_line = false;
    options.index_path.clear();
    slice = plan->slices[given.slice_index];
  }
  // The index file is made when the output is written; a path that cannot work at all (a
  // directory, a missing directory) is refused before any reading.
  if (!options.index_path.empty()) resolve_destination(options.index_path);
  JobSetup setup(options, slice);
  // samtools -I: the reference index is built (its memory reserved) before the arena is cut.
  std::optional<MinimiserIndex> minimiser_index;
  if (options.order == SortOrder::kMinimiser && options.sort_tag.empty() &&
      !options.minimiser_reference.empty()) {
    minimiser_index.emplace(MinimiserIndex::build(options.minimiser_reference, options.minimiser,
                                                  options.minimiser_window, setup.budget));
  }
  if (options.minimiser_group_names) {
    return run_grouped_sort(options, setup, minimiser_index ? &*minimiser_index : nullptr,
                            companion, started);
  }
  return with_order(
      options.order, options.sort_tag, setup.source->header(),
      [&](auto order) {
        return SortJob<decltype(order)>(options, setup, order, companion, plan ? &*plan : nullptr)
            .run(started);
      },
      options.minimiser, minimiser_index ? &*minimiser_index : nullptr);
}

}  // namespace samsort
