// Progress line rendering.
#include "samsort/cli/progress.hpp"

#include <cstdio>

namespace samsort {

namespace {
constexpr auto kRedrawInterval = std::chrono::milliseconds(250);

double seconds_between(std::chrono::steady_clock::time_point from,
                       std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}
}  // namespace

Progress::Progress(bool enabled, std::uint64_t input_bytes) noexcept
    : enabled_(enabled),
      input_bytes_(input_bytes),
      started_(std::chrono::steady_clock::now()),
      last_draw_(started_) {}

Progress::~Progress() { finish(); }

bool Progress::due() noexcept {
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < kRedrawInterval) return false;
  last_draw_ = now;
  return true;
}

void Progress::draw_reading(std::uint64_t records, std::uint64_t bytes_consumed,
                            std::uint64_t runs) noexcept {
  if (!due()) return;
  double elapsed = seconds_between(started_, last_draw_);
  double rate = elapsed > 0 ? static_cast<double>(records) / elapsed : 0;
  if (input_bytes_ > 0 && bytes_consumed > 0) {
    double fraction = static_cast<double>(bytes_consumed) / static_cast<double>(input_bytes_);
    double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
    std::fprintf(stderr,
                 "\rsamsort: reading %.2fM records (%.0f%%), %.2fM rec/s, %llu runs spilled, "
                 "read ETA %.0f s   ",
                 static_cast<double>(records) / 1e6, 100 * fraction, rate / 1e6,
                 static_cast<unsigned long long>(runs), eta);
  } else {
    std::fprintf(stderr, "\rsamsort: reading %.2fM records, %.2fM rec/s, %llu runs spilled   ",
                 static_cast<double>(records) / 1e6, rate / 1e6,
                 static_cast<unsigned long long>(runs));
  }
  drawn_ = true;
}

void Progress::draw_merging(std::uint64_t written, std::uint64_t total) noexcept {
  if (!due() || total == 0) return;
  std::fprintf(stderr, "\rsamsort: writing %.2fM of %.2fM records (%.0f%%)                   ",
               static_cast<double>(written) / 1e6, static_cast<double>(total) / 1e6,
               100.0 * static_cast<double>(written) / static_cast<double>(total));
  drawn_ = true;
}

void Progress::finish() noexcept {
  if (drawn_) std::fputs("\r\033[K", stderr);
  drawn_ = false;
}

}  // namespace samsort
