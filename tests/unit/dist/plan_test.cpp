// The plan file: written and read back field for field; a damaged or foreign file is one clear
// error; a changed input is refused.
#include "samsort/dist/plan.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "samsort/core/errors.hpp"
#include "test_records.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

SortPlan sample_plan(const std::string& input) {
  SortPlan plan;
  plan.input_path = input;
  file_identity(input, &plan.input_bytes, &plan.input_mtime_ns);
  plan.order = SortOrder::kQueryName;
  plan.sort_tag = "CB,UB";
  plan.slices = {{22151168, 61614325760}, {61614325760, 0}, {~0ULL, ~0ULL}};
  plan.shards = 3;
  plan.splitters = {test::make_record("r1", 0, 100), test::make_record("r9", 1, 5)};
  return plan;
}

std::string write_text(const test::ScratchDir& dir, const std::string& name,
                       const std::string& text) {
  std::string path = dir.file(name);
  std::ofstream(path) << text;
  return path;
}

TEST(PlanTest, RoundTrip) {
  test::ScratchDir dir;
  std::string input = write_text(dir, "in.bam", "not really a BAM");
  SortPlan plan = sample_plan(input);
  save_plan(plan, dir.file("plan"));
  SortPlan read = load_plan(dir.file("plan"));
  EXPECT_EQ(read.input_path, plan.input_path);
  EXPECT_EQ(read.input_bytes, plan.input_bytes);
  EXPECT_EQ(read.input_mtime_ns, plan.input_mtime_ns);
  EXPECT_EQ(read.order, SortOrder::kQueryName);
  EXPECT_EQ(read.sort_tag, "CB,UB");
  EXPECT_EQ(read.shards, 3U);
  ASSERT_EQ(read.slices.size(), 3U);
  EXPECT_EQ(read.slices[0].begin, 22151168U);
  EXPECT_EQ(read.slices[0].end, 61614325760U);
  EXPECT_FALSE(read.slices[1].empty());
  EXPECT_TRUE(read.slices[2].empty());
  EXPECT_EQ(read.splitters, plan.splitters);
  EXPECT_NO_THROW(check_plan_input(read));
}

TEST(PlanTest, ChangedInputIsRefused) {
  test::ScratchDir dir;
  std::string input = write_text(dir, "in.bam", "not really a BAM");
  SortPlan plan = sample_plan(input);
  std::ofstream(input, std::ios::app) << "more";
  try {
    check_plan_input(plan);
    FAIL() << "a changed input was accepted";
  } catch (const Error& error) {
    EXPECT_TRUE(test::contains(error.what(), "changed since it was planned")) << error.what();
  }
}

TEST(PlanTest, DamagedPlansAreOneError) {
  test::ScratchDir dir;
  std::string input = write_text(dir, "in.bam", "x");
  save_plan(sample_plan(input), dir.file("plan"));
  std::ifstream in(dir.file("plan"));
  std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  struct Case {
    const char* what;
    std::string text;
    const char* message;
  };
  auto replaced = [&good](const std::string& from, const std::string& to) {
    std::string text = good;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  for (const Case& bad : {
           Case{"not a plan", "hello\n", "no samsort-plan line"},
           Case{"cut short", good.substr(0, good.size() / 2), ""},
           Case{"unknown order", replaced("order queryname", "order sideways"), "unknown order"},
           Case{"slices skipped", replaced("slice 1 ", "slice 2 "), "out of order"},
           Case{"odd splitter", replaced("splitter 0 ", "splitter 0 0"), "splitter"},
           Case{"too many splitters", replaced("shards 3", "shards 2"), "counts do not match"},
           Case{"unknown line", replaced("end\n", "colour blue\nend\n"), "unknown line"},
       }) {
    std::string path = write_text(dir, "bad", bad.text);
    try {
      load_plan(path);
      ADD_FAILURE() << bad.what << " was accepted";
    } catch (const Error& error) {
      EXPECT_TRUE(test::contains(error.what(), "not a usable samsort plan")) << error.what();
      EXPECT_TRUE(test::contains(error.what(), bad.message)) << bad.what << ": " << error.what();
    }
  }
  EXPECT_THROW(load_plan(dir.file("missing")), IoError);
}

}  // namespace
}  // namespace samsort
