// samsort merge: the inputs' readers, the merged header, the loser tree and the output.
#include "samsort/merge/merge_job.hpp"

#include <htslib/sam.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "samsort/bam/bam_header.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/bam/record_checksum.hpp"
#include "samsort/cli/output_settings.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/core/signals.hpp"
#include "samsort/dist/manifest.hpp"
#include "samsort/dist/plan.hpp"
#include "samsort/io/bgzf_reader.hpp"
#include "samsort/io/bgzf_writer.hpp"
#include "samsort/io/block_codec.hpp"
#include "samsort/io/hts_log.hpp"
#include "samsort/io/output_file.hpp"
#include "samsort/io/record_sink.hpp"
#include "samsort/io/record_source.hpp"
#include "samsort/io/region_query.hpp"
#include "samsort/merge/header_merge.hpp"
#include "samsort/merge/merge_input.hpp"
#include "samsort/merge/merger.hpp"
#include "samsort/merge/run_file.hpp"
#include "samsort/merge/temp_dir.hpp"
#include "samsort/order/order_dispatch.hpp"
#include "samsort/version.hpp"

namespace samsort {

namespace {

using Clock = std::chrono::steady_clock;

// Descriptors kept free for the output, its index and .md5, htslib and the standard streams.
constexpr std::size_t kReservedDescriptors = 16;

void print_warning(const std::string& text) {
  std::fprintf(stderr, "samsort: warning: %s\n", text.c_str());
}

// samtools merge refuses to overwrite an existing regular file without -f.
void check_overwrite(const MergeOptions& options) {
  const std::string& path = options.common.output_path;
  struct stat info {};
  if (!options.force && path != "-" && stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
    throw UsageError("output file '" + path + "' exists; give -f to overwrite it");
  }
}

std::string header_file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path, "cannot read the -h header file", errno);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// What one open input costs of the budget, estimated before opening it (its format is not
// known yet): the larger of the BAM reader's ring and htslib's reader buffers with a SAM
// line's share of the budget (io/sam_line_reader), plus MergeInput's three record buffers.
std::size_t input_cost_bytes(std::size_t budget_bytes) {
  std::size_t sam_line =
      std::max(config::kSamRecordMinBytes, budget_bytes / config::kSamRecordBudgetShare);
  return std::max(BgzfReader::reserved_bytes_for(1), config::kHtslibReaderBytes + sam_line) +
         3 * config::kMergeInputRecordBytes;
}

class MergeJob {
 public:
  explicit MergeJob(const MergeOptions& options)
      : options_(options),
        common_(options.common),
        threads_(std::max<std::size_t>(1, common_.threads)),
        budget_(std::max(common_.memory_bytes, config::kSmallBudgetFloorBytes)),
        output_(common_.output_path),
        manifest_(options.manifest_path.empty()
                      ? nullptr
                      : std::make_unique<OutputFile>(options.manifest_path)),
        small_objects_(budget_.reserve(config::kSmallObjectReserveBytes, "small objects")),
        temp_dirs_(make_temp_dirs()) {}

  MergeSummary run(Clock::time_point started) {
    MergedHeader merged = merge_input_headers();
    for (const std::string& warning : merged.warnings) print_warning(warning);
    sam_hdr_t* parsed = sam_hdr_parse(merged.text.size(), merged.text.c_str());
    if (parsed == nullptr) throw Error("the merged header cannot be parsed");
    BamHeader header = BamHeader::adopt(parsed, budget_);
    prepare_regions(header, merged);
    MergeSummary summary = with_order(common_.order, common_.sort_tag, header, [&](auto order) {
      return merge_with(order, header, merged);
    });
    summary.inputs = options_.inputs.size();
    summary.budget_bytes = common_.memory_bytes;
    summary.accounted_peak_bytes = budget_.peak_reserved_bytes();
    summary.output_in_place = output_.in_place();
    summary.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return summary;
  }

