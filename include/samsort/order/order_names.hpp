// The sort orders and every spelling of them in one table: the --order names and aliases, the
// name in --stats, verify's label and the order's name in an @HD SS:unsorted:TAG:<order> line
// (-t TAG). Options parsing, help text, verify, stats and the order dispatch read it from here.
#pragma once
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace samsort {

enum class SortOrder {
  kCoordinate,
  kQueryName,
  kQueryNameLex,
  kTemplateCoordinate,
  kPicardCoordinate,
  kPicardQueryName,
  kMinimiser
};

struct OrderNames {
  SortOrder order;
  std::string_view name;        // canonical --order name, also the --stats "order"
  std::string_view aliases[2];  // other accepted --order spellings (fgumi's); "" = none
  std::string_view label;       // verify's wording
  const char* sub_sort_name;    // the secondary order in SS:unsorted:TAG:<name> (-t TAG);
                                // nullptr: the order takes no -t
};

inline constexpr std::array<OrderNames, 7> kOrderNames = {{
    {SortOrder::kCoordinate, "coordinate", {"", ""}, "coordinate", "coordinate"},
    {SortOrder::kQueryName,
     "queryname",
     {"queryname::natural", ""},
     "queryname (natural)",
     "queryname:natural"},
    {SortOrder::kQueryNameLex,
     "queryname-lex",
     {"queryname::lexicographical", "queryname::lex"},
     "queryname (lexicographical)",
     "queryname:lexicographical"},
    {SortOrder::kTemplateCoordinate,
     "template-coordinate",
     {"template", ""},
     "template-coordinate",
     "template-coordinate"},
    {SortOrder::kPicardCoordinate, "picard-coordinate", {"", ""}, "Picard coordinate", nullptr},
    {SortOrder::kPicardQueryName, "picard-queryname", {"", ""}, "Picard queryname", nullptr},
    // samtools -M; with -t TAG samtools sorts by the tag, then by coordinate.
    {SortOrder::kMinimiser, "minimiser", {"minhash", ""}, "minimiser", "coordinate"},
}};

// The table row of `order`.
constexpr const OrderNames& order_names(SortOrder order) noexcept {
  for (const OrderNames& row : kOrderNames) {
    if (row.order == order) return row;
  }
  return kOrderNames[0];  // unreachable: every enumerator has a row (checked below)
}

// The order a canonical name or alias names; nullopt for anything else.
constexpr std::optional<SortOrder> find_order(std::string_view name) noexcept {
  if (name.empty()) return std::nullopt;
  for (const OrderNames& row : kOrderNames) {
    if (name == row.name || name == row.aliases[0] || name == row.aliases[1]) return row.order;
  }
  return std::nullopt;
}

// The canonical names, comma separated: "coordinate, queryname, queryname-lex, ..." (without
// minimiser for the commands that cannot take it: merge, plan).
inline std::string canonical_order_list(bool with_minimiser = true) {
  std::string list;
  for (const OrderNames& row : kOrderNames) {
    if (!with_minimiser && row.order == SortOrder::kMinimiser) continue;
    if (!list.empty()) list += ", ";
    list += row.name;
  }
  return list;
}

static_assert(order_names(SortOrder::kPicardQueryName).order == SortOrder::kPicardQueryName);
static_assert(order_names(SortOrder::kPicardCoordinate).order == SortOrder::kPicardCoordinate);
static_assert(order_names(SortOrder::kMinimiser).order == SortOrder::kMinimiser);
static_assert(order_names(SortOrder::kTemplateCoordinate).order == SortOrder::kTemplateCoordinate);
static_assert(order_names(SortOrder::kQueryNameLex).order == SortOrder::kQueryNameLex);
static_assert(order_names(SortOrder::kQueryName).order == SortOrder::kQueryName);

}  // namespace samsort
