// Order-independent checksum of a multiset of records: the 64-bit sum of a per-record hash
// (two CRC32s of the record bytes under different seeds). Computed on input and again on the
// records handed to the output; a difference means a record was lost, duplicated or damaged.
#pragma once
#include <cstddef>
#include <cstdint>

#include <libdeflate.h>

namespace samsort {

class RecordChecksum {
 public:
  void add(const std::uint8_t* record, std::size_t bytes) noexcept {
    std::uint64_t low = libdeflate_crc32(0, record, bytes);
    std::uint64_t high = libdeflate_crc32(0x9e3779b9u, record, bytes);
    sum_ += (high << 32) | low;
    ++count_;
  }
  std::uint64_t value() const noexcept { return sum_; }
  std::uint64_t count() const noexcept { return count_; }
  bool operator==(const RecordChecksum& other) const noexcept {
    return sum_ == other.sum_ && count_ == other.count_;
  }

 private:
  std::uint64_t sum_ = 0;
  std::uint64_t count_ = 0;
};

}  // namespace samsort
