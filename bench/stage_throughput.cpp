// Single-thread throughput of each stage of samsort's pipeline, measured with samsort's own
// code (coordinate order) on one BAM: inflate (the BGZF reader's worker), parse+pack (what
// the reading thread does per record: copy into the arena, checksum, sort entry), fresh-page
// zeroing of the arena, radix sort, gather (records copied in sorted order), the record
// checksum, the spill codec (zstd 1 on 64 KiB blocks, both ways), the loser-tree merge of k
// sorted runs (records copied out; the runs lie in memory, so no decoding), and BGZF deflate at
// samtools levels 0 (-u), 1 and 6. Every stage runs on one thread; CPU seconds of that thread
// (inflate: the process's CPU beside the reading thread's, as the reader inflates on a worker).
//
// build: cmake -DSAMSORT_BENCH=ON ... && cmake --build build --target samsort_stage_bench
// usage: samsort_stage_bench in.bam
// output: one line per stage: stage=NAME cpu_s=S records_per_s=R record_mb_per_s=M
//         and a first line: records=N record_bytes=B input_bytes=I
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <vector>

#include "samsort/bam/bam_record.hpp"
#include "samsort/bam/record_checksum.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/io/bgzf_block.hpp"
#include "samsort/io/block_codec.hpp"
#include "samsort/io/record_source.hpp"
#include "samsort/io/record_stream.hpp"
#include "samsort/merge/merger.hpp"
#include "samsort/order/coordinate_key.hpp"
#include "samsort/sort/record_arena.hpp"
#include "samsort/sort/run_sorter.hpp"

namespace samsort {
namespace {

using Entry = CoordinateOrder::Entry;

double cpu_seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double thread_cpu() { return cpu_seconds(CLOCK_THREAD_CPUTIME_ID); }
double process_cpu() { return cpu_seconds(CLOCK_PROCESS_CPUTIME_ID); }

std::uint64_t g_records = 0;
std::uint64_t g_record_bytes = 0;

void report(const char* stage, double seconds, double record_fraction = 1.0) {
  double records = static_cast<double>(g_records) * record_fraction;
  double megabytes = static_cast<double>(g_record_bytes) * record_fraction / 1e6;
  std::printf("stage=%s cpu_s=%.3f records_per_s=%.0f record_mb_per_s=%.1f\n", stage, seconds,
              records / seconds, megabytes / seconds);
  std::fflush(stdout);
}

// The records in sorted order, cut into 64 KiB payload blocks as a BgzfWriter cuts them.
class BlockCutter {
 public:
  template <class Fn>
  void add(const std::uint8_t* record, std::size_t bytes, Fn&& full) {
    while (bytes > 0) {
      std::size_t step = std::min(bytes, block_.size() - used_);
      std::memcpy(block_.data() + used_, record, step);
      used_ += step;
      record += step;
      bytes -= step;
      if (used_ == block_.size()) {
        full(block_.data(), used_);
        used_ = 0;
      }
    }
  }
  template <class Fn>
  void finish(Fn&& full) {
    if (used_ > 0) full(block_.data(), used_);
    used_ = 0;
  }