 private:
  std::vector<std::unique_ptr<TempDir>> make_temp_dirs() const {
    std::vector<std::unique_ptr<TempDir>> dirs;
    std::string neighbour = output_.neighbour_path();
    if (common_.tmp_options.empty()) remove_stale_temp_dirs("", neighbour);
    for (const std::string& tmp_option : common_.tmp_options) {
      remove_stale_temp_dirs(tmp_option, neighbour);
      dirs.push_back(std::make_unique<TempDir>(tmp_option, neighbour));
    }
    return dirs;
  }

  std::unique_ptr<RecordSource> open_input(const std::string& path) {
    InputSettings settings;
    settings.path = path;
    settings.reference = common_.reference;
    settings.options = common_.input_format_options;
    settings.threads = 1;  // the inputs read side by side; the output gets the workers
    settings.wide_records_allowed =
        output_holds_large_positions(common_.output_format, common_.output_format_options);
    settings.indexed = !options_.region.empty() || !options_.bed_path.empty();
    return open_record_source(settings, budget_);
  }

  // -R/-L: what each input reads, as samtools merge sets it up once the headers are merged.
  // -R is parsed against the merged header (sam_parse_region: chr, chr:beg, chr:beg-end,
  // {chr}:..., thousands separators) and mapped back to each input's own reference id (an
  // input without that reference reads nothing, but its index must still load); -L's BED
  // names are looked up in each input's own header by htslib's multi-region iterator.
  void prepare_regions(BamHeader& header, const MergedHeader& merged) {
    if (options_.region.empty() && options_.bed_path.empty()) return;
    std::size_t count = options_.inputs.size();
    queries_.assign(count, RegionQuery());
    for (std::size_t idx = 0; idx < count && idx < options_.index_paths.size(); ++idx) {
      queries_[idx].index_path = options_.index_paths[idx];
    }
    if (!options_.bed_path.empty()) {
      bed_.emplace(read_bed_regions(options_.bed_path));
      for (RegionQuery& query : queries_) {
        query.kind = RegionQuery::Kind::kBed;
        query.bed = &*bed_;
      }
      return;
    }
    int tid = -1;
    hts_pos_t beg = 0;
    hts_pos_t end = 0;
    const char* parsed;
    {
      HtsLogLevelGuard quiet;  // one line of ours instead of htslib's
      parsed = sam_parse_region(header.hts_header(), options_.region.c_str(), &tid, &beg, &end, 0);
    }
    if (parsed == nullptr) {
      throw UsageError("badly formatted region or unknown reference name: '" + options_.region +
                       "' (-R)");
    }
    for (std::size_t idx = 0; idx < count; ++idx) {
      RegionQuery& query = queries_[idx];
      // samtools' rtrans: the last input reference that translates to the region's.
      const std::vector<std::int32_t>& tids = merged.inputs[idx].tid_map;
      for (std::size_t input_tid = 0; input_tid < tids.size(); ++input_tid) {
        if (tids[input_tid] == tid) {
          query.kind = RegionQuery::Kind::kInterval;
          query.tid = static_cast<int>(input_tid);
          query.beg = beg;
          query.end = end;
        }
      }
    }
  }

  // How many inputs one merge may hold open by the descriptors (and --debug-max-fan-in).
  std::size_t descriptor_fan_in() const {
    std::size_t fan_in = config::kMergeMaxInputFanIn;
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
      auto descriptors = static_cast<std::size_t>(limit.rlim_cur);
      fan_in = std::min(fan_in, descriptors > kReservedDescriptors + 2
                                    ? descriptors - kReservedDescriptors
                                    : std::size_t{2});
    }
    if (common_.debug_max_fan_in != 0) fan_in = std::min(fan_in, common_.debug_max_fan_in);
    return fan_in;
  }

  // What must stay free beside the open inputs: the larger writer that may coexist with them,
  // a run's (first pass) or the output's (with htslib's buffers and a SAM record's share, as
  // output_settings_for() asks).
  std::size_t writer_bytes() const {
    return std::max(BgzfWriter::reserved_bytes_for(threads_, common_.temp_codec),
                    BgzfWriter::reserved_bytes_for(
                        threads_, {BlockFormat::kBgzf,
                                   libdeflate_level_for_samtools_level(common_.samtools_level)})) +
           budget_.total_bytes() / config::kSamRecordBudgetShare + config::kSamRecordMinBytes +
           config::kHtslibWriterBytes;
  }

