// BgzfWriter: block layout (payload cap, flush points, EOF marker), byte-exact round trips
// through BgzfReader at several thread counts, pipes, positional writes, budget and I/O errors.
#include "samsort/io/bgzf_writer.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <thread>
#include <vector>

#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/io/bgzf_block.hpp"
#include "samsort/io/bgzf_reader.hpp"
#include "samsort/io/file_io.hpp"
#include "test_bgzf.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

constexpr std::size_t kBudgetBytes = 64 * config::kMiB;

// 3 MiB of mostly compressible data with incompressible stretches.
std::vector<std::uint8_t> make_payload() {
  std::vector<std::uint8_t> data = test::compressible_bytes(3 * config::kMiB, 11);
  std::vector<std::uint8_t> noise = test::random_bytes(300000, 12);
  std::copy(noise.begin(), noise.end(), data.begin() + 1000000);
  std::copy(noise.begin(), noise.begin() + 70000, data.begin() + 2500000);
  return data;
}

// Writes `data` in irregular pieces, calling flush_block() at each of `flush_points`.
void write_in_pieces(BgzfWriter& writer, const std::vector<std::uint8_t>& data,
                     const std::vector<std::size_t>& flush_points) {
  static constexpr std::size_t kPieces[] = {1, 13, 70000, 4096, 123457, 3, 65280, 65281};
  std::size_t at = 0;
  std::size_t piece_idx = 0;
  std::size_t next_flush = 0;
  while (at < data.size()) {
    std::size_t limit = next_flush < flush_points.size() ? flush_points[next_flush] : data.size();
    std::size_t take = std::min(kPieces[piece_idx++ % std::size(kPieces)], limit - at);
    writer.write(data.data() + at, take);
    at += take;
    while (next_flush < flush_points.size() && flush_points[next_flush] == at) {
      writer.flush_block();
      ++next_flush;
    }
  }
}

// Reads the whole stream in rotating chunk sizes.
std::vector<std::uint8_t> read_all(BgzfReader& reader) {
  static constexpr std::size_t kChunks[] = {1, 7, 4096, 100000, 65280, 2, 300000};
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> buffer(300000);
  for (std::size_t idx = 0;; ++idx) {
    std::size_t want = kChunks[idx % std::size(kChunks)];
    std::size_t got = reader.read(buffer.data(), want);
    out.insert(out.end(), buffer.begin(), buffer.begin() + got);
    if (got < want) break;
  }
  EXPECT_EQ(reader.read(buffer.data(), 10), 0u);  // stays at the end
  return out;
}

// Checks the layout rules: payload <= 0xff00, blocks end only when full, at a flush point
// or at the end; the file ends with the EOF marker.
void check_layout(const std::vector<std::uint8_t>& file, const std::vector<std::uint8_t>& data,
                  const std::vector<std::size_t>& flush_points) {
  ASSERT_GE(file.size(), 28u);
  EXPECT_TRUE(std::equal(kBgzfEofBlock, kBgzfEofBlock + 28, file.end() - 28));
  std::vector<test::ParsedBlock> blocks = test::parse_bgzf(file);
  ASSERT_GE(blocks.size(), 2u);
  EXPECT_TRUE(blocks.back().payload.empty());
  EXPECT_EQ(test::joined_payload(blocks), data);
  std::set<std::size_t> flushes(flush_points.begin(), flush_points.end());
  std::size_t payload_end = 0;
  for (std::size_t idx = 0; idx + 1 < blocks.size(); ++idx) {
    const test::ParsedBlock& block = blocks[idx];
    EXPECT_LE(block.compressed_bytes, config::kBgzfMaxBlockBytes);
    EXPECT_LE(block.payload.size(), config::kBgzfMaxPayloadBytes);
    EXPECT_FALSE(block.payload.empty()) << "empty data block " << idx;
    payload_end += block.payload.size();
    bool full = block.payload.size() == config::kBgzfMaxPayloadBytes;
    bool last = idx + 2 == blocks.size();
    EXPECT_TRUE(full || last || flushes.count(payload_end) == 1)
        << "block " << idx << " ends early at payload offset " << payload_end;
    flushes.erase(payload_end);
  }
  EXPECT_TRUE(flushes.empty()) << "a flush point is not a block boundary: " << *flushes.begin();
}

