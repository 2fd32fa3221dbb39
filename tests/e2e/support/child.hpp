// A child process the fault and bad-input tests can bound and poke: started with fork/exec
// (optional stdin descriptor, extra environment, RLIMIT_NOFILE), stderr captured, waited for
// with a timeout (then SIGKILLed), and signalled while it runs.
#pragma once
#include <sys/types.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "process.hpp"

namespace samsort::e2e {

struct ChildOptions {
  int stdin_fd = -1;   // handed over as stdin; -1: /dev/null
  int stdout_fd = -1;  // handed over as stdout; -1: /dev/null
  std::vector<std::pair<std::string, std::string>> environment;  // added or overridden
  long open_files_limit = 0;  // > 0: soft and hard RLIMIT_NOFILE set before exec
};

struct ChildResult {
  int exit_code = -1;   // -1 when killed by a signal or timed out
  int term_signal = 0;  // the signal that killed it, else 0
  bool timed_out = false;
  long max_rss_kib = 0;  // the child's peak resident set (wait4's ru_maxrss)
  double wall_seconds = 0;
  std::string stderr_text;

  // "exit 1, stderr: [...]" (with signal / timeout notes) for assertion messages.
  std::string describe() const;
};

class Child {
 public:
  Child(const std::vector<std::string>& argv, const ChildOptions& options = {});
  // Kills (SIGKILL) and reaps a child that is still running.
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  // False once the child has exited (it is then reaped, and wait() returns at once).
  bool running();
  void send(int signal_number) const;
  // Waits up to `timeout_seconds`; a child still running then is killed, timed_out is set.
  ChildResult wait(double timeout_seconds);

 private:
  CaptureFile stderr_capture_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  double started_ = 0;
  ChildResult result_;
};

// A pipe the test writes a child's stdin through, a file's bytes at a time in 64 KiB writes.
// Hand read_fd() to ChildOptions::stdin_fd, then close_read_end() once the child has started.
class InputPipe {
 public:
  explicit InputPipe(std::string path);  // the file fed; throws std::runtime_error
  ~InputPipe();
  InputPipe(const InputPipe&) = delete;
  InputPipe& operator=(const InputPipe&) = delete;

  int read_fd() const { return read_fd_; }
  void close_read_end();
  // Writes the next `bytes` of the file (fewer at its end). False when a write fails.
  bool feed(std::size_t bytes);
  // Writes the rest of the file; stops quietly at a failed write (the reader is gone).
  void feed_rest();
  // Bytes written that the child has not read yet.
  int pending() const;
  void close_write_end();

 private:
  std::string path_;
  std::size_t offset_ = 0;
  int read_fd_ = -1;
  int write_fd_ = -1;
};

// Starts argv and waits for it with a timeout.
ChildResult run_child(const std::vector<std::string>& argv, const ChildOptions& options,
                      double timeout_seconds);

// Polls `condition` every millisecond until it holds (true) or `timeout_seconds` pass (false).
bool wait_until(const std::function<bool()>& condition, double timeout_seconds);

// Seconds on the monotonic clock.
double now_seconds();

}  // namespace samsort::e2e