  // Whether one more input of `cost` bytes (its reader and record buffers) fits beside the
  // writer, with a quarter to spare for larger records.
  bool another_input_fits(std::size_t cost) const {
    return budget_.available_bytes() > writer_bytes() + cost * 5 / 4;
  }

  // Every input's header, read with the input kept open while the inputs fit one merge (the
  // descriptors, and the budget by each reader's measured cost); once one does not, all are
  // closed and the merge goes through groups (fan_in_ of them at a time, from the largest
  // cost measured). Thousands of inputs are thus opened one at a time here.
  // merge-range: the parts of one plan's slices all carry the plan input's header; their
  // records go through unchanged.
  MergedHeader identical_headers(const std::vector<std::string>& texts,
                                 const HeaderMergeOptions& header_options) const {
    for (std::size_t idx = 1; idx < texts.size(); ++idx) {
      if (texts[idx] != texts[0]) {
        throw Error(options_.inputs[idx] + ": its header differs from " + options_.inputs[0] +
                    "'s: not a part of the same plan's slices");
      }
    }
    MergedHeader merged = merge_headers({texts[0]}, {options_.inputs[0]}, header_options);
    merged.inputs.assign(texts.size(), merged.inputs[0]);
    for (InputTranslation& translation : merged.inputs) translation.identity = true;
    return merged;
  }

  MergedHeader merge_input_headers() {
    std::size_t count = options_.inputs.size();
    std::size_t from_stdin = std::count(options_.inputs.begin(), options_.inputs.end(), "-");
    if (from_stdin > 1) throw UsageError("standard input ('-') can be given only once");
    bool keep_open = count <= descriptor_fan_in();
    std::size_t largest_cost = 0;
    std::vector<std::string> texts;
    texts.reserve(count);
    Reservation text_bytes;
    std::size_t held = 0;
    for (const std::string& path : options_.inputs) {
      std::size_t planned =
          largest_cost != 0 ? largest_cost : input_cost_bytes(budget_.total_bytes());
      if (keep_open && !another_input_fits(planned)) {
        keep_open = false;
        sources_.clear();
      }
      std::size_t before = budget_.available_bytes();
      std::unique_ptr<RecordSource> source = open_input(path);
      largest_cost = std::max(
          largest_cost, before - budget_.available_bytes() + 3 * config::kMergeInputRecordBytes);
      texts.push_back(source->header().text());
      held += texts.back().size();
      if (keep_open) sources_.push_back(std::move(source));
    }
    if (!keep_open) {
      std::size_t spare = budget_.available_bytes() > writer_bytes()
                              ? budget_.available_bytes() - writer_bytes()
                              : 0;
      fan_in_ = std::min(descriptor_fan_in(), spare / (largest_cost * 5 / 4));
      if (fan_in_ < 2) {
        throw ResourceError("memory budget too small to merge: raise --max-memory");
      }
      if (from_stdin == 1) {
        // The groups reopen their inputs: a pipe cannot be reopened.
        throw UsageError("standard input can be merged only when all " + std::to_string(count) +
                         " inputs fit one merge (" + std::to_string(fan_in_) +
                         " here); give it as a file");
      }
    }
    text_bytes = budget_.reserve(held, "input header texts");
    HeaderMergeOptions header_options;
    header_options.combine_read_groups = options_.combine_read_groups;
    header_options.combine_programs = options_.combine_programs;
    header_options.attach_read_group = options_.attach_read_group;
    header_options.seed = options_.seed;
    header_options.order = common_.order;
    if (!common_.sort_tag.empty()) header_options.sort_tag = common_.sort_tag;
    if (!options_.header_file.empty()) {
      header_options.header_override = header_file_text(options_.header_file);
    }
    if (options_.records_only) return identical_headers(texts, header_options);
    try {
      return merge_headers(texts, options_.inputs, header_options);
    } catch (const Error& error) {
      if (options_.header_file.empty() ||
          std::string(error.what()).find("-h file") == std::string::npos) {
        throw;
      }
      throw FormatError(options_.header_file, "cannot be read as a SAM header (-h)", 0, 0);
    }
  }

