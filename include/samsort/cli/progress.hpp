// Progress on stderr: records read (with percentage, rate and ETA when the input size is
// known), runs spilled, and merge progress. Shown when stderr is a terminal, or always with
// --progress; redrawn at most a few times a second from the producer thread only.
#pragma once
#include <chrono>
#include <cstdint>

namespace samsort {

class Progress {
 public:
  // `enabled`: draw at all. `input_bytes`: size of the input file, 0 if unknown (a pipe).
  Progress(bool enabled, std::uint64_t input_bytes) noexcept;
  ~Progress();

  // Cheap to call per record: looks at the clock only every few thousand calls.
  void reading(std::uint64_t records, std::uint64_t bytes_consumed, std::uint64_t runs) noexcept {
    if (enabled_ && (records & kCallMask) == 0) draw_reading(records, bytes_consumed, runs);
  }
  void merging(std::uint64_t written, std::uint64_t total) noexcept {
    if (enabled_ && (written & kCallMask) == 0) draw_merging(written, total);
  }
  // Clears the line before the final summary.
  void finish() noexcept;

 private:
  static constexpr std::uint64_t kCallMask = (1u << 14) - 1;
  bool due() noexcept;
  void draw_reading(std::uint64_t records, std::uint64_t bytes_consumed,
                    std::uint64_t runs) noexcept;
  void draw_merging(std::uint64_t written, std::uint64_t total) noexcept;

  bool enabled_;
  std::uint64_t input_bytes_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
  bool drawn_ = false;
};

}  // namespace samsort
