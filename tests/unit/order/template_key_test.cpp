// template_key: samtools' template-coordinate key fields (unclipped 5' ends with soft clips
// only, MC for the mate, library via @RG, CB, MI without "/X", upper end swap) and compare.
#include "samsort/order/template_key.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "samsort/bam/cigar.hpp"
#include "test_records.hpp"

namespace samsort {
namespace {

using test::Aux;
using Rec = test::RecordSpec;

int sign(int value) { return (value > 0) - (value < 0); }

constexpr std::uint16_t kPaired = 0x1;
constexpr std::uint16_t kUnmapped = 0x4;
constexpr std::uint16_t kMateUnmapped = 0x8;
constexpr std::uint16_t kReverse = 0x10;
constexpr std::uint16_t kMateReverse = 0x20;

// A record and its key (the key's views point into the record).
struct Keyed {
  std::vector<std::uint8_t> bytes;
  TemplateFields fields;
  Keyed(const Rec& rec, const LibraryTable& libraries)
      : bytes(test::make_record(rec)), fields(template_fields(bytes.data(), libraries)) {}
  Keyed(const Keyed&) = delete;
};

const LibraryTable kNoLibraries;

Rec mapped(std::int32_t tid, std::int32_t pos, const std::string& cigar, std::uint16_t flag = 0) {
  Rec rec;
  rec.tid = tid;
  rec.pos = pos;
  rec.cigar = test::parse_cigar(cigar);
  rec.seq_length = test::kSeqFromCigar;
  rec.flag = flag;
  return rec;
}

Rec with_mate(Rec rec, std::int32_t mate_tid, std::int32_t mate_pos, const std::string& mc,
              bool mate_reverse = false) {
  rec.flag |= kPaired;
  if (mate_reverse) rec.flag |= kMateReverse;
  rec.mate_tid = mate_tid;
  rec.mate_pos = mate_pos;
  rec.aux = Aux().raw(rec.aux).text("MC", mc).bytes();
  return rec;
}

TEST(TemplateKey, UnclippedEndsCountSoftClipsAndSkipHardClips) {
  // 0-based pos 100; reference length 10 + 2 + 5 = 17.
  std::vector<std::uint8_t> record = test::make_record(mapped(0, 100, "3H5S10M2D5M4S2H"));
  EXPECT_EQ(unclipped_start(record.data()), 100 - 5 + 1);
  EXPECT_EQ(unclipped_end(record.data()), 100 + 17 + 4);
  // Hard clips between soft clips are stepped over; an insertion stops the clip run.
  record = test::make_record(mapped(0, 100, "2S3H4S10M1S2H3S"));
  EXPECT_EQ(unclipped_start(record.data()), 100 - 6 + 1);
  EXPECT_EQ(unclipped_end(record.data()), 100 + 10 + 4);
  record = test::make_record(mapped(0, 100, "2I4S10M"));
  EXPECT_EQ(unclipped_start(record.data()), 101);
  record = test::make_record(mapped(0, 100, "10M"));
  EXPECT_EQ(unclipped_start(record.data()), 101);
  EXPECT_EQ(unclipped_end(record.data()), 110);

  Keyed forward(mapped(0, 100, "3H5S10M2D5M4S2H"), kNoLibraries);
  EXPECT_EQ(forward.fields.tid1, 0);
  EXPECT_EQ(forward.fields.pos1, 96);
  EXPECT_FALSE(forward.fields.neg1);
  Keyed reverse(mapped(0, 100, "3H5S10M2D5M4S2H", kReverse), kNoLibraries);
  EXPECT_EQ(reverse.fields.pos1, 121);
  EXPECT_TRUE(reverse.fields.neg1);
}

TEST(TemplateKey, ZeroReferenceLengthEndsLikeBamEndpos) {
  // htslib's bam_endpos counts a mapped read without reference ops as covering one base.
  std::vector<std::uint8_t> record = test::make_record(mapped(2, 50, "10S"));
  EXPECT_EQ(unclipped_start(record.data()), 50 - 10 + 1);
  EXPECT_EQ(unclipped_end(record.data()), 50 + 1 + 10);
  record = test::make_record(mapped(2, 50, "4I"));
  EXPECT_EQ(unclipped_end(record.data()), 51);
}

TEST(TemplateKey, MateEndsFromMcString) {
  EXPECT_EQ(mate_unclipped_start(200, "3H5S10M2D5M4S2H"), 196);
  EXPECT_EQ(mate_unclipped_end(200, "3H5S10M2D5M4S2H"), 221);
  EXPECT_EQ(mate_unclipped_start(200, "5H5S10M"), 196);
  // samtools counts every soft clip after the first reference op, not only trailing ones.
  EXPECT_EQ(mate_unclipped_end(200, "5M3S2I4S"), 212);
  EXPECT_EQ(mate_unclipped_end(200, "5S"), 200);
  EXPECT_EQ(mate_unclipped_start(200, "5S"), 196);
  EXPECT_EQ(mate_unclipped_start(200, "*"), 201);
  EXPECT_EQ(mate_unclipped_end(200, "*"), 200);
  EXPECT_EQ(mate_unclipped_end(200, ""), 200);
  EXPECT_EQ(mate_unclipped_end(200, "M"), 201);       // a missing count is 1
  EXPECT_EQ(mate_unclipped_end(200, "10M5"), 210);    // a trailing count without op is dropped
  EXPECT_EQ(mate_unclipped_end(200, "10M*5M"), 210);  // parsing stops at '*'
  EXPECT_EQ(mate_unclipped_start(200, "0010S5M"), 191);

  Keyed forward_mate(with_mate(mapped(0, 100, "10M"), 0, 300, "4S20M"), kNoLibraries);
  EXPECT_EQ(forward_mate.fields.tid2, 0);
  EXPECT_EQ(forward_mate.fields.pos2, 297);
  EXPECT_FALSE(forward_mate.fields.neg2);
  Keyed reverse_mate(with_mate(mapped(0, 100, "10M"), 0, 300, "4S20M6S3H", true), kNoLibraries);
  EXPECT_EQ(reverse_mate.fields.pos2, 326);
  EXPECT_TRUE(reverse_mate.fields.neg2);
}

TEST(TemplateKey, PlaceholderCigarUsesCgTag) {
  // A record with more ops than BAM holds is stored as "<l_seq>S<ref>N" plus CG:B:I.
  std::vector<std::uint32_t> real = test::parse_cigar("5S90M5S");
  std::vector<std::int64_t> real_ops(real.begin(), real.end());
  Rec rec = mapped(0, 1000, "");
  rec.cigar = test::parse_cigar("100S90N");
  rec.seq_length = 100;
  rec.aux = Aux().array("CG", 'I', real_ops).bytes();
  std::vector<std::uint8_t> record = test::make_record(rec);
  EXPECT_EQ(bam::CigarView::of_record(record.data()).size(), 3u);
  EXPECT_EQ(unclipped_start(record.data()), 1000 - 5 + 1);
  EXPECT_EQ(unclipped_end(record.data()), 1000 + 90 + 5);

  rec.aux = Aux().array("CG", 'i', real_ops).bytes();
  record = test::make_record(rec);
  EXPECT_EQ(bam::CigarView::of_record(record.data()).size(), 3u);

  // Not a placeholder: the first op's length is not l_seq.
  rec.seq_length = 99;
  record = test::make_record(rec);
  EXPECT_EQ(bam::CigarView::of_record(record.data()).size(), 2u);
  // Unplaced records keep their CIGAR, as do CG tags shorter than the stored CIGAR.
  rec.seq_length = 100;
  rec.tid = -1;
  record = test::make_record(rec);
  EXPECT_EQ(bam::CigarView::of_record(record.data()).size(), 2u);
  rec.tid = 0;
  rec.aux = Aux().array("CG", 'I', {real_ops[0]}).bytes();
  record = test::make_record(rec);
  EXPECT_EQ(bam::CigarView::of_record(record.data()).size(), 2u);
  rec.aux = Aux().array("CG", 'S', {1, 2, 3}).bytes();
  record = test::make_record(rec);
  EXPECT_EQ(bam::CigarView::of_record(record.data()).size(), 2u);
}

TEST(TemplateKey, MolecularIdLosesOneSlashSuffix) {
  struct Case {
    const char* mi;
    const char* expected;
  };
  for (const Case& expected :
       {Case{"1/A", "1"}, Case{"10/B", "10"}, Case{"1/", "1/"}, Case{"/A", ""}, Case{"ab//", "ab"},
        Case{"A", "A"}, Case{"x/y/z", "x/y"}, Case{"", ""}}) {
    Rec rec = mapped(0, 10, "5M");
    rec.aux = Aux().text("MI", expected.mi).bytes();
    Keyed keyed(rec, kNoLibraries);
    EXPECT_EQ(keyed.fields.mi, expected.expected) << expected.mi;
  }
  Rec a = mapped(0, 10, "5M");
  a.aux = Aux().text("MI", "1/A").bytes();
  Rec b = a;
  b.aux = Aux().text("MI", "1/B").bytes();
  Rec c = a;
  c.aux = Aux().text("MI", "1/").bytes();
  Keyed ka(a, kNoLibraries);
  Keyed kb(b, kNoLibraries);
  Keyed kc(c, kNoLibraries);
  EXPECT_EQ(compare_template(ka.fields, kb.fields), 0);
  EXPECT_EQ(sign(compare_template(ka.fields, kc.fields)), -1);  // "1" < "1/"
}

const char kHeader[] =
    "@HD\tVN:1.6\tSO:unsorted\n"
    "@SQ\tSN:chrA\tLN:1000\n"
    "@RG\tID:rg1\tLB:libX\tSM:s\n"
    "@RG\tID:rg2\tPL:ILLUMINA\tLB:libA\n"
    "@RG\tID:rg3\tSM:nolib\n"
    "@RG\tID:rg1\tLB:other\n"
    "@RG\tID:rg4\n"
    "@RG\tID:rg4\tLB:libZ\n"
    "@CO\tID:rg9\tLB:comment\n"
    "@RG\tLB:noid\n"
    "@RG\tID:rg5\tLB:";

TEST(TemplateKey, LibraryTableFromReadGroups) {
  LibraryTable table(kHeader);
  EXPECT_EQ(table.size(), 4u);
  EXPECT_STREQ(table.find("rg1").name, "libX");  // first ID with an LB wins
  EXPECT_STREQ(table.find("rg2").name, "libA");
  EXPECT_STREQ(table.find("rg3").name, "");      // no LB
  EXPECT_STREQ(table.find("rg4").name, "libZ");  // the line without LB was skipped
  EXPECT_STREQ(table.find("rg5").name, "");      // empty LB
  EXPECT_STREQ(table.find("rg9").name, "");
  EXPECT_STREQ(table.find("").name, "");
  EXPECT_STREQ(table.find("rg").name, "");
  EXPECT_EQ(table.find("rg3").rank, 0u);
  EXPECT_EQ(table.find("rg5").rank, 0u);
  EXPECT_EQ(table.find("rg2").rank, 1u);  // libA < libX < libZ
  EXPECT_EQ(table.find("rg1").rank, 2u);
  EXPECT_EQ(table.find("rg4").rank, 3u);

  // Pointers survive a move of the table.
  const char* before = table.find("rg1").name;
  LibraryTable moved(std::move(table));
  EXPECT_EQ(moved.find("rg1").name, before);
  EXPECT_STREQ(before, "libX");
}

TEST(TemplateKey, LibraryFromTheRecordsReadGroup) {
  LibraryTable table(kHeader);
  auto library_of = [&](const Aux& aux) {
    Rec rec = mapped(0, 10, "5M");
    rec.aux = aux.bytes();
    Keyed keyed(rec, table);
    return std::string(keyed.fields.library);
  };
  EXPECT_EQ(library_of(Aux().text("RG", "rg1")), "libX");
  EXPECT_EQ(library_of(Aux().text("RG", "rg2")), "libA");
  EXPECT_EQ(library_of(Aux().text("RG", "rg3")), "");
  EXPECT_EQ(library_of(Aux().text("RG", "rgX")), "");
  EXPECT_EQ(library_of(Aux()), "");
  EXPECT_EQ(library_of(Aux().text("RG", "rg1", 'H')), "");  // samtools takes only RG:Z
  EXPECT_EQ(library_of(Aux().integer("RG", 'i', 1)), "");
}

TEST(TemplateKey, UnmappedReadWithMappedMateSortsRightAfterItsMate) {
  // Mate: mapped forward at chr2:51 (1-based), its own mate unmapped.
  Rec mate = mapped(2, 50, "10M", kPaired | kMateUnmapped);
  mate.name = "t1";
  mate.mate_tid = 2;
  mate.mate_pos = 50;
  // The unmapped read is placed at its mate, as aligners do.
  Rec unmapped_read = with_mate(mapped(2, 50, "", kUnmapped), 2, 50, "10M");
  unmapped_read.name = "t1";
  Keyed mate_key(mate, kNoLibraries);
  Keyed unmapped_key(unmapped_read, kNoLibraries);
  EXPECT_FALSE(mate_key.fields.upper);
  EXPECT_TRUE(unmapped_key.fields.upper);
  EXPECT_EQ(unmapped_key.fields.tid1, 2);
  EXPECT_EQ(unmapped_key.fields.pos1, 51);
  EXPECT_EQ(unmapped_key.fields.tid2, INT32_MAX);
  EXPECT_EQ(unmapped_key.fields.pos2, kTemplateUnsetPosition);
  EXPECT_EQ(sign(compare_template(mate_key.fields, unmapped_key.fields)), -1);

  // Another template just after (same start, later name) sorts after both.
  Rec other = mate;
  other.name = "t2";
  Keyed other_key(other, kNoLibraries);
  EXPECT_EQ(sign(compare_template(unmapped_key.fields, other_key.fields)), -1);
}

TEST(TemplateKey, FullyUnmappedReadsSortLast) {
  Rec unmapped_read;
  unmapped_read.flag = kUnmapped | kPaired | kMateUnmapped;
  unmapped_read.name = "a";
  Keyed unmapped_key(unmapped_read, kNoLibraries);
  EXPECT_EQ(unmapped_key.fields.tid1, INT32_MAX);
  EXPECT_EQ(unmapped_key.fields.tid2, INT32_MAX);
  EXPECT_EQ(unmapped_key.fields.pos1, kTemplateUnsetPosition);
  EXPECT_FALSE(unmapped_key.fields.upper);  // equal ends, forward: not swapped

  Rec far_read = mapped(3000000, 2000000000, "100M", kReverse);
  far_read.name = "z";
  Keyed far_key(far_read, kNoLibraries);
  EXPECT_EQ(sign(compare_template(far_key.fields, unmapped_key.fields)), -1);
  // A single-end mapped read still has an unset second end.
  EXPECT_EQ(far_key.fields.tid2, INT32_MAX);
}

TEST(TemplateKey, MissingMateCigarAsksForFixmate) {
  Rec rec = mapped(0, 10, "5M", kPaired);
  rec.name = "pair17";
  rec.mate_tid = 0;
  rec.mate_pos = 40;
  std::vector<std::uint8_t> record = test::make_record(rec);
  TemplateFields fields;
  const char* problem = make_template_fields(record.data(), kNoLibraries, fields);
  ASSERT_NE(problem, nullptr);
  EXPECT_NE(std::string(problem).find("samtools fixmate"), std::string::npos);
  try {
    template_fields(record.data(), kNoLibraries);
    FAIL() << "no error";
  } catch (const TemplateKeyError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("pair17"), std::string::npos) << message;
    EXPECT_NE(message.find("MC"), std::string::npos) << message;
    EXPECT_NE(message.find("samtools fixmate"), std::string::npos) << message;
  }
  // The same record is fine when not paired, or when the mate is unmapped.
  rec.flag = 0;
  EXPECT_NO_THROW(Keyed(rec, kNoLibraries));
  rec.flag = kPaired | kMateUnmapped;
  EXPECT_NO_THROW(Keyed(rec, kNoLibraries));
  // An unmapped read whose mate is mapped needs MC too.
  rec.flag = kPaired | kUnmapped;
  EXPECT_THROW(Keyed(rec, kNoLibraries), TemplateKeyError);
}

TEST(TemplateKey, MateFlaggedMappedWithoutReferenceCountsAsUnmapped) {
  Rec rec = mapped(0, 10, "5M", kPaired);
  rec.mate_tid = -1;
  rec.mate_pos = -1;
  Keyed keyed(rec, kNoLibraries);  // no MC needed
  EXPECT_EQ(keyed.fields.tid2, INT32_MAX);
  EXPECT_EQ(keyed.fields.pos2, kTemplateUnsetPosition);
}

TEST(TemplateKey, WrongTypedTagsAreErrors) {
  Rec rec = mapped(0, 10, "5M", kPaired);
  rec.mate_tid = 0;
  rec.mate_pos = 40;
  rec.aux = Aux().integer("MC", 'i', 5).bytes();
  EXPECT_THROW(Keyed(rec, kNoLibraries), TemplateKeyError);
  rec.aux = Aux().text("MC", "5M", 'H').bytes();  // bam_aux2Z takes H as well
  EXPECT_NO_THROW(Keyed(rec, kNoLibraries));

  Rec single = mapped(0, 10, "5M");
  single.aux = Aux().integer("CB", 'C', 1).bytes();
  EXPECT_THROW(Keyed(single, kNoLibraries), TemplateKeyError);
  single.aux = Aux().array("MI", 'c', {1}).bytes();
  EXPECT_THROW(Keyed(single, kNoLibraries), TemplateKeyError);
  single.aux = Aux().character("MI", 'x').bytes();
  EXPECT_THROW(Keyed(single, kNoLibraries), TemplateKeyError);
  single.aux = Aux().text("CB", "ACGT").text("MI", "7/A").bytes();
  Keyed keyed(single, kNoLibraries);
  EXPECT_EQ(keyed.fields.cb, "ACGT");
  EXPECT_EQ(keyed.fields.mi, "7");
}

TEST(TemplateKey, PositionsUse64BitArithmetic) {
  // The unclipped end passes INT32_MAX; the mate end goes far past it.
  Rec rec =
      with_mate(mapped(0, INT32_MAX - 10, "1000M50S", kReverse), 0, 2147483000, "268435455M", true);
  Keyed keyed(rec, kNoLibraries);
  const std::int64_t read_end = std::int64_t{INT32_MAX} - 10 + 1000 + 50;
  const std::int64_t mate_end = std::int64_t{2147483000} + 268435455;
  EXPECT_EQ(keyed.fields.pos1, read_end);
  EXPECT_EQ(keyed.fields.pos2, mate_end);
  EXPECT_FALSE(keyed.fields.upper);
  EXPECT_GT(keyed.fields.pos1, std::int64_t{INT32_MAX});

  // Leading soft clips can take a start below zero.
  Keyed early(mapped(0, 3, "20S10M"), kNoLibraries);
  EXPECT_EQ(early.fields.pos1, -16);
  Keyed late(mapped(0, INT32_MAX - 10, "1000M50S", kReverse), kNoLibraries);
  EXPECT_EQ(late.fields.pos1, read_end);
  EXPECT_EQ(sign(compare_template(early.fields, late.fields)), -1);
}

TEST(TemplateKey, ReferencesBeyond16Bits) {
  Keyed low(mapped(1, 500, "10M"), kNoLibraries);
  Keyed high(mapped(65536, 100, "10M"), kNoLibraries);
  Keyed higher(mapped(70000, 1, "10M"), kNoLibraries);
  EXPECT_EQ(high.fields.tid1, 65536);
  EXPECT_EQ(sign(compare_template(low.fields, high.fields)), -1);
  EXPECT_EQ(sign(compare_template(high.fields, higher.fields)), -1);
  Keyed mate_low(with_mate(mapped(70000, 1, "10M"), 65536, 1, "10M"), kNoLibraries);
  Keyed mate_high(with_mate(mapped(70000, 1, "10M"), 65537, 1, "10M"), kNoLibraries);
  EXPECT_EQ(mate_low.fields.tid1, 65536);  // swapped: the lower end first
  EXPECT_EQ(mate_low.fields.tid2, 70000);
  EXPECT_EQ(sign(compare_template(mate_low.fields, mate_high.fields)), -1);
}

TEST(TemplateKey, EndsAreSwappedSoBothMatesShareTheKey) {
  // R1 forward at 101 (1-based), R2 reverse ending at 310.
  Rec r1 = with_mate(mapped(0, 100, "10M", 0x40), 0, 290, "20M", true);
  r1.name = "q";
  Rec r2 = with_mate(mapped(0, 290, "20M", 0x80 | kReverse), 0, 100, "10M");
  r2.name = "q";
  Keyed k1(r1, kNoLibraries);
  Keyed k2(r2, kNoLibraries);
  EXPECT_FALSE(k1.fields.upper);
  EXPECT_TRUE(k2.fields.upper);
  for (const Keyed* keyed : {&k1, &k2}) {
    EXPECT_EQ(keyed->fields.tid1, 0);
    EXPECT_EQ(keyed->fields.pos1, 101);
    EXPECT_FALSE(keyed->fields.neg1);
    EXPECT_EQ(keyed->fields.tid2, 0);
    EXPECT_EQ(keyed->fields.pos2, 310);
    EXPECT_TRUE(keyed->fields.neg2);
  }
  EXPECT_EQ(sign(compare_template(k1.fields, k2.fields)), -1);

  // Equal ends: forward stays lower; reverse is the upper end.
  Keyed same_forward(with_mate(mapped(0, 100, "10M"), 0, 100, "10M"), kNoLibraries);
  EXPECT_FALSE(same_forward.fields.upper);
  Keyed same_reverse(with_mate(mapped(0, 100, "1M", kReverse), 0, 100, "1M", true), kNoLibraries);
  EXPECT_EQ(same_reverse.fields.pos1, same_reverse.fields.pos2);
  EXPECT_TRUE(same_reverse.fields.upper);
  // Mate on a lower reference: swapped.
  Keyed lower_ref(with_mate(mapped(5, 100, "10M"), 4, 900, "10M"), kNoLibraries);
  EXPECT_TRUE(lower_ref.fields.upper);
  EXPECT_EQ(lower_ref.fields.tid1, 4);
  EXPECT_EQ(lower_ref.fields.pos1, 901);
}

TEST(TemplateKey, CompareFieldsInPriorityOrder) {
  TemplateFields base;
  base.tid1 = 3;
  base.tid2 = 4;
  base.pos1 = 100;
  base.pos2 = 200;
  base.neg1 = false;
  base.neg2 = false;
  base.library = "libB";
  base.cb = "CCC";
  base.mi = "5";
  base.name = "n5";
  base.upper = false;
  EXPECT_EQ(compare_template(base, base), 0);

  // Each field alone, in priority order: "greater" versions of base.
  std::vector<TemplateFields> greater(11, base);
  greater[0].tid1 = 4;
  greater[1].tid2 = 5;
  greater[2].pos1 = 101;
  greater[3].pos2 = 201;
  greater[4].neg1 = false;  // placeholder, set below: reverse sorts first
  greater[5].neg2 = false;
  greater[6].library = "libC";
  greater[7].cb = "CCCA";
  greater[8].mi = "6";
  greater[9].name = "n6";
  greater[10].upper = true;
  // For the strands, make base reverse so that forward is the greater.
  std::vector<TemplateFields> lesser(11, base);
  lesser[4].neg1 = true;
  lesser[5].neg2 = true;
  for (std::size_t idx = 0; idx < greater.size(); ++idx) {
    const TemplateFields& low = (idx == 4 || idx == 5) ? lesser[idx] : base;
    const TemplateFields& high = greater[idx];
    EXPECT_EQ(sign(compare_template(low, high)), -1) << idx;
    EXPECT_EQ(sign(compare_template(high, low)), 1) << idx;
  }
  // An earlier field outranks every later one.
  TemplateFields early = base;
  early.tid1 = 2;
  early.tid2 = 99;
  early.pos1 = 999;
  early.neg1 = false;
  early.name = "zzz";
  early.upper = true;
  EXPECT_EQ(sign(compare_template(early, base)), -1);
  TemplateFields reverse_first = base;
  reverse_first.neg1 = true;
  reverse_first.library = "zzz";
  EXPECT_EQ(sign(compare_template(reverse_first, base)), -1);
  // Signed tids; strings as unsigned bytes with a prefix first.
  TemplateFields minus = base;
  minus.tid1 = -1;
  EXPECT_EQ(sign(compare_template(minus, base)), -1);
  TemplateFields high_byte = base;
  high_byte.name = "n\xff";
  EXPECT_EQ(sign(compare_template(base, high_byte)), -1);
  TemplateFields prefix = base;
  prefix.name = "n";
  EXPECT_EQ(sign(compare_template(prefix, base)), -1);
  TemplateFields no_library = base;
  no_library.library = "";
  EXPECT_EQ(sign(compare_template(no_library, base)), -1);
}

}  // namespace
}  // namespace samsort
