// CRAM codec and reference memory estimates (see cram_memory.hpp).
#include "samsort/io/cram_memory.hpp"

#include <htslib/sam.h>

#include <algorithm>
#include <functional>

namespace samsort {

CramReference cram_reference(const sam_hdr_t* header, bool reference_given, bool sorted) {
  CramReference reference;
  reference.keeps_all = !sorted;
  auto* editable = const_cast<sam_hdr_t*>(header);  // htslib's lookups are not const
  int count = sam_hdr_nref(header);
  for (int tid = 0; tid < count; ++tid) {
    hts_pos_t length = sam_hdr_tid2len(header, tid);
    if (length <= 0) continue;
    if (!reference_given) {
      kstring_t value = KS_INITIALIZE;
      const char* name = sam_hdr_tid2name(header, tid);
      bool has_source = sam_hdr_find_tag_id(editable, "SQ", "SN", name, "M5", &value) == 0 ||
                        sam_hdr_find_tag_id(editable, "SQ", "SN", name, "UR", &value) == 0;
      ks_free(&value);
      if (!has_source) continue;
    }
    reference.lengths.push_back(static_cast<std::uint64_t>(length));
  }
  std::sort(reference.lengths.begin(), reference.lengths.end(), std::greater<>());
  return reference;
}

std::size_t reference_bytes(const CramReference& reference, std::size_t threads) noexcept {
  std::size_t contigs = reference.keeps_all ? reference.lengths.size()
                                            : std::min(reference.lengths.size(), threads + 1);
  double bases = 0;
  for (std::size_t idx = 0; idx < contigs; ++idx) {
    bases += static_cast<double>(reference.lengths[idx]);
  }
  return static_cast<std::size_t>(bases * config::kCramReferenceBytesPerBase);
}

std::size_t codec_threads(CodecMemory memory, std::size_t requested, std::size_t budget_bytes,
                          const CramReference& reference) noexcept {
  double allowed = static_cast<double>(budget_bytes) * config::kCramBudgetShare;
  std::size_t one = codec_bytes(memory, 1, reference);
  std::size_t threads = 1;
  while (threads < requested && static_cast<double>(codec_bytes(memory, threads + 1, reference) -
                                                    one + memory.base_bytes) <= allowed) {
    ++threads;
  }
  return threads;
}

}  // namespace samsort
