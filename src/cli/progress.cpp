// Progress counters, the timer thread and the terminal or log writer.
#include "samsort/cli/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace samsort {

namespace {

using progress::Phase;

// Columns assumed when stderr is a terminal that does not report its size.
constexpr std::size_t kFallbackColumns = 80;
// A plain (log) line has no terminal to fit; this only bounds it.
constexpr std::size_t kLogColumns = 1000;
constexpr const char* kClearLine = "\r\033[K";

// Terminal width, read at every draw (so a resize is followed), less the last column: a line
// that fills the last column leaves some terminals' cursor waiting to wrap.
std::size_t terminal_columns() noexcept {
  winsize size{};
  std::size_t columns = kFallbackColumns;
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) columns = size.ws_col;
  return columns > 1 ? columns - 1 : 1;
}

// One write(2) per line, so that the line is not split by other output; errors are ignored
// (progress must never fail the sort).
void write_stderr(const std::string& text) noexcept {
  std::size_t written = 0;
  while (written < text.size()) {
    ssize_t result = write(STDERR_FILENO, text.data() + written, text.size() - written);
    if (result < 0 && errno == EINTR) continue;
    if (result <= 0) return;
    written += static_cast<std::size_t>(result);
  }
}

}  // namespace

Progress::Progress(const ProgressSettings& settings)
    : enabled_(settings.enabled),
      input_bytes_(settings.input_bytes),
      priors_(progress::prior_costs(settings.samtools_level, settings.threads)),
      started_(Clock::now()) {
  state_.phase_started = started_;
  if (!enabled_) return;
  terminal_ = isatty(STDERR_FILENO) != 0;
  int milliseconds = settings.interval_milliseconds;
  if (milliseconds <= 0) {
    milliseconds =
        terminal_ ? config::kProgressRedrawMilliseconds : config::kProgressLogMilliseconds;
  }
  interval_ = std::chrono::milliseconds(milliseconds);
  drawer_ = std::thread([this] { draw_loop(); });
}

Progress::~Progress() {
  stop_drawing();
  std::lock_guard lock(screen_mutex_);
  if (terminal_ && line_on_screen_) write_stderr(kClearLine);
}

void Progress::set_run_capacity(std::uint64_t arena_bytes, std::uint64_t bytes_per_record,
                                std::uint64_t merge_fan_in) noexcept {
  std::lock_guard lock(state_mutex_);
  state_.arena_bytes = arena_bytes;
  state_.bytes_per_record = bytes_per_record;
  state_.merge_fan_in = merge_fan_in;
}

void Progress::warn(const std::string& message) noexcept {
  std::lock_guard lock(screen_mutex_);
  if (terminal_ && line_on_screen_) {
    write_stderr(kClearLine + message);
    line_on_screen_ = false;
  } else {
    write_stderr(message);
  }
}

void Progress::publish_read(std::uint64_t input_consumed) noexcept {
  records_read_.store(read_records_, std::memory_order_relaxed);
  input_consumed_.store(input_consumed, std::memory_order_relaxed);
  done_bytes_[0].store(read_bytes_, std::memory_order_relaxed);
}

void Progress::publish_processed() noexcept {
  auto phase = static_cast<std::size_t>(phase_);
  if (phase >= progress::kWorkPhases) return;
  done_bytes_[phase].store(local_bytes_[phase], std::memory_order_relaxed);
  if (phase_ == Phase::kWriting) {
    records_written_.store(local_records_[phase], std::memory_order_relaxed);
  }
}

void Progress::enter(Phase phase) {
  if (!enabled_) return;
  // Counters are published only every so many records: bring them up to date.
  if (phase_ == Phase::kReading) {
    publish_read(input_consumed_.load(std::memory_order_relaxed));
  } else {
    publish_processed();
  }
  std::lock_guard lock(state_mutex_);
  auto now = Clock::now();
  if (state_.phase != Phase::kDone) {
    state_.phase_seconds[static_cast<std::size_t>(state_.phase)] +=
        std::chrono::duration<double>(now - state_.phase_started).count();
  }
  state_.phase_started = now;
  state_.phase = phase;
  if (phase == Phase::kMerging || phase == Phase::kWriting || phase == Phase::kDone) {
    state_.input_done = true;
  }
  phase_ = phase;
}

