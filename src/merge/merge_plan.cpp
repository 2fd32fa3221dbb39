// Merge planning over the runs' reader sizes.
#include "samsort/merge/merge_plan.hpp"

#include <algorithm>
#include <string>

#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"

namespace samsort {

std::size_t merge_fan_in(const std::vector<RunInfo>& runs, std::size_t first,
                         std::size_t buffer_bytes, std::size_t max_fan_in) noexcept {
  std::size_t used = 0;
  std::size_t whole = 0;
  std::size_t count = 0;
  std::size_t limit = max_fan_in != 0 ? max_fan_in : runs.size();
  for (std::size_t idx = first; idx < runs.size() && count < limit; ++idx) {
    std::size_t need = RunReader::buffer_bytes_for(runs[idx]);
    std::size_t need_whole = std::max(whole, RunReader::whole_bytes_for(runs[idx]));
    if (used + need + need_whole > buffer_bytes) break;
    used += need;
    whole = need_whole;
    ++count;
  }
  return count;
}

std::vector<MergeGroup> plan_merge_pass(const std::vector<RunInfo>& runs, std::size_t buffer_bytes,
                                        std::size_t max_fan_in) {
  std::vector<MergeGroup> groups;
  bool merges = false;
  for (std::size_t first = 0; first < runs.size();) {
    std::size_t count = merge_fan_in(runs, first, buffer_bytes, max_fan_in);
    if (count == 0)
      throw ResourceError("memory budget too small to merge runs; raise --max-memory");
    if (count < config::kMinFanIn) {
      groups.push_back({first, 1, true});
      ++first;
      continue;
    }
    groups.push_back({first, count, false});
    merges = true;
    first += count;
  }
  if (!merges) {
    throw ResourceError("memory budget too small to merge " + std::to_string(runs.size()) +
                        " runs; raise --max-memory");
  }
  return groups;
}

}  // namespace samsort
