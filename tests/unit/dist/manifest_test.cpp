// Piece manifests: written and read back; anything else is refused.
#include "samsort/dist/manifest.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "samsort/core/errors.hpp"
#include "samsort/io/output_file.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

TEST(ManifestTest, RoundTrip) {
  test::ScratchDir dir;
  PieceManifest manifest{.kind = "range",
                         .index = 7,
                         .shards = 8,
                         .records = 123456789,
                         .checksum = 0xfedcba9876543210ULL,
                         .bytes = 98765};
  {
    OutputFile file(dir.file("m"));
    write_manifest(manifest, file);
    file.commit();
  }
  PieceManifest read = read_manifest(dir.file("m"));
  EXPECT_EQ(read.kind, "range");
  EXPECT_EQ(read.index, 7U);
  EXPECT_EQ(read.shards, 8U);
  EXPECT_EQ(read.records, 123456789U);
  EXPECT_EQ(read.checksum, 0xfedcba9876543210ULL);
  EXPECT_EQ(read.bytes, 98765U);
}

TEST(ManifestTest, DamagedManifestsAreRefused) {
  test::ScratchDir dir;
  std::string good = format_manifest({.kind = "slice", .index = 1, .shards = 2});
  for (const std::string& text : {std::string("samsort-plan 1\n"), good.substr(0, good.size() - 4),
                                  good.substr(0, good.find("records")) + "records many\n" +
                                      good.substr(good.find("checksum")),
                                  good.substr(0, good.find("end")) + "colour red\nend\n"}) {
    std::ofstream(dir.file("bad")) << text;
    EXPECT_THROW(read_manifest(dir.file("bad")), Error) << text;
  }
  EXPECT_THROW(read_manifest(dir.file("missing")), IoError);
}

}  // namespace
}  // namespace samsort
