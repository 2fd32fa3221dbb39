// OutputFormat: the three formats a sort can write (-O, or -o's extension), on its own so
// that option parsing need not see the record sinks.
#pragma once

namespace samsort {

enum class OutputFormat { kBam, kSam, kCram };

}  // namespace samsort
