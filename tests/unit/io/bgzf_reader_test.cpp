// BgzfReader on hand-built BGZF files: ordered delivery, block offsets, truncation at many
// cut points, missing EOF marker, corrupt CRC / header, pipes, early destruction, budget.
#include "samsort/io/bgzf_reader.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <memory>
#include <ostream>
#include <thread>
#include <vector>

#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/io/file_io.hpp"
#include "test_bgzf.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

constexpr std::size_t kBudgetBytes = 64 * config::kMiB;
constexpr std::size_t kBlockPayload = 50000;

class BgzfReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    payload_ = test::compressible_bytes(12 * kBlockPayload + 1234, 71);
    file_ = test::make_bgzf(payload_, kBlockPayload, true, &block_offsets_);
  }

  // Writes `bytes` to a file and opens it for reading.
  FileDescriptor open_bytes(const std::vector<std::uint8_t>& bytes, const std::string& name) {
    path_ = scratch_.file(name);
    test::write_file_bytes(path_, bytes);
    return FileDescriptor(open(path_.c_str(), O_RDONLY));
  }

  // Reads until the end; returns what was read.
  static std::vector<std::uint8_t> drain(BgzfReader& reader) {
    std::vector<std::uint8_t> out;
    std::vector<std::uint8_t> buffer(10007);
    for (;;) {
      std::size_t got = reader.read(buffer.data(), buffer.size());
      out.insert(out.end(), buffer.begin(), buffer.begin() + got);
      if (got < buffer.size()) return out;
    }
  }

  test::ScratchDir scratch_;
  std::string path_;
  std::vector<std::uint8_t> payload_;
  std::vector<std::uint8_t> file_;
  std::vector<std::size_t> block_offsets_;
  MemoryBudget budget_{kBudgetBytes};
};

TEST_F(BgzfReaderTest, ReadsEverythingInOrderWithOneAndFourThreads) {
  for (std::size_t threads : {1u, 4u}) {
    FileDescriptor fd = open_bytes(file_, "good.bgzf");
    BgzfReader reader(fd.get(), path_, threads, budget_);
    EXPECT_EQ(reader.path(), path_);
    EXPECT_EQ(drain(reader), payload_) << threads << " threads";
    EXPECT_FALSE(reader.missing_eof_marker());
    EXPECT_EQ(reader.compressed_bytes_read(), file_.size());
  }
  EXPECT_EQ(budget_.reserved_bytes(), 0u);
}

TEST_F(BgzfReaderTest, BlockOffsetFollowsTheConsumer) {
  FileDescriptor fd = open_bytes(file_, "offsets.bgzf");
  BgzfReader reader(fd.get(), path_, 3, budget_);
  std::vector<std::uint8_t> buffer(kBlockPayload);
  ASSERT_EQ(reader.read(buffer.data(), 1), 1u);
  EXPECT_EQ(reader.block_offset(), 0u);
  ASSERT_EQ(reader.read(buffer.data(), kBlockPayload - 2), kBlockPayload - 2);
  EXPECT_EQ(reader.block_offset(), 0u);
  ASSERT_EQ(reader.read(buffer.data(), 2), 2u);  // the last byte of block 0, the first of 1
  EXPECT_EQ(reader.block_offset(), block_offsets_[1]);
  ASSERT_EQ(reader.read(buffer.data(), kBlockPayload), kBlockPayload);
  EXPECT_EQ(reader.block_offset(), block_offsets_[2]);
  EXPECT_EQ(buffer[kBlockPayload - 1], payload_[2 * kBlockPayload]);
}

// BUG (src/bgzf_reader.cpp, BgzfReader::read / next_block): the header promises "the block
// the next byte comes from", but current_block_offset_ only moves when the next block is
// loaded, so right after a block is consumed exactly it still names the consumed block. The
// sort job reads block_offset() before each record, so a bad record that starts a block (the
// first record after the header block, for one) is reported at the previous block's offset.
TEST_F(BgzfReaderTest, BlockOffsetAtABlockBoundaryNamesTheNextBlock) {
  FileDescriptor fd = open_bytes(file_, "boundary.bgzf");
  BgzfReader reader(fd.get(), path_, 2, budget_);
  std::vector<std::uint8_t> buffer(kBlockPayload);
  ASSERT_EQ(reader.read(buffer.data(), kBlockPayload), kBlockPayload);
  EXPECT_EQ(reader.block_offset(), block_offsets_[1]);
}

