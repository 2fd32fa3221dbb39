// CRAM memory estimates: the reference htslib loads (from @SQ lengths) and the thread count.
#include "samsort/io/cram_memory.hpp"

#include <gtest/gtest.h>
#include <htslib/sam.h>

#include <memory>
#include <string>

namespace samsort {
namespace {

struct HeaderDeleter {
  void operator()(sam_hdr_t* header) const noexcept { sam_hdr_destroy(header); }
};
using HeaderPtr = std::unique_ptr<sam_hdr_t, HeaderDeleter>;

HeaderPtr parse(const std::string& text) {
  return HeaderPtr(sam_hdr_parse(text.size(), text.c_str()));
}

constexpr const char* kHeader =
    "@SQ\tSN:small\tLN:1000\n"
    "@SQ\tSN:big\tLN:3000000\tM5:0123456789abcdef0123456789abcdef\n"
    "@SQ\tSN:mid\tLN:2000000\tUR:/refs/mid.fa\n"
    "@SQ\tSN:other\tLN:1000000\n";

TEST(CramReference, GivenReferenceCountsEveryContigLargestFirst) {
  HeaderPtr header = parse(kHeader);
  ASSERT_TRUE(header);
  CramReference reference = cram_reference(header.get(), true, true);
  EXPECT_EQ(reference.lengths, (std::vector<std::uint64_t>{3000000, 2000000, 1000000, 1000}));
  EXPECT_FALSE(reference.keeps_all);
}

TEST(CramReference, WithoutReferenceOnlyContigsWithASource) {
  HeaderPtr header = parse(kHeader);
  ASSERT_TRUE(header);
  CramReference reference = cram_reference(header.get(), false, false);
  EXPECT_EQ(reference.lengths, (std::vector<std::uint64_t>{3000000, 2000000}));
  EXPECT_TRUE(reference.keeps_all);
}

TEST(CramReference, SortedHoldsThreadsPlusOneContigsUnsortedAll) {
  CramReference sorted{{4000000, 3000000, 2000000, 1000000}, false};
  auto bytes = [](double bases) {
    return static_cast<std::size_t>(bases * config::kCramReferenceBytesPerBase);
  };
  EXPECT_EQ(reference_bytes(sorted, 1), bytes(7000000));
  EXPECT_EQ(reference_bytes(sorted, 2), bytes(9000000));
  EXPECT_EQ(reference_bytes(sorted, 8), bytes(10000000));
  CramReference unsorted{sorted.lengths, true};
  EXPECT_EQ(reference_bytes(unsorted, 1), bytes(10000000));
  EXPECT_EQ(reference_bytes(CramReference{}, 4), 0u);
}

TEST(CramReference, ThreadsAreLimitedByTheReferenceTheyAdd) {
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  // Without a reference, 256 MiB affords 1 + (64 - 20) / 28 = 2 decoder threads.
  EXPECT_EQ(codec_threads(kCramDecoderMemory, 8, 256 * kMiB), 2u);
  // Each extra thread also holds one more 100 Mbase contig: only one thread fits the share.
  CramReference reference{{100000000, 100000000, 100000000}, false};
  EXPECT_EQ(codec_threads(kCramDecoderMemory, 8, 256 * kMiB, reference), 1u);
  // One contig in all: extra threads add no reference.
  CramReference one{{100000000}, false};
  EXPECT_EQ(codec_threads(kCramDecoderMemory, 8, 256 * kMiB, one), 2u);
  EXPECT_GE(codec_bytes(kCramDecoderMemory, 1, one), 100000000u);
}

}  // namespace
}  // namespace samsort