  RunStore& run_store() {
    if (!run_store_) {
      if (temp_dirs_.empty()) {
        temp_dirs_.push_back(std::make_unique<TempDir>("", output_.neighbour_path()));
      }
      std::vector<const TempDir*> dirs;
      for (const auto& dir : temp_dirs_) dirs.push_back(dir.get());
      run_store_.emplace(dirs, common_.temp_codec);
    }
    return *run_store_;
  }

  template <class Order>
  using Inputs = std::vector<std::unique_ptr<MergeInput<Order>>>;

  // MergeInputs over inputs [first, first + count), opened now unless kept from the headers.
  template <class Order>
  Inputs<Order> open_inputs(std::size_t first, std::size_t count, const Order& order,
                            const MergedHeader& merged, const char* label) {
    Inputs<Order> inputs;
    for (std::size_t idx = first; idx < first + count; ++idx) {
      std::unique_ptr<RecordSource> source =
          sources_.empty() ? open_input(options_.inputs[idx]) : std::move(sources_[idx]);
      if (!queries_.empty()) source->restrict_to(queries_[idx], budget_);
      inputs.push_back(std::make_unique<MergeInput<Order>>(std::move(source), merged.inputs[idx],
                                                           order, label, budget_, print_warning));
    }
    return inputs;
  }

  template <class Order>
  void account(const Inputs<Order>& inputs) {
    for (const auto& input : inputs) {
      records_ += input->records();
      read_.add_all(input->checksum());
    }
  }

  template <class Order>
  static std::vector<RecordStream*> streams_of(const Inputs<Order>& inputs) {
    std::vector<RecordStream*> streams;
    for (const auto& input : inputs) streams.push_back(input.get());
    return streams;
  }

  // First pass when the inputs do not fit one merge: consecutive groups of them merged into
  // runs (in input order, so ties keep going to the earlier input).
  template <class Order>
  void merge_groups_into_runs(const Order& order, const MergedHeader& merged, const char* label,
                              std::size_t fan_in) {
    for (std::size_t first = 0; first < options_.inputs.size(); first += fan_in) {
      std::size_t count = std::min(fan_in, options_.inputs.size() - first);
      RunStore& store = run_store();
      for (;;) {  // a full temp location: merge the group again into the next one
        Inputs<Order> inputs = open_inputs(first, count, order, merged, label);
        try {
          std::unique_ptr<BgzfWriter> writer = store.begin_run(threads_, budget_);
          RunRecordSizes sizes;
          LoserTree<Order> tree(order, streams_of(inputs));
          std::uint64_t written = 0;
          while (const std::uint8_t* record = tree.top_whole()) {
            writer->write(record, bam::record_bytes(record));
            sizes.add(record);
            ++written;
            tree.pop();
          }
          runs_.push_back(store.end_run(*writer, written, sizes));
          account(inputs);
          break;
        } catch (const IoError& error) {
          if (!RunStore::is_disk_full(error) || !store.next_location()) throw;
        }
      }
    }
  }

