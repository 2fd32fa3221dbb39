// name_key: natural and lexicographic compares, the flag key, and the order-preserving
// encodings (checked against the compares and against an independent token-based reference).
#include "samsort/order/name_key.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "test_records.hpp"

namespace samsort {
namespace {

int sign(int value) { return (value > 0) - (value < 0); }

std::vector<std::uint8_t> natural_encoding(const std::string& name) {
  std::vector<std::uint8_t> out(natural_encoding_capacity(name.size()) + 1);
  out.resize(encode_natural(name.data(), name.size(), out.data()));
  return out;
}

int encoded_sign(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
  return sign(compare_encoded(a.data(), a.size(), b.data(), b.size()));
}

// Independent statement of the spec: split into digit runs and single other bytes; two runs
// compare by value (significant-digit count, then digits); otherwise the first bytes compare;
// the name with tokens left is greater.
int reference_natural(const std::string& a, const std::string& b) {
  auto tokens = [](const std::string& text) {
    std::vector<std::string> out;
    for (std::size_t idx = 0; idx < text.size();) {
      std::size_t end = idx;
      while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
      if (end == idx) end = idx + 1;
      out.push_back(text.substr(idx, end - idx));
      idx = end;
    }
    return out;
  };
  auto is_run = [](const std::string& token) { return token[0] >= '0' && token[0] <= '9'; };
  std::vector<std::string> ta = tokens(a);
  std::vector<std::string> tb = tokens(b);
  for (std::size_t idx = 0; idx < ta.size() && idx < tb.size(); ++idx) {
    if (is_run(ta[idx]) && is_run(tb[idx])) {
      std::string da = ta[idx].substr(std::min(ta[idx].find_first_not_of('0'), ta[idx].size()));
      std::string db = tb[idx].substr(std::min(tb[idx].find_first_not_of('0'), tb[idx].size()));
      if (da.size() != db.size()) return da.size() < db.size() ? -1 : 1;
      if (da != db) return da < db ? -1 : 1;
      continue;
    }
    auto ca = static_cast<unsigned char>(ta[idx][0]);
    auto cb = static_cast<unsigned char>(tb[idx][0]);
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return ta.size() == tb.size() ? 0 : (ta.size() < tb.size() ? -1 : 1);
}

// Stable sort by `less`: equal names keep input order.
template <typename Less>
std::vector<std::string> stable_sorted(std::vector<std::string> names, Less less) {
  std::stable_sort(names.begin(), names.end(), less);
  return names;
}

// The spec's examples. Equal groups ({a1, a001, a01}, {r10, r010}, {x0, x00}) are listed in
// the input in the order the spec's output shows them.
const std::vector<std::string> kExampleInput = {"x0",  "a~", "r10",  "a1",  "a/",  "x",    "a001",
                                                "a10", "r9", "a01b", "x00", "a01", "r010", "a1a"};

TEST(NameNatural, SpecExampleOrder) {
  const std::vector<std::string> expected = {"a/", "a1", "a001", "a01",  "a1a", "a01b", "a10",
                                             "a~", "r9", "r10",  "r010", "x",   "x0",   "x00"};
  EXPECT_EQ(stable_sorted(kExampleInput,
                          [](const std::string& a, const std::string& b) {
                            return natural_compare(a.c_str(), b.c_str()) < 0;
                          }),
            expected);
  EXPECT_EQ(stable_sorted(kExampleInput,
                          [](const std::string& a, const std::string& b) {
                            return encoded_sign(natural_encoding(a), natural_encoding(b)) < 0;
                          }),
            expected);
}

TEST(NameLexicographic, SpecExampleOrder) {
  const std::vector<std::string> expected = {"a/", "a001", "a01", "a01b", "a1", "a10", "a1a",
                                             "a~", "r010", "r10", "r9",   "x",  "x0",  "x00"};
  EXPECT_EQ(stable_sorted(kExampleInput,
                          [](const std::string& a, const std::string& b) {
                            return lexicographic_compare(a.c_str(), b.c_str()) < 0;
                          }),
            expected);
  auto encode = [](const std::string& name) {
    std::vector<std::uint8_t> out(name.size());
    out.resize(encode_lexicographic(name.data(), name.size(), out.data()));
    return out;
  };
  EXPECT_EQ(stable_sorted(kExampleInput,
                          [&](const std::string& a, const std::string& b) {
                            return encoded_sign(encode(a), encode(b)) < 0;
                          }),
            expected);
}

TEST(NameLexicographic, UnsignedBytesAndPrefixFirst) {
  EXPECT_LT(lexicographic_compare("a", "\xff"), 0);
  EXPECT_LT(lexicographic_compare("ab", "abc"), 0);
  EXPECT_EQ(lexicographic_compare("a01", "a01"), 0);
  EXPECT_GT(lexicographic_compare("a1", "a01"), 0);
}

struct PairCase {
  const char* a;
  const char* b;
  int expected;
};

TEST(NameNatural, EdgeCases) {
  const std::string n254_digits(254, '7');
  const std::string n253_digits(253, '7');
  const std::string zeros_then_one = std::string(253, '0') + "1";
  const std::vector<PairCase> cases = {
      {"", "", 0},
      {"", "0", -1},
      {"x0", "x00", 0},
      {"x", "x0", -1},
      {"x", "x00", -1},
      {"x0a", "x00a", 0},
      {"x0a", "xa", -1},  // '0' against 'a' as bytes
      {"x0", "x/", 1},    // digits against '/', just below '0'
      {"x0", "x:", -1},   // ... and ':', just above '9'
      {"x9", "x:", -1},
      {"x99999", "x:", -1},
      {"a1", "a~", -1},
      {"a1", "a01", 0},
      {"a001", "a01", 0},
      {"1a", "01a", 0},
      {"a1b2", "a01b02", 0},
      {"a1b2", "a01b03", -1},
      {"a10", "a9", 1},
      {"a010", "a9", 1},
      {"a1x", "a1y", -1},
      {"12345678", "123456789", -1},
      {"99999999", "100000000", -1},          // 8 against 9 significant digits
      {"0000000099999999", "100000000", -1},  // leading zeros do not count
      {"999999999", "1000000000", -1},        // 9 against 10
      {"123456789012345678901", "123456789012345678902", -1},
      {"123456789012345678901", "23456789012345678901", 1},  // 21 against 20 digits
      {"000123456789012345678901", "123456789012345678901", 0},
      {"a\xff", "a1", 1},
      {"a\x80"
       "1",
       "a\x80"
       "01",
       0},
  };
  for (const PairCase& pair : cases) {
    EXPECT_EQ(sign(natural_compare(pair.a, pair.b)), pair.expected) << pair.a << " vs " << pair.b;
    EXPECT_EQ(sign(natural_compare(pair.b, pair.a)), -pair.expected) << pair.b << " vs " << pair.a;
    EXPECT_EQ(reference_natural(pair.a, pair.b), pair.expected) << pair.a << " vs " << pair.b;
    EXPECT_EQ(encoded_sign(natural_encoding(pair.a), natural_encoding(pair.b)), pair.expected)
        << pair.a << " vs " << pair.b;
  }
  // 254-byte names (the BAM maximum).
  EXPECT_GT(natural_compare(n254_digits.c_str(), n253_digits.c_str()), 0);
  EXPECT_EQ(encoded_sign(natural_encoding(n254_digits), natural_encoding(n253_digits)), 1);
  EXPECT_EQ(natural_compare(zeros_then_one.c_str(), "1"), 0);
  EXPECT_EQ(natural_encoding(zeros_then_one), natural_encoding("1"));
  EXPECT_LT(natural_compare(zeros_then_one.c_str(), "2"), 0);
}

TEST(NameNatural, EncodingLayout) {
  auto bytes = [](const char* text) {
    return std::vector<std::uint8_t>(text, text + std::strlen(text));
  };
  EXPECT_EQ(natural_encoding("x"), bytes("x"));
  EXPECT_EQ(natural_encoding("x0"), bytes("x0"));  // empty significant run: marker '0'
  EXPECT_EQ(natural_encoding("x00"), bytes("x0"));
  EXPECT_EQ(natural_encoding("a01b"), bytes("a11b"));
  EXPECT_EQ(natural_encoding("r010"), bytes("r210"));
  EXPECT_EQ(natural_encoding("12345678"), bytes("812345678"));
  std::vector<std::uint8_t> long_run = {'9', 1, '1', '2', '3', '4', '5', '6', '7', '8', '9'};
  EXPECT_EQ(natural_encoding("123456789"), long_run);
  // The name stops at a NUL even if name_bytes says more.
  std::uint8_t out[16];
  EXPECT_EQ(encode_natural("a1\0zzz", 6, out), 3u);
  EXPECT_EQ(encode_lexicographic("a1\0zzz", 6, out), 2u);
}

TEST(NameNatural, CapacityIsTight) {
  std::string worst;
  while (worst.size() + 2 <= kMaxReadNameBytes) worst += "1a";
  ASSERT_EQ(worst.size(), kMaxReadNameBytes);
  // 127 one-digit runs each become two bytes.
  EXPECT_EQ(natural_encoding(worst).size(), kMaxNaturalEncodingBytes);
  EXPECT_EQ(kMaxNaturalEncodingBytes, 381u);
  std::string long_run(kMaxReadNameBytes, '9');
  EXPECT_EQ(natural_encoding(long_run).size(), kMaxReadNameBytes + 2);
  EXPECT_LE(kMaxReadNameBytes + 2, natural_encoding_capacity(kMaxReadNameBytes));
}

TEST(NameFlagKey, OrdersMatesThenPrimaryFirst) {
  EXPECT_EQ(name_flag_key(0x40), 0x4000);
  EXPECT_EQ(name_flag_key(0x80), 0x8000);
  EXPECT_EQ(name_flag_key(0x100), 0x800);
  EXPECT_EQ(name_flag_key(0x800), 0x100);
  EXPECT_EQ(name_flag_key(0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x200 | 0x400), 0);
  // Spec order: neither/READ1/READ2/both; within each primary < supplementary < secondary <
  // secondary+supplementary.
  std::vector<std::uint16_t> expected;
  for (std::uint16_t mates : {0x0, 0x40, 0x80, 0xC0}) {
    for (std::uint16_t kind : {0x0, 0x800, 0x100, 0x900}) {
      expected.push_back(static_cast<std::uint16_t>(mates | kind | 0x1));
    }
  }
  for (std::size_t idx = 1; idx < expected.size(); ++idx) {
    EXPECT_LT(name_flag_key(expected[idx - 1]), name_flag_key(expected[idx])) << idx;
  }
}

TEST(NameKey, ReadNameLengthIgnoresNulPadding) {
  test::RecordSpec rec;
  rec.name = "read7";
  rec.extra_name_nuls = 2;
  std::vector<std::uint8_t> record = test::make_record(rec);
  EXPECT_EQ(read_name_length(record.data()), 5u);
}

TEST(NameKey, LoadPrefixBigEndianZeroPadded) {
  const std::uint8_t enc[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18};
  std::uint64_t words[2];
  load_prefix_be(enc, sizeof enc, 0, words);
  EXPECT_EQ(words[0], 0x0102030405060708ull);
  EXPECT_EQ(words[1], 0x090a0b0c0d0e0f10ull);
  load_prefix_be(enc, sizeof enc, 5, words);
  EXPECT_EQ(words[0], 0x060708090a0b0c0dull);
  EXPECT_EQ(words[1], 0x0e0f101112000000ull);
  load_prefix_be(enc, sizeof enc, 18, words);
  EXPECT_EQ(words[0], 0u);
  EXPECT_EQ(words[1], 0u);
  load_prefix_be(enc, sizeof enc, 40, words);
  EXPECT_EQ(words[0], 0u);
}

std::string random_name(std::mt19937_64& random) {
  static const std::string kAlphabet = "0000000000123456789123456789aab/:~._";
  std::size_t length = random() % 41;
  std::string name;
  for (std::size_t idx = 0; idx < length; ++idx) name += kAlphabet[random() % kAlphabet.size()];
  return name;
}

// A copy with leading zeros added to or removed from digit runs, so equal pairs are common.
std::string zero_mutation(const std::string& name, std::mt19937_64& random) {
  std::string out;
  bool run_start = true;
  for (char byte : name) {
    bool digit = byte >= '0' && byte <= '9';
    if (digit && run_start && random() % 2 == 0) out += std::string(random() % 3, '0');
    run_start = !digit;
    if (byte == '0' && random() % 3 == 0) continue;  // may change the value: fine
    out += byte;
  }
  return out;
}

TEST(NameNatural, RandomPairsEncodingMatchesCompare) {
  std::mt19937_64 random(7);
  std::size_t equal_pairs = 0;
  for (int trial = 0; trial < 250000; ++trial) {
    std::string a = random_name(random);
    std::string b = trial % 3 == 0 ? zero_mutation(a, random) : random_name(random);
    int expected = sign(natural_compare(a.c_str(), b.c_str()));
    ASSERT_EQ(reference_natural(a, b), expected) << a << " vs " << b;
    ASSERT_EQ(-sign(natural_compare(b.c_str(), a.c_str())), expected) << a << " vs " << b;
    std::vector<std::uint8_t> ea = natural_encoding(a);
    std::vector<std::uint8_t> eb = natural_encoding(b);
    ASSERT_LE(ea.size(), natural_encoding_capacity(a.size()));
    ASSERT_EQ(encoded_sign(ea, eb), expected) << a << " vs " << b;
    ASSERT_EQ(ea == eb, expected == 0) << a << " vs " << b;
    ASSERT_EQ(std::find(ea.begin(), ea.end(), 0), ea.end());
    if (expected == 0) ++equal_pairs;

    // The engine strips a common prefix, then compares 16-byte big-endian windows.
    std::size_t common = 0;
    while (common < ea.size() && common < eb.size() && ea[common] == eb[common]) ++common;
    std::size_t skip = random() % (common + 1);
    std::uint64_t wa[2];
    std::uint64_t wb[2];
    load_prefix_be(ea.data(), ea.size(), skip, wa);
    load_prefix_be(eb.data(), eb.size(), skip, wb);
    int window =
        wa[0] != wb[0] ? (wa[0] < wb[0] ? -1 : 1) : (wa[1] != wb[1] ? (wa[1] < wb[1] ? -1 : 1) : 0);
    if (window != 0) {
      ASSERT_EQ(window, expected) << a << " vs " << b << " skip " << skip;
    } else if (ea.size() - skip <= 16 && eb.size() - skip <= 16) {
      ASSERT_EQ(expected, 0) << a << " vs " << b << " skip " << skip;
    }
  }
  EXPECT_GT(equal_pairs, 10000u);
}

TEST(NameLexicographic, RandomPairsEncodingMatchesCompare) {
  std::mt19937_64 random(11);
  for (int trial = 0; trial < 50000; ++trial) {
    std::string a = random_name(random);
    std::string b = trial % 3 == 0 ? zero_mutation(a, random) : random_name(random);
    std::vector<std::uint8_t> ea(a.begin(), a.end());
    std::vector<std::uint8_t> eb(b.begin(), b.end());
    ASSERT_EQ(encode_lexicographic(a.data(), a.size(), ea.data()), a.size());
    ASSERT_EQ(encoded_sign(ea, eb), sign(lexicographic_compare(a.c_str(), b.c_str())));
  }
}

// Sorting by encoding and by compare gives the same sequence on a large random set.
TEST(NameNatural, SortByEncodingEqualsSortByCompare) {
  std::mt19937_64 random(3);
  std::vector<std::string> names;
  for (int idx = 0; idx < 5000; ++idx) {
    names.push_back(idx % 2 == 0 || names.empty() ? random_name(random)
                                                  : zero_mutation(names.back(), random));
  }
  std::vector<std::string> by_compare = stable_sorted(names, [](const auto& a, const auto& b) {
    return natural_compare(a.c_str(), b.c_str()) < 0;
  });
  std::vector<std::string> by_encoding = stable_sorted(names, [](const auto& a, const auto& b) {
    return encoded_sign(natural_encoding(a), natural_encoding(b)) < 0;
  });
  EXPECT_EQ(by_compare, by_encoding);
}

}  // namespace
}  // namespace samsort
