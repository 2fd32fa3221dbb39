// Progress on stderr for `samsort sort`, one line for the whole job (read, spills, merge
// passes, write) with percentage, ETA and rates (progress_model.hpp). The sort thread only
// publishes counters (relaxed atomics, refreshed every kProgressPublishRecords records, and at
// each phase change); a timer thread reads them and draws. On a terminal the line is redrawn
// in place ("\r", erase to end of line, never wider than the terminal); without one (--progress
// to a log) a plain line is printed every kProgressLogMilliseconds, never a "\r" or escape.
#pragma once
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "samsort/cli/progress_model.hpp"
#include "samsort/core/config.hpp"

namespace samsort {

struct ProgressSettings {
  bool enabled = false;           // draw at all
  std::uint64_t input_bytes = 0;  // size of the input file; 0 if unknown (a pipe)
  int samtools_level = -1;        // output level, samtools' scale (-1 = default): write's cost
  std::size_t threads = 1;        // worker threads (compression is spread over them)
  int interval_milliseconds = 0;  // > 0: draw this often instead of config's intervals
};

class Progress {
 public:
  // Starts the timer thread when enabled; nothing is drawn before the first interval.
  explicit Progress(const ProgressSettings& settings);
  // Stops drawing; a line left on a terminal (the job failed) is erased. Never throws.
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Everything below is called by the sort thread only.

  // What one in-memory run holds: the arena's size and its cost per record beyond the record
  // (sort entries), for the spill estimate; how many runs one merge takes, for the passes.
  void set_run_capacity(std::uint64_t arena_bytes, std::uint64_t bytes_per_record,
                        std::uint64_t merge_fan_in) noexcept;
  // Prints `message` (one line, newline included) on stderr, first erasing the progress line
  // when one is on a terminal (it is redrawn at the next interval). Any thread; never throws.
  void warn(const std::string& message) noexcept;
  // Per record read: `records` read so far, this record's size, compressed input bytes
  // consumed so far (0 when the reader cannot tell). A few stores every so many records.
  void reading(std::uint64_t records, std::size_t record_bytes,
               std::uint64_t input_consumed) noexcept {
    if (!enabled_) return;
    read_records_ = records;
    read_bytes_ += record_bytes;
    if ((records & kPublishMask) == 0) publish_read(input_consumed);
  }
  // Per record spilled, merged or written, in the current phase.
  void processed(std::size_t record_bytes) noexcept {
    if (!enabled_) return;
    std::size_t phase = static_cast<std::size_t>(phase_);
    local_bytes_[phase] += record_bytes;
    if ((++local_records_[phase] & kPublishMask) == 0) publish_processed();
  }
  // Phase changes: a spill of `record_bytes` (end_spill returns to the phase before it), an
  // intermediate merge pass over `record_bytes`, the final write.
  void begin_spill(std::uint64_t record_bytes);
  void end_spill();
  void begin_merge_pass(std::uint64_t record_bytes);
  void begin_write();
  // The job succeeded: draws the closing line (100%, total time, mean rates), stops drawing.
  void finish();

 private:
  static constexpr std::uint64_t kPublishMask = config::kProgressPublishRecords - 1;
  using Clock = std::chrono::steady_clock;

  void publish_read(std::uint64_t input_consumed) noexcept;
  void publish_processed() noexcept;
  void enter(progress::Phase phase);
  progress::Snapshot snapshot();
  void draw_loop();
  void draw();
  void stop_drawing() noexcept;

  bool enabled_;
  bool terminal_ = false;  // stderr is a terminal: redraw in place
  std::uint64_t input_bytes_;
  progress::Costs priors_{};
  std::chrono::milliseconds interval_{};
  Clock::time_point started_;

  // Sort thread's own running totals, published to the atomics below.
  progress::Phase phase_ = progress::Phase::kReading;
  std::uint64_t read_records_ = 0;
  std::uint64_t read_bytes_ = 0;
  // Per phase, kDone included (nothing is processed then; the slot keeps indexing simple).
  std::array<std::uint64_t, progress::kWorkPhases + 1> local_bytes_{};
  std::array<std::uint64_t, progress::kWorkPhases + 1> local_records_{};

  // Read by the timer thread.
  std::atomic<std::uint64_t> records_read_{0};
  std::atomic<std::uint64_t> input_consumed_{0};
  std::array<std::atomic<std::uint64_t>, progress::kWorkPhases> done_bytes_{};
  std::atomic<std::uint64_t> records_written_{0};

  std::mutex state_mutex_;  // guards the phase state: changed rarely, read each draw
  struct PhaseState {
    progress::Phase phase = progress::Phase::kReading;
    progress::Phase before_spill = progress::Phase::kReading;
    bool input_done = false;
    Clock::time_point phase_started;
    std::array<double, progress::kWorkPhases> phase_seconds{};
    std::uint64_t arena_bytes = 0;
    std::uint64_t bytes_per_record = 0;
    std::uint64_t merge_fan_in = 0;
    std::uint64_t runs_spilled = 0;
    std::uint64_t merge_passes = 0;
    std::uint64_t spill_planned_bytes = 0;
    std::uint64_t merge_planned_bytes = 0;
  } state_;

  // Drawing: the timer thread until stop_drawing(), then finish() on the sort thread.
  double shown_fraction_ = 0;  // never decreases
  std::mutex screen_mutex_;    // one writer of stderr at a time: drawing or a warning
  bool line_on_screen_ = false;
  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
  std::thread drawer_;
};

}  // namespace samsort
