// The plan of a distributed sort: slices from the split guesser, splitters from sampled keys.
#include "samsort/dist/planner.hpp"

#include <fcntl.h>
#include <htslib/bgzf.h>
#include <htslib/sam.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <vector>

#include "samsort/bam/bam_header.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/core/byte_order.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/dist/range_cut.hpp"
#include "samsort/io/bam_split.hpp"
#include "samsort/io/file_io.hpp"
#include "samsort/io/record_source.hpp"
#include "samsort/order/order_dispatch.hpp"

namespace samsort {

namespace {

using Record = std::vector<std::uint8_t>;

// Sampled records, their bytes reserved from the budget as they are kept.
class Samples {
 public:
  explicit Samples(MemoryBudget& budget) : budget_(budget) {}

  // False when the sample bytes' cap or the budget leaves no room for `record`.
  bool fits(std::size_t bytes) const noexcept { return bytes_ + bytes <= config::kPlanSampleBytes; }
  void add(const std::uint8_t* record, std::size_t bytes) {
    reservations_.push_back(budget_.reserve(bytes + sizeof(Record), "plan samples"));
    records_.emplace_back(record, record + bytes);
    bytes_ += bytes;
  }
  void replace(std::size_t idx, const std::uint8_t* record, std::size_t bytes) {
    bytes_ -= records_[idx].size();
    reservations_[idx] = budget_.reserve(bytes + sizeof(Record), "plan samples");
    records_[idx].assign(record, record + bytes);
    bytes_ += bytes;
  }
  std::vector<Record>& records() noexcept { return records_; }

