// Pseudo-terminal runs (forkpty) and a minimal terminal interpreter for the progress tests.
#include "pty.hpp"

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "child.hpp"
#include "process.hpp"

namespace samsort::e2e {

namespace {
constexpr int kPollMilliseconds = 50;
constexpr unsigned short kPtyRows = 24;
}  // namespace

PtyResult run_in_pty(const std::vector<std::string>& argv, unsigned short columns,
                     double timeout_seconds) {
  if (argv.empty()) throw std::invalid_argument("run_in_pty: empty argv");
  std::vector<char*> pointers = make_argv(argv);
  winsize size{};
  size.ws_row = kPtyRows;
  size.ws_col = columns;
  int master = -1;
  pid_t pid = forkpty(&master, nullptr, nullptr, &size);
  if (pid < 0) throw std::runtime_error(std::string("forkpty: ") + std::strerror(errno));
  if (pid == 0) exec_in_child(pointers, {});

  PtyResult result;
  double deadline = now_seconds() + timeout_seconds;
  char buffer[4096];
  for (;;) {
    if (now_seconds() > deadline) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    pollfd ready{master, POLLIN, 0};
    int polled = poll(&ready, 1, kPollMilliseconds);
    if (polled < 0 && errno == EINTR) continue;
    if (polled <= 0) continue;
    ssize_t got = read(master, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // EIO: every holder of the terminal's other side has closed it
    result.output.append(buffer, static_cast<std::size_t>(got));
  }
  close(master);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

Screen render_terminal(const std::string& output) {
  Screen screen;
  std::string line;
  std::string written;
  std::size_t column = 0;
  bool frame_open = false;  // text or an erase since the last frame ("\r\n" makes one frame)
  auto end_frame = [&] {
    if (frame_open && !line.empty()) screen.frames.push_back({line, written});
    frame_open = false;
  };
  for (std::size_t idx = 0; idx < output.size(); ++idx) {
    char byte = output[idx];
    if (byte == '\r') {
      end_frame();
      column = 0;
      written.clear();
    } else if (byte == '\n') {
      end_frame();
      screen.lines.push_back(line);
      line.clear();
      written.clear();
      column = 0;
    } else if (byte == '\033') {
      if (output.compare(idx, 3, "\033[K") == 0) {
        line.resize(std::min(line.size(), column));
        written = line;
        frame_open = true;
        idx += 2;
      } else {
        screen.unknown_escape = true;
      }
    } else {
      if (column < line.size()) {
        line[column] = byte;
      } else {
        line.push_back(byte);
      }
      written.push_back(byte);
      ++column;
      frame_open = true;
    }
  }
  if (!line.empty()) {
    end_frame();
    screen.lines.push_back(line);
  }
  return screen;
}

}  // namespace samsort::e2e
