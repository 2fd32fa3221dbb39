// Progress work model and line formatter (pure functions).
#include "samsort/cli/progress_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <vector>

#include "samsort/core/config.hpp"

namespace samsort::progress {

namespace {

constexpr std::size_t kRead = static_cast<std::size_t>(Phase::kReading);
constexpr std::size_t kSpill = static_cast<std::size_t>(Phase::kSpilling);
constexpr std::size_t kMerge = static_cast<std::size_t>(Phase::kMerging);
constexpr std::size_t kWrite = static_cast<std::size_t>(Phase::kWriting);
constexpr double kNanos = 1e-9;
// The fraction shown before the job is done stays below this (so "100%" means done).
constexpr double kMaxUnfinishedFraction = 0.999;
// Measured costs may differ from the priors by at most this factor when scaling the priors.
constexpr double kMaxCalibration = 10;
// Rates are not shown for a phase that has run less than this.
constexpr double kMinRateSeconds = 0.05;
// The bar's width in columns (brackets included): at most, and the least worth drawing.
constexpr std::size_t kMaxBarColumns = 32;
constexpr std::size_t kMinBarColumns = 12;
constexpr const char* kPrefix = "samsort: ";

std::string printf_string(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string format_bytes(double bytes) {
  if (bytes >= 1e9) return printf_string("%.2f GB", bytes / 1e9);
  if (bytes >= 1e8) return printf_string("%.0f MB", bytes / 1e6);
  return printf_string("%.1f MB", bytes / 1e6);
}

double as_double(std::uint64_t value) { return static_cast<double>(value); }

// A field of the line and how long it is kept as the width shrinks (higher: kept longer).
struct Field {
  std::string text;
  int keep;
};

// "samsort: [bar] head, field, field": fields dropped lowest `keep` first until the line fits
// `width`; the bar is drawn only with room to spare; cut at `width` as a last resort.
std::string fit(const std::string& head, std::vector<Field> fields,
                std::optional<double> bar_fraction, std::size_t width) {
  auto assemble = [&] {
    std::string line = kPrefix + head;
    for (const Field& field : fields) line += ", " + field.text;
    return line;
  };
  std::string line = assemble();
  while (line.size() > width && !fields.empty()) {
    auto least = std::min_element(fields.begin(), fields.end(),
                                  [](const Field& a, const Field& b) { return a.keep < b.keep; });
    fields.erase(least);
    line = assemble();
  }
  if (bar_fraction && line.size() + kMinBarColumns + 1 <= width) {
    // A quarter of the width, so that the bar keeps its size from one line to the next.
    std::size_t steady = std::clamp(width / 4, kMinBarColumns, kMaxBarColumns);
    std::size_t columns = std::min(steady, width - line.size() - 1);
    std::size_t inner = columns - 2;
    auto filled = static_cast<std::size_t>(std::clamp(*bar_fraction, 0.0, 1.0) * as_double(inner));
    std::string bar(1, '[');  // appended piecewise: GCC 12 warns (-Wrestrict) on "[" + string
    bar.append(filled, '#').append(inner - filled, '-').append("] ");
    line.insert(std::string(kPrefix).size(), bar);
  }
  if (line.size() > width) line.resize(width);
  return line;
}

std::string percent_text(double fraction) {
  return printf_string("%.0f%%", std::floor(std::clamp(fraction, 0.0, 1.0) * 100));
}

}  // namespace

const char* phase_name(Phase phase) noexcept {
  switch (phase) {
    case Phase::kReading:
      return "reading";
    case Phase::kSpilling:
      return "spilling";
    case Phase::kMerging:
      return "merging";
    case Phase::kWriting:
      return "writing";
    case Phase::kDone:
      return "done";
  }
  return "?";
}

Costs prior_costs(int samtools_level, std::size_t threads) noexcept {
  int level = samtools_level < 0 ? config::kDefaultSamtoolsLevel : std::min(samtools_level, 9);
  double parallel =
      (1 - config::kProgressWriteSerialShare) / as_double(std::max<std::size_t>(1, threads));
  double write =
      config::kProgressWriteNanosPerByte[level] * (config::kProgressWriteSerialShare + parallel);
  return {config::kProgressReadNanosPerByte * kNanos, config::kProgressSpillNanosPerByte * kNanos,
          config::kProgressMergeNanosPerByte * kNanos, write * kNanos};
}

std::uint64_t merge_passes_for(std::uint64_t runs, std::uint64_t fan_in) noexcept {
  if (fan_in < 2) return 0;  // unknown
  std::uint64_t passes = 0;
  while (runs > fan_in) {
    runs = (runs + fan_in - 1) / fan_in;
    ++passes;
  }
  return passes;
}

Estimate estimate(const Snapshot& snapshot, const Costs& priors) noexcept {
  Estimate result;
  const auto& done = snapshot.done_bytes;
  Phase phase = snapshot.phase;
  if (phase != Phase::kDone) {
    auto current = static_cast<std::size_t>(phase);
    if (snapshot.phase_seconds[current] >= kMinRateSeconds) {
      result.bytes_per_second = as_double(done[current]) / snapshot.phase_seconds[current];
    }
  } else if (snapshot.elapsed_seconds > 0) {
    result.bytes_per_second = as_double(done[kRead]) / snapshot.elapsed_seconds;
  }
  if (snapshot.records_read > 0 && done[kRead] > 0) {
    result.records_per_second =
        result.bytes_per_second * as_double(snapshot.records_read) / as_double(done[kRead]);
  }

  // Total record bytes: exact once reading is over, else projected from the file's size.
  double total = 0;
  if (snapshot.input_done) {
    total = as_double(done[kRead]);
  } else if (snapshot.input_bytes > 0 && snapshot.input_bytes_consumed > 0) {
    double consumed = as_double(std::min(snapshot.input_bytes_consumed, snapshot.input_bytes));
    total = std::max(as_double(done[kRead]),
                     as_double(done[kRead]) * as_double(snapshot.input_bytes) / consumed);
  } else if (snapshot.input_bytes > 0) {
    // A file of known size, nothing consumed yet: 0% of it, no ETA yet.
    result.known = true;
    result.eta_seconds = std::numeric_limits<double>::quiet_NaN();
    return result;
  } else {
    return result;  // a pipe (or SAM/CRAM) still being read: nothing to project from
  }
  result.known = true;
  result.total_record_bytes = total;

  // Work per phase. Spills: what the runs begun hold; while reading, at least the part of the
  // input beyond one in-memory run (the last run stays in memory). Merge passes: the passes
  // the run count needs at the fan-in, each over every spilled byte; at least those begun.
  Costs work{};
  work[kRead] = total;
  work[kSpill] = as_double(snapshot.spill_planned_bytes);
  std::uint64_t runs = snapshot.runs_spilled;
  if (!snapshot.input_done && snapshot.run_capacity_bytes > 0) {
    work[kSpill] = std::max(work[kSpill], total - as_double(snapshot.run_capacity_bytes));
    auto projected =
        static_cast<std::uint64_t>(std::ceil(total / as_double(snapshot.run_capacity_bytes)));
    runs = std::max(runs, projected);
  }
  double passes = as_double(merge_passes_for(runs, snapshot.merge_fan_in));
  work[kMerge] = std::max(as_double(snapshot.merge_planned_bytes), passes * work[kSpill]);
  work[kWrite] = total;

  // Costs: measured where a phase has run long enough; the priors elsewhere, scaled by how
  // the measured phases compared with their priors (a slower machine is slower throughout).
  double measured_seconds = 0;
  double prior_seconds = 0;
  Costs costs = priors;
  std::array<bool, kWorkPhases> measured{};
  for (std::size_t idx = 0; idx < kWorkPhases; ++idx) {
    if (snapshot.phase_seconds[idx] >= config::kProgressMinMeasuredSeconds && done[idx] > 0) {
      measured[idx] = true;
      costs[idx] = snapshot.phase_seconds[idx] / as_double(done[idx]);
      measured_seconds += snapshot.phase_seconds[idx];
      prior_seconds += as_double(done[idx]) * priors[idx];
    }
  }
  double calibration = prior_seconds > 0 ? measured_seconds / prior_seconds : 1.0;
  calibration = std::clamp(calibration, 1 / kMaxCalibration, kMaxCalibration);
  double total_weight = 0;
  double done_weight = 0;
  for (std::size_t idx = 0; idx < kWorkPhases; ++idx) {
    if (!measured[idx]) costs[idx] *= calibration;
    double finished = std::min(as_double(done[idx]), work[idx]);
    total_weight += work[idx] * costs[idx];
    done_weight += finished * costs[idx];
  }
  if (phase == Phase::kDone) {
    result.fraction = 1;
    return result;
  }
  result.fraction = total_weight > 0 ? done_weight / total_weight : 0;
  result.fraction = std::min(result.fraction, kMaxUnfinishedFraction);
  result.eta_seconds = total_weight - done_weight;
  return result;
}

std::string format_line(const Snapshot& snapshot, const Estimate& estimate, double shown_fraction,
                        std::size_t width, bool bar) {
  const auto& done = snapshot.done_bytes;
  std::string head = phase_name(snapshot.phase);
  if (snapshot.phase == Phase::kSpilling) {
    head += printf_string(" run %.0f", as_double(snapshot.runs_spilled + 1));
  } else if (snapshot.phase == Phase::kMerging) {
    head += printf_string(" pass %.0f", as_double(snapshot.merge_passes));
  }
  if (estimate.known) head = percent_text(shown_fraction) + " " + head;

  std::vector<Field> fields;
  switch (snapshot.phase) {
    case Phase::kReading:
      fields.push_back({format_count(as_double(snapshot.records_read)) + " records", 3});
      break;
    case Phase::kSpilling:
      fields.push_back({format_bytes(as_double(done[kSpill])) + " spilled", 3});
      break;
    case Phase::kMerging:
      fields.push_back({format_bytes(as_double(done[kMerge])) + " of " +
                            format_bytes(as_double(snapshot.merge_planned_bytes)),
                        3});
      break;
    case Phase::kWriting:
    case Phase::kDone:
      fields.push_back({format_count(as_double(snapshot.records_written)) + "/" +
                            format_count(as_double(snapshot.records_read)) + " records",
                        3});
      break;
  }
  if (estimate.bytes_per_second > 0) {
    fields.push_back({printf_string("%.1f MB/s", estimate.bytes_per_second / 1e6), 4});
  }
  if (estimate.records_per_second > 0) {
    fields.push_back({format_count(estimate.records_per_second) + " rec/s", 2});
  }
  if (snapshot.runs_spilled > 0) {
    fields.push_back({format_count(as_double(snapshot.runs_spilled)) +
                          (snapshot.runs_spilled == 1 ? " run" : " runs"),
                      1});
  }
  if (estimate.known) fields.push_back({"ETA " + format_duration(estimate.eta_seconds), 5});
  std::optional<double> bar_fraction;
  if (bar && estimate.known) bar_fraction = shown_fraction;
  return fit(head, std::move(fields), bar_fraction, width);
}

std::string format_final_line(const Snapshot& snapshot, std::size_t width, bool bar) {
  double seconds = snapshot.elapsed_seconds;
  double bytes = as_double(snapshot.done_bytes[kRead]);
  double records = as_double(snapshot.records_read);
  std::vector<Field> fields;
  fields.push_back({format_count(records) + " records", 5});
  fields.push_back({format_bytes(bytes) + " in " + printf_string("%.1f s", seconds), 4});
  if (seconds > 0) {
    fields.push_back({printf_string("%.1f MB/s", bytes / seconds / 1e6), 3});
    fields.push_back({format_count(records / seconds) + " rec/s", 2});
  }
  std::optional<double> bar_fraction;
  if (bar) bar_fraction = 1.0;
  return fit("100% done", std::move(fields), bar_fraction, width);
}

std::string format_count(double count) {
  if (count < 1e3) return printf_string("%.0f", count);
  if (count < 1e6) return printf_string("%.1fk", count / 1e3);
  if (count < 1e9) return printf_string("%.2fM", count / 1e6);
  return printf_string("%.2fG", count / 1e9);
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  auto whole = static_cast<long long>(std::llround(seconds));
  char text[32];
  if (whole < 60) {
    std::snprintf(text, sizeof text, "%lld s", whole);
  } else if (whole < 3600) {
    std::snprintf(text, sizeof text, "%lldm%02llds", whole / 60, whole % 60);
  } else {
    std::snprintf(text, sizeof text, "%lldh%02lldm", whole / 3600, whole % 3600 / 60);
  }
  return text;
}

}  // namespace samsort::progress
