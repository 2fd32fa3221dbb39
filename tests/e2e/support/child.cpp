// Child processes with timeouts, resource limits and signals for the fault tests.
#include "child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace samsort::e2e {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(1);

// In the child, between fork and exec (the gtest process is single-threaded).
[[noreturn]] void exec_child(const std::vector<char*>& argv, const ChildOptions& options,
                             int stderr_fd) {
  int stdin_fd = options.stdin_fd >= 0 ? options.stdin_fd : open("/dev/null", O_RDONLY);
  int stdout_fd = options.stdout_fd >= 0 ? options.stdout_fd : open("/dev/null", O_WRONLY);
  if (stdin_fd < 0 || stdout_fd < 0 || dup2(stdin_fd, STDIN_FILENO) < 0 ||
      dup2(stdout_fd, STDOUT_FILENO) < 0 || dup2(stderr_fd, STDERR_FILENO) < 0) {
    _exit(kExecFailedStatus);
  }
  if (options.open_files_limit > 0) {
    rlimit limit{static_cast<rlim_t>(options.open_files_limit),
                 static_cast<rlim_t>(options.open_files_limit)};
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) _exit(kExecFailedStatus);
  }
  exec_in_child(argv, options.environment);
}

}  // namespace

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string ChildResult::describe() const {
  std::string text = "exit " + std::to_string(exit_code);
  if (term_signal != 0) text += " (killed by signal " + std::to_string(term_signal) + ")";
  if (timed_out) text += " (timed out)";
  return text + ", stderr: [" + stderr_text + "]";
}

Child::Child(const std::vector<std::string>& argv, const ChildOptions& options) {
  if (argv.empty()) throw std::invalid_argument("Child: empty argv");
  std::vector<char*> pointers = make_argv(argv);
  started_ = now_seconds();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) exec_child(pointers, options, stderr_capture_.fd());
}

Child::~Child() {
  if (!reaped_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
  }
}

bool Child::running() {
  if (reaped_) return false;
  rusage usage{};
  pid_t done = wait4(pid_, &status_, WNOHANG, &usage);
  if (done == pid_) {
    result_.max_rss_kib = usage.ru_maxrss;
    reaped_ = true;
    result_.wall_seconds = now_seconds() - started_;
  }
  return !reaped_;
}

void Child::send(int signal_number) const {
  if (!reaped_) kill(pid_, signal_number);
}

ChildResult Child::wait(double timeout_seconds) {
  if (!wait_until([this] { return !running(); }, timeout_seconds)) {
    result_.timed_out = true;
    kill(pid_, SIGKILL);
    while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    result_.wall_seconds = now_seconds() - started_;
  }
  if (WIFEXITED(status_) && !result_.timed_out) result_.exit_code = WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) result_.term_signal = WTERMSIG(status_);
  result_.stderr_text = stderr_capture_.read_all();
  return result_;
}

ChildResult run_child(const std::vector<std::string>& argv, const ChildOptions& options,
                      double timeout_seconds) {
  Child child(argv, options);
  return child.wait(timeout_seconds);
}

bool wait_until(const std::function<bool()>& condition, double timeout_seconds) {
  double deadline = now_seconds() + timeout_seconds;
  for (;;) {
    if (condition()) return true;
    if (now_seconds() > deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

namespace {
constexpr std::size_t kFeedChunkBytes = 64 << 10;
}  // namespace

InputPipe::InputPipe(std::string path) : path_(std::move(path)) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  read_fd_ = fds[0];
  write_fd_ = fds[1];
}

InputPipe::~InputPipe() {
  close_read_end();
  close_write_end();
}

void InputPipe::close_read_end() {
  if (read_fd_ >= 0) close(read_fd_);
  read_fd_ = -1;
}

void InputPipe::close_write_end() {
  if (write_fd_ >= 0) close(write_fd_);
  write_fd_ = -1;
}

bool InputPipe::feed(std::size_t bytes) {
  std::ifstream in(path_, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset_));
  std::vector<char> chunk(kFeedChunkBytes);
  while (bytes > 0) {
    in.read(chunk.data(), static_cast<std::streamsize>(std::min(bytes, chunk.size())));
    auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) return true;  // the end of the file
    for (std::size_t done = 0; done < got;) {
      ssize_t wrote = write(write_fd_, chunk.data() + done, got - done);
      if (wrote < 0 && errno == EINTR) continue;
      if (wrote <= 0) return false;
      done += static_cast<std::size_t>(wrote);
    }
    offset_ += got;
    bytes -= got;
  }
  return true;
}

void InputPipe::feed_rest() { feed(SIZE_MAX); }

int InputPipe::pending() const {
  int bytes = 0;
  ioctl(write_fd_, FIONREAD, &bytes);
  return bytes;
}

}  // namespace samsort::e2e
