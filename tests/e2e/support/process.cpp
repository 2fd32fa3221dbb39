// Child processes for the end-to-end tests: fork/execvp with redirected descriptors, wait4 for
// the exit status and rusage, and a pipe reader for commands with large output.
#include "process.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace samsort::e2e {
namespace {

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

int open_or_throw(const std::string& path, int flags) {
  int fd = open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(errno_text("open " + path));
  return fd;
}

// In the child: put `fd` at `target` (dup2 clears close-on-exec on the copy).
void place_descriptor(int fd, int target) {
  if (fd != target && dup2(fd, target) < 0) _exit(kExecFailedStatus);
  if (fd == target) {
    int flags = fcntl(fd, F_GETFD);
    fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  }
}

int decode_status(int status, int* term_signal) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status) && term_signal != nullptr) *term_signal = WTERMSIG(status);
  return -1;
}

}  // namespace

CaptureFile::CaptureFile() {
  char pattern[] = "/tmp/samsort-e2e-capture.XXXXXX";
  fd_ = mkostemp(pattern, O_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error(errno_text("mkostemp"));
  unlink(pattern);
}

CaptureFile::~CaptureFile() { close(fd_); }

std::string CaptureFile::read_all() const {
  std::string text;
  char chunk[65536];
  off_t offset = 0;
  for (;;) {
    ssize_t got = pread(fd_, chunk, sizeof chunk, offset);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    text.append(chunk, static_cast<size_t>(got));
    offset += got;
  }
  return text;
}

std::vector<char*> make_argv(const std::vector<std::string>& argv) {
  std::vector<char*> pointers;
  pointers.reserve(argv.size() + 1);
  for (const std::string& word : argv) pointers.push_back(const_cast<char*>(word.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

void exec_in_child(const std::vector<char*>& argv,
                   const std::vector<std::pair<std::string, std::string>>& environment,
                   const std::string& working_dir) {
  signal(SIGPIPE, SIG_DFL);
  for (const auto& [name, value] : environment) setenv(name.c_str(), value.c_str(), 1);
  if (!working_dir.empty() && chdir(working_dir.c_str()) != 0) _exit(kExecFailedStatus);
  execvp(argv[0], argv.data());
  _exit(kExecFailedStatus);
}

std::string ProcessResult::describe() const {
  std::string text = "exit " + std::to_string(exit_code);
  if (term_signal != 0) text += " (killed by signal " + std::to_string(term_signal) + ")";
  text += ", stderr: [" + stderr_text + "]";
  return text;
}

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) throw std::invalid_argument("run_process: empty argv");
  std::vector<char*> pointers = make_argv(argv);

  int stdin_fd = options.stdin_fd;
  bool close_stdin = false;
  if (stdin_fd < 0) {
    stdin_fd =
        open_or_throw(options.stdin_path.empty() ? "/dev/null" : options.stdin_path, O_RDONLY);
    close_stdin = true;
  }
  CaptureFile stdout_capture;
  CaptureFile stderr_capture;
  int stdout_fd = options.stdout_path.empty()
                      ? stdout_capture.fd()
                      : open_or_throw(options.stdout_path, O_WRONLY | O_CREAT | O_TRUNC);
  int stderr_fd = options.stderr_path.empty()
                      ? stderr_capture.fd()
                      : open_or_throw(options.stderr_path, O_WRONLY | O_CREAT | O_TRUNC);

  // A forked child starts with the test's resident pages, and ru_maxrss keeps that figure
  // across exec: hand the test's freed heap back first (an earlier test's 100 MB of captured
  // samtools output would otherwise read as the child's peak RSS).
  malloc_trim(0);
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(errno_text("fork"));
  if (pid == 0) {
    place_descriptor(stdin_fd, STDIN_FILENO);
    place_descriptor(stdout_fd, STDOUT_FILENO);
    place_descriptor(stderr_fd, STDERR_FILENO);
    exec_in_child(pointers, options.environment, options.working_dir);
  }

  int status = 0;
  struct rusage usage {};
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) throw std::runtime_error(errno_text("wait4"));
  }
  ProcessResult result;
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.exit_code = decode_status(status, &result.term_signal);
  result.max_rss_kib = usage.ru_maxrss;
  if (close_stdin) close(stdin_fd);
  if (!options.stdout_path.empty()) close(stdout_fd);
  if (!options.stderr_path.empty()) close(stderr_fd);
  if (options.stdout_path.empty()) result.stdout_text = stdout_capture.read_all();
  if (options.stderr_path.empty()) result.stderr_text = stderr_capture.read_all();
  return result;
}

ProcessResult run_shell(const std::string& command, const ProcessOptions& options) {
  return run_process({"/bin/sh", "-c", command}, options);
}

LineStream::LineStream(const std::vector<std::string>& argv) {
  if (argv.empty()) throw std::invalid_argument("LineStream: empty argv");
  std::vector<char*> pointers = make_argv(argv);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(errno_text("pipe2"));
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error(errno_text("fork"));
  if (pid_ == 0) {
    if (null_fd >= 0) place_descriptor(null_fd, STDIN_FILENO);
    place_descriptor(fds[1], STDOUT_FILENO);
    exec_in_child(pointers, {});
  }
  if (null_fd >= 0) close(null_fd);
  close(fds[1]);
  pipe_ = fdopen(fds[0], "r");
  if (pipe_ == nullptr) throw std::runtime_error(errno_text("fdopen"));
}

LineStream::~LineStream() {
  finish();
  std::free(buffer_);
}

bool LineStream::next(std::string& line) {
  if (pipe_ == nullptr) return false;
  ssize_t length = getline(&buffer_, &capacity_, pipe_);
  if (length < 0) return false;
  if (length > 0 && buffer_[length - 1] == '\n') --length;
  line.assign(buffer_, static_cast<size_t>(length));
  return true;
}

int LineStream::finish() {
  if (pid_ < 0) return exit_code_;
  if (pipe_ != nullptr) {
    char chunk[65536];
    while (std::fread(chunk, 1, sizeof chunk, pipe_) > 0) {
    }
    std::fclose(pipe_);
    pipe_ = nullptr;
  }
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  exit_code_ = decode_status(status, nullptr);
  pid_ = -1;
  return exit_code_;
}

std::string shell_quote(const std::string& word) {
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

}  // namespace samsort::e2e