TEST_F(BgzfReaderTest, MissingEofMarkerIsReportedOnlyAtTheEnd) {
  std::vector<std::uint8_t> cut(file_.begin(), file_.end() - 28);
  FileDescriptor fd = open_bytes(cut, "no_eof.bgzf");
  BgzfReader reader(fd.get(), path_, 2, budget_);
  std::vector<std::uint8_t> buffer(100);
  reader.read(buffer.data(), buffer.size());
  EXPECT_FALSE(reader.missing_eof_marker());
  std::vector<std::uint8_t> rest = drain(reader);
  EXPECT_EQ(rest.size(), payload_.size() - 100);
  EXPECT_TRUE(reader.missing_eof_marker());
}

TEST_F(BgzfReaderTest, EmptyFileHasNoDataAndNoEofMarker) {
  FileDescriptor fd = open_bytes({}, "empty.bgzf");
  BgzfReader reader(fd.get(), path_, 1, budget_);
  std::uint8_t byte = 0;
  EXPECT_EQ(reader.read(&byte, 1), 0u);
  EXPECT_TRUE(reader.missing_eof_marker());
}

TEST_F(BgzfReaderTest, EmptyBlocksInTheMiddleAreSkipped) {
  std::vector<std::uint8_t> file(file_.begin(), file_.begin() + block_offsets_[1]);
  file.insert(file.end(), kBgzfEofBlock, kBgzfEofBlock + 28);
  file.insert(file.end(), file_.begin() + block_offsets_[1], file_.end());
  FileDescriptor fd = open_bytes(file, "inner_empty.bgzf");
  BgzfReader reader(fd.get(), path_, 2, budget_);
  EXPECT_EQ(drain(reader), payload_);
  EXPECT_FALSE(reader.missing_eof_marker());
}

TEST_F(BgzfReaderTest, TruncationInsideABlockIsAFormatError) {
  std::vector<std::size_t> cuts = {1,
                                   10,
                                   17,
                                   18,
                                   19,
                                   200,
                                   block_offsets_[1] - 1,
                                   block_offsets_[1] + 5,
                                   block_offsets_[5] + 100,
                                   file_.size() - 1,
                                   file_.size() - 10,
                                   file_.size() - 27};
  for (std::size_t cut : cuts) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    std::vector<std::uint8_t> bytes(file_.begin(), file_.begin() + cut);
    FileDescriptor fd = open_bytes(bytes, "cut.bgzf");
    BgzfReader reader(fd.get(), path_, 2, budget_);
    auto message = test::thrown_message<FormatError>([&] { drain(reader); });
    ASSERT_TRUE(message.has_value());
    EXPECT_TRUE(test::contains(*message, "truncated")) << *message;
    EXPECT_TRUE(test::contains(*message, path_)) << *message;
  }
}

TEST_F(BgzfReaderTest, TruncationAtABlockBoundaryLosesOnlyTheEofMarker) {
  for (std::size_t block : {1u, 4u, 12u}) {
    std::size_t cut = block_offsets_[block];
    std::vector<std::uint8_t> bytes(file_.begin(), file_.begin() + cut);
    FileDescriptor fd = open_bytes(bytes, "boundary.bgzf");
    BgzfReader reader(fd.get(), path_, 2, budget_);
    std::vector<std::uint8_t> got = drain(reader);
    EXPECT_EQ(got.size(), block * kBlockPayload);
    EXPECT_TRUE(std::equal(got.begin(), got.end(), payload_.begin()));
    EXPECT_TRUE(reader.missing_eof_marker());
  }
}

