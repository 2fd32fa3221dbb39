// The BED reader of `samsort merge -L` (samtools' bedidx.c: bed_read, bed_unify, bed_reglist)
// and the index memory estimate.
#include "samsort/io/region_query.hpp"

#include <htslib/hts.h>
#include <htslib/kstring.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>

#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/io/hts_handles.hpp"
#include "samsort/io/hts_log.hpp"

namespace samsort {

namespace {

// kseq's KS_SEP_LINE ('\n', a trailing '\r' dropped), which hts_getline takes.
constexpr int kLineSeparator = 2;

bool is_space(char value) { return std::isspace(static_cast<unsigned char>(value)) != 0; }

// Sorts one reference's intervals by (beg, end) and joins overlapping and adjacent ones: an
// interval starting at or before the previous end extends it (bed_unify).
std::vector<BedRegions::Interval> unified(std::vector<BedRegions::Interval> intervals) {
  std::sort(intervals.begin(), intervals.end(), [](const auto& left, const auto& right) {
    return left.beg != right.beg ? left.beg < right.beg : left.end < right.end;
  });
  std::vector<BedRegions::Interval> joined;
  for (const BedRegions::Interval& interval : intervals) {
    if (joined.empty() || joined.back().end < interval.beg) {
      joined.push_back(interval);
    } else {
      joined.back().end = std::max(joined.back().end, interval.end);
    }
  }
  return joined;
}

}  // namespace

BedRegions read_bed_regions(const std::string& path) {
  hts::FilePtr file;
  {
    HtsLogLevelGuard quiet;  // our error line replaces htslib's
    file.reset(hts_open(path.c_str(), "r"));
  }
  if (!file) throw IoError(path, "cannot read the BED file (-L)", errno);
  std::map<std::string, std::size_t> slot_of;
  BedRegions regions;
  kstring_t line = KS_INITIALIZE;
  std::uint64_t line_number = 0;
  int status;
  while ((status = hts_getline(file.get(), kLineSeparator, &line)) >= 0) {
    if (line.l == 0) continue;
    ++line_number;  // samtools counts the lines that are not empty
    char* ref = line.s;
    while (*ref != '\0' && is_space(*ref)) ++ref;
    if (*ref == '\0' || *ref == '#') continue;
    char* ref_end = ref;
    while (*ref_end != '\0' && !is_space(*ref_end)) ++ref_end;
    std::uint64_t beg = 0;
    std::uint64_t end = 0;
    int fields = 0;
    if (*ref_end != '\0') {
      *ref_end = '\0';
      // samtools' own scan, so signs, leading blanks and trailing text read the same.
      fields = std::sscanf(ref_end + 1, "%" SCNu64 " %" SCNu64, &beg, &end);
    }
    if (fields == 1) end = beg--;  // VCF-style: one 1-based position
    if (fields < 1 || end < beg) {
      if (std::strcmp(ref, "browser") == 0 || std::strcmp(ref, "track") == 0) continue;
      std::string message = path;
      message.append(": BED parse error at line ").append(std::to_string(line_number));
      if (fields < 1) {
        message.append(": no start and end");
      } else {
        message.append(": end (").append(std::to_string(end));
        message.append(") must not be less than start (").append(std::to_string(beg)).append(")");
      }
      ks_free(&line);
      throw Error(message);
    }
    auto [found, added] = slot_of.try_emplace(ref, regions.references.size());
    if (added) regions.references.emplace_back(ref, std::vector<BedRegions::Interval>());
    regions.references[found->second].second.push_back(
        {static_cast<std::int64_t>(beg), static_cast<std::int64_t>(end)});
  }
  ks_free(&line);
  if (status < -1) throw IoError(path, "cannot read the BED file (-L)", errno);
  if (hts::close(file) != 0) throw IoError(path, "cannot read the BED file (-L)", errno);
  for (auto& [name, intervals] : regions.references) intervals = unified(std::move(intervals));
  if (regions.references.empty()) {
    throw Error(path + ": the BED file has no regions (-L)");
  }
  return regions;
}

hts_reglist_t* BedRegions::reglist() const {
  auto* list = static_cast<hts_reglist_t*>(std::calloc(references.size(), sizeof(hts_reglist_t)));
  if (list == nullptr) throw std::bad_alloc();
  for (std::size_t idx = 0; idx < references.size(); ++idx) {
    const auto& [name, intervals] = references[idx];
    hts_reglist_t& entry = list[idx];
    entry.reg = name.c_str();
    entry.intervals =
        static_cast<hts_pair_pos_t*>(std::malloc(intervals.size() * sizeof(hts_pair_pos_t)));
    if (entry.intervals == nullptr) {
      hts_reglist_free(list, static_cast<int>(idx));
      throw std::bad_alloc();
    }
    entry.count = static_cast<std::uint32_t>(intervals.size());
    entry.max_end = 0;
    for (std::size_t at = 0; at < intervals.size(); ++at) {
      bool empty = intervals[at].beg == intervals[at].end;
      entry.intervals[at].beg =
          empty ? std::max<hts_pos_t>(intervals[at].beg - 1, 0) : intervals[at].beg;
      entry.intervals[at].end = empty ? intervals[at].end + 1 : intervals[at].end;
      entry.max_end = std::max<hts_pos_t>(entry.max_end, intervals[at].end);
    }
  }
  return list;
}

bool BedRegions::needs_filter() const noexcept {
  bool empty = false;
  for (const auto& [name, intervals] : references) {
    if (name == ".") return false;
    for (const Interval& interval : intervals) empty = empty || interval.beg == interval.end;
  }
  return empty;
}

std::size_t BedRegions::interval_count() const noexcept {
  std::size_t count = 0;
  for (const auto& [name, intervals] : references) count += intervals.size();
  return count;
}

std::size_t index_memory_estimate(const std::string& input_path, const std::string& index_path) {
  std::vector<std::string> candidates;
  if (!index_path.empty()) {
    candidates.push_back(index_path);
  } else {
    std::string stem = input_path.substr(0, input_path.rfind('.'));
    for (const char* extension : {".bai", ".csi", ".crai", ".tbi"}) {
      candidates.push_back(input_path + extension);
      candidates.push_back(stem + extension);
    }
  }
  std::uint64_t largest = 0;
  for (const std::string& candidate : candidates) {
    struct stat info {};
    if (stat(candidate.c_str(), &info) == 0) {
      largest = std::max<std::uint64_t>(largest, static_cast<std::uint64_t>(info.st_size));
    }
  }
  return static_cast<std::size_t>(largest) * config::kIndexMemoryPerFileByte +
         config::kIndexMemoryBaseBytes;
}

}  // namespace samsort
