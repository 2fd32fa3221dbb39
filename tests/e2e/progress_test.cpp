// The progress display as a user sees it: under a pseudo-terminal of 60 and 200 columns, read
// back through a terminal interpreter (no fragments of a longer earlier line, nothing wider
// than the terminal, percentages that never go back, an ETA while writing, a closing 100%
// line); and with --progress to a file: plain periodic lines, no "\r" or escape.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "e2e_support.hpp"
#include "pty.hpp"

namespace samsort::e2e {
namespace {

// Long enough at level 6 for many redraws in every phase at the test's redraw interval.
constexpr int64_t kRecords = 200'000;
constexpr uint64_t kSeed = 11;
constexpr double kTimeoutSeconds = 300;
const std::string kRedrawMilliseconds = "20";

// Small runs and fan-in 2: spills and an intermediate merge pass, so every phase is drawn.
std::vector<std::string> sort_argv(const std::string& input, const std::string& output) {
  return {kSamsortBin,
          "sort",
          "-@",
          "2",
          "--max-memory",
          "128M",
          "--debug-max-run-bytes",
          "8M",
          "--debug-max-fan-in",
          "2",
          "--debug-progress-interval-ms",
          kRedrawMilliseconds,
          "-o",
          output,
          input};
}

// The whole percentage of a progress line; -1 when it has none.
int percent_of(const std::string& line) {
  static const std::regex kPercent(R"((\d+)% )");
  std::smatch match;
  if (!std::regex_search(line, match, kPercent)) return -1;
  return std::stoi(match[1]);
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

void check_terminal_display(unsigned short columns) {
  SCOPED_TRACE("terminal of " + std::to_string(columns) + " columns");
  ScratchDir scratch;
  std::string input = generated_bam(kRecords, kSeed);
  PtyResult run = run_in_pty(sort_argv(input, scratch.file("out.bam")), columns, kTimeoutSeconds);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  Screen screen = render_terminal(run.output);
  EXPECT_FALSE(screen.unknown_escape);

  int last_percent = -1;
  bool eta_while_writing = false;
  std::size_t progress_frames = 0;
  for (const Frame& frame : screen.frames) {
    if (!starts_with(frame.visible, "samsort: ") || starts_with(frame.visible, "samsort: sorted")) {
      continue;
    }
    ++progress_frames;
    EXPECT_EQ(frame.visible, frame.written) << "leftover of an earlier line";
    // The last column stays free (a full line makes some terminals wrap).
    EXPECT_LT(frame.visible.size(), columns) << frame.visible;
    int percent = percent_of(frame.visible);
    ASSERT_GE(percent, 0) << "a file input's size is known: " << frame.visible;
    EXPECT_GE(percent, last_percent) << frame.visible;
    last_percent = percent;
    if (contains(frame.visible, "writing") && contains(frame.visible, "ETA ")) {
      eta_while_writing = true;
    }
  }
  EXPECT_GT(progress_frames, 10u) << run.output;
  EXPECT_TRUE(eta_while_writing) << run.output;

  // The last lines: the closing progress line, then the summary.
  ASSERT_GE(screen.lines.size(), 2u) << run.output;
  const std::string& closing = screen.lines[screen.lines.size() - 2];
  EXPECT_TRUE(starts_with(closing, "samsort: ")) << closing;
  EXPECT_TRUE(contains(closing, "100% done")) << closing;
  EXPECT_EQ(last_percent, 100);
  EXPECT_TRUE(starts_with(screen.lines.back(), "samsort: sorted")) << screen.lines.back();
}

// The interpreter the display tests rely on sees what they check for.
TEST(ProgressDisplay, TerminalInterpreterSeesFragmentsAndErases) {
  // The old display: a shorter line drawn over a longer one without erasing it.
  Screen fragment = render_terminal("\rsamsort: reading 1.00M records\rsamsort: writing");
  ASSERT_EQ(fragment.frames.size(), 2u);
  EXPECT_EQ(fragment.frames[1].visible, "samsort: writing 1.00M records");
  EXPECT_NE(fragment.frames[1].visible, fragment.frames[1].written);
  // Erased first, and a terminal's "\r\n" closing the line: one clean frame each.
  Screen erased =
      render_terminal("\r\033[Ksamsort: reading 1.00M records\r\033[Ksamsort: done\r\n");
  ASSERT_EQ(erased.frames.size(), 2u);
  EXPECT_EQ(erased.frames[1].visible, "samsort: done");
  EXPECT_EQ(erased.frames[1].visible, erased.frames[1].written);
  EXPECT_EQ(erased.lines, std::vector<std::string>{"samsort: done"});
  EXPECT_FALSE(erased.unknown_escape);
  EXPECT_TRUE(render_terminal("\033[2Jtext").unknown_escape);
}

TEST(ProgressDisplay, NarrowTerminal) { check_terminal_display(60); }

TEST(ProgressDisplay, WideTerminal) { check_terminal_display(200); }

// A warning while the line is drawn (a truncated input's missing EOF marker, found at the end
// of reading) erases the progress line first: it reads as a line of its own.
TEST(ProgressDisplay, WarningTakesALineOfItsOwn) {
  ScratchDir scratch;
  std::string input = generated_bam(kRecords, kSeed);
  std::string truncated = scratch.file("no_eof.bam");
  ASSERT_GT(file_size(input), 28u);
  copy_prefix(input, truncated, file_size(input) - 28);  // all but the EOF block
  PtyResult run = run_in_pty(sort_argv(truncated, scratch.file("out.bam")), 100, kTimeoutSeconds);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  Screen screen = render_terminal(run.output);
  bool warning_line = false;
  for (const std::string& line : screen.lines) {
    if (contains(line, "EOF marker is absent")) {
      EXPECT_TRUE(starts_with(line, "samsort: warning: ")) << line;
      warning_line = true;
    }
  }
  EXPECT_TRUE(warning_line) << run.output;
  for (const Frame& frame : screen.frames) {
    EXPECT_EQ(frame.visible, frame.written) << "leftover of an earlier line";
  }
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  return lines;
}

TEST(ProgressDisplay, LogFileGetsPlainPeriodicLines) {
  ScratchDir scratch;
  std::string input = generated_bam(kRecords, kSeed);
  std::vector<std::string> argv = sort_argv(input, scratch.file("out.bam"));
  argv.erase(argv.begin(), argv.begin() + 2);
  argv.insert(argv.begin(), "--progress");
  ProcessResult run = run_samsort(argv);
  ASSERT_TRUE(run.exited_ok()) << run.describe();
  EXPECT_EQ(run.stderr_text.find('\r'), std::string::npos);
  EXPECT_EQ(run.stderr_text.find('\033'), std::string::npos);
  ASSERT_FALSE(run.stderr_text.empty());
  EXPECT_EQ(run.stderr_text.back(), '\n');
  std::vector<std::string> lines = lines_of(run.stderr_text);
  std::size_t periodic = 0;
  for (const std::string& line : lines) {
    if (percent_of(line) >= 0 && !contains(line, "100% done")) ++periodic;
  }
  EXPECT_GT(periodic, 5u) << run.stderr_text;
  ASSERT_GE(lines.size(), 2u);
  EXPECT_TRUE(contains(lines[lines.size() - 2], "100% done")) << run.stderr_text;
}

TEST(ProgressDisplay, PipeInputShowsNoPercentWhileReading) {
  ScratchDir scratch;
  std::string input = generated_bam(kRecords, kSeed);
  std::vector<std::string> argv = sort_argv("-", scratch.file("out.bam"));
  argv.erase(argv.begin(), argv.begin() + 2);
  argv.insert(argv.begin(), "--progress");
  ProcessOptions options;
  options.stdin_path = input;
  ProcessResult run = run_samsort(argv, options);
  ASSERT_TRUE(run.exited_ok()) << run.describe();
  std::size_t reading_lines = 0;
  bool percent_after_reading = false;
  for (const std::string& line : lines_of(run.stderr_text)) {
    if (contains(line, " reading")) {
      ++reading_lines;
      EXPECT_EQ(percent_of(line), -1) << "the size of stdin is unknown: " << line;
      EXPECT_FALSE(contains(line, "ETA")) << line;
    } else if (percent_of(line) >= 0) {
      percent_after_reading = true;
    }
  }
  EXPECT_GT(reading_lines, 0u) << run.stderr_text;
  EXPECT_TRUE(percent_after_reading) << run.stderr_text;
}

}  // namespace
}  // namespace samsort::e2e