struct RoundTripCase {
  std::size_t writer_threads;
  std::size_t reader_threads;
  int level;
};

void PrintTo(const RoundTripCase& param, std::ostream* out) {
  *out << "writer threads " << param.writer_threads << ", reader threads " << param.reader_threads
       << ", level " << param.level;
}

class BgzfRoundTripTest : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(BgzfRoundTripTest, FileRoundTripIsByteExact) {
  const RoundTripCase& param = GetParam();
  test::ScratchDir scratch;
  const std::string path = scratch.file("data.bgzf");
  const std::vector<std::uint8_t> data = make_payload();
  const std::vector<std::size_t> flush_points = {1, 1000, 200000, 1000000, 1065280, 3000001};
  MemoryBudget budget(kBudgetBytes);
  std::uint64_t written = 0;
  {
    FileDescriptor fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
    ASSERT_TRUE(fd.valid());
    BgzfWriter writer({.fd = fd.get(),
                       .path = path,
                       .mode = BgzfWriteMode::kStream,
                       .start_offset = 0,
                       .codec = {BlockFormat::kBgzf, param.level},
                       .threads = param.writer_threads},
                      budget);
    EXPECT_EQ(
        budget.reserved_bytes(),
        BgzfWriter::reserved_bytes_for(param.writer_threads, {BlockFormat::kBgzf, param.level}));
    write_in_pieces(writer, data, flush_points);
    EXPECT_EQ(writer.payload_bytes(), data.size());
    written = writer.finish(true);
    EXPECT_EQ(writer.finish(true), written);  // finishing twice is harmless
  }
  EXPECT_EQ(budget.reserved_bytes(), 0u);
  std::vector<std::uint8_t> file = test::read_file_bytes(path);
  EXPECT_EQ(written, file.size());
  check_layout(file, data, flush_points);

  FileDescriptor fd(open(path.c_str(), O_RDONLY));
  ASSERT_TRUE(fd.valid());
  BgzfReader reader(fd.get(), path, param.reader_threads, budget);
  EXPECT_EQ(budget.reserved_bytes(), BgzfReader::reserved_bytes_for(param.reader_threads));
  std::vector<std::uint8_t> back = read_all(reader);
  ASSERT_EQ(back.size(), data.size());
  EXPECT_TRUE(back == data);
  EXPECT_FALSE(reader.missing_eof_marker());
  EXPECT_EQ(reader.compressed_bytes_read(), file.size());
}

INSTANTIATE_TEST_SUITE_P(Threads, BgzfRoundTripTest,
                         ::testing::Values(RoundTripCase{1, 1, 6}, RoundTripCase{1, 4, 1},
                                           RoundTripCase{3, 1, 1}, RoundTripCase{3, 4, 0}),
                         [](const ::testing::TestParamInfo<RoundTripCase>& param_info) {
                           const RoundTripCase& param = param_info.param;
                           return "writer" + std::to_string(param.writer_threads) + "_reader" +
                                  std::to_string(param.reader_threads) + "_level" +
                                  std::to_string(param.level);
                         });

TEST(BgzfWriterTest, EmptyStreamIsJustTheEofMarker) {
  test::ScratchDir scratch;
  MemoryBudget budget(kBudgetBytes);
  for (bool eof_marker : {true, false}) {
    const std::string path = scratch.file(eof_marker ? "with_eof" : "without_eof");
    FileDescriptor fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
    BgzfWriter writer({.fd = fd.get(),
                       .path = path,
                       .mode = BgzfWriteMode::kStream,
                       .start_offset = 0,
                       .codec = {BlockFormat::kBgzf, 6},
                       .threads = 2},
                      budget);
    writer.flush_block();  // nothing buffered: no block
    std::uint64_t written = writer.finish(eof_marker);
    std::vector<std::uint8_t> file = test::read_file_bytes(path);
    EXPECT_EQ(written, file.size());
    if (eof_marker) {
      ASSERT_EQ(file.size(), 28u);
      EXPECT_TRUE(std::equal(file.begin(), file.end(), kBgzfEofBlock));
    } else {
      EXPECT_TRUE(file.empty());
    }
  }
}

