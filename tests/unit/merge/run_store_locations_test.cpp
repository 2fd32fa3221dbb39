// RunStore over several temp locations: runs go to the current one, next_location() drops a
// partial run (its bytes are cut off) and moves on, runs in every location read back intact,
// and is_disk_full() recognises ENOSPC/EDQUOT.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/io/bgzf_writer.hpp"
#include "samsort/merge/run_file.hpp"
#include "samsort/merge/temp_dir.hpp"
#include "test_records.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

using Records = std::vector<std::vector<std::uint8_t>>;

constexpr std::size_t kRecordsPerRun = 3000;

Records make_run(const std::string& prefix) {
  Records records;
  for (std::size_t idx = 0; idx < kRecordsPerRun; ++idx) {
    records.push_back(test::make_record(prefix + std::to_string(idx), 0,
                                        static_cast<std::int32_t>(idx), 0, 100, {}));
  }
  return records;
}

std::uint64_t file_bytes(int fd) {
  struct stat info {};
  fstat(fd, &info);
  return static_cast<std::uint64_t>(info.st_size);
}

constexpr BlockCodec kCodec{BlockFormat::kZstd, 1};

class RunStoreLocationsTest : public ::testing::Test {
 protected:
  RunStoreLocationsTest()
      : first_(scratch_.path(), "-"),
        second_(scratch_.path(), "-"),
        store_({&first_, &second_}, kCodec) {}

  RunInfo write_run(const Records& records) {
    std::unique_ptr<BgzfWriter> writer = store_.begin_run(1, budget_);
    for (const auto& record : records) writer->write(record.data(), record.size());
    return store_.end_run(*writer, records.size(), RunRecordSizes{1000, 1000});
  }

  void expect_reads_back(const RunInfo& run, const Records& records) {
    std::vector<std::uint8_t> buffer(RunReader::buffer_bytes_for(run));
    BlockDecoder decoder(kCodec.format);
    RunReader reader(store_, run, decoder, buffer.data());
    for (const auto& record : records) {
      const std::uint8_t* got = reader.next();
      ASSERT_NE(got, nullptr);
      ASSERT_EQ(std::vector<std::uint8_t>(got, got + record.size()), record);
    }
    EXPECT_EQ(reader.next(), nullptr);
  }

  test::ScratchDir scratch_;
  TempDir first_;
  TempDir second_;
  MemoryBudget budget_{64 * config::kMiB};
  RunStore store_;
};

TEST_F(RunStoreLocationsTest, MovesOnAfterAPartialRunAndReadsEveryLocation) {
  Records run_a = make_run("a");
  Records run_b = make_run("b");
  RunInfo a = write_run(run_a);
  EXPECT_EQ(a.location_idx, 0u);
  {
    // A run that "fails" half-way: its writer is dropped before end_run().
    std::unique_ptr<BgzfWriter> writer = store_.begin_run(1, budget_);
    for (std::size_t idx = 0; idx < run_b.size() / 2; ++idx) {
      writer->write(run_b[idx].data(), run_b[idx].size());
    }
    writer->flush_block();
  }
  ASSERT_TRUE(store_.next_location());
  EXPECT_EQ(store_.current_location(), 1u);
  EXPECT_EQ(file_bytes(store_.fd_of(a)), a.offset + a.bytes);  // the partial run is cut off
  RunInfo b = write_run(run_b);
  EXPECT_EQ(b.location_idx, 1u);
  EXPECT_EQ(b.offset, 0u);
  EXPECT_NE(store_.fd_of(a), store_.fd_of(b));
  EXPECT_NE(store_.path_of(a), store_.path_of(b));
  expect_reads_back(a, run_a);
  expect_reads_back(b, run_b);
  EXPECT_FALSE(store_.next_location());  // the last location: nothing changes
  EXPECT_EQ(store_.current_location(), 1u);
  RunInfo c = write_run(run_a);
  EXPECT_EQ(c.location_idx, 1u);
  EXPECT_EQ(c.offset, b.offset + b.bytes);
  expect_reads_back(c, run_a);
}

TEST(RunStoreDiskFull, RecognisesFullDisksOnly) {
  EXPECT_TRUE(RunStore::is_disk_full(IoError("/tmp/x", "write failed", ENOSPC)));
  EXPECT_TRUE(RunStore::is_disk_full(IoError("/tmp/x", "write failed", EDQUOT)));
  EXPECT_FALSE(RunStore::is_disk_full(IoError("/tmp/x", "write failed", EIO)));
  EXPECT_FALSE(RunStore::is_disk_full(FormatError("/tmp/x", "bad", 0)));
  EXPECT_FALSE(RunStore::is_disk_full(std::runtime_error("other")));
}

TEST(RunStoreDiskFull, NeedsALocation) {
  EXPECT_THROW(RunStore(std::vector<const TempDir*>{}, kCodec), Error);
}

}  // namespace
}  // namespace samsort