 private:
  MemoryBudget& budget_;
  std::vector<Reservation> reservations_;
  std::vector<Record> records_;
  std::size_t bytes_ = 0;
};

// Reads every record of `source`, keeping a uniform sample (reservoir sampling, fixed seed so
// that a plan is reproducible).
void sample_whole(RecordSource& source, Samples& samples, MemoryBudget& budget) {
  std::mt19937_64 random(0x5a4d50524f4eULL);
  Record buffer;
  Reservation buffer_reservation;
  std::uint64_t seen = 0;
  while (std::size_t bytes = source.next_record_bytes()) {
    if (bytes > buffer.size()) {
      buffer_reservation.release();
      buffer_reservation = budget.reserve(bytes, "plan record buffer");
      buffer.resize(bytes);
    }
    source.read_record(buffer.data());
    ++seen;
    if (samples.records().size() < config::kPlanMaxSamples) {
      if (samples.fits(bytes)) samples.add(buffer.data(), bytes);
      continue;
    }
    std::uint64_t slot = random() % seen;
    if (slot < samples.records().size() && samples.fits(bytes)) {
      samples.replace(static_cast<std::size_t>(slot), buffer.data(), bytes);
    }
  }
}

struct BgzfCloser {
  void operator()(BGZF* file) const noexcept { bgzf_close(file); }
};
using BgzfPtr = std::unique_ptr<BGZF, BgzfCloser>;

// The virtual offset of the first record (after the header), read through htslib.
std::uint64_t first_record_offset(BGZF* file, const std::string& path) {
  sam_hdr_t* header = bam_hdr_read(file);
  if (header == nullptr) throw FormatError(path, "cannot read the BAM header", 0);
  sam_hdr_destroy(header);
  return static_cast<std::uint64_t>(bgzf_tell(file));
}

// Up to `count` records from virtual offset `start` (a start the guesser found), each checked
// before it is kept: a wrong guess costs balance, never a crash.
void sample_at(BGZF* file, std::uint64_t start, std::size_t count, std::int32_t references,
               Samples& samples) {
  if (bgzf_seek(file, static_cast<std::int64_t>(start), SEEK_SET) < 0) return;
  Record buffer;
  for (std::size_t idx = 0; idx < count && samples.records().size() < config::kPlanMaxSamples;
       ++idx) {
    std::uint8_t size_bytes[4];
    if (bgzf_read(file, size_bytes, 4) != 4) return;
    std::uint32_t block_size = load_le32(size_bytes);
    if (block_size < bam::kFixedBytes - 4 || block_size > (1u << 30)) return;
    std::size_t bytes = static_cast<std::size_t>(block_size) + 4;
    if (!samples.fits(bytes)) return;
    buffer.resize(bytes);
    std::memcpy(buffer.data(), size_bytes, 4);
    if (bgzf_read(file, buffer.data() + 4, block_size) != static_cast<ssize_t>(block_size)) return;
    if (bam::check_record(buffer.data(), references) != nullptr) return;
    samples.add(buffer.data(), bytes);
  }
}

// The K - 1 splitters: the samples at the K-quantiles of the order.
template <class Order>
std::vector<Record> pick_splitters(const Order& order, std::vector<Record>& samples,
                                   std::size_t shards, std::size_t* distinct) {
  std::vector<typename Order::MergeKey> keys;
  keys.reserve(samples.size());
  for (const Record& sample : samples) keys.push_back(order.merge_key(sample.data()));
  std::vector<std::size_t> sorted(samples.size());
  std::iota(sorted.begin(), sorted.end(), std::size_t{0});
  std::stable_sort(sorted.begin(), sorted.end(), [&](std::size_t a, std::size_t b) {
    return order.merge_less(keys[a], keys[b]);
  });
  std::vector<Record> splitters;
  if (samples.empty()) {  // an empty input: every range but the first stays empty
    *distinct = 0;
    return splitters;
  }
  for (std::size_t idx = 1; idx < shards; ++idx) {
    splitters.push_back(samples[sorted[idx * samples.size() / shards]]);
  }
  *distinct = 0;
  if (!splitters.empty()) {
    RangeCut<Order> cut(order, splitters);
    *distinct = 1;
    for (std::size_t idx = 1; idx < splitters.size(); ++idx) {
      if (!cut.reaches(splitters[idx - 1].data(), idx)) ++*distinct;
    }
  }
  return splitters;
}

}  // namespace

PlanSummary make_plan(const PlanOptions& options) {
  if (options.order == SortOrder::kMinimiser) {
    throw UsageError(
        "the distributed sort does not offer the minimiser order (its keys are made "
        "per run); use samsort sort -M");
  }
  if (options.input_path == "-") throw UsageError("plan needs an input file, not stdin");
  if (options.slices < 1 || options.shards < 1) throw UsageError("slices and shards must be >= 1");
  SortPlan plan;
  plan.input_path = options.input_path;
  plan.order = options.order;
  plan.sort_tag = options.sort_tag;
  file_identity(plan.input_path, &plan.input_bytes, &plan.input_mtime_ns);

  MemoryBudget budget(std::max(options.memory_bytes, config::kSmallBudgetFloorBytes));
  InputSettings settings;
  settings.path = options.input_path;
  settings.threads = options.threads;
  std::unique_ptr<RecordSource> source = open_record_source(settings, budget);
  const BamHeader& header = source->header();
  PlanSummary summary;
  summary.read_whole = !source->is_bam() ||
                       (plan.input_bytes <= config::kPlanScanBytes && !options.debug_sample_blocks);
  Samples samples(budget);
  // SAM and CRAM: one slice; the others empty (an end past every record).
  constexpr std::uint64_t kPastEnd = ~std::uint64_t{0};
  plan.slices.assign(options.slices, PlanSlice{kPastEnd, kPastEnd});
  plan.slices[0] = PlanSlice{0, 0};
  if (source->is_bam()) {
    BgzfPtr file(bgzf_open(options.input_path.c_str(), "r"));
    if (!file) throw IoError(options.input_path, "cannot open input", errno);
    std::uint64_t first = first_record_offset(file.get(), options.input_path);
    FileDescriptor fd(open(options.input_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) throw IoError(options.input_path, "cannot open input", errno);
    std::vector<std::uint64_t> starts{first};
    for (std::size_t idx = 1; idx < options.slices; ++idx) {
      std::optional<std::uint64_t> start = find_record_start(
          fd.get(), plan.input_bytes, plan.input_bytes * idx / options.slices, header);
      starts.push_back(start ? std::max(*start, starts.back()) : kPastEnd);
    }
    for (std::size_t idx = 0; idx < options.slices; ++idx) {
      std::uint64_t next = idx + 1 < options.slices ? starts[idx + 1] : kPastEnd;
      if (starts[idx] == kPastEnd) {
        plan.slices[idx] = PlanSlice{kPastEnd, kPastEnd};
      } else {
        plan.slices[idx] = PlanSlice{starts[idx], next == kPastEnd ? 0 : next};
        if (next == starts[idx]) plan.slices[idx].end = next;  // empty: begin == end
      }
    }
    if (!summary.read_whole) {
      std::int32_t references = header.reference_count();
      std::size_t points =
          std::min<std::uint64_t>(config::kPlanSamplePoints, plan.input_bytes / (64 * 1024) + 1);
      std::uint64_t last = kPastEnd;
      for (std::size_t point = 0; point < points; ++point) {
        std::optional<std::uint64_t> start =
            point == 0 ? std::optional<std::uint64_t>(first)
                       : find_record_start(fd.get(), plan.input_bytes,
                                           plan.input_bytes * point / points, header);
        if (!start || *start == last) continue;
        last = *start;
        sample_at(file.get(), *start, config::kPlanRecordsPerPoint, references, samples);
      }
    }
  }
  if (summary.read_whole) sample_whole(*source, samples, budget);
  for (const PlanSlice& slice : plan.slices) summary.empty_slices += slice.empty() ? 1 : 0;
  summary.samples = samples.records().size();
  plan.splitters = with_order(plan.order, plan.sort_tag, header, [&](auto order) {
    return pick_splitters(order, samples.records(), options.shards, &summary.distinct_splitters);
  });
  plan.shards = options.shards;  // an empty input has no splitters: its ranges stay empty
  save_plan(plan, options.plan_path);
  return summary;
}

}  // namespace samsort
