// Shared helpers for the end-to-end tests. Generated inputs are cached across test processes
// (ctest runs each test in its own process, two at a time): flock + write-then-rename.
#include "e2e_support.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <stdexcept>

namespace samsort::e2e {
namespace {

constexpr size_t kShownLineChars = 300;
constexpr int kGeneratorThreads = 2;
constexpr int kGeneratorLevel = 1;

std::string clip(const std::string& line) {
  if (line.size() <= kShownLineChars) return line;
  return line.substr(0, kShownLineChars) + "...";
}

// Holds an exclusive flock on <path>.lock for the lifetime of the object.
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    std::string lock_path = path + ".lock";
    fd_ = open(lock_path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error("cannot open " + lock_path + ": " + std::strerror(errno));
    while (flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) throw std::runtime_error("flock " + lock_path);
    }
  }
  ~FileLock() { close(fd_); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

std::string temp_name_for(const std::string& path) {
  return path + ".tmp." + std::to_string(getpid());
}

// Returns kGeneratedDir/name, running make(temp_path) first when it is missing; make writes
// temp_path, which is then renamed into place.
std::string cached_file(const std::string& name,
                        const std::function<void(const std::string&)>& make) {
  std::filesystem::create_directories(kGeneratedDir);
  std::string path = std::string(kGeneratedDir) + "/" + name;
  if (path_exists(path)) return path;
  FileLock lock(path);
  if (path_exists(path)) return path;
  std::string temp_path = temp_name_for(path);
  make(temp_path);
  if (std::rename(temp_path.c_str(), path.c_str()) != 0) {
    throw std::runtime_error("cannot rename " + temp_path + ": " + std::strerror(errno));
  }
  return path;
}

void run_or_throw(const std::vector<std::string>& argv) {
  ProcessResult result = run_process(argv);
  if (!result.exited_ok()) {
    std::string command;
    for (const std::string& word : argv) command += word + " ";
    throw std::runtime_error("command failed: " + command + result.describe());
  }
}

std::vector<std::string> all_lines(const std::string& bam, bool* ok) {
  LineStream stream({"samtools", "view", bam});
  std::vector<std::string> lines;
  std::string line;
  while (stream.next(line)) lines.push_back(line);
  *ok = stream.finish() == 0;
  return lines;
}

}  // namespace

ScratchDir::ScratchDir() {
  char pattern[] = "/tmp/samsort-e2e.XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  }
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  // Tests may have made subdirectories read-only; give write permission back before removing.
  for (auto it = std::filesystem::recursive_directory_iterator(path_, ignored);
       !ignored && it != std::filesystem::recursive_directory_iterator(); it.increment(ignored)) {
    if (it->is_directory(ignored)) chmod(it->path().c_str(), 0755);
  }
  std::filesystem::remove_all(path_, ignored);
}

std::string ScratchDir::subdir(const std::string& name) const {
  std::string path = file(name);
  std::filesystem::create_directories(path);
  return path;
}

std::string generated_bam(int64_t records, uint64_t seed,
                          const std::vector<std::string>& extra_args) {
  std::string name = "synthetic_r" + std::to_string(records) + "_s" + std::to_string(seed);
  for (const std::string& arg : extra_args) {
    name += '_';
    for (char c : arg) {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '.') name += c;
    }
  }
  return cached_file(name + ".bam", [&](const std::string& temp_path) {
    std::vector<std::string> argv{kMakeTestBamBin,
                                  "--records",
                                  std::to_string(records),
                                  "--seed",
                                  std::to_string(seed),
                                  "--level",
                                  std::to_string(kGeneratorLevel),
                                  "--threads",
                                  std::to_string(kGeneratorThreads)};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    argv.insert(argv.end(), {"-o", temp_path});
    run_or_throw(argv);
  });
}

std::string samtools_reference(const std::string& input) {
  std::string cache_name = std::filesystem::path(input).filename().string();
  if (cache_name.size() > 4 && cache_name.ends_with(".bam"))
    cache_name.resize(cache_name.size() - 4);
  cache_name += ".samtools.bam";
  return cached_file(cache_name, [&](const std::string& temp_path) {
    run_or_throw({"samtools", "sort", "--no-PG", "-@", "2", "-l", "1", "-o", temp_path, input});
    // A CSI index (BAI cannot address positions beyond 2^29) goes beside the final name; it is
    // renamed into place before the BAM is.
    std::string final_path = std::string(kGeneratedDir) + "/" + cache_name;
    std::string temp_index = temp_path + ".csi";
    run_or_throw({"samtools", "index", "-c", temp_path, temp_index});
    std::string final_index = final_path + ".csi";
    if (std::rename(temp_index.c_str(), final_index.c_str()) != 0) {
      throw std::runtime_error("cannot rename " + temp_index);
    }
  });
}

std::string generated_cram(const std::string& input) {
  std::string cache_name = std::filesystem::path(input).filename().string();
  if (cache_name.size() > 4 && cache_name.ends_with(".bam"))
    cache_name.resize(cache_name.size() - 4);
  cache_name += ".noref.cram";
  return cached_file(cache_name, [&](const std::string& temp_path) {
    run_or_throw({"samtools", "view", "--no-PG", "-@", "2", "-C", "--output-fmt-option", "no_ref=1",
                  "-o", temp_path, input});
  });
}

std::string example_bam() { return std::string(kTestDataDir) + "/example.bam"; }

