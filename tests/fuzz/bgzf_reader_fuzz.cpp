// libFuzzer target: a whole compressed input through BgzfReader (I/O thread, inflate worker,
// ordered hand-over), then the BAM header and records as the sort reads them.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  samsort::fuzz::MemoryFile file(data, size);
  if (file.fd() < 0) return 0;
  samsort::fuzz::read_bam_stream(file.fd(), 1);
  return 0;
}