 private:
  std::vector<std::uint8_t> block_ = std::vector<std::uint8_t>(config::kBgzfMaxPayloadBytes);
  std::size_t used_ = 0;
};

int run(const char* path) {
  struct stat info {};
  if (stat(path, &info) != 0) {
    std::fprintf(stderr, "cannot stat %s\n", path);
    return 1;
  }
  auto input_bytes = static_cast<std::size_t>(info.st_size);
  // A BAM's records take about 3x its bytes; entries and scratch 32 bytes per record.
  std::size_t arena_bytes = input_bytes * 5 + (std::size_t{64} << 20);
  MemoryBudget budget(arena_bytes + (std::size_t{1} << 30));
  MappedBuffer region(budget, arena_bytes, "arena");

  // Fresh-page zeroing: the kernel's cost of the arena's first touch (the reading thread pays
  // it unless the arena is prefaulted).
  double started = thread_cpu();
  madvise(region.data(), region.size(), MADV_POPULATE_WRITE);
  double zero_seconds = thread_cpu() - started;

  InputSettings settings;
  settings.path = path;
  settings.threads = 1;
  std::unique_ptr<RecordSource> source = open_record_source(settings, budget);
  CoordinateOrder order(static_cast<std::uint64_t>(source->header().reference_count()));
  RecordArena arena(region.data(), region.size(), sizeof(Entry));
  RecordChecksum checksum_in;
  double process_started = process_cpu();
  started = thread_cpu();
  while (std::size_t record_bytes = source->next_record_bytes()) {
    std::uint8_t* slot = arena.reserve_record(record_bytes);
    if (slot == nullptr) {
      std::fprintf(stderr, "arena too small\n");
      return 1;
    }
    source->read_record(slot);
    checksum_in.add(slot, record_bytes);
    std::uint64_t offset = arena.commit(record_bytes);
    reinterpret_cast<Entry*>(arena.entries())[arena.count() - 1] = order.make_entry(slot, offset);
  }
  double pack_seconds = thread_cpu() - started;
  double inflate_seconds = process_cpu() - process_started - pack_seconds;
  g_records = arena.count();
  g_record_bytes = arena.record_bytes_used();
  std::printf("records=%llu record_bytes=%llu input_bytes=%zu\n",
              static_cast<unsigned long long>(g_records),
              static_cast<unsigned long long>(g_record_bytes), input_bytes);
  report("inflate", inflate_seconds);
  report("parse_pack", pack_seconds);
  report("page_zeroing",
         zero_seconds * static_cast<double>(g_record_bytes) / static_cast<double>(region.size()));

  auto* entries = reinterpret_cast<Entry*>(arena.entries());
  std::size_t count = arena.count();
  std::vector<Entry> unsorted(entries, entries + count);  // for the merge runs below
  auto* scratch = reinterpret_cast<Entry*>(arena.scratch());
  started = thread_cpu();
  Entry* sorted = radix_sort_entries<CoordinateOrder>(entries, scratch, count, 1);
  report("radix_sort", thread_cpu() - started);
  const std::uint8_t* top = arena.top();

  BlockCutter cutter;
  std::vector<std::vector<std::uint8_t>> blocks;  // the sorted payload, for the codecs
  started = thread_cpu();
  for (std::size_t idx = 0; idx < count; ++idx) {
    if (idx + config::kGatherPrefetchDistance < count) {
      __builtin_prefetch(top -
                         CoordinateOrder::offset_of(sorted[idx + config::kGatherPrefetchDistance]));
    }
    const std::uint8_t* record = top - CoordinateOrder::offset_of(sorted[idx]);
    cutter.add(record, bam::record_bytes(record), [](const std::uint8_t*, std::size_t) {});
  }
  cutter.finish([](const std::uint8_t*, std::size_t) {});
  report("gather", thread_cpu() - started);
  for (std::size_t idx = 0; idx < count; ++idx) {
    const std::uint8_t* record = top - CoordinateOrder::offset_of(sorted[idx]);
    cutter.add(record, bam::record_bytes(record),
               [&](const std::uint8_t* block, std::size_t bytes) {
                 blocks.emplace_back(block, block + bytes);
               });
  }
  cutter.finish([&](const std::uint8_t* block, std::size_t bytes) {
    blocks.emplace_back(block, block + bytes);
  });

  RecordChecksum checksum_out;
  started = thread_cpu();
  for (std::size_t idx = 0; idx < count; ++idx) {
    const std::uint8_t* record = top - CoordinateOrder::offset_of(sorted[idx]);
    checksum_out.add(record, bam::record_bytes(record));
  }
  report("checksum_sorted_order", thread_cpu() - started);
  if (!(checksum_in == checksum_out)) std::fprintf(stderr, "checksum mismatch\n");
  // The same over records lying back to back (as the merge meets them in its read buffers).
  RecordChecksum checksum_hot;
  started = thread_cpu();
  for (const std::uint8_t* record = top - arena.record_bytes_used(); record < top;
       record += bam::record_bytes(record)) {
    checksum_hot.add(record, bam::record_bytes(record));
  }
  report("checksum", thread_cpu() - started);

  // The parallel final merge hands each compressed block to the output writer by copying it
  // into a ring slot, one range (so one thread) at a time: at -u that is every record byte.
  {
    std::vector<std::uint8_t> slot(config::kBgzfMaxBlockBytes);
    std::uint64_t sink = 0;
    started = thread_cpu();
    for (const auto& block : blocks) {
      std::memcpy(slot.data(), block.data(), block.size());
      sink += slot[block.size() / 2];
    }
    report("block_handoff_copy", thread_cpu() - started);
    if (sink == 1) std::fprintf(stderr, " ");  // keeps the copies
  }

  // Spill codec: zstd 1 (the default --temp-compression), each block on its own.
  std::vector<std::uint8_t> out(config::kBgzfMaxBlockBytes);
  std::vector<std::uint8_t> payload(config::kBgzfMaxBlockBytes);
  {
    BlockCompressor compressor(BlockCodec{BlockFormat::kZstd, 1});
    std::vector<std::vector<std::uint8_t>> compressed;
    std::size_t compressed_bytes = 0;
    started = thread_cpu();
    for (const auto& block : blocks) {
      std::size_t bytes = compressor.compress(block.data(), block.size(), out.data());
      compressed.emplace_back(out.begin(), out.begin() + static_cast<long>(bytes));
      compressed_bytes += bytes;
    }
    report("spill_compress_zstd1", thread_cpu() - started);
    BlockDecoder decoder(BlockFormat::kZstd);
    started = thread_cpu();
    for (const auto& block : compressed) {
      std::size_t bytes = 0;
      decoder.decode(block.data(), block.size(), payload.data(), &bytes);
    }
    report("spill_decompress_zstd1", thread_cpu() - started);
    std::printf("spill_ratio=%.3f\n",
                static_cast<double>(compressed_bytes) / static_cast<double>(g_record_bytes));
  }

  // Merge: the input cut into k runs in input order, each sorted, then one loser tree.
  for (std::size_t runs : {8, 32}) {
    std::vector<Entry> run_entries = unsorted;
    std::vector<Entry> run_scratch(count);
    std::vector<std::unique_ptr<MemoryRunStream<CoordinateOrder>>> owned;
    std::vector<RecordStream*> streams;
    for (std::size_t run = 0; run < runs; ++run) {
      std::size_t begin = count * run / runs;
      std::size_t end = count * (run + 1) / runs;
      Entry* result = radix_sort_entries<CoordinateOrder>(
          run_entries.data() + begin, run_scratch.data() + begin, end - begin, 1);
      if (result != run_entries.data() + begin) {
        std::copy(result, result + (end - begin), run_entries.data() + begin);
      }
      owned.push_back(std::make_unique<MemoryRunStream<CoordinateOrder>>(
          order, run_entries.data() + begin, end - begin, top));
      streams.push_back(owned.back().get());
    }
    started = thread_cpu();
    LoserTree<CoordinateOrder> tree(order, streams);
    std::uint64_t merged = 0;
    while (const std::uint8_t* record = tree.top_whole()) {
      cutter.add(record, bam::record_bytes(record), [](const std::uint8_t*, std::size_t) {});
      ++merged;
      tree.pop();
    }
    cutter.finish([](const std::uint8_t*, std::size_t) {});
    char name[32];
    std::snprintf(name, sizeof name, "merge_%zu_runs", runs);
    report(name, thread_cpu() - started);
    if (merged != count) std::fprintf(stderr, "merge lost records\n");
  }

  for (int level : {0, 1, 6}) {
    BlockCompressor compressor(
        BlockCodec{BlockFormat::kBgzf, libdeflate_level_for_samtools_level(level)});
    std::size_t compressed_bytes = 0;
    started = thread_cpu();
    for (const auto& block : blocks) {
      compressed_bytes += compressor.compress(block.data(), block.size(), out.data());
    }
    char name[32];
    std::snprintf(name, sizeof name, "deflate_level_%d", level);
    report(name, thread_cpu() - started);
    std::printf("deflate_level_%d_ratio=%.3f\n", level,
                static_cast<double>(compressed_bytes) / static_cast<double>(g_record_bytes));
  }
  return 0;
}

}  // namespace
}  // namespace samsort

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: samsort_stage_bench in.bam\n");
    return 2;
  }
  try {
    return samsort::run(argv[1]);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "samsort_stage_bench: %s\n", error.what());
    return 1;
  }
}