TEST_F(BgzfReaderTest, FlippedCrcIsAFormatErrorAtThatBlock) {
  std::vector<std::uint8_t> bytes = file_;
  std::size_t crc_at = block_offsets_[3] - 8;  // footer of block 2
  bytes[crc_at] ^= 0x80;
  FileDescriptor fd = open_bytes(bytes, "crc.bgzf");
  BgzfReader reader(fd.get(), path_, 4, budget_);
  // Blocks 0 and 1 are delivered intact before the error surfaces.
  std::vector<std::uint8_t> buffer(2 * kBlockPayload);
  ASSERT_EQ(reader.read(buffer.data(), buffer.size()), buffer.size());
  EXPECT_TRUE(std::equal(buffer.begin(), buffer.end(), payload_.begin()));
  auto message = test::thrown_message<FormatError>([&] { reader.read(buffer.data(), 1); });
  ASSERT_TRUE(message.has_value());
  EXPECT_TRUE(test::contains(*message, "CRC")) << *message;
  EXPECT_TRUE(test::contains(*message, "offset " + std::to_string(block_offsets_[2]))) << *message;
}

TEST_F(BgzfReaderTest, BadMagicIsAFormatError) {
  std::vector<std::uint8_t> bytes = file_;
  bytes[block_offsets_[6]] = 'B';
  FileDescriptor fd = open_bytes(bytes, "magic.bgzf");
  BgzfReader reader(fd.get(), path_, 2, budget_);
  auto message = test::thrown_message<FormatError>([&] { drain(reader); });
  ASSERT_TRUE(message.has_value());
  EXPECT_TRUE(test::contains(*message, "offset " + std::to_string(block_offsets_[6]))) << *message;
}

TEST_F(BgzfReaderTest, PlainGzipOrTextInputIsAFormatError) {
  std::vector<std::uint8_t> text(1000, 'x');
  FileDescriptor fd = open_bytes(text, "text.sam");
  BgzfReader reader(fd.get(), path_, 1, budget_);
  EXPECT_THROW(drain(reader), FormatError);
}

TEST_F(BgzfReaderTest, ReadsFromAPipeFedInSmallPieces) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  FileDescriptor read_end(pipe_fds[0]);
  FileDescriptor write_end(pipe_fds[1]);
  std::thread feeder([&] {
    for (std::size_t at = 0; at < file_.size(); at += 4099) {
      std::size_t take = std::min<std::size_t>(4099, file_.size() - at);
      write_fully(write_end.get(), file_.data() + at, take, "pipe");
    }
    write_end.reset();
  });
  std::vector<std::uint8_t> got;
  {
    BgzfReader reader(read_end.get(), "pipe", 3, budget_);
    got = drain(reader);
    EXPECT_FALSE(reader.missing_eof_marker());
  }
  feeder.join();
  EXPECT_EQ(got, payload_);
}

TEST_F(BgzfReaderTest, DestroyingBeforeTheEndDoesNotHang) {
  std::vector<std::uint8_t> big_payload = test::compressible_bytes(2 * config::kMiB, 72);
  std::vector<std::uint8_t> big = test::make_bgzf(big_payload, config::kBgzfMaxPayloadBytes, true);
  FileDescriptor fd = open_bytes(big, "big.bgzf");
  for (std::size_t threads : {1u, 4u}) {
    lseek(fd.get(), 0, SEEK_SET);
    BgzfReader reader(fd.get(), path_, threads, budget_);
    std::vector<std::uint8_t> buffer(10);
    EXPECT_EQ(reader.read(buffer.data(), buffer.size()), buffer.size());
  }
  EXPECT_EQ(budget_.reserved_bytes(), 0u);
}

TEST_F(BgzfReaderTest, ReadErrorIsAnIoError) {
  std::string path = scratch_.file("write_only");
  test::write_file_bytes(path, file_);
  FileDescriptor fd(open(path.c_str(), O_WRONLY));
  BgzfReader reader(fd.get(), path, 1, budget_);
  std::uint8_t byte = 0;
  EXPECT_THROW(reader.read(&byte, 1), IoError);
}

