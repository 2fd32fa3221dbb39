// The one table of order names: every order has a row, every spelling parses back to it.
#include "samsort/order/order_names.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace samsort {
namespace {

TEST(OrderNames, EveryOrderHasItsOwnRow) {
  std::set<std::string_view> names;
  for (SortOrder order : {SortOrder::kCoordinate, SortOrder::kQueryName, SortOrder::kQueryNameLex,
                          SortOrder::kTemplateCoordinate, SortOrder::kPicardCoordinate,
                          SortOrder::kPicardQueryName}) {
    const OrderNames& row = order_names(order);
    EXPECT_EQ(row.order, order);
    EXPECT_TRUE(names.insert(row.name).second) << row.name;
    EXPECT_EQ(find_order(row.name), order);
  }
}

TEST(OrderNames, AliasesAreFgumiSpellings) {
  EXPECT_EQ(find_order("queryname::natural"), SortOrder::kQueryName);
  EXPECT_EQ(find_order("queryname::lexicographical"), SortOrder::kQueryNameLex);
  EXPECT_EQ(find_order("queryname::lex"), SortOrder::kQueryNameLex);
  EXPECT_EQ(find_order("template"), SortOrder::kTemplateCoordinate);
}

TEST(OrderNames, UnknownAndEmptyNamesAreRefused) {
  EXPECT_EQ(find_order(""), std::nullopt);  // the empty alias slots must not match
  EXPECT_EQ(find_order("Coordinate"), std::nullopt);
  EXPECT_EQ(find_order("queryname:natural"), std::nullopt);
}

TEST(OrderNames, TextsUsedElsewhere) {
  EXPECT_EQ(canonical_order_list(),
            "coordinate, queryname, queryname-lex, template-coordinate, picard-coordinate, "
            "picard-queryname, minimiser");
  // The Picard orders take no -t, so they have no sub-sort name.
  EXPECT_EQ(order_names(SortOrder::kPicardCoordinate).sub_sort_name, nullptr);
  EXPECT_EQ(order_names(SortOrder::kPicardQueryName).sub_sort_name, nullptr);
  EXPECT_EQ(find_order("minhash"), SortOrder::kMinimiser);
  EXPECT_EQ(order_names(SortOrder::kQueryNameLex).label, "queryname (lexicographical)");
  EXPECT_EQ(std::string(order_names(SortOrder::kQueryName).sub_sort_name), "queryname:natural");
}

}  // namespace
}  // namespace samsort
