// Allocation failures reported as the one error line and exit 1, with either allocator: the
// error type for memory the process could not get, the message that names what was wanted and
// the address-space limit (ulimit -v) when one is set, and the terminate handler that turns
// exceptions escaping threads into that line with the temporary paths removed. (mimalloc's
// abort in operator new is avoided by the program's own operator new, operator_new.cpp.)
#pragma once
#include <cstddef>
#include <exception>
#include <new>
#include <string>

#include "samsort/core/errors.hpp"

namespace samsort {

// Memory the process could not get: "out of memory: <what>[: limit ...]".
class OutOfMemoryError : public ResourceError {
 public:
  explicit OutOfMemoryError(const std::string& what);
};

// What the program's operator new (src/core/operator_new.cpp) throws: std::bad_alloc with the
// size that could not be allocated.
class AllocationFailure : public std::bad_alloc {
 public:
  explicit AllocationFailure(std::size_t bytes) noexcept : bytes_(bytes) {}
  std::size_t bytes() const noexcept { return bytes_; }

 private:
  std::size_t bytes_;
};

namespace allocation_failure {

// "out of memory: <what>", then the address-space limit and how much of it is in use when
// ulimit -v is set ("; lower --max-memory or raise the limit"). Allocates.
std::string describe(const std::string& what);

// The error line's text (after "samsort: error: ") for an exception that reached main:
// std::bad_alloc (with the size for AllocationFailure) and a thread that could not start
// (std::system_error EAGAIN/ENOMEM) as out of memory, anything else as its what().
std::string message_for(const std::exception& error);

// Remembers the size of an allocation that failed (operator new calls it before throwing), so
// that the terminate handler can still name it when even the exception could not be
// allocated (libstdc++ then terminates without one). Async-signal-safe.
void note_failure(std::size_t bytes) noexcept;

// Installs the terminate handler, for exceptions that escape where they cannot be thrown (a
// thread's body, a destructor, before main's try): it removes the registered temporary paths,
// prints one line and exits 1 for an allocation failure; anything else is reported as an
// internal error and aborts after the same cleanup. The handler does not allocate. Call early
// in main, before any thread starts.
void install_handlers() noexcept;

}  // namespace allocation_failure
}  // namespace samsort