::testing::AssertionResult is_one_error_line(const std::string& stderr_text) {
  if (stderr_text.rfind(kErrorPrefix, 0) != 0) {
    return ::testing::AssertionFailure()
           << "stderr does not start with '" << kErrorPrefix << "': [" << stderr_text << "]";
  }
  if (stderr_text.back() != '\n' || stderr_text.find('\n') != stderr_text.size() - 1) {
    return ::testing::AssertionFailure()
           << "stderr is not exactly one line: [" << stderr_text << "]";
  }
  return ::testing::AssertionSuccess();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

ProcessResult run_samsort(const std::vector<std::string>& args, const ProcessOptions& options) {
  std::vector<std::string> argv{kSamsortBin, "sort"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, options);
}

SortSummary parse_summary(const std::string& stderr_text) {
  static const std::regex kRecords(R"(samsort: sorted (\d+) records)");
  static const std::regex kRuns(R"((\d+) spilled runs?)");
  static const std::regex kPasses(R"((\d+) merge pass(es)?)");
  SortSummary summary;
  std::smatch match;
  if (!std::regex_search(stderr_text, match, kRecords)) return summary;
  summary.records = std::stoull(match[1]);
  if (!std::regex_search(stderr_text, match, kRuns)) return summary;
  summary.runs = std::stoull(match[1]);
  if (!std::regex_search(stderr_text, match, kPasses)) return summary;
  summary.merge_passes = std::stoull(match[1]);
  summary.found = true;
  return summary;
}

::testing::AssertionResult same_records_in_order(const std::string& expected_bam,
                                                 const std::string& actual_bam) {
  LineStream expected({"samtools", "view", expected_bam});
  LineStream actual({"samtools", "view", actual_bam});
  std::string expected_line;
  std::string actual_line;
  uint64_t line_number = 0;
  for (;;) {
    bool have_expected = expected.next(expected_line);
    bool have_actual = actual.next(actual_line);
    ++line_number;
    if (!have_expected && !have_actual) break;
    if (have_expected != have_actual || expected_line != actual_line) {
      return ::testing::AssertionFailure()
             << "record " << line_number << " differs between " << expected_bam << " and "
             << actual_bam << "\n  expected: "
             << (have_expected ? clip(expected_line) : std::string("<end of records>"))
             << "\n  actual:   "
             << (have_actual ? clip(actual_line) : std::string("<end of records>"));
    }
  }
  if (expected.finish() != 0)
    return ::testing::AssertionFailure() << "samtools view failed on " << expected_bam;
  if (actual.finish() != 0)
    return ::testing::AssertionFailure() << "samtools view failed on " << actual_bam;
  if (line_number == 1) return ::testing::AssertionFailure() << "no records in " << expected_bam;
  return ::testing::AssertionSuccess() << (line_number - 1) << " records in the same order";
}

::testing::AssertionResult same_record_multiset(const std::string& expected_bam,
                                                const std::string& actual_bam) {
  bool expected_ok = false;
  bool actual_ok = false;
  std::vector<std::string> expected = all_lines(expected_bam, &expected_ok);
  std::vector<std::string> actual = all_lines(actual_bam, &actual_ok);
  if (!expected_ok)
    return ::testing::AssertionFailure() << "samtools view failed on " << expected_bam;
  if (!actual_ok) return ::testing::AssertionFailure() << "samtools view failed on " << actual_bam;
  if (expected.size() != actual.size()) {
    return ::testing::AssertionFailure() << expected.size() << " records in " << expected_bam
                                         << " but " << actual.size() << " in " << actual_bam;
  }
  std::sort(expected.begin(), expected.end());
  std::sort(actual.begin(), actual.end());
  auto [expected_it, actual_it] = std::mismatch(expected.begin(), expected.end(), actual.begin());
  if (expected_it != expected.end()) {
    return ::testing::AssertionFailure()
           << "record multisets differ; first difference in sorted order:\n  expected: "
           << clip(*expected_it) << "\n  actual:   " << clip(*actual_it);
  }
  return ::testing::AssertionSuccess();
}

int64_t count_records(const std::string& bam, const std::string& region) {
  std::vector<std::string> argv{"samtools", "view", "-c", "-@", "2", bam};
  if (!region.empty()) argv.push_back(region);
  ProcessResult result = run_process(argv);
  if (!result.exited_ok()) return -1;
  return std::stoll(result.stdout_text);
}

std::vector<std::string> header_lines(const std::string& bam) {
  ProcessResult result = run_process({"samtools", "view", "-H", "--no-PG", bam});
  std::vector<std::string> lines;
  if (!result.exited_ok()) return lines;
  size_t start = 0;
  const std::string& text = result.stdout_text;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

uint64_t uncompressed_bytes(const std::string& bam) {
  ProcessResult result = run_shell("samtools view -u " + shell_quote(bam) + " | wc -c");
  if (!result.exited_ok()) return 0;
  return std::stoull(result.stdout_text);
}

std::vector<std::string> list_directory(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code error;
  std::filesystem::directory_iterator entry(dir, error);
  for (; !error && entry != std::filesystem::directory_iterator(); entry.increment(error)) {
    names.push_back(entry->path().filename().string());
  }
  if (error) ADD_FAILURE() << "list_directory: " << dir << ": " << error.message();
  std::sort(names.begin(), names.end());
  return names;
}

bool path_exists(const std::string& path) {
  struct stat info {};
  return lstat(path.c_str(), &info) == 0;
}

void copy_prefix(const std::string& from, const std::string& to, uint64_t bytes) {
  std::ifstream in(from, std::ios::binary);
  std::ofstream out(to, std::ios::binary);
  std::vector<char> buffer(1 << 20);
  while (bytes > 0 && in) {
    std::streamsize chunk = static_cast<std::streamsize>(std::min<uint64_t>(bytes, buffer.size()));
    in.read(buffer.data(), chunk);
    out.write(buffer.data(), in.gcount());
    bytes -= static_cast<uint64_t>(in.gcount());
  }
}

uint64_t file_size(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return 0;
  return static_cast<uint64_t>(info.st_size);
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace samsort::e2e
