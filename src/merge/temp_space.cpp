// Spill estimate and free space of the temporary locations.
#include "samsort/merge/temp_space.hpp"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cstdio>
#include <limits>
#include <set>

#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"

namespace samsort {

std::uint64_t estimated_spill_bytes(std::uint64_t input_bytes, std::uint64_t run_capacity_bytes,
                                    const BlockCodec& codec) noexcept {
  auto input = static_cast<double>(input_bytes);
  if (input * config::kRecordBytesPerBamByte <= static_cast<double>(run_capacity_bytes)) return 0;
  double per_byte = codec.format == BlockFormat::kZstd ? config::kSpillBytesPerInputByteZstd
                                                       : config::kSpillBytesPerInputByteStored;
  return static_cast<std::uint64_t>(input * per_byte);
}

std::uint64_t free_temp_bytes(const std::vector<std::string>& dirs) noexcept {
  std::set<dev_t> seen;
  std::uint64_t total = 0;
  for (const std::string& dir : dirs) {
    struct stat info {};
    struct statvfs space {};
    if (stat(dir.c_str(), &info) != 0 || statvfs(dir.c_str(), &space) != 0) {
      return std::numeric_limits<std::uint64_t>::max();
    }
    if (!seen.insert(info.st_dev).second) continue;
    total += static_cast<std::uint64_t>(space.f_bavail) * space.f_frsize;
  }
  return total;
}

void check_temp_space(std::uint64_t estimated, std::uint64_t free,
                      const std::vector<std::string>& places) {
  if (estimated == 0 || estimated <= free) return;
  std::string where;
  for (const std::string& place : places) where += (where.empty() ? "" : ", ") + place;
  char figures[160];
  std::snprintf(figures, sizeof figures, "about %.1f GB of temporary runs, but only %.1f GB",
                static_cast<double>(estimated) / 1e9, static_cast<double>(free) / 1e9);
  throw ResourceError(std::string("this sort needs ") + figures + " are free in " + where +
                      "; give -T on a larger disk (or several -T), raise --max-memory, or "
                      "compress runs harder (--temp-compression)");
}

}  // namespace samsort
