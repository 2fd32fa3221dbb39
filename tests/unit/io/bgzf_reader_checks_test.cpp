// BgzfReader on inputs shorter than one block header (text is "not a BGZF block", the start
// of a real block header is "truncated"), and on pipes: an hFILE's peeked bytes come first,
// and a reader stopped while its pipe's writer stalls does not wait for the writer.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <htslib/hfile.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
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

std::string read_error(const std::vector<std::uint8_t>& bytes) {
  test::ScratchDir scratch;
  std::string path = scratch.file("short");
  test::write_file_bytes(path, bytes);
  FileDescriptor fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  MemoryBudget budget(16 * config::kMiB);
  BgzfReader reader(fd.get(), path, 1, budget);
  std::uint8_t out[16];
  try {
    reader.read(out, sizeof out);
  } catch (const FormatError& error) {
    return error.what();
  }
  return "";
}

TEST(ShortInput, TextIsNotBgzf) {
  for (const std::string text : {"h", "hello\n", "@HD\tVN:1.6\n"}) {
    std::string error = read_error(std::vector<std::uint8_t>(text.begin(), text.end()));
    EXPECT_TRUE(test::contains(error, "not a BGZF block")) << text << ": " << error;
  }
}

TEST(ShortInput, StartOfABlockHeaderIsTruncated) {
  for (std::size_t bytes : {std::size_t{1}, std::size_t{4}, std::size_t{11}, std::size_t{17}}) {
    std::vector<std::uint8_t> prefix(kBgzfEofBlock, kBgzfEofBlock + bytes);
    std::string error = read_error(prefix);
    EXPECT_TRUE(test::contains(error, "truncated BGZF block")) << bytes << ": " << error;
  }
}

class PipeTest : public ::testing::Test {
 protected:
  PipeTest() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
    read_end_ = FileDescriptor(fds[0]);
    write_end_ = FileDescriptor(fds[1]);
  }
  // Writes without a reader running: must fit the pipe's buffer (64 KiB on Linux).
  void write_bytes(const std::vector<std::uint8_t>& bytes) {
    ASSERT_LT(bytes.size(), kPipeBufferBytes);
    write_fully(write_end_.get(), bytes.data(), bytes.size(), "pipe");
  }
  static constexpr std::size_t kPipeBufferBytes = 60000;

  FileDescriptor read_end_;
  FileDescriptor write_end_;
  MemoryBudget budget_{16 * config::kMiB};
};

TEST_F(PipeTest, PeekedBytesOfAnHFileComeFirst) {
  std::vector<std::uint8_t> payload = test::compressible_bytes(60000, 5);
  write_bytes(test::make_bgzf(payload, 20000, true));
  if (HasFatalFailure()) return;
  write_end_.reset();
  hFILE* file = hdopen(read_end_.get(), "r");
  ASSERT_NE(file, nullptr);
  char peeked[64];
  ASSERT_EQ(hpeek(file, peeked, sizeof peeked), static_cast<ssize_t>(sizeof peeked));
  std::vector<std::uint8_t> out(payload.size() + 1);
  {
    BgzfReader reader(file, read_end_.get(), "pipe", 2, budget_);
    EXPECT_EQ(reader.read(out.data(), out.size()), payload.size());
    out.resize(payload.size());
    EXPECT_EQ(out, payload);
    EXPECT_FALSE(reader.missing_eof_marker());
  }
  hclose_abruptly(file);
  static_cast<void>(read_end_.release());  // closed by hclose_abruptly
}

TEST_F(PipeTest, StoppingDoesNotWaitForAStalledWriter) {
  constexpr auto kPrompt = std::chrono::seconds(5);
  std::vector<std::uint8_t> payload = test::compressible_bytes(60000, 6);
  std::vector<std::uint8_t> file = test::make_bgzf(payload, 10000, true);
  file.resize(file.size() / 2);  // the writer sends half, then stalls with the pipe open
  write_bytes(file);
  if (HasFatalFailure()) return;
  auto reader = std::make_unique<BgzfReader>(read_end_.get(), "pipe", 1, budget_);
  std::vector<std::uint8_t> out(1000);
  EXPECT_EQ(reader->read(out.data(), out.size()), out.size());
  // The reader's I/O thread now waits for more input; the consumer gives up.
  auto destroyed = std::async(std::launch::async, [&reader] { reader.reset(); });
  bool prompt = destroyed.wait_for(kPrompt) == std::future_status::ready;
  write_end_.reset();  // unblocks a reader that did wait, so the test can end either way
  destroyed.wait();
  EXPECT_TRUE(prompt) << "destroying the reader waited for the pipe's writer";
}

}  // namespace
}  // namespace samsort
