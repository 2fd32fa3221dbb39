// Running a command under a pseudo-terminal of a chosen size, and reading back what a terminal
// would show from the bytes it wrote: "\r" returns to column 0, "ESC[K" erases to the end of
// the line, "\n" starts a new line, anything else is text (any other escape is flagged).
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace samsort::e2e {

struct PtyResult {
  int exit_code = -1;  // -1 when killed by a signal or timed out
  bool timed_out = false;
  std::string output;  // every byte written to the terminal (stdout and stderr)
};

// Runs argv under a new pseudo-terminal `columns` wide (stdin, stdout and stderr are the
// terminal) and waits up to `timeout_seconds`; a child still running then is killed.
PtyResult run_in_pty(const std::vector<std::string>& argv, unsigned short columns,
                     double timeout_seconds);

// One redraw as the terminal shows it: the visible line just before the next "\r" or "\n",
// and the text written since that line was last cleared. They differ when a shorter text was
// drawn over a longer one without erasing it.
struct Frame {
  std::string visible;
  std::string written;
};

struct Screen {
  std::vector<std::string> lines;  // finished lines ("\n"), then the unfinished last one
  std::vector<Frame> frames;       // the line at each "\r" or "\n" after text or an erase
  bool unknown_escape = false;     // an escape other than ESC[K was written
};

// Interprets `output` as a terminal would, without wrapping: a line longer than the terminal
// is kept whole, so a test can see that it was.
Screen render_terminal(const std::string& output);

}  // namespace samsort::e2e
