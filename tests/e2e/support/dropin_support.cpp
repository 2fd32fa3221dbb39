// Helpers for the drop-in tests: index comparison with samtools' own index, natural
// read-name order checks, filtered `samtools view` comparisons, exact directory listings.
#include "dropin_support.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <unordered_set>

#include "e2e_support.hpp"
#include "process.hpp"

namespace samsort::e2e {
namespace {

constexpr size_t kShownChars = 300;

// samtools' tie-break after equal names (newest samtools, PR samtools#2012): READ1/READ2 bits,
// then primary < supplementary < secondary < secondary+supplementary.
unsigned name_tie_key(unsigned flag) {
  return ((flag & 0xc0u) << 8) | ((flag & 0x100u) << 3) | ((flag & 0x800u) >> 3);
}

constexpr unsigned long kSecondaryOrSupplementary = 0x900;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string clip(const std::string& text) {
  return text.size() <= kShownChars ? text : text.substr(0, kShownChars) + "...";
}

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Column `index` (0-based) of a tab-separated line.
std::string_view column(std::string_view line, int index) {
  size_t start = 0;
  for (int i = 0; i < index; ++i) {
    size_t tab = line.find('\t', start);
    if (tab == std::string_view::npos) return {};
    start = tab + 1;
  }
  size_t end = line.find('\t', start);
  return line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

// Runs argv; its stdout, or the failure in `error`.
std::string output_of(const std::vector<std::string>& argv, std::string& error) {
  ProcessResult result = run_process(argv);
  if (!result.exited_ok()) {
    for (const std::string& word : argv) error += word + " ";
    error += "failed: " + result.describe();
  }
  return result.stdout_text;
}

// The first line where two texts differ, for messages.
std::string first_difference(const std::string& expected, const std::string& actual) {
  size_t at = static_cast<size_t>(
      std::mismatch(expected.begin(), expected.end(), actual.begin(), actual.end()).first -
      expected.begin());
  size_t line_start = 0;
  if (at > 0) {
    size_t newline = expected.rfind('\n', at - 1);
    line_start = newline == std::string::npos ? 0 : newline + 1;
  }
  auto line_at = [line_start](const std::string& text) {
    if (line_start >= text.size()) return std::string("<end>");
    return clip(text.substr(line_start, text.find('\n', line_start) - line_start));
  };
  return "\n  expected: " + line_at(expected) + "\n  actual:   " + line_at(actual);
}

}  // namespace

::testing::AssertionResult index_matches_samtools(const std::string& bam,
                                                  const std::string& our_index, IndexKind kind,
                                                  const std::vector<std::string>& regions,
                                                  const std::string& work_dir) {
  if (!path_exists(our_index)) return ::testing::AssertionFailure() << "no index " << our_index;
  std::string samtools_index =
      work_dir + (kind == IndexKind::kBai ? "/samtools-index.bai" : "/samtools-index.csi");
  ProcessResult index = run_process(
      {"samtools", "index", kind == IndexKind::kBai ? "-b" : "-c", bam, samtools_index});
  if (!index.exited_ok())
    return ::testing::AssertionFailure() << "samtools index failed: " << index.describe();
  if (read_whole_file(our_index) != read_whole_file(samtools_index)) {
    return ::testing::AssertionFailure()
           << our_index << " (" << file_size(our_index) << " bytes) is not byte-identical to "
           << "samtools' index of the same file (" << file_size(samtools_index) << " bytes)";
  }

  // The same question through samtools' index, our index named explicitly, and our index found
  // beside the BAM by its name.
  const std::vector<std::string> sources{bam + "##idx##" + samtools_index,
                                         bam + "##idx##" + our_index, bam};
  std::vector<std::string> queries{""};  // "": idxstats; otherwise a region for samtools view
  queries.insert(queries.end(), regions.begin(), regions.end());
  for (const std::string& region : queries) {
    std::string expected;
    for (size_t source = 0; source < sources.size(); ++source) {
      std::vector<std::string> argv{"samtools", region.empty() ? "idxstats" : "view",
                                    sources[source]};
      if (!region.empty()) argv.push_back(region);
      std::string error;
      std::string answer = output_of(argv, error);
      if (!error.empty()) return ::testing::AssertionFailure() << error;
      if (source == 0) {
        if (answer.empty()) {
          return ::testing::AssertionFailure()
                 << "no answer through samtools' own index for `" << argv[1] << " " << region
                 << "` (choose a region with reads)";
        }
        expected = answer;
      } else if (answer != expected) {
        return ::testing::AssertionFailure()
               << "`samtools " << argv[1] << " " << sources[source] << " " << region
               << "` differs from the answer through samtools' index"
               << first_difference(expected, answer);
      }
    }
  }
  return ::testing::AssertionSuccess();
}

int strnum_compare(std::string_view a, std::string_view b) {
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (!is_digit(a[i]) || !is_digit(b[j])) {
      auto byte_a = static_cast<unsigned char>(a[i]);
      auto byte_b = static_cast<unsigned char>(b[j]);
      if (byte_a != byte_b) return byte_a < byte_b ? -1 : 1;
      ++i;
      ++j;
      continue;
    }
    while (i < a.size() && a[i] == '0') ++i;
    while (j < b.size() && b[j] == '0') ++j;
    while (i < a.size() && j < b.size() && is_digit(a[i]) && a[i] == b[j]) ++i, ++j;
    // The first differing digit decides between numbers of the same length.
    int first_difference = 0;
    if (i < a.size() && j < b.size() && is_digit(a[i]) && is_digit(b[j]))
      first_difference = a[i] < b[j] ? -1 : 1;
    while (i < a.size() && j < b.size() && is_digit(a[i]) && is_digit(b[j])) ++i, ++j;
    bool a_longer = i < a.size() && is_digit(a[i]);
    bool b_longer = j < b.size() && is_digit(b[j]);
    if (a_longer) return 1;
    if (b_longer) return -1;
    if (first_difference != 0) return first_difference;
  }
  if (i < a.size()) return 1;
  if (j < b.size()) return -1;
  return 0;
}

::testing::AssertionResult in_natural_name_order(const std::string& bam) {
  LineStream stream({"samtools", "view", bam});
  std::unordered_set<std::string> finished_names;
  std::string line;
  std::string previous_name;
  unsigned previous_bits = 0;
  uint64_t record = 0;
  while (stream.next(line)) {
    ++record;
    std::string name(column(line, 0));
    unsigned flag = static_cast<unsigned>(std::stoul(std::string(column(line, 1))));
    unsigned bits = name_tie_key(flag);
    if (record > 1) {
      if (name == previous_name) {
        if (bits < previous_bits) {
          return ::testing::AssertionFailure()
                 << "record " << record << " (" << name << ", flag " << flag
                 << ") is out of flag order among records of the same name";
        }
      } else {
        if (strnum_compare(previous_name, name) > 0) {
          return ::testing::AssertionFailure()
                 << "record " << record << " (" << name << ") comes after " << previous_name;
        }
        finished_names.insert(previous_name);
        if (finished_names.count(name) != 0) {
          return ::testing::AssertionFailure()
                 << "record " << record << ": name " << name << " is not contiguous";
        }
      }
    }
    previous_name = std::move(name);
    previous_bits = bits;
  }
  if (stream.finish() != 0) return ::testing::AssertionFailure() << "samtools view failed: " << bam;
  if (record == 0) return ::testing::AssertionFailure() << "no records in " << bam;
  return ::testing::AssertionSuccess() << record << " records in natural name order";
}

::testing::AssertionResult names_free_of_leading_zeros(const std::string& bam) {
  LineStream stream({"samtools", "view", bam});
  std::string line;
  std::string first_field;
  uint64_t record = 0;
  while (stream.next(line)) {
    ++record;
    std::string_view name = column(line, 0);
    size_t colon = name.find(':');
    std::string_view field = name.substr(0, colon);
    if (record == 1) first_field = field;
    if (field != first_field) {
      return ::testing::AssertionFailure()
             << "record " << record << ": " << name << " does not start with " << first_field;
    }
    if (colon == std::string_view::npos) continue;
    for (size_t i = colon + 1; i + 1 < name.size(); ++i) {
      bool run_start = !is_digit(name[i - 1]);
      if (run_start && name[i] == '0' && is_digit(name[i + 1])) {
        return ::testing::AssertionFailure()
               << "record " << record << ": " << name << " has a digit run with a leading zero";
      }
    }
  }
  if (stream.finish() != 0) return ::testing::AssertionFailure() << "samtools view failed: " << bam;
  if (record == 0) return ::testing::AssertionFailure() << "no records in " << bam;
  return ::testing::AssertionSuccess();
}

LineFilter first_columns(int count) {
  return [count](std::string& line) {
    size_t from = 0;
    for (int i = 0; i < count; ++i) {
      size_t tab = line.find('\t', from);
      if (tab == std::string::npos) return true;  // fewer columns: the whole line
      from = tab + 1;
    }
    line.resize(from - 1);
    return true;
  };
}

LineFilter primary_only() {
  return [](std::string& line) {
    return (std::stoul(std::string(column(line, 1))) & kSecondaryOrSupplementary) == 0;
  };
}

LineFilter without_hard_clips() {
  return [](std::string& line) { return column(line, 5).find('H') == std::string_view::npos; };
}

std::vector<std::string> samtools_view(const std::string& file, const std::string& reference) {
  std::vector<std::string> argv{"samtools", "view"};
  if (!reference.empty()) argv.insert(argv.end(), {"--reference", reference});
  argv.push_back(file);
  return argv;
}

::testing::AssertionResult same_view_lines(const std::vector<std::string>& expected_argv,
                                           const std::vector<std::string>& actual_argv,
                                           const LineFilter& filter) {
  LineStream expected(expected_argv);
  LineStream actual(actual_argv);
  auto next_kept = [&filter](LineStream& stream, std::string& line) {
    while (stream.next(line)) {
      if (!filter || filter(line)) return true;
    }
    return false;
  };
  std::string expected_line;
  std::string actual_line;
  uint64_t compared = 0;
  for (;;) {
    bool have_expected = next_kept(expected, expected_line);
    bool have_actual = next_kept(actual, actual_line);
    if (!have_expected && !have_actual) break;
    ++compared;
    if (have_expected != have_actual || expected_line != actual_line) {
      return ::testing::AssertionFailure()
             << "compared line " << compared << " differs between `" << expected_argv.back()
             << "` and `" << actual_argv.back()
             << "`\n  expected: " << (have_expected ? clip(expected_line) : std::string("<end>"))
             << "\n  actual:   " << (have_actual ? clip(actual_line) : std::string("<end>"));
    }
  }
  if (expected.finish() != 0)
    return ::testing::AssertionFailure() << "command failed on " << expected_argv.back();
  if (actual.finish() != 0)
    return ::testing::AssertionFailure() << "command failed on " << actual_argv.back();
  if (compared == 0) return ::testing::AssertionFailure() << "no lines to compare";
  return ::testing::AssertionSuccess() << compared << " identical lines";
}

::testing::AssertionResult passes_quickcheck(const std::string& path) {
  ProcessResult result = run_process({"samtools", "quickcheck", "-v", path});
  if (result.exited_ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "samtools quickcheck " << path << ": " << result.describe() << result.stdout_text;
}

::testing::AssertionResult directory_holds_exactly(const std::string& dir,
                                                   std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  std::vector<std::string> found = list_directory(dir);
  if (found == names) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << dir << " holds:\n"
                                       << join_lines(found) << "expected only:\n"
                                       << join_lines(names);
}

uint64_t decompressed_bytes(const std::string& path) {
  ProcessResult result = run_shell("gzip -dc < " + shell_quote(path) + " | wc -c");
  if (!result.exited_ok()) return 0;
  return std::stoull(result.stdout_text);
}

std::string file_prefix(const std::string& path, size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string text(bytes, '\0');
  in.read(text.data(), static_cast<std::streamsize>(bytes));
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

}  // namespace samsort::e2e
