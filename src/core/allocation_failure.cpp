// Out-of-memory messages and the new/terminate handlers (see allocation_failure.hpp).
#include "samsort/core/allocation_failure.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <system_error>

#include "samsort/core/allocator.hpp"
#include "samsort/core/signals.hpp"

namespace samsort {

OutOfMemoryError::OutOfMemoryError(const std::string& what)
    : ResourceError(allocation_failure::describe(what)) {}

namespace allocation_failure {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr std::size_t kLineBytes = 512;

// RLIMIT_AS's soft limit in bytes; 0 when unlimited.
std::size_t address_space_limit_bytes() noexcept {
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 0;
  return static_cast<std::size_t>(limit.rlim_cur);
}

// The process's mapped address space (VmSize) from /proc/self/statm; 0 if unreadable. No
// allocation (stdio would): the terminate handler uses it after memory ran out.
std::size_t address_space_in_use_bytes() noexcept {
  int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char text[64];
  ssize_t got = read(fd, text, sizeof text - 1);
  close(fd);
  if (got <= 0) return 0;
  std::size_t pages = 0;
  for (ssize_t idx = 0; idx < got && text[idx] >= '0' && text[idx] <= '9'; ++idx) {
    pages = pages * 10 + static_cast<std::size_t>(text[idx] - '0');
  }
  return pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// Writes describe()'s text into `out` without allocating.
void describe_into(char* out, std::size_t out_bytes, const char* what) noexcept {
  std::size_t limit = address_space_limit_bytes();
  if (limit == 0) {
    std::snprintf(out, out_bytes, "out of memory: %s (allocator: %s)", what,
                  allocator::live_name());
    return;
  }
  std::snprintf(out, out_bytes,
                "out of memory: %s: the address-space limit (ulimit -v) is %.1f MiB and %.1f MiB "
                "of it are in use (allocator: %s); lower --max-memory or raise the limit",
                what, static_cast<double>(limit) / kMiB,
                static_cast<double>(address_space_in_use_bytes()) / kMiB, allocator::live_name());
}

std::atomic<std::size_t> g_failed_bytes{0};

bool is_thread_start_failure(const std::system_error& error) noexcept {
  return error.code() == std::errc::resource_unavailable_try_again ||
         error.code() == std::errc::not_enough_memory;
}

constexpr const char* kAllocationFailed = "an allocation failed";
constexpr const char* kThreadStartFailed = "cannot start a thread";

[[noreturn]] void handle_terminate() noexcept {
  const char* what = nullptr;
  bool out_of_memory = false;
  char allocation[64];
  if (std::exception_ptr current = std::current_exception()) {
    try {
      std::rethrow_exception(current);
    } catch (const AllocationFailure& failure) {
      out_of_memory = true;
      std::snprintf(allocation, sizeof allocation, "cannot allocate %zu bytes", failure.bytes());
      what = allocation;
    } catch (const std::bad_alloc&) {
      out_of_memory = true;
      what = kAllocationFailed;
    } catch (const std::system_error& error) {
      out_of_memory = is_thread_start_failure(error);
      what = out_of_memory ? kThreadStartFailed : error.what();
    } catch (const std::exception& error) {
      what = error.what();
    } catch (...) {
    }
  } else if (std::size_t bytes = g_failed_bytes.load(); bytes != 0) {
    // No exception: libstdc++ could not allocate the bad_alloc itself.
    out_of_memory = true;
    std::snprintf(allocation, sizeof allocation, "cannot allocate %zu bytes", bytes);
    what = allocation;
  }
  signals::remove_registered_paths();
  char line[kLineBytes];
  if (out_of_memory) {
    describe_into(line, sizeof line, what);
    std::fprintf(stderr, "samsort: error: %s\n", line);
    std::fflush(stderr);
    _exit(1);
  }
  std::fprintf(stderr, "samsort: error: internal error: %s\n",
               what != nullptr ? what : "terminate called without an exception");
  std::fflush(stderr);
  std::abort();
}

}  // namespace

std::string describe(const std::string& what) {
  char line[kLineBytes];
  describe_into(line, sizeof line, what.c_str());
  return line;
}

std::string message_for(const std::exception& error) {
  if (const auto* failure = dynamic_cast<const AllocationFailure*>(&error)) {
    return describe("cannot allocate " + std::to_string(failure->bytes()) + " bytes");
  }
  if (dynamic_cast<const std::bad_alloc*>(&error) != nullptr) return describe(kAllocationFailed);
  if (const auto* system = dynamic_cast<const std::system_error*>(&error);
      system != nullptr && is_thread_start_failure(*system)) {
    return describe(kThreadStartFailed);
  }
  return error.what();
}

void note_failure(std::size_t bytes) noexcept { g_failed_bytes.store(bytes == 0 ? 1 : bytes); }

void install_handlers() noexcept { std::set_terminate(handle_terminate); }

}  // namespace allocation_failure
}  // namespace samsort