  template <class Order>
  MergeSummary merge_with(Order& order, BamHeader& header, const MergedHeader& merged) {
    if (common_.write_program_line) header.add_program_line(kVersion, common_.command_line);
    std::string label{order_names(common_.order).label};
    if (!common_.sort_tag.empty()) label = "tag " + common_.sort_tag + " then " + label;
    bool indexable = Order::kIndexable && common_.sort_tag.empty();
    if (!common_.index_path.empty() && !indexable) {
      print_warning("--write-index needs coordinate order; no index written");
    }
    std::size_t count = options_.inputs.size();
    Inputs<Order> inputs;
    std::vector<std::unique_ptr<RunReader>> readers;
    std::vector<std::uint8_t> reader_buffer;
    Reservation reader_reservation;
    std::optional<BlockDecoder> decoder;
    std::vector<RecordStream*> streams;
    if (sources_.size() == count) {  // all kept open by merge_input_headers(): one merge
      inputs = open_inputs(0, count, order, merged, label.c_str());
      streams = streams_of(inputs);
    } else {
      merge_groups_into_runs(order, merged, label.c_str(), fan_in_);
      std::size_t buffer_bytes = 0;
      std::size_t whole = 0;
      for (const RunInfo& run : runs_) {
        buffer_bytes += RunReader::buffer_bytes_for(run);
        whole = std::max(whole, RunReader::whole_bytes_for(run));
      }
      reader_reservation = budget_.reserve(buffer_bytes + whole, "merge run readers");
      reader_buffer.resize(buffer_bytes + whole);
      decoder.emplace(common_.temp_codec.format);
      std::uint8_t* at = reader_buffer.data() + whole;
      for (const RunInfo& run : runs_) {
        readers.push_back(std::make_unique<RunReader>(*run_store_, run, *decoder, at,
                                                      whole == 0 ? nullptr : reader_buffer.data()));
        at += RunReader::buffer_bytes_for(run);
        streams.push_back(readers.back().get());
      }
    }
    OutputSettings settings = output_settings_for(common_, threads_, budget_, indexable, header);
    if (options_.records_only) settings.piece = OutputSettings::Piece::kRecordsOnly;
    std::unique_ptr<RecordSink> sink = open_record_sink(settings, output_, header, budget_);
    RecordChecksum written;
    LoserTree<Order> tree(order, streams);
    while (const std::uint8_t* record = tree.top_whole()) {
      std::uint32_t bytes = bam::record_bytes(record);
      sink->write(record, bytes);
      written.add(record, bytes);
      tree.pop();
    }
    account(inputs);
    if (!(read_ == written)) {
      throw Error("record count or checksum mismatch: read " + std::to_string(records_) +
                  ", wrote " + std::to_string(written.count()) + "; output removed");
    }
    MergeSummary summary;
    summary.output_bytes = sink->finish();
    output_.finish();
    if (manifest_) {
      PieceManifest manifest;
      manifest.kind = "range";
      manifest.index = options_.range_index;
      manifest.shards = options_.shards;
      manifest.records = written.count();
      manifest.checksum = written.value();
      manifest.bytes = summary.output_bytes;
      write_manifest(manifest, *manifest_);
      manifest_->finish();
    }
    {
      signals::CleanupGuard guard;  // a signal finds everything committed or nothing
      sink->commit_companions();
      output_.commit();
      if (manifest_) manifest_->commit();  // last: it vouches for the part
    }
    summary.records = records_;
    summary.runs = runs_.size();
    summary.checksum = written.value();
    return summary;
  }

  const MergeOptions& options_;
  const SortOptions& common_;
  std::size_t threads_;
  MemoryBudget budget_;
  OutputFile output_;
  std::unique_ptr<OutputFile> manifest_;  // merge-range only
  Reservation small_objects_;
  std::vector<std::unique_ptr<TempDir>> temp_dirs_;
  std::optional<RunStore> run_store_;
  std::vector<RunInfo> runs_;
  std::vector<std::unique_ptr<RecordSource>> sources_;  // all inputs, when they fit one merge
  std::size_t fan_in_ = 0;                              // inputs per group otherwise
  std::vector<RegionQuery> queries_;                    // -R/-L: one per input, else none
  std::optional<BedRegions> bed_;                       // -L
  std::uint64_t records_ = 0;
  RecordChecksum read_;
};

}  // namespace

MergeSummary run_merge(const MergeOptions& given) {
  auto started = Clock::now();
  MergeOptions options = given;
  if (!given.plan_path.empty()) {  // merge-range: the order and the range count from the plan
    SortPlan plan = load_plan(given.plan_path);
    if (given.range_index >= plan.shards) {
      throw UsageError("--range " + std::to_string(given.range_index) + " is beyond the plan's " +
                       std::to_string(plan.shards) + " ranges");
    }
    options.common.order = plan.order;
    options.common.sort_tag = plan.sort_tag;
    options.shards = plan.shards;
  }
  check_overwrite(options);
  if (!options.common.index_path.empty()) resolve_destination(options.common.index_path);
  MergeJob job(options);
  return job.run(started);
}

}  // namespace samsort
