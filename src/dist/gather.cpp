// The gather: checks, header, parts, EOF marker, merged index, committed together.
#include "samsort/dist/gather.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <memory>
#include <type_traits>
#include <vector>

#include "samsort/bam/bam_header.hpp"
#include "samsort/bam/index_merge.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/core/signals.hpp"
#include "samsort/dist/manifest.hpp"
#include "samsort/dist/plan.hpp"
#include "samsort/io/bgzf_block.hpp"
#include "samsort/io/file_io.hpp"
#include "samsort/io/output_file.hpp"
#include "samsort/io/record_sink.hpp"
#include "samsort/io/record_source.hpp"
#include "samsort/order/order_dispatch.hpp"
#include "samsort/version.hpp"

namespace samsort {

namespace {

constexpr std::size_t kCopyBytes = 4 << 20;

struct Totals {
  std::uint64_t records = 0;
  std::uint64_t checksum = 0;  // wrapping sum, as RecordChecksum adds
};

// Every slice once: their records and checksum summed.
Totals slice_totals(const GatherOptions& options, const SortPlan& plan) {
  std::vector<bool> seen(plan.slices.size(), false);
  Totals totals;
  for (const std::string& path : options.slice_manifests) {
    PieceManifest manifest = read_manifest(path);
    if (manifest.kind != "slice" || manifest.index >= seen.size() ||
        manifest.shards != plan.shards) {
      throw Error(path + ": not a slice manifest of this plan");
    }
    if (seen[manifest.index]) {
      throw Error(path + ": slice " + std::to_string(manifest.index) + " given twice");
    }
    seen[manifest.index] = true;
    totals.records += manifest.records;
    totals.checksum += manifest.checksum;
  }
  for (std::size_t idx = 0; idx < seen.size(); ++idx) {
    if (!seen[idx]) throw Error("the manifest of slice " + std::to_string(idx) + " is missing");
  }
  return totals;
}

// Every range once and in order, each part the size its manifest says.
Totals range_totals(const GatherOptions& options, const SortPlan& plan,
                    std::vector<std::uint64_t>* part_bytes) {
  if (options.range_parts.size() != plan.shards) {
    throw UsageError("give the " + std::to_string(plan.shards) + " range parts in order (got " +
                     std::to_string(options.range_parts.size()) + ")");
  }
  Totals totals;
  for (std::size_t idx = 0; idx < options.range_parts.size(); ++idx) {
    const std::string& part = options.range_parts[idx];
    PieceManifest manifest = read_manifest(range_manifest_path(part));
    if (manifest.kind != "range" || manifest.index != idx || manifest.shards != plan.shards) {
      throw Error(part + ": not range " + std::to_string(idx) + " of this plan");
    }
    std::uint64_t bytes = 0;
    std::int64_t mtime_ns = 0;
    file_identity(part, &bytes, &mtime_ns);
    if (bytes != manifest.bytes) {
      throw Error(part + ": " + std::to_string(bytes) + " bytes where its manifest says " +
                  std::to_string(manifest.bytes));
    }
    part_bytes->push_back(bytes);
    totals.records += manifest.records;
    totals.checksum += manifest.checksum;
  }
  return totals;
}

// Appends `path` to `output` at `offset` (positional for a staged file, else in sequence).
void append_file(const std::string& path, const OutputFile& output, std::uint64_t offset,
                 std::uint8_t* buffer) {
  FileDescriptor input(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!input.valid()) throw IoError(path, "cannot open", errno);
  for (;;) {
    ssize_t got = read(input.get(), buffer, kCopyBytes);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw IoError(path, "read failed", errno);
    if (got == 0) break;
    auto bytes = static_cast<std::size_t>(got);
    if (output.is_staged()) {
      pwrite_fully(output.fd(), buffer, bytes, offset, output.path());
    } else {
      write_fully(output.fd(), buffer, bytes, output.path());
    }
    offset += bytes;
  }
}

}  // namespace

std::string fragment_path(const std::string& part, bool csi) {
  return part + (csi ? ".csi" : ".bai");
}

std::string range_manifest_path(const std::string& part) { return part + ".manifest"; }

GatherSummary run_gather(const GatherOptions& options) {
  auto started = std::chrono::steady_clock::now();
  SortPlan plan = load_plan(options.plan_path);
  check_plan_input(plan);
  Totals read = slice_totals(options, plan);
  std::vector<std::uint64_t> part_bytes;
  Totals written = range_totals(options, plan, &part_bytes);
  if (read.records != written.records || read.checksum != written.checksum) {
    throw Error("the range parts do not hold the slices' records (read " +
                std::to_string(read.records) + ", parts hold " + std::to_string(written.records) +
                (read.records == written.records ? ", checksums differ" : "") +
                "); no output written");
  }
  MemoryBudget budget(std::max(options.memory_bytes, config::kSmallBudgetFloorBytes));
  InputSettings settings;
  settings.path = plan.input_path;
  std::unique_ptr<RecordSource> source = open_record_source(settings, budget);
  BamHeader& header = source->header();
  bool indexable = false;
  // Inside the call: the tags may point into the order object (a tag order's SS text).
  with_order(plan.order, plan.sort_tag, header, [&header, &indexable](const auto& order) {
    header.set_sort_tags(order.header_tags());
    indexable = std::decay_t<decltype(order)>::kIndexable;
  });
  if (options.write_program_line) header.add_program_line(kVersion, options.command_line);
  std::string index_path = options.index_path;
  if (options.write_index && !indexable) {  // as sort: only coordinate order is indexed
    std::fprintf(stderr,
                 "samsort: warning: --write-index needs coordinate order; no index written\n");
  }
  if (options.write_index && indexable && index_path.empty()) {
    index_path = options.output_path + (options.index_csi ? ".csi" : ".bai");
  }
  if (!index_path.empty()) resolve_destination(index_path);
  OutputFile output(options.output_path);

  OutputSettings piece;
  piece.format = OutputFormat::kBam;
  piece.samtools_level = options.samtools_level;
  piece.threads = options.threads;
  piece.piece = OutputSettings::Piece::kHeaderOnly;
  std::uint64_t header_bytes = open_record_sink(piece, output, header, budget)->finish();
  std::uint64_t offset = header_bytes;
  {
    MappedBuffer buffer(budget, kCopyBytes, "gather copy buffer");
    for (std::size_t idx = 0; idx < options.range_parts.size(); ++idx) {
      append_file(options.range_parts[idx], output, offset, buffer.data());
      offset += part_bytes[idx];
    }
  }
  if (output.is_staged()) {
    pwrite_fully(output.fd(), kBgzfEofBlock, sizeof kBgzfEofBlock, offset, output.path());
  } else {
    write_fully(output.fd(), kBgzfEofBlock, sizeof kBgzfEofBlock, output.path());
  }
  offset += sizeof kBgzfEofBlock;
  std::unique_ptr<OutputFile> index;
  if (!index_path.empty()) {
    std::vector<IndexFragment> fragments;
    for (std::size_t idx = 0; idx < options.range_parts.size(); ++idx) {
      fragments.push_back(IndexFragment{fragment_path(options.range_parts[idx], options.index_csi),
                                        part_bytes[idx]});
    }
    index = std::make_unique<OutputFile>(index_path);
    merge_index_fragments(fragments, header_bytes, index->write_path(), budget);
    index->finish();
  }
  output.finish();
  {
    signals::CleanupGuard guard;  // a signal finds everything committed or nothing
    if (index) index->commit();
    output.commit();
  }
  GatherSummary summary;
  summary.records = written.records;
  summary.bytes = offset;
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace samsort
