// ArenaPrefault: pages are faulted in in the reader's fill order (each range from its top
// down), no further than the lead ahead of the reader and the expected fill, content kept.
#include "samsort/sort/arena_prefault.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

namespace samsort {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

class Mapping {
 public:
  explicit Mapping(std::size_t bytes) : bytes_(bytes) {
    void* mapping =
        mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    data_ = mapping == MAP_FAILED ? nullptr : static_cast<std::uint8_t*>(mapping);
  }
  ~Mapping() {
    if (data_ != nullptr) munmap(data_, bytes_);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  std::uint8_t* data() const { return data_; }

  // Resident pages in [offset, offset + bytes).
  std::size_t resident_pages(std::size_t offset, std::size_t bytes) const {
    auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    std::vector<unsigned char> flags(bytes / page);
    if (mincore(data_ + offset, bytes, flags.data()) != 0) return 0;
    std::size_t count = 0;
    for (unsigned char flag : flags) count += flag & 1;
    return count;
  }

 private:
  std::uint8_t* data_ = nullptr;
  std::size_t bytes_;
};

// Waits (up to 10 s) until the prefaulter has populated at least `bytes`.
bool wait_for(const ArenaPrefault& prefault, std::size_t bytes) {
  for (int tries = 0; tries < 5000; ++tries) {
    if (prefault.populated_bytes() >= bytes) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

std::size_t pages(std::size_t bytes) {
  return bytes / static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

TEST(ArenaPrefaultTest, PopulatesEachRangeFromItsTopNoFurtherThanTheLead) {
  Mapping region(64 * kMiB);
  ASSERT_NE(region.data(), nullptr);
  std::uint8_t* base = region.data();
  // Fill order: the top half first, then the bottom half, each from its top down.
  ArenaPrefault prefault({{base + 32 * kMiB, 32 * kMiB}, {base, 32 * kMiB}}, 8 * kMiB, 64 * kMiB);
  if (!wait_for(prefault, 8 * kMiB)) GTEST_SKIP() << "MADV_POPULATE_WRITE unavailable";
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(prefault.populated_bytes(), 8 * kMiB);  // the lead, no more
  EXPECT_EQ(region.resident_pages(56 * kMiB, 8 * kMiB), pages(8 * kMiB));
  EXPECT_EQ(region.resident_pages(0, 56 * kMiB), 0u);

  prefault.reader_at(36 * kMiB);  // the top half is full: the bottom half's top comes next
  ASSERT_TRUE(wait_for(prefault, 44 * kMiB));
  EXPECT_EQ(region.resident_pages(32 * kMiB, 32 * kMiB), pages(32 * kMiB));
  EXPECT_EQ(region.resident_pages(20 * kMiB, 12 * kMiB), pages(12 * kMiB));
  EXPECT_EQ(region.resident_pages(0, 20 * kMiB), 0u);
  prefault.stop();
}

TEST(ArenaPrefaultTest, StopsAtTheExpectedFill) {
  Mapping region(32 * kMiB);
  ASSERT_NE(region.data(), nullptr);
  ArenaPrefault prefault({{region.data(), 32 * kMiB}}, 32 * kMiB, 12 * kMiB);
  if (!wait_for(prefault, 12 * kMiB)) GTEST_SKIP() << "MADV_POPULATE_WRITE unavailable";
  prefault.reader_at(32 * kMiB);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(prefault.populated_bytes(), 12 * kMiB);
  EXPECT_EQ(region.resident_pages(0, 20 * kMiB), 0u);
}

TEST(ArenaPrefaultTest, KeepsWhatTheReaderWroteAndStopsWhileWaiting) {
  Mapping region(16 * kMiB);
  ASSERT_NE(region.data(), nullptr);
  std::uint8_t* top = region.data() + 16 * kMiB;
  std::memset(top - kMiB, 0x5a, kMiB);  // the reader got there first
  {
    ArenaPrefault prefault({{region.data(), 16 * kMiB}}, 4 * kMiB, 16 * kMiB);
    wait_for(prefault, 4 * kMiB);
    auto started = std::chrono::steady_clock::now();
    prefault.stop();  // waiting for the reader: must return at once
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  }
  for (std::size_t idx = 0; idx < kMiB; ++idx) ASSERT_EQ(top[-1 - static_cast<long>(idx)], 0x5a);
}

TEST(ArenaPrefaultTest, UnalignedAndTinyRangesAreSkippedOrTrimmed) {
  Mapping region(8 * kMiB);
  ASSERT_NE(region.data(), nullptr);
  ArenaPrefault prefault({{region.data() + 1, 100}, {region.data() + 10, 4 * kMiB}}, 8 * kMiB,
                         8 * kMiB);
  // The first range holds no whole page; the second loses its partial first page.
  if (!wait_for(prefault, 4 * kMiB - static_cast<std::size_t>(sysconf(_SC_PAGESIZE)))) {
    GTEST_SKIP() << "MADV_POPULATE_WRITE unavailable";
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(prefault.populated_bytes(), 4 * kMiB - static_cast<std::size_t>(sysconf(_SC_PAGESIZE)));
}

}  // namespace
}  // namespace samsort
