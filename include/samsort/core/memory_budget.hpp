// MemoryBudget: the single account every data-, thread- or fan-in-scaled buffer is reserved
// from before it is allocated (README, "How it works"). MappedBuffer: a big buffer that is an
// anonymous mapping owned by the program, so allocator retention can never inflate RSS.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace samsort {

class MemoryBudget;

// RAII claim on part of a budget; movable, released on destruction. Only MemoryBudget::reserve
// makes a non-empty one, so every claim has been counted against the budget.
class Reservation {
 public:
  Reservation() = default;  // claims nothing
  Reservation(Reservation&& other) noexcept;
  Reservation& operator=(Reservation&& other) noexcept;
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;
  ~Reservation();

  std::size_t bytes() const noexcept { return bytes_; }
  void release() noexcept;

 private:
  friend class MemoryBudget;
  Reservation(MemoryBudget* budget, std::size_t bytes) noexcept : budget_(budget), bytes_(bytes) {}

  MemoryBudget* budget_ = nullptr;
  std::size_t bytes_ = 0;
};

// Thread-safe. reserve() throws ResourceError naming `what` when the budget cannot serve it.
class MemoryBudget {
 public:
  explicit MemoryBudget(std::size_t total_bytes) : total_bytes_(total_bytes) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  Reservation reserve(std::size_t bytes, const char* what);
  std::size_t total_bytes() const noexcept { return total_bytes_; }
  std::size_t reserved_bytes() const noexcept { return reserved_bytes_.load(); }
  std::size_t available_bytes() const noexcept;
  std::size_t peak_reserved_bytes() const noexcept { return peak_bytes_.load(); }

 private:
  friend class Reservation;
  void give_back(std::size_t bytes) noexcept;

  std::size_t total_bytes_;
  std::atomic<std::size_t> reserved_bytes_{0};
  std::atomic<std::size_t> peak_bytes_{0};
};

// An anonymous private mapping of `bytes` (rounded up to pages) reserved from a budget.
// Pages are committed only when touched; release_pages() hands them back to the kernel.
// Throws ResourceError when the budget is short, OutOfMemoryError when the kernel refuses the
// mapping for lack of address space (ENOMEM, e.g. under ulimit -v), IoError otherwise.
class MappedBuffer {
 public:
  MappedBuffer() = default;
  MappedBuffer(MemoryBudget& budget, std::size_t bytes, const char* what);
  MappedBuffer(MappedBuffer&& other) noexcept;
  MappedBuffer& operator=(MappedBuffer&& other) noexcept;
  MappedBuffer(const MappedBuffer&) = delete;
  MappedBuffer& operator=(const MappedBuffer&) = delete;
  ~MappedBuffer();

  std::uint8_t* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  // Drops the physical pages of [offset, offset + bytes) (rounded inwards to pages).
  void release_pages(std::size_t offset, std::size_t bytes) noexcept;

 private:
  void unmap() noexcept;

  Reservation reservation_;
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

// Page size rounding helper used for budget arithmetic.
std::size_t round_up_to_pages(std::size_t bytes) noexcept;

// Peak resident set size of this process so far, in bytes (getrusage).
std::size_t peak_rss_bytes() noexcept;

}  // namespace samsort
