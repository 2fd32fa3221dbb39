// RangeCut: the range of each record in a sorted stream; equal keys share a range, read-name
// orders never split one name, input-order ties never move a record across a splitter.
#include "samsort/dist/range_cut.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "samsort/order/coordinate_key.hpp"
#include "samsort/order/name_order.hpp"
#include "test_records.hpp"

namespace samsort {
namespace {

using Record = std::vector<std::uint8_t>;

TEST(RangeCutTest, CoordinateKeysOnBothSidesOfSplitters) {
  CoordinateOrder order(2);
  std::vector<Record> splitters = {test::make_record("s", 0, 100), test::make_record("t", 1, 0)};
  RangeCut<CoordinateOrder> cut(order, splitters);
  EXPECT_EQ(cut.advance(test::make_record("a", 0, 5).data()), 0U);
  EXPECT_EQ(cut.advance(test::make_record("b", 0, 99).data()), 0U);
  // Same key as the splitter (another name): the splitter's range, whatever the tie.
  EXPECT_EQ(cut.advance(test::make_record("a", 0, 100).data()), 1U);
  EXPECT_EQ(cut.advance(test::make_record("z", 0, 100).data()), 1U);
  EXPECT_EQ(cut.advance(test::make_record("c", 0, 5000).data()), 1U);
  // Unmapped (tid -1) after every reference: past the last splitter.
  EXPECT_EQ(cut.advance(test::make_record("d", -1, -1, 4).data()), 2U);
  EXPECT_EQ(cut.range(), 2U);
}

TEST(RangeCutTest, EqualSplittersLeaveEmptyRanges) {
  CoordinateOrder order(1);
  std::vector<Record> splitters = {test::make_record("s", 0, 10), test::make_record("s", 0, 10),
                                   test::make_record("s", 0, 10)};
  RangeCut<CoordinateOrder> cut(order, splitters);
  EXPECT_EQ(cut.advance(test::make_record("a", 0, 9).data()), 0U);
  EXPECT_EQ(cut.advance(test::make_record("a", 0, 10).data()), 3U);
}

TEST(RangeCutTest, NameOrdersKeepOneNameInOneRange) {
  NaturalNameOrder order;
  // The splitter is the second read of "q10"; its first read sorts before it by flag, yet
  // both reads of q10 belong to the splitter's range.
  std::vector<Record> splitters = {test::make_record("q10", 0, 0, 0x80 | 1)};
  RangeCut<NaturalNameOrder> cut(order, splitters);
  EXPECT_EQ(cut.advance(test::make_record("q9", 0, 0, 0x40 | 1).data()), 0U);
  EXPECT_EQ(cut.advance(test::make_record("q10", 0, 0, 0x40 | 1).data()), 1U);
  EXPECT_EQ(cut.advance(test::make_record("q10", 0, 0, 0x80 | 1).data()), 1U);
  EXPECT_EQ(cut.advance(test::make_record("q11", 0, 0).data()), 1U);
  // Natural order: q9 < q10, so with a fresh cut q9 stays before the splitter.
  RangeCut<NaturalNameOrder> fresh(order, splitters);
  EXPECT_FALSE(fresh.reaches(test::make_record("q9", 0, 0).data(), 0));
  EXPECT_TRUE(fresh.reaches(test::make_record("q10", 0, 0, 0x40 | 1).data(), 0));
}

TEST(RangeCutTest, NoSplittersIsOneRange) {
  CoordinateOrder order(1);
  std::vector<Record> none;
  RangeCut<CoordinateOrder> cut(order, none);
  EXPECT_EQ(cut.advance(test::make_record("a", 0, 9).data()), 0U);
  EXPECT_EQ(cut.advance(test::make_record("b", -1, -1, 4).data()), 0U);
}

}  // namespace
}  // namespace samsort
