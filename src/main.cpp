// samsort entry point: select the allocator, parse options, run the job, report errors as one
// line "samsort: error: ..." with exit code 1 (runtime) or 2 (usage).
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <new>
#include <optional>

#include "samsort/cli/options.hpp"
#include "samsort/cli/stats.hpp"
#include "samsort/cli/verify.hpp"
#include "samsort/core/allocation_failure.hpp"
#include "samsort/core/allocator.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/core/signals.hpp"
#include "samsort/core/std_streams.hpp"
#include "samsort/dist/gather.hpp"
#include "samsort/dist/planner.hpp"
#include "samsort/merge/merge_job.hpp"
#include "samsort/sort/sort_job.hpp"
#include "samsort/version.hpp"

namespace {
// samtools users hit "too many open files"; take the hard limit up front (samsort itself keeps
// all runs in one file, but htslib, CRAM references and index files need descriptors too).
void raise_open_file_limit() noexcept {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}
// `samsort merge`: the budget fitted as for a sort, the merge, one summary line.
int merge_command(samsort::MergeOptions& options) {
  using namespace samsort;
  if (std::optional<std::string> warning =
          fit_budget_to_memory(options.common, probe_memory_environment())) {
    std::fprintf(stderr, "samsort: warning: %s\n", warning->c_str());
  }
  MergeSummary summary = run_merge(options);
  if (!options.common.quiet) {
    const std::string& output = options.common.output_path;
    std::fprintf(stderr,
                 "samsort: merged %llu records from %zu files in %.2f s to %s%s: budget %.0f "
                 "MiB, accounted peak %.1f MiB, peak RSS %.1f MiB (%s)\n",
                 static_cast<unsigned long long>(summary.records), summary.inputs, summary.seconds,
                 output == "-" ? "stdout" : output.c_str(),
                 summary.output_in_place ? " (written in place, not atomic)" : "",
                 static_cast<double>(summary.budget_bytes) / (1 << 20),
                 static_cast<double>(summary.accounted_peak_bytes) / (1 << 20),
                 static_cast<double>(peak_rss_bytes()) / (1 << 20), allocator::live_name());
  }
  return 0;
}

// `samsort plan`: the plan of a distributed sort, one summary line.
int plan_command(samsort::PlanOptions& options, samsort::SortOptions& budget) {
  using namespace samsort;
  if (std::optional<std::string> warning =
          fit_budget_to_memory(budget, probe_memory_environment())) {
    std::fprintf(stderr, "samsort: warning: %s\n", warning->c_str());
  }
  options.memory_bytes = budget.memory_bytes;
  PlanSummary summary = make_plan(options);
  if (!budget.quiet) {
    std::fprintf(stderr,
                 "samsort: planned %zu slices (%zu empty) and %zu ranges (%zu distinct "
                 "splitters) from %zu sampled records%s to %s\n",
                 options.slices, summary.empty_slices, options.shards, summary.distinct_splitters,
                 summary.samples, summary.read_whole ? " (whole input read)" : "",
                 options.plan_path.c_str());
  }
  return 0;
}

// `samsort gather`: the distributed sort's output put together, one summary line.
int gather_command(samsort::GatherOptions& options, samsort::SortOptions& budget) {
  using namespace samsort;
  if (std::optional<std::string> warning =
          fit_budget_to_memory(budget, probe_memory_environment())) {
    std::fprintf(stderr, "samsort: warning: %s\n", warning->c_str());
  }
  options.memory_bytes = budget.memory_bytes;
  GatherSummary summary = run_gather(options);
  if (!budget.quiet) {
    std::fprintf(stderr,
                 "samsort: gathered %llu records from %zu range parts in %.2f s to %s (%llu "
                 "bytes); peak RSS %.1f MiB\n",
                 static_cast<unsigned long long>(summary.records), options.range_parts.size(),
                 summary.seconds, options.output_path.c_str(),
                 static_cast<unsigned long long>(summary.bytes),
                 static_cast<double>(peak_rss_bytes()) / (1 << 20));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace samsort;
  // Before anything is opened (the allocator's re-exec included): a closed stderr must not
  // become the output file.
  ensure_standard_streams_open();
  // Under `ulimit -f` a write past the limit raises SIGXFSZ, which kills silently and leaves
  // the temporary files; ignored, the write fails with EFBIG: one error line and the cleanup.
  std::signal(SIGXFSZ, SIG_IGN);
  allocator::ensure_requested(argc, argv);
  // Before any thread starts: an allocation failure anywhere ends as one line and exit 1.
  allocation_failure::install_handlers();
  raise_open_file_limit();
  signals::install_cleanup_handlers();
  try {
    ParsedCommand command = parse_command_line(argc, argv);
    switch (command.kind) {
      case ParsedCommand::Kind::kHelp:
        std::fputs(command.help_text.c_str(), stdout);
        return 0;
      case ParsedCommand::Kind::kVersion:
        std::printf("samsort %s (allocator: %s)\n", kVersion, allocator::live_name());
        return 0;
      case ParsedCommand::Kind::kVerify: {
        VerifyResult result = verify_order(command.verify);
        if (!result.sorted) {
          std::fprintf(stderr, "samsort verify: %s\n", result.message.c_str());
          return 1;
        }
        std::fprintf(stderr, "samsort verify: %llu records in order\n",
                     static_cast<unsigned long long>(result.records));
        return 0;
      }
      case ParsedCommand::Kind::kMerge:
        return merge_command(command.merge);
      case ParsedCommand::Kind::kPlan:
        return plan_command(command.plan, command.sort);
      case ParsedCommand::Kind::kGather:
        return gather_command(command.gather, command.sort);
      case ParsedCommand::Kind::kSort:
        break;
    }
    // The budget fitted to the memory the job really has (cgroup, ulimit -v), before any work.
    if (std::optional<std::string> warning =
            fit_budget_to_memory(command.sort, probe_memory_environment())) {
      std::fprintf(stderr, "samsort: warning: %s\n", warning->c_str());
    }
    const SortOptions& options = command.sort;
    std::optional<StatsFile> stats;  // before the sort: an unusable path fails before reading
    if (!options.stats_path.empty()) stats.emplace(options.stats_path, options);
    SortSummary summary = run_sort(options, stats ? &*stats : nullptr);
    if (!options.quiet) {
      std::fprintf(stderr,
                   "samsort: sorted %llu records in %.2f s to %s%s: %llu spilled runs, %llu "
                   "merge passes, budget %.0f MiB, accounted peak %.1f MiB, peak RSS %.1f MiB "
                   "(%s); phases: read %.2f s, sort %.2f s, spill %.2f s, merge/write %.2f s\n",
                   static_cast<unsigned long long>(summary.records), summary.seconds,
                   options.output_path == "-" ? "stdout" : options.output_path.c_str(),
                   summary.output_in_place ? " (written in place, not atomic)" : "",
                   static_cast<unsigned long long>(summary.runs),
                   static_cast<unsigned long long>(summary.merge_passes),
                   static_cast<double>(summary.budget_bytes) / (1 << 20),
                   static_cast<double>(summary.accounted_peak_bytes) / (1 << 20),
                   static_cast<double>(peak_rss_bytes()) / (1 << 20), allocator::live_name(),
                   summary.read_seconds, summary.sort_seconds, summary.spill_seconds,
                   summary.merge_seconds);
    }
    return 0;
  } catch (const Error& error) {
    std::fprintf(stderr, "samsort: error: %s\n", error.what());
    return error.exit_code();
  } catch (const std::exception& error) {
    // std::bad_alloc and threads that could not start: "out of memory: ..." with the limit.
    std::fprintf(stderr, "samsort: error: %s\n", allocation_failure::message_for(error).c_str());
    return 1;
  }
}
