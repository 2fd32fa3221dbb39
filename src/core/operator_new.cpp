// The program's replacement of the global operator new (linked into the samsort executable
// only, not the core library): malloc, then the new-handler, then AllocationFailure with the
// size. It takes precedence over the operator new that Debian's libmimalloc exports, which
// calls abort() when malloc fails because it cannot see the program's new-handler (its weak
// std::get_new_handler wins the symbol lookup); malloc itself is still mimalloc's or glibc's.
// operator delete stays the library's: both free what malloc returned. Sanitizer builds keep
// the sanitizer's operators.
#include <cstdlib>
#include <new>

#include "samsort/core/allocation_failure.hpp"

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define SAMSORT_SANITIZER_ALLOCATOR 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SAMSORT_SANITIZER_ALLOCATOR 1
#endif

#ifndef SAMSORT_SANITIZER_ALLOCATOR

namespace {

// [new.delete.single]: retry through the new-handler while one is installed.
void* allocate(std::size_t bytes, std::size_t alignment) {
  if (bytes == 0) bytes = 1;
  for (;;) {
    void* memory = nullptr;
    if (alignment <= alignof(std::max_align_t)) {
      memory = std::malloc(bytes);
    } else if (posix_memalign(&memory, alignment, bytes) != 0) {
      memory = nullptr;
    }
    if (memory != nullptr) return memory;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) {
      samsort::allocation_failure::note_failure(bytes);
      throw samsort::AllocationFailure(bytes);
    }
    handler();
  }
}

}  // namespace

void* operator new(std::size_t bytes) { return allocate(bytes, 0); }
void* operator new[](std::size_t bytes) { return allocate(bytes, 0); }
void* operator new(std::size_t bytes, std::align_val_t alignment) {
  return allocate(bytes, static_cast<std::size_t>(alignment));
}
void* operator new[](std::size_t bytes, std::align_val_t alignment) {
  return allocate(bytes, static_cast<std::size_t>(alignment));
}
void* operator new(std::size_t bytes, const std::nothrow_t&) noexcept {
  try {
    return allocate(bytes, 0);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t bytes, const std::nothrow_t&) noexcept {
  try {
    return allocate(bytes, 0);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new(std::size_t bytes, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  try {
    return allocate(bytes, static_cast<std::size_t>(alignment));
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t bytes, std::align_val_t alignment,
                     const std::nothrow_t&) noexcept {
  try {
    return allocate(bytes, static_cast<std::size_t>(alignment));
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

#endif  // SAMSORT_SANITIZER_ALLOCATOR