TEST(BgzfWriterTest, WithoutEofMarkerTheReaderReportsIt) {
  test::ScratchDir scratch;
  const std::string path = scratch.file("no_eof.bgzf");
  const std::vector<std::uint8_t> data = test::compressible_bytes(200000, 21);
  MemoryBudget budget(kBudgetBytes);
  {
    FileDescriptor fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
    BgzfWriter writer({.fd = fd.get(),
                       .path = path,
                       .mode = BgzfWriteMode::kStream,
                       .start_offset = 0,
                       .codec = {BlockFormat::kBgzf, 1},
                       .threads = 1},
                      budget);
    writer.write(data.data(), data.size());
    writer.finish(false);
  }
  std::vector<std::uint8_t> file = test::read_file_bytes(path);
  ASSERT_GE(file.size(), 28u);
  EXPECT_FALSE(std::equal(kBgzfEofBlock, kBgzfEofBlock + 28, file.end() - 28));
  FileDescriptor fd(open(path.c_str(), O_RDONLY));
  BgzfReader reader(fd.get(), path, 2, budget);
  EXPECT_EQ(read_all(reader), data);
  EXPECT_TRUE(reader.missing_eof_marker());
}

TEST(BgzfWriterTest, PositionalWritersShareOneFile) {
  test::ScratchDir scratch;
  const std::string path = scratch.file("shared.bgzf");
  const std::vector<std::uint8_t> first = test::compressible_bytes(300000, 31);
  const std::vector<std::uint8_t> second = test::random_bytes(150000, 32);
  MemoryBudget budget(kBudgetBytes);
  FileDescriptor fd(open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600));
  constexpr std::uint64_t kStart = 100;  // bytes before it are left alone
  std::uint64_t first_bytes = 0;
  {
    BgzfWriter writer({.fd = fd.get(),
                       .path = path,
                       .mode = BgzfWriteMode::kPositional,
                       .start_offset = kStart,
                       .codec = {BlockFormat::kBgzf, 1},
                       .threads = 2},
                      budget);
    writer.write(first.data(), first.size());
    first_bytes = writer.finish(false);
  }
  std::uint64_t second_bytes = 0;
  {
    BgzfWriter writer({.fd = fd.get(),
                       .path = path,
                       .mode = BgzfWriteMode::kPositional,
                       .start_offset = kStart + first_bytes,
                       .codec = {BlockFormat::kBgzf, 1},
                       .threads = 2},
                      budget);
    writer.write(second.data(), second.size());
    second_bytes = writer.finish(true);
  }
  std::vector<std::uint8_t> file = test::read_file_bytes(path);
  ASSERT_EQ(file.size(), kStart + first_bytes + second_bytes);
  EXPECT_TRUE(
      std::all_of(file.begin(), file.begin() + kStart, [](std::uint8_t b) { return b == 0; }));
  file.erase(file.begin(), file.begin() + kStart);
  std::vector<test::ParsedBlock> blocks = test::parse_bgzf(file);
  std::vector<std::uint8_t> expected = first;
  expected.insert(expected.end(), second.begin(), second.end());
  EXPECT_EQ(test::joined_payload(blocks), expected);
  std::size_t boundary = 0;
  for (const test::ParsedBlock& block : blocks) {
    if (block.offset == first_bytes) boundary = block.offset;
  }
  EXPECT_EQ(boundary, first_bytes) << "the second stream does not start on a block";
}

