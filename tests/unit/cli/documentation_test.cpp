// Every option that the commands' --help (sort, verify, merge and the distributed sort's steps)
// print is documented in man/samsort.1 and README.md, so the three cannot drift apart.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "samsort/cli/options.hpp"

namespace samsort {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Option spellings ("-o", "--max-memory") in a help text.
std::set<std::string> help_options(const std::string& help) {
  std::set<std::string> options;
  std::regex option_pattern(R"((^|[\s\[])(--?[A-Za-z@][A-Za-z-]*))");
  for (std::sregex_iterator match(help.begin(), help.end(), option_pattern), end; match != end;
       ++match) {
    std::string option = (*match)[2];
    if (option.rfind("--", 0) == 0 || option.size() == 2) options.insert(option);
  }
  return options;
}

std::string help_of(const char* command) {
  const char* argv[] = {"samsort", command, "--help"};
  return parse_command_line(3, argv).help_text;
}

TEST(DocumentationTest, ManPageAndReadmeNameEveryHelpOption) {
  std::string man = read_text(SAMSORT_MAN_PAGE);
  std::string readme = read_text(SAMSORT_README);
  ASSERT_FALSE(man.empty());
  ASSERT_FALSE(readme.empty());
  // roff writes a literal hyphen as "\-".
  man = std::regex_replace(man, std::regex(R"(\\-)"), "-");
  std::set<std::string> options = help_options(help_of("sort"));
  for (const char* command : {"verify", "merge", "plan", "sort-slice", "merge-range", "gather"}) {
    std::set<std::string> more = help_options(help_of(command));
    options.insert(more.begin(), more.end());
  }
  ASSERT_GT(options.size(), 20u);
  for (const std::string& option : options) {
    EXPECT_NE(man.find(option), std::string::npos) << option << " missing from man/samsort.1";
    EXPECT_NE(readme.find(option), std::string::npos) << option << " missing from README.md";
  }
}

}  // namespace
}  // namespace samsort