TEST_F(BgzfReaderTest, BudgetTooSmallForTheRingThrowsResourceError) {
  MemoryBudget small(BgzfReader::reserved_bytes_for(2) - 1);
  auto message =
      test::thrown_message<ResourceError>([&] { BgzfReader reader(-1, "in", 2, small); });
  ASSERT_TRUE(message.has_value());
  EXPECT_TRUE(test::contains(*message, "input decompression ring")) << *message;
  EXPECT_EQ(small.reserved_bytes(), 0u);
  MemoryBudget exact(BgzfReader::reserved_bytes_for(2));
  FileDescriptor fd = open_bytes(file_, "exact.bgzf");
  BgzfReader reader(fd.get(), path_, 2, exact);
  EXPECT_EQ(drain(reader), payload_);
}

enum class Retry { kThrew, kReturned, kHung };

void PrintTo(Retry retry, std::ostream* out) {
  *out << (retry == Retry::kThrew ? "threw" : retry == Retry::kReturned ? "returned" : "hung");
}

// A reader with everything it uses on the heap, so that a reader stuck in read() on another
// thread can be abandoned (leaked on purpose) instead of destroyed under that thread.
struct AbandonableReader {
  AbandonableReader(FileDescriptor file, const std::string& path)
      : fd(std::make_unique<FileDescriptor>(std::move(file))),
        budget(std::make_unique<MemoryBudget>(kBudgetBytes)),
        reader(std::make_unique<BgzfReader>(fd->get(), path, 2, *budget)) {}
  ~AbandonableReader() {
    if (!hung) return;
    static_cast<void>(reader.release());
    static_cast<void>(budget.release());
    static_cast<void>(fd.release());
  }
  std::unique_ptr<FileDescriptor> fd;
  std::unique_ptr<MemoryBudget> budget;
  std::unique_ptr<BgzfReader> reader;
  bool hung = false;
};

// Reads to the end once more, after an error, on a detached thread with a deadline.
Retry read_again(AbandonableReader& target) {
  auto outcome = std::make_shared<std::promise<Retry>>();
  std::future<Retry> done = outcome->get_future();
  std::thread([reader = target.reader.get(), outcome] {
    std::vector<std::uint8_t> buffer(1 << 20);
    try {
      while (reader->read(buffer.data(), buffer.size()) == buffer.size()) {
      }
      outcome->set_value(Retry::kReturned);
    } catch (const Error&) {
      outcome->set_value(Retry::kThrew);
    }
  }).detach();
  if (done.wait_for(std::chrono::seconds(3)) == std::future_status::ready) return done.get();
  target.hung = true;
  return Retry::kHung;
}

// BUG (src/bgzf_reader.cpp, BgzfReader::next_block / io_loop): errors are not sticky. After a
// FormatError for a truncated block (likewise a bad header or an IoError) the I/O thread has
// exited, so a second read() waits in ring_.wait_done() for a slot that never completes and
// hangs forever.
TEST_F(BgzfReaderTest, ReadAfterTruncationErrorThrowsAgainInsteadOfHanging) {
  std::vector<std::uint8_t> bytes(file_.begin(), file_.begin() + block_offsets_[3] + 100);
  AbandonableReader target(open_bytes(bytes, "cut.bgzf"), path_);
  EXPECT_THROW(drain(*target.reader), FormatError);
  EXPECT_EQ(read_again(target), Retry::kThrew);
}

// BUG (src/bgzf_reader.cpp, BgzfReader::next_block): after a FormatError for a bad CRC, a
// second read() releases the bad slot and carries on with the next block, so a caller that
// catches the error and reads on gets the stream with a 50,000-byte hole and no further error.
TEST_F(BgzfReaderTest, ReadAfterCrcErrorThrowsAgainInsteadOfSkippingTheBlock) {
  std::vector<std::uint8_t> bytes = file_;
  bytes[block_offsets_[3] - 8] ^= 0x01;
  AbandonableReader target(open_bytes(bytes, "crc.bgzf"), path_);
  EXPECT_THROW(drain(*target.reader), FormatError);
  EXPECT_EQ(read_again(target), Retry::kThrew);
}

}  // namespace
}  // namespace samsort
