// MemoryBudget accounting and anonymous mappings.
#include "samsort/core/memory_budget.hpp"

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <utility>

#include "samsort/core/allocation_failure.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"

namespace samsort {

Reservation::Reservation(Reservation&& other) noexcept
    : budget_(std::exchange(other.budget_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

Reservation& Reservation::operator=(Reservation&& other) noexcept {
  if (this != &other) {
    release();
    budget_ = std::exchange(other.budget_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

Reservation::~Reservation() { release(); }

void Reservation::release() noexcept {
  if (budget_ != nullptr && bytes_ != 0) budget_->give_back(bytes_);
  budget_ = nullptr;
  bytes_ = 0;
}

Reservation MemoryBudget::reserve(std::size_t bytes, const char* what) {
  std::size_t current = reserved_bytes_.load();
  do {
    if (bytes > total_bytes_ - current) {
      throw ResourceError(std::string("memory budget exhausted: ") + what + " needs " +
                          std::to_string(bytes) + " bytes, " +
                          std::to_string(total_bytes_ - current) + " of " +
                          std::to_string(total_bytes_) + " left; raise --max-memory");
    }
  } while (!reserved_bytes_.compare_exchange_weak(current, current + bytes));
  std::size_t now = current + bytes;
  std::size_t peak = peak_bytes_.load();
  while (now > peak && !peak_bytes_.compare_exchange_weak(peak, now)) {
  }
  return Reservation(this, bytes);
}

std::size_t MemoryBudget::available_bytes() const noexcept {
  return total_bytes_ - reserved_bytes_.load();
}

void MemoryBudget::give_back(std::size_t bytes) noexcept { reserved_bytes_.fetch_sub(bytes); }

std::size_t round_up_to_pages(std::size_t bytes) noexcept {
  static const std::size_t page_bytes = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return (bytes + page_bytes - 1) / page_bytes * page_bytes;
}

MappedBuffer::MappedBuffer(MemoryBudget& budget, std::size_t bytes, const char* what) {
  size_ = round_up_to_pages(bytes == 0 ? 1 : bytes);
  reservation_ = budget.reserve(size_, what);
  void* mapping = mmap(nullptr, size_, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapping == MAP_FAILED) {
    int saved = errno;
    size_ = 0;
    if (saved == ENOMEM) {
      // Under ulimit -v (RLIMIT_AS) the budget's mappings count whole: say which one did not
      // fit and what the limit is.
      char size_text[32];
      std::snprintf(size_text, sizeof size_text, "%.1f MiB",
                    static_cast<double>(bytes) / (1024.0 * 1024.0));
      throw OutOfMemoryError(std::string("cannot map ") + size_text + " for the " + what);
    }
    throw IoError(what, "cannot map " + std::to_string(bytes) + " bytes", saved);
  }
  data_ = static_cast<std::uint8_t*>(mapping);
  if (size_ >= config::kHugePageMinBytes) {
    // Transparent huge pages where the system allows them on request: fewer page faults
    // and TLB misses while the arena fills. Advisory; no error if refused.
    madvise(data_, size_, MADV_HUGEPAGE);
  }
}

MappedBuffer::MappedBuffer(MappedBuffer&& other) noexcept
    : reservation_(std::move(other.reservation_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

MappedBuffer& MappedBuffer::operator=(MappedBuffer&& other) noexcept {
  if (this != &other) {
    unmap();
    reservation_ = std::move(other.reservation_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

MappedBuffer::~MappedBuffer() { unmap(); }

void MappedBuffer::unmap() noexcept {
  if (data_ != nullptr) munmap(data_, size_);
  data_ = nullptr;
  size_ = 0;
  reservation_.release();
}

void MappedBuffer::release_pages(std::size_t offset, std::size_t bytes) noexcept {
  static const std::size_t page_bytes = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  std::size_t begin = (offset + page_bytes - 1) / page_bytes * page_bytes;
  std::size_t end = (offset + bytes) / page_bytes * page_bytes;
  if (end > size_) end = size_ / page_bytes * page_bytes;
  if (begin < end) madvise(data_ + begin, end - begin, MADV_DONTNEED);
}

std::size_t peak_rss_bytes() noexcept {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::size_t>(usage.ru_maxrss) * 1024;
}

}  // namespace samsort
