// Order-independent checksum of a multiset of records: the 64-bit sum of a per-record hash
// (XXH64 of the record bytes). Computed on input and again on the records handed to the
// output; a difference means a record was lost, duplicated or damaged.
#pragma once
#include <cstddef>
#include <cstdint>

namespace samsort {

// XXH64 (Yann Collet's xxHash, 64-bit variant, seed 0). One pass at several GB/s; the
// checksum hashes every record twice per sort, so this replaced two CRC32s per record.
std::uint64_t xxh64(const std::uint8_t* data, std::size_t bytes) noexcept;

class RecordChecksum {
 public:
  void add(const std::uint8_t* record, std::size_t bytes) noexcept {
    sum_ += xxh64(record, bytes);
    ++count_;
  }
  // Adds one record by its hash (a record counted in a form other than its bytes now).
  void add_hash(std::uint64_t hash) noexcept {
    sum_ += hash;
    ++count_;
  }
  // Adds another checksum's records (the inputs of a merge).
  void add_all(const RecordChecksum& other) noexcept {
    sum_ += other.sum_;
    count_ += other.count_;
  }
  // Adds `delta` to the sum (count unchanged): what an order that rewrites records after they
  // were read (the minimiser order's run transform) reports, so that the sum stands for the
  // records in the form they are written.
  void adjust(std::uint64_t delta) noexcept { sum_ += delta; }
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
