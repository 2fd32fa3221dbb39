// The plan file: "samsort-plan 1", then one "key value" line per field, slices and splitters.
#include "samsort/dist/plan.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "samsort/core/errors.hpp"
#include "samsort/io/file_io.hpp"
#include "samsort/io/output_file.hpp"

namespace samsort {

namespace {

constexpr const char* kMagic = "samsort-plan 1";

std::string to_hex(const std::vector<std::uint8_t>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(bytes.size() * 2);
  for (std::uint8_t byte : bytes) {
    text += kDigits[byte >> 4];
    text += kDigits[byte & 15];
  }
  return text;
}

int hex_value(char digit) {
  if (digit >= '0' && digit <= '9') return digit - '0';
  if (digit >= 'a' && digit <= 'f') return digit - 'a' + 10;
  return -1;
}

[[noreturn]] void damaged(const std::string& path, const std::string& what) {
  throw Error(path + ": not a usable samsort plan (" + what + ")");
}

std::vector<std::uint8_t> from_hex(const std::string& text, const std::string& path) {
  if (text.size() % 2 != 0 || text.size() < 2 * 36) damaged(path, "bad splitter");
  std::vector<std::uint8_t> bytes(text.size() / 2);
  for (std::size_t idx = 0; idx < bytes.size(); ++idx) {
    int high = hex_value(text[2 * idx]);
    int low = hex_value(text[2 * idx + 1]);
    if (high < 0 || low < 0) damaged(path, "bad splitter");
    bytes[idx] = static_cast<std::uint8_t>(high << 4 | low);
  }
  std::uint32_t block_size = static_cast<std::uint32_t>(bytes[0]) | bytes[1] << 8 | bytes[2] << 16 |
                             static_cast<std::uint32_t>(bytes[3]) << 24;
  if (block_size + 4ULL != bytes.size()) damaged(path, "bad splitter length");
  return bytes;
}

}  // namespace

void file_identity(const std::string& path, std::uint64_t* bytes, std::int64_t* mtime_ns) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) throw IoError(path, "cannot read", errno);
  *bytes = static_cast<std::uint64_t>(info.st_size);
  *mtime_ns = static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
}

void save_plan(const SortPlan& plan, const std::string& path) {
  std::ostringstream text;
  text << kMagic << '\n'
       << "input " << plan.input_path << '\n'
       << "input-bytes " << plan.input_bytes << '\n'
       << "input-mtime-ns " << plan.input_mtime_ns << '\n'
       << "order " << order_names(plan.order).name << '\n'
       << "tag " << (plan.sort_tag.empty() ? "-" : plan.sort_tag) << '\n'
       << "slices " << plan.slices.size() << '\n'
       << "shards " << plan.shards << '\n';
  for (std::size_t idx = 0; idx < plan.slices.size(); ++idx) {
    text << "slice " << idx << ' ' << plan.slices[idx].begin << ' ' << plan.slices[idx].end << '\n';
  }
  for (std::size_t idx = 0; idx < plan.splitters.size(); ++idx) {
    text << "splitter " << idx << ' ' << to_hex(plan.splitters[idx]) << '\n';
  }
  text << "end\n";
  std::string bytes = text.str();
  OutputFile file(path);
  write_fully(file.fd(), bytes.data(), bytes.size(), path);
  file.commit();
}

SortPlan load_plan(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError(path, "cannot open the plan", errno);
  std::string line;
  if (!std::getline(in, line) || line != kMagic) damaged(path, "no samsort-plan line");
  SortPlan plan;
  std::size_t slices = 0;
  bool ended = false;
  while (std::getline(in, line)) {
    std::size_t space = line.find(' ');
    std::string key = line.substr(0, space);
    std::string value = space == std::string::npos ? "" : line.substr(space + 1);
    std::istringstream fields(value);
    if (key == "input") {
      plan.input_path = value;
    } else if (key == "input-bytes") {
      fields >> plan.input_bytes;
    } else if (key == "input-mtime-ns") {
      fields >> plan.input_mtime_ns;
    } else if (key == "order") {
      std::optional<SortOrder> order = find_order(value);
      if (!order) damaged(path, "unknown order " + value);
      plan.order = *order;
    } else if (key == "tag") {
      plan.sort_tag = value == "-" ? "" : value;
    } else if (key == "slices") {
      fields >> slices;
    } else if (key == "shards") {
      fields >> plan.shards;
    } else if (key == "slice") {
      std::size_t idx = 0;
      PlanSlice slice;
      fields >> idx >> slice.begin >> slice.end;
      if (!fields || idx != plan.slices.size()) damaged(path, "slice lines out of order");
      plan.slices.push_back(slice);
    } else if (key == "splitter") {
      std::size_t idx = 0;
      std::string hex;
      fields >> idx >> hex;
      if (!fields || idx != plan.splitters.size()) damaged(path, "splitter lines out of order");
      plan.splitters.push_back(from_hex(hex, path));
    } else if (key == "end") {
      ended = true;
      break;
    } else {
      damaged(path, "unknown line '" + key + "'");
    }
    if (key != "input" && key != "order" && key != "tag" && !fields && key != "end") {
      damaged(path, "bad " + key + " line");
    }
  }
  if (!ended) damaged(path, "cut short");
  if (plan.input_path.empty() || slices == 0 || slices != plan.slices.size() || plan.shards == 0 ||
      plan.splitters.size() >= plan.shards) {
    damaged(path, "counts do not match");
  }
  return plan;
}

void check_plan_input(const SortPlan& plan) {
  std::uint64_t bytes = 0;
  std::int64_t mtime_ns = 0;
  file_identity(plan.input_path, &bytes, &mtime_ns);
  if (bytes != plan.input_bytes || mtime_ns != plan.input_mtime_ns) {
    throw Error(plan.input_path + ": changed since it was planned (size or time); plan again");
  }
}

}  // namespace samsort