void Progress::begin_spill(std::uint64_t record_bytes) {
  if (!enabled_) return;
  Phase before = phase_;
  enter(Phase::kSpilling);
  std::lock_guard lock(state_mutex_);
  state_.before_spill = before;
  state_.spill_planned_bytes += record_bytes;
}

void Progress::end_spill() {
  if (!enabled_) return;
  Phase before;
  {
    std::lock_guard lock(state_mutex_);
    ++state_.runs_spilled;
    before = state_.before_spill;
  }
  enter(before);
}

void Progress::begin_merge_pass(std::uint64_t record_bytes) {
  if (!enabled_) return;
  enter(Phase::kMerging);
  std::lock_guard lock(state_mutex_);
  ++state_.merge_passes;
  state_.merge_planned_bytes += record_bytes;
}

void Progress::begin_write() { enter(Phase::kWriting); }

void Progress::finish() {
  if (!enabled_ || phase_ == Phase::kDone) return;
  enter(Phase::kDone);
  stop_drawing();
  std::size_t width = terminal_ ? terminal_columns() : kLogColumns;
  std::string line = progress::format_final_line(snapshot(), width, terminal_);
  std::lock_guard lock(screen_mutex_);
  write_stderr((terminal_ ? kClearLine : "") + line + "\n");
  line_on_screen_ = false;
}

progress::Snapshot Progress::snapshot() {
  progress::Snapshot result;
  auto now = Clock::now();
  result.elapsed_seconds = std::chrono::duration<double>(now - started_).count();
  result.input_bytes = input_bytes_;
  result.records_read = records_read_.load(std::memory_order_relaxed);
  result.input_bytes_consumed = input_consumed_.load(std::memory_order_relaxed);
  for (std::size_t idx = 0; idx < progress::kWorkPhases; ++idx) {
    result.done_bytes[idx] = done_bytes_[idx].load(std::memory_order_relaxed);
  }
  result.records_written = records_written_.load(std::memory_order_relaxed);
  std::lock_guard lock(state_mutex_);
  result.phase = state_.phase;
  result.input_done = state_.input_done;
  result.phase_seconds = state_.phase_seconds;
  if (state_.phase != Phase::kDone) {
    result.phase_seconds[static_cast<std::size_t>(state_.phase)] +=
        std::chrono::duration<double>(now - state_.phase_started).count();
  }
  result.runs_spilled = state_.runs_spilled;
  result.merge_passes = state_.merge_passes;
  result.spill_planned_bytes = state_.spill_planned_bytes;
  result.merge_planned_bytes = state_.merge_planned_bytes;
  result.merge_fan_in = state_.merge_fan_in;
  // Record bytes an arena holds: its size less the entries' share at the mean record size.
  if (result.records_read > 0 && result.done_bytes[0] > 0) {
    double mean =
        static_cast<double>(result.done_bytes[0]) / static_cast<double>(result.records_read);
    double share = mean / (mean + static_cast<double>(state_.bytes_per_record));
    result.run_capacity_bytes =
        static_cast<std::uint64_t>(static_cast<double>(state_.arena_bytes) * share);
  }
  return result;
}

void Progress::draw_loop() {
  std::unique_lock lock(stop_mutex_);
  while (!stop_signal_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    draw();
    lock.lock();
  }
}

void Progress::draw() {
  progress::Snapshot now = snapshot();
  if (now.phase == Phase::kDone) return;
  progress::Estimate estimate = progress::estimate(now, priors_);
  if (estimate.known) shown_fraction_ = std::max(shown_fraction_, estimate.fraction);
  std::lock_guard lock(screen_mutex_);
  if (terminal_) {
    std::string line =
        progress::format_line(now, estimate, shown_fraction_, terminal_columns(), true);
    write_stderr(kClearLine + line);
    line_on_screen_ = true;
  } else {
    write_stderr(progress::format_line(now, estimate, shown_fraction_, kLogColumns, false) + "\n");
  }
}

void Progress::stop_drawing() noexcept {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_signal_.notify_all();
  if (drawer_.joinable()) drawer_.join();
}

}  // namespace samsort
