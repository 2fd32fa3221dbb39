// OutputFormat: the three formats a sort can write (-O, or -o's extension), on its own so
// that option parsing need not see the record sinks.
#pragma once
#include <cstdlib>
#include <string>
#include <vector>

namespace samsort {

enum class OutputFormat { kBam, kSam, kCram };

// Whether the output can hold positions beyond 2^31 - 1 (references longer than that): SAM,
// and CRAM from version 4.0 (`version=4.0` among the format options), as samtools decides.
inline bool output_holds_large_positions(OutputFormat format,
                                         const std::vector<std::string>& format_options) {
  if (format == OutputFormat::kSam) return true;
  if (format != OutputFormat::kCram) return false;
  int major = 3;  // htslib's default CRAM version is 3.x
  for (const std::string& option : format_options) {
    if (option.rfind("version=", 0) == 0) major = std::atoi(option.c_str() + 8);
  }
  return major >= 4;
}

}  // namespace samsort
