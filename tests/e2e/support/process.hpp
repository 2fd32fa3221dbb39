// Child processes for the end-to-end tests: run a command to completion (fork/execvp, wait4)
// with its exit status, peak RSS and captured stdout/stderr, or stream its stdout line by line.
#pragma once
#include <sys/types.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace samsort::e2e {

struct ProcessOptions {
  std::string stdin_path;   // empty: /dev/null (unless stdin_fd is set)
  int stdin_fd = -1;        // an open descriptor to hand over as stdin (shared file offset)
  std::string stdout_path;  // empty: captured into ProcessResult::stdout_text
  std::string stderr_path;  // empty: captured into ProcessResult::stderr_text
  std::string working_dir;  // empty: the test's own
  std::vector<std::pair<std::string, std::string>> environment;  // added or overridden
};

struct ProcessResult {
  int exit_code = -1;    // -1 when killed by a signal
  int term_signal = 0;   // the signal that killed it, else 0
  long max_rss_kib = 0;  // wait4's ru_maxrss: the child's peak resident set, KiB
  double wall_seconds = 0;
  std::string stdout_text;
  std::string stderr_text;

  bool exited_ok() const { return exit_code == 0; }
  // "exit 1 (signal 0), stderr: ..." for assertion messages.
  std::string describe() const;
};

// Runs argv[0] (looked up in PATH) with argv and waits for it. Fails the calling test through
// an exception only when the process cannot be started at all.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// Runs `/bin/sh -c command`.
ProcessResult run_shell(const std::string& command, const ProcessOptions& options = {});

// A child whose stdout is read line by line through a pipe (stdin /dev/null, stderr inherited);
// the child is reaped by finish() or the destructor.
class LineStream {
 public:
  explicit LineStream(const std::vector<std::string>& argv);
  ~LineStream();
  LineStream(const LineStream&) = delete;
  LineStream& operator=(const LineStream&) = delete;

  // Next line without its '\n'; false at end of output.
  bool next(std::string& line);
  // Drains the rest of the output and returns the exit code (-1 if signalled).
  int finish();

 private:
  pid_t pid_ = -1;
  FILE* pipe_ = nullptr;
  char* buffer_ = nullptr;
  size_t capacity_ = 0;
  int exit_code_ = -1;
};

// Quotes a word for /bin/sh.
std::string shell_quote(const std::string& word);

// Building blocks shared with child.hpp's Child.

// An unlinked temporary file (close-on-exec) that a child writes and the parent reads back.
class CaptureFile {
 public:
  CaptureFile();
  ~CaptureFile();
  CaptureFile(const CaptureFile&) = delete;
  CaptureFile& operator=(const CaptureFile&) = delete;

  int fd() const { return fd_; }
  std::string read_all() const;

 private:
  int fd_ = -1;
};

// argv as execvp wants it (pointers into `argv`, which must outlive the result).
std::vector<char*> make_argv(const std::vector<std::string>& argv);

// In a forked child, after its descriptors are in place (the gtest process is single-threaded,
// so setenv/chdir are safe here): SIGPIPE back to its default, `environment` added or
// overridden, `working_dir` entered if not empty, then execvp; exit status 127 if any fails.
[[noreturn]] void exec_in_child(const std::vector<char*>& argv,
                                const std::vector<std::pair<std::string, std::string>>& environment,
                                const std::string& working_dir = "");
inline constexpr int kExecFailedStatus = 127;

}  // namespace samsort::e2e
