// The merged header of `samsort merge` against samtools HEAD (1.23.1-42-g8c865b97, htslib
// 1.23.1-19): every expected text below is the header of
//   samtools merge --no-PG -f -O sam -o out.sam [options] <inputs>
// over the same header lines, as tests/tools/make_merge_header_cases.sh writes and runs them
// (its case names are in the comments); '|' stands for a tab.
#include "samsort/merge/header_merge.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "samsort/core/errors.hpp"

namespace samsort {
namespace {

// Header text from lines written with '|' for tabs.
std::string header(std::initializer_list<const char*> lines) {
  std::string text;
  for (const char* line : lines) {
    for (const char* c = line; *c != '\0'; ++c) text += *c == '|' ? '\t' : *c;
    text += '\n';
  }
  return text;
}

const std::string kA =
    header({"@HD|VN:1.6|SO:coordinate", "@SQ|SN:chr1|LN:1000", "@SQ|SN:chr2|LN:2000",
            "@RG|ID:grp1|SM:s1|PG:bwa", "@PG|ID:bwa|PN:bwa|VN:0.7", "@PG|ID:st|PN:samtools|PP:bwa",
            "@CO|first comment"});
const std::string kB =
    header({"@HD|VN:1.5|SO:coordinate|GO:query", "@SQ|SN:chr1|LN:1000", "@SQ|SN:chr2|LN:2000",
            "@RG|ID:grp1|SM:s2|PG:bwa", "@RG|ID:grp2|SM:s3", "@PG|ID:bwa|PN:bwa|VN:0.8",
            "@PG|ID:st|PN:samtools|PP:bwa", "@CO|second comment"});
const std::string kC =
    header({"@HD|VN:1.6|SO:coordinate", "@SQ|SN:chr2|LN:2000", "@SQ|SN:chr3|LN:3000",
            "@SQ|SN:chr1|LN:1000", "@RG|ID:grp1|SM:s4|PG:nope", "@PG|ID:bwa|PN:bwa|PP:missing"});
const std::string kD = header({"@HD|VN:1.6|SO:coordinate|SS:coordinate:x|GO:none",
                               "@SQ|SN:chr3|LN:3000", "@SQ|SN:chr1|LN:1000", "@RG|ID:grp1|SM:s5"});
const std::string kNoHd = header({"@SQ|SN:chr1|LN:1000", "@CO|no hd here"});
const std::string kX = header({"@SQ|SN:chr1|LN:1000"});

HeaderMergeOptions seeded(long seed) {
  HeaderMergeOptions options;
  options.seed = seed;
  return options;
}

// The colliding pair both ways: ID + random suffix (same_collide, -s 1).
const std::string kCollided =
    header({"@HD|VN:1.6|SO:coordinate", "@SQ|SN:chr1|LN:1000", "@SQ|SN:chr2|LN:2000",
            "@RG|ID:grp1|SM:s1|PG:bwa", "@RG|ID:grp1-055424A4|SM:s2|PG:bwa-3A2CCEF5",
            "@RG|ID:grp2|SM:s3", "@PG|ID:bwa|PN:bwa|VN:0.7", "@PG|ID:st|PN:samtools|PP:bwa",
            "@PG|ID:bwa-3A2CCEF5|PN:bwa|VN:0.8", "@PG|ID:st-6ADB4A65|PN:samtools|PP:bwa-3A2CCEF5",
            "@CO|first comment", "@CO|second comment"});

TEST(HeaderMergeTest, CollidingIdsGetSeededSuffixesAndPpFollows) {
  MergedHeader merged = merge_headers({kA, kB}, {"a.sam", "b.sam"}, seeded(1));
  EXPECT_EQ(merged.text, kCollided);
  EXPECT_TRUE(merged.warnings.empty());
  ASSERT_EQ(merged.inputs.size(), 2u);
  EXPECT_EQ(merged.inputs[0].tid_map, (std::vector<std::int32_t>{0, 1}));
  EXPECT_EQ(merged.inputs[0].read_group_map, (IdMap{{"grp1", "grp1"}}));
  EXPECT_EQ(merged.inputs[0].program_map, (IdMap{{"bwa", "bwa"}, {"st", "st"}}));
  EXPECT_EQ(merged.inputs[1].tid_map, (std::vector<std::int32_t>{0, 1}));
  // Records: rb RG:Z:grp1 PG:Z:st became RG:Z:grp1-055424A4 PG:Z:st-6ADB4A65.
  EXPECT_EQ(merged.inputs[1].read_group_map, (IdMap{{"grp1", "grp1-055424A4"}, {"grp2", "grp2"}}));
  EXPECT_EQ(merged.inputs[1].program_map, (IdMap{{"bwa", "bwa-3A2CCEF5"}, {"st", "st-6ADB4A65"}}));
  EXPECT_EQ(merged.inputs[1].attached_read_group, "");
  EXPECT_FALSE(merged.inputs[1].lost_coordinate_order);
}

TEST(HeaderMergeTest, CombineReadGroupsKeepsTheFirstLine) {  // same_combine_rg: -c -s 1
  HeaderMergeOptions options = seeded(1);
  options.combine_read_groups = true;
  MergedHeader merged = merge_headers({kA, kB}, {"a.sam", "b.sam"}, options);
  EXPECT_EQ(merged.text,
            header({"@HD|VN:1.6|SO:coordinate", "@SQ|SN:chr1|LN:1000", "@SQ|SN:chr2|LN:2000",
                    "@RG|ID:grp1|SM:s1|PG:bwa", "@RG|ID:grp2|SM:s3", "@PG|ID:bwa|PN:bwa|VN:0.7",
                    "@PG|ID:st|PN:samtools|PP:bwa", "@PG|ID:bwa-055424A4|PN:bwa|VN:0.8",
                    "@PG|ID:st-3A2CCEF5|PN:samtools|PP:bwa-055424A4", "@CO|first comment",
                    "@CO|second comment"}));
  EXPECT_EQ(merged.inputs[1].read_group_map, (IdMap{{"grp1", "grp1"}, {"grp2", "grp2"}}));
}

TEST(HeaderMergeTest, CombineProgramsKeepsTheFirstLine) {  // same_combine_pg: -p -s 1
  HeaderMergeOptions options = seeded(1);
  options.combine_programs = true;
  MergedHeader merged = merge_headers({kA, kB}, {"a.sam", "b.sam"}, options);
  EXPECT_EQ(merged.text,
            header({"@HD|VN:1.6|SO:coordinate", "@SQ|SN:chr1|LN:1000", "@SQ|SN:chr2|LN:2000",
                    "@RG|ID:grp1|SM:s1|PG:bwa", "@RG|ID:grp1-055424A4|SM:s2|PG:bwa",
                    "@RG|ID:grp2|SM:s3", "@PG|ID:bwa|PN:bwa|VN:0.7", "@PG|ID:st|PN:samtools|PP:bwa",
                    "@CO|first comment", "@CO|second comment"}));
  EXPECT_EQ(merged.inputs[1].program_map, (IdMap{{"bwa", "bwa"}, {"st", "st"}}));
}

TEST(HeaderMergeTest, CombineBothAddsNoSuffix) {  // same_combine_both: -c -p -s 1
  HeaderMergeOptions options = seeded(1);
  options.combine_read_groups = options.combine_programs = true;
  MergedHeader merged = merge_headers({kA, kB}, {"a.sam", "b.sam"}, options);
  EXPECT_EQ(merged.text,
            header({"@HD|VN:1.6|SO:coordinate", "@SQ|SN:chr1|LN:1000", "@SQ|SN:chr2|LN:2000",
                    "@RG|ID:grp1|SM:s1|PG:bwa", "@RG|ID:grp2|SM:s3", "@PG|ID:bwa|PN:bwa|VN:0.7",
                    "@PG|ID:st|PN:samtools|PP:bwa", "@CO|first comment", "@CO|second comment"}));
}

TEST(HeaderMergeTest, SuffixesAreDrawnInInputOrder) {  // three_inputs: -s 42 a b b
  MergedHeader merged = merge_headers({kA, kB, kB}, {"a.sam", "b.sam", "b.sam"}, seeded(42));
  EXPECT_EQ(
      merged.text,
      header({"@HD|VN:1.6|SO:coordinate", "@SQ|SN:chr1|LN:1000", "@SQ|SN:chr2|LN:2000",
              "@RG|ID:grp1|SM:s1|PG:bwa", "@RG|ID:grp1-5F4C985F|SM:s2|PG:bwa-2BDDA45D",
              "@RG|ID:grp2|SM:s3", "@RG|ID:grp1-360F33F6|SM:s2|PG:bwa-6D9FD95F",
              "@RG|ID:grp2-0A61D9D1|SM:s3", "@PG|ID:bwa|PN:bwa|VN:0.7",
              "@PG|ID:st|PN:samtools|PP:bwa", "@PG|ID:bwa-2BDDA45D|PN:bwa|VN:0.8",
              "@PG|ID:st-0E380AE3|PN:samtools|PP:bwa-2BDDA45D", "@PG|ID:bwa-6D9FD95F|PN:bwa|VN:0.8",
              "@PG|ID:st-3FD8A8D2|PN:samtools|PP:bwa-6D9FD95F", "@CO|first comment",
              "@CO|second comment", "@CO|second comment"}));
}

TEST(HeaderMergeTest, NegativeSeedUsesItsLow32Bits) {  // negative_seed: -s -7
  MergedHeader merged = merge_headers({kA, kB}, {"a.sam", "b.sam"}, seeded(-7));
  EXPECT_EQ(merged.inputs[1].read_group_map.at("grp1"), "grp1-09A08AF0");
  EXPECT_EQ(merged.inputs[1].program_map.at("bwa"), "bwa-68ACA551");
  EXPECT_EQ(merged.inputs[1].program_map.at("st"), "st-76B03791");
}

TEST(HeaderMergeTest, NoSeedStillMakesSuffixesOfEightHexDigits) {
  MergedHeader merged = merge_headers({kA, kB}, {"a.sam", "b.sam"}, {});
  const std::string& id = merged.inputs[1].read_group_map.at("grp1");
  ASSERT_EQ(id.size(), 13u) << id;
  EXPECT_EQ(id.substr(0, 5), "grp1-");
  EXPECT_EQ(id.find_first_not_of("0123456789ABCDEF", 5), std::string::npos) << id;
}

TEST(HeaderMergeTest, DifferentSqListsAreUnitedAndTidsTranslated) {  // sq_union: -s 1 a c
  MergedHeader merged = merge_headers({kA, kC}, {"a.sam", "c.sam"}, seeded(1));
  EXPECT_EQ(merged.text, header({"@HD|VN:1.6|SO:unsorted", "@SQ|SN:chr1|LN:1000",
                                 "@SQ|SN:chr2|LN:2000", "@SQ|SN:chr3|LN:3000",
                                 "@RG|ID:grp1|SM:s1|PG:bwa", "@RG|ID:grp1-055424A4|SM:s4|PG:nope",
                                 "@PG|ID:bwa|PN:bwa|VN:0.7", "@PG|ID:st|PN:samtools|PP:bwa",
                                 "@PG|ID:bwa-3A2CCEF5|PN:bwa|PP:missing", "@CO|first comment"}));
  EXPECT_EQ(merged.inputs[1].tid_map, (std::vector<std::int32_t>{1, 2, 0}));
  EXPECT_TRUE(merged.inputs[1].lost_coordinate_order);
  // Dangling PG:/PP: references stay as they are, with samtools' warnings.
  EXPECT_EQ(
      merged.warnings,
      (std::vector<std::string>{
          "[W::finish_rg_pg] Tag PG:nope not found in @PG records",
          "[W::finish_rg_pg] Tag PP:missing not found in @PG records",
          "[bam_merge_core] Order of targets in file c.sam caused coordinate sort to be lost"}));
}

TEST(HeaderMergeTest, LostOrderResetsHdForACoordinateMergeOnly) {  // sq_order_lost*
  MergedHeader coordinate = merge_headers({kA, kD}, {"a.sam", "d.sam"}, seeded(1));
  const std::string rest =
      header({"@SQ|SN:chr1|LN:1000", "@SQ|SN:chr2|LN:2000", "@SQ|SN:chr3|LN:3000",
              "@RG|ID:grp1|SM:s1|PG:bwa", "@RG|ID:grp1-055424A4|SM:s5", "@PG|ID:bwa|PN:bwa|VN:0.7",
              "@PG|ID:st|PN:samtools|PP:bwa", "@CO|first comment"});
  EXPECT_EQ(coordinate.text, header({"@HD|VN:1.6|SO:unsorted"}) + rest);
  EXPECT_EQ(coordinate.inputs[1].tid_map, (std::vector<std::int32_t>{2, 0}));
  EXPECT_EQ(
      coordinate.warnings,
      (std::vector<std::string>{
          "[bam_merge_core] Order of targets in file d.sam caused coordinate sort to be lost"}));
  // -n, -N, --template-coordinate, -t XY: @HD as the first input has it, no message.
  for (SortOrder order : {SortOrder::kQueryName, SortOrder::kQueryNameLex,
                          SortOrder::kTemplateCoordinate, SortOrder::kCoordinate}) {
    HeaderMergeOptions options = seeded(1);
    options.order = order;
    if (order == SortOrder::kCoordinate) options.sort_tag = "XY";
    MergedHeader merged = merge_headers({kA, kD}, {"a.sam", "d.sam"}, options);
    EXPECT_EQ(merged.text, header({"@HD|VN:1.6|SO:coordinate"}) + rest);
    EXPECT_TRUE(merged.warnings.empty());
    EXPECT_TRUE(merged.inputs[1].lost_coordinate_order);
  }
}

TEST(HeaderMergeTest, LostOrderRemovesGoAndSsAndAddsSo) {
  // hd_reset_ss_go: the first input's SS and GO go (d's own @SQ order is the merged one, c
  // loses it).
  MergedHeader merged = merge_headers({kD, kC}, {"d.sam", "c.sam"}, seeded(1));
  EXPECT_EQ(merged.text.substr(0, merged.text.find('\n') + 1), header({"@HD|VN:1.6|SO:unsorted"}));
  // hd_without_so_first, hd_without_so: a @HD without SO gets SO:unsorted appended.
  const std::string no_so =
      header({"@HD|VN:1.6|GO:query", "@SQ|SN:chr2|LN:2000", "@SQ|SN:chr1|LN:1000"});
  merged = merge_headers({no_so, kA}, {"noso.sam", "a.sam"}, seeded(1));
  EXPECT_EQ(merged.text.substr(0, merged.text.find('\n') + 1), header({"@HD|VN:1.6|SO:unsorted"}));
  merged = merge_headers({kA, no_so}, {"a.sam", "noso.sam"}, seeded(1));
  EXPECT_EQ(merged.text,
            header({"@HD|VN:1.6|SO:unsorted", "@SQ|SN:chr1|LN:1000", "@SQ|SN:chr2|LN:2000",
                    "@RG|ID:grp1|SM:s1|PG:bwa", "@PG|ID:bwa|PN:bwa|VN:0.7",
                    "@PG|ID:st|PN:samtools|PP:bwa", "@CO|first comment"}));
}

TEST(HeaderMergeTest, HdComesFromTheFirstHeaderThatHasOne) {  // no_hd_first, no_hd_anywhere
  MergedHeader merged = merge_headers({kNoHd, kA}, {"nohd.sam", "a.sam"}, seeded(1));
  EXPECT_EQ(merged.text,
            header({"@HD|VN:1.6|SO:coordinate", "@SQ|SN:chr1|LN:1000", "@SQ|SN:chr2|LN:2000",
                    "@RG|ID:grp1|SM:s1|PG:bwa", "@PG|ID:bwa|PN:bwa|VN:0.7",
                    "@PG|ID:st|PN:samtools|PP:bwa", "@CO|no hd here", "@CO|first comment"}));
  EXPECT_TRUE(merged.warnings.empty());

  merged = merge_headers({kNoHd, kX}, {"nohd.sam", "dir1/x.sam"}, seeded(1));
  EXPECT_EQ(merged.text, header({"@SQ|SN:chr1|LN:1000", "@CO|no hd here"}));
  EXPECT_EQ(merged.warnings, (std::vector<std::string>{"[W::bam_merge_core2] No @HD tag found."}));
}

TEST(HeaderMergeTest, EmptyHeaders) {  // empty_header, empty_first
  MergedHeader merged = merge_headers({"", ""}, {"e.sam", "e.sam"}, seeded(1));
  EXPECT_EQ(merged.text, "");
  EXPECT_TRUE(merged.inputs[0].tid_map.empty());
  EXPECT_EQ(merged.warnings, (std::vector<std::string>{"[W::bam_merge_core2] No @HD tag found."}));
  merged = merge_headers({"", kA}, {"e.sam", "a.sam"}, seeded(1));
  EXPECT_EQ(merged.text.substr(0, merged.text.find('\n') + 1),
            header({"@HD|VN:1.6|SO:coordinate"}));
  EXPECT_TRUE(merged.warnings.empty());
}

TEST(HeaderMergeTest, AttachReadGroupRenamesEveryIdToTheFileName) {  // attach_rg: -r -s 1
  HeaderMergeOptions options = seeded(1);
  options.attach_read_group = true;
  const std::string expected =
      header({"@HD|VN:1.6|SO:coordinate", "@SQ|SN:chr1|LN:1000", "@SQ|SN:chr2|LN:2000",
              "@RG|ID:a|SM:s1|PG:bwa", "@RG|ID:b|SM:s2|PG:bwa-055424A4", "@PG|ID:bwa|PN:bwa|VN:0.7",
              "@PG|ID:st|PN:samtools|PP:bwa", "@PG|ID:bwa-055424A4|PN:bwa|VN:0.8",
              "@PG|ID:st-3A2CCEF5|PN:samtools|PP:bwa-055424A4", "@CO|first comment",
              "@CO|second comment"});
  MergedHeader merged = merge_headers({kA, kB}, {"a.sam", "b.sam"}, options);
  EXPECT_EQ(merged.text, expected);
  // b's second @RG (grp2) merges into "b": its line is dropped.
  EXPECT_EQ(merged.inputs[1].read_group_map, (IdMap{{"grp1", "b"}, {"grp2", "b"}}));
  EXPECT_EQ(merged.inputs[0].attached_read_group, "a");
  EXPECT_EQ(merged.inputs[1].attached_read_group, "b");
  options.combine_read_groups = true;  // attach_rg_combine: -r -c changes nothing here
  EXPECT_EQ(merge_headers({kA, kB}, {"a.sam", "b.sam"}, options).text, expected);
}

TEST(HeaderMergeTest, AttachReadGroupAddsALineToInputsWithoutOne) {  // attach_rg_same_name
  HeaderMergeOptions options = seeded(1);
  options.attach_read_group = true;
  MergedHeader merged = merge_headers({kX, kX, kA}, {"dir1/x.sam", "dir2/x.sam", "a.sam"}, options);
  EXPECT_EQ(merged.text, header({"@HD|VN:1.6|SO:coordinate", "@SQ|SN:chr1|LN:1000",
                                 "@SQ|SN:chr2|LN:2000", "@RG|ID:x", "@RG|ID:x-055424A4",
                                 "@RG|ID:a|SM:s1|PG:bwa", "@PG|ID:bwa|PN:bwa|VN:0.7",
                                 "@PG|ID:st|PN:samtools|PP:bwa", "@CO|first comment"}));
  EXPECT_EQ(merged.inputs[1].read_group_map, (IdMap{{"", "x-055424A4"}}));
  // samtools' records of dir2/x.sam get RG:Z:x all the same.
  EXPECT_EQ(merged.inputs[1].attached_read_group, "x");
}

TEST(HeaderMergeTest, AttachReadGroupAddsALineWhenAllMergedAway) {  // attach_rg_merged_away
  // dir1/a.sam's @RG merges into the existing "a", so its list of new lines is empty and
  // samtools adds "@RG ID:a" made unique, as for an input without @RG lines.
  HeaderMergeOptions options = seeded(1);
  options.attach_read_group = true;
  MergedHeader merged = merge_headers({kA, kA}, {"a.sam", "dir1/a.sam"}, options);
  EXPECT_EQ(merged.text,
            header({"@HD|VN:1.6|SO:coordinate", "@SQ|SN:chr1|LN:1000", "@SQ|SN:chr2|LN:2000",
                    "@RG|ID:a|SM:s1|PG:bwa", "@RG|ID:a-055424A4", "@PG|ID:bwa|PN:bwa|VN:0.7",
                    "@PG|ID:st|PN:samtools|PP:bwa", "@PG|ID:bwa-3A2CCEF5|PN:bwa|VN:0.7",
                    "@PG|ID:st-6ADB4A65|PN:samtools|PP:bwa-3A2CCEF5", "@CO|first comment",
                    "@CO|first comment"}));
  EXPECT_EQ(merged.inputs[1].read_group_map, (IdMap{{"", "a-055424A4"}, {"grp1", "a"}}));
  EXPECT_EQ(merged.inputs[1].attached_read_group, "a");
}

TEST(HeaderMergeTest, ReadGroupFromFileName) {  // attach_rg_suffixes and bam_merge_core2
  EXPECT_EQ(read_group_from_file_name("dir1/s.cram.sam"), "s.cram");
  EXPECT_EQ(read_group_from_file_name("z.bam"), "z");
  EXPECT_EQ(read_group_from_file_name("/data/run.1.cram"), "run.1");
  EXPECT_EQ(read_group_from_file_name("x.bam.gz"), "x.bam.gz");
  EXPECT_EQ(read_group_from_file_name(".bam"), ".bam");
  EXPECT_EQ(read_group_from_file_name("d/.cram"), "") << "5 > 5 chars: stripped, then no name";
  EXPECT_EQ(read_group_from_file_name("-"), "-");
}

TEST(HeaderMergeTest, HeaderOverrideGoesFirstAndInputsAreMergedIntoIt) {  // header_override
  const std::string override_text =
      header({"@HD|VN:1.4|SO:coordinate", "@SQ|SN:chr2|LN:2000", "@SQ|SN:chr9|LN:9000",
              "@RG|ID:grp1|SM:h1", "@PG|ID:bwa|PN:bwa", "@CO|from -h"});
  HeaderMergeOptions options = seeded(1);
  options.header_override = override_text;
  MergedHeader merged = merge_headers({kA, kB}, {"a.sam", "b.sam"}, options);
  EXPECT_EQ(
      merged.text,
      header(
          {"@HD|VN:1.4|SO:unsorted", "@SQ|SN:chr2|LN:2000", "@SQ|SN:chr9|LN:9000",
           "@SQ|SN:chr1|LN:1000", "@RG|ID:grp1|SM:h1", "@RG|ID:grp1-055424A4|SM:s1|PG:bwa-3A2CCEF5",
           "@RG|ID:grp1-6ADB4A65|SM:s2|PG:bwa-2B019719", "@RG|ID:grp2|SM:s3", "@PG|ID:bwa|PN:bwa",
           "@PG|ID:bwa-3A2CCEF5|PN:bwa|VN:0.7", "@PG|ID:st|PN:samtools|PP:bwa-3A2CCEF5",
           "@PG|ID:bwa-2B019719|PN:bwa|VN:0.8", "@PG|ID:st-4861F4EF|PN:samtools|PP:bwa-2B019719",
           "@CO|from -h", "@CO|first comment", "@CO|second comment"}));
  EXPECT_EQ(merged.inputs.size(), 2u);
  EXPECT_EQ(merged.inputs[0].tid_map, (std::vector<std::int32_t>{2, 0}));
  EXPECT_EQ(merged.warnings.size(), 2u);

  options.combine_read_groups = options.combine_programs = true;  // header_override_combine
  merged = merge_headers({kA}, {"a.sam"}, options);
  EXPECT_EQ(merged.text,
            header({"@HD|VN:1.4|SO:unsorted", "@SQ|SN:chr2|LN:2000", "@SQ|SN:chr9|LN:9000",
                    "@SQ|SN:chr1|LN:1000", "@RG|ID:grp1|SM:h1", "@PG|ID:bwa|PN:bwa",
                    "@PG|ID:st|PN:samtools|PP:bwa", "@CO|from -h", "@CO|first comment"}));
}

TEST(HeaderMergeTest, SqAliasesMatchAndLengthsAreNotCompared) {  // alias: -s 1 an alias
  const std::string with_alias =
      header({"@HD|VN:1.6", "@SQ|SN:chr1|LN:1000|AN:1", "@SQ|SN:chr2|LN:999"});
  const std::string by_alias = header({"@HD|VN:1.6", "@SQ|SN:chr5|LN:50", "@SQ|SN:1|LN:1000"});
  MergedHeader merged = merge_headers({with_alias, by_alias}, {"an.sam", "alias.sam"}, seeded(1));
  EXPECT_EQ(merged.text, header({"@HD|VN:1.6|SO:unsorted", "@SQ|SN:chr1|LN:1000|AN:1",
                                 "@SQ|SN:chr2|LN:999", "@SQ|SN:chr5|LN:50"}));
  EXPECT_EQ(merged.inputs[1].tid_map, (std::vector<std::int32_t>{2, 0}));
  // sq_length_differs: same name, other length: samtools keeps the first @SQ line silently.
  merged = merge_headers({kA, with_alias}, {"a.sam", "an.sam"}, seeded(1));
  EXPECT_EQ(merged.inputs[1].tid_map, (std::vector<std::int32_t>{0, 1}));
  EXPECT_NE(merged.text.find("@SQ\tSN:chr2\tLN:2000\n"), std::string::npos);
  EXPECT_TRUE(merged.warnings.empty());
}

TEST(HeaderMergeTest, IdAnywhereInTheLineAndForwardPpReferences) {  // odd_tag_order
  const std::string odd =
      header({"@HD|VN:1.6|SO:coordinate", "@SQ|SN:chr1|LN:1000", "@RG|SM:q|ID:grp1",
              "@PG|PN:p|PP:st|ID:bwa", "@PG|ID:st|PN:samtools", "@CO|odd|tabs"});
  MergedHeader merged = merge_headers({kA, odd}, {"a.sam", "odd.sam"}, seeded(1));
  EXPECT_EQ(
      merged.text,
      header({"@HD|VN:1.6|SO:coordinate", "@SQ|SN:chr1|LN:1000", "@SQ|SN:chr2|LN:2000",
              "@RG|ID:grp1|SM:s1|PG:bwa", "@RG|SM:q|ID:grp1-055424A4", "@PG|ID:bwa|PN:bwa|VN:0.7",
              "@PG|ID:st|PN:samtools|PP:bwa", "@PG|PN:p|PP:st-6ADB4A65|ID:bwa-3A2CCEF5",
              "@PG|ID:st-6ADB4A65|PN:samtools", "@CO|first comment", "@CO|odd|tabs"}));
  // samtools then drops odd.sam's record tag RG:Z:g (not in its header) with a warning.
  EXPECT_EQ(merged.inputs[1].read_group_map.count("g"), 0u);
}

TEST(HeaderMergeTest, DuplicateIdInOneHeaderKeepsHtslibsFirstLine) {  // duplicate_rg_id
  const std::string dup =
      header({"@HD|VN:1.6", "@SQ|SN:chr1|LN:1000", "@RG|ID:grp1|SM:one", "@RG|ID:grp1|SM:two"});
  testing::internal::CaptureStderr();
  MergedHeader merged = merge_headers({dup, kA}, {"dup.sam", "a.sam"}, seeded(1));
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "")
      << "htslib's duplicate-ID warning came when the input was read; not again";
  EXPECT_EQ(merged.text, header({"@HD|VN:1.6", "@SQ|SN:chr1|LN:1000", "@SQ|SN:chr2|LN:2000",
                                 "@RG|ID:grp1|SM:one", "@RG|ID:grp1-055424A4|SM:s1|PG:bwa",
                                 "@PG|ID:bwa|PN:bwa|VN:0.7", "@PG|ID:st|PN:samtools|PP:bwa",
                                 "@CO|first comment"}));
}

TEST(HeaderMergeTest, OtherLineTypesAreNotCarried) {
  // From bam_sort.c (only @HD/@SQ/@RG/@PG/@CO are copied); a BAM header text may hold such a
  // line, samtools' SAM reader refuses it.
  const std::string user = header({"@HD|VN:1.6", "@SQ|SN:chr1|LN:1000", "@XY|AB:user line"});
  MergedHeader merged = merge_headers({user}, {"u.bam"}, seeded(1));
  EXPECT_EQ(merged.text, header({"@HD|VN:1.6", "@SQ|SN:chr1|LN:1000"}));
}

TEST(HeaderMergeTest, MalformedHeaderThrowsWithTheFileName) {  // bad_header
  const std::string bad = header({"@HD|VN:1.6", "@SQ|SN:chr1"});
  try {
    merge_headers({kA, bad}, {"a.sam", "bad.sam"}, seeded(1));
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "failed to read header from \"bad.sam\"");
  }
  HeaderMergeOptions options = seeded(1);
  options.header_override = bad;
  EXPECT_THROW(merge_headers({kA}, {"a.sam"}, options), Error);
  EXPECT_THROW(merge_headers({kA}, {}, seeded(1)), Error);
}

}  // namespace
}  // namespace samsort
