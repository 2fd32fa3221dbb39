// libFuzzer target: one raw BAM record (its block_size set to the input's length) through
// check_record and, when it passes, the aux-field walk and readers the tag orders use.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "samsort/bam/bam_aux.hpp"
#include "samsort/bam/bam_record.hpp"

namespace {
// Tags the orders look up (template-coordinate, -t examples, picard-queryname's HI) plus one
// taken from the input.
constexpr char kTags[] = "RGMCCBMIHPNMHI";
constexpr std::size_t kTagCount = (sizeof kTags - 1) / 2;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace samsort;
  if (size < bam::kFixedBytes + 1) return 0;
  // First byte: the header's reference count (small, so in-range ids occur); the rest is the
  // record, copied to an exact-size buffer so any overrun is a sanitizer report.
  std::int32_t reference_count = data[0];
  std::vector<std::uint8_t> record(data + 1, data + size);
  std::uint32_t block_size = static_cast<std::uint32_t>(record.size() - 4);
  std::memcpy(record.data(), &block_size, 4);
  if (bam::check_record(record.data(), reference_count) != nullptr) return 0;

  const std::uint8_t* found[kTagCount + 1] = {};
  bam::find_aux_fields(record.data(), kTags, kTagCount, found);
  char own_tag[2] = {static_cast<char>(record[5]), static_cast<char>(record[6])};
  found[kTagCount] = bam::find_aux(record.data(), own_tag);
  // Values go to volatile sinks so the reads happen (unsigned: no overflow in the harness).
  volatile std::uint64_t integer_sink = 0;
  volatile double real_sink = 0;
  for (const std::uint8_t* aux : found) {
    if (aux == nullptr) continue;
    integer_sink = integer_sink + static_cast<std::uint64_t>(bam::aux_integer(aux)) +
                   bam::aux_char(aux) + bam::aux_string(aux).size();
    real_sink = bam::aux_real(aux);
  }
  return 0;
}
