// samsort verify: checks that a file's records are in a given order (fgumi has this; samtools
// does not). Streams the input once with two record buffers; memory does not grow with it.
#pragma once
#include <cstdint>
#include <string>

#include "samsort/cli/options.hpp"

namespace samsort {

struct VerifyResult {
  bool sorted = true;
  std::uint64_t records = 0;
  std::string message;  // names the first record out of order when !sorted
};

// Throws the usual typed errors for unreadable or malformed input.
VerifyResult verify_order(const VerifyOptions& options);

}  // namespace samsort