TEST(BgzfWriterTest, PipeToConcurrentReader) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  FileDescriptor read_end(pipe_fds[0]);
  FileDescriptor write_end(pipe_fds[1]);
  const std::vector<std::uint8_t> data = test::compressible_bytes(2 * config::kMiB, 41);
  MemoryBudget budget(kBudgetBytes);
  std::thread producer([&] {
    {
      BgzfWriter writer({.fd = write_end.get(),
                         .path = "pipe",
                         .mode = BgzfWriteMode::kStream,
                         .start_offset = 0,
                         .codec = {BlockFormat::kBgzf, 1},
                         .threads = 2},
                        budget);
      write_in_pieces(writer, data, {5, 500000});
      writer.finish(true);
    }
    write_end.reset();
  });
  std::vector<std::uint8_t> back;
  {
    BgzfReader reader(read_end.get(), "pipe", 2, budget);
    back = read_all(reader);
    EXPECT_FALSE(reader.missing_eof_marker());
  }
  producer.join();
  EXPECT_TRUE(back == data);
  EXPECT_EQ(budget.reserved_bytes(), 0u);
}

TEST(BgzfWriterTest, BudgetTooSmallForTheRingThrowsResourceError) {
  for (std::size_t threads : {1u, 4u}) {
    MemoryBudget budget(BgzfWriter::reserved_bytes_for(threads, {}) - 1);
    auto message = test::thrown_message<ResourceError>([&] {
      BgzfWriter writer({.fd = -1,
                         .path = "out",
                         .mode = BgzfWriteMode::kStream,
                         .start_offset = 0,
                         .codec = {BlockFormat::kBgzf, 6},
                         .threads = threads},
                        budget);
    });
    ASSERT_TRUE(message.has_value()) << threads << " threads";
    EXPECT_TRUE(test::contains(*message, "output compression ring")) << *message;
    EXPECT_EQ(budget.reserved_bytes(), 0u);
  }
  EXPECT_GT(BgzfWriter::reserved_bytes_for(4, {}), BgzfWriter::reserved_bytes_for(1, {}));
  EXPECT_GE(BgzfWriter::reserved_bytes_for(1, {}), 4 * config::kBgzfMaxPayloadBytes);
}

TEST(BgzfWriterTest, WriteFailureSurfacesAsIoError) {
  test::ScratchDir scratch;
  const std::string path = scratch.file("read_only");
  test::write_file_bytes(path, std::vector<std::uint8_t>{});
  FileDescriptor fd(open(path.c_str(), O_RDONLY));
  const std::vector<std::uint8_t> data = test::compressible_bytes(config::kMiB, 51);
  MemoryBudget budget(kBudgetBytes);
  auto message = test::thrown_message<IoError>([&] {
    BgzfWriter writer({.fd = fd.get(),
                       .path = path,
                       .mode = BgzfWriteMode::kStream,
                       .start_offset = 0,
                       .codec = {BlockFormat::kBgzf, 1},
                       .threads = 2},
                      budget);
    writer.write(data.data(), data.size());
    writer.finish(true);
  });
  ASSERT_TRUE(message.has_value());
  EXPECT_TRUE(test::contains(*message, path)) << *message;
  EXPECT_EQ(budget.reserved_bytes(), 0u);
}

TEST(BgzfWriterTest, DestroyingAnUnfinishedWriterDoesNotHang) {
  test::ScratchDir scratch;
  const std::string path = scratch.file("abandoned");
  FileDescriptor fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
  const std::vector<std::uint8_t> data = test::compressible_bytes(config::kMiB, 61);
  MemoryBudget budget(kBudgetBytes);
  {
    BgzfWriter writer({.fd = fd.get(),
                       .path = path,
                       .mode = BgzfWriteMode::kStream,
                       .start_offset = 0,
                       .codec = {BlockFormat::kBgzf, 1},
                       .threads = 3},
                      budget);
    writer.write(data.data(), data.size());
  }
  EXPECT_EQ(budget.reserved_bytes(), 0u);
  // Whatever reached the file is whole blocks, without an EOF marker.
  std::vector<std::uint8_t> file = test::read_file_bytes(path);
  std::vector<test::ParsedBlock> blocks = test::parse_bgzf(file);
  std::vector<std::uint8_t> prefix = test::joined_payload(blocks);
  EXPECT_TRUE(std::equal(prefix.begin(), prefix.end(), data.begin()));
}

}  // namespace
}  // namespace samsort
