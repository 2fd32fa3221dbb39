// Will the spilled runs fit? Before any reading, the runs a BAM file's sort will write are
// estimated from the file's size and the run codec, and compared with the free space of the
// temporary locations, so that a sort that cannot finish says so at once instead of failing
// with a full disk hours later.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "samsort/io/block_codec.hpp"

namespace samsort {

// Run bytes a sort of a BAM file of `input_bytes` writes with `codec` when its records do not
// fit in one run of `run_capacity_bytes` record bytes; 0 when they are expected to fit.
std::uint64_t estimated_spill_bytes(std::uint64_t input_bytes, std::uint64_t run_capacity_bytes,
                                    const BlockCodec& codec) noexcept;

// Bytes an unprivileged process may still write on the file systems holding `dirs` (each
// file system counted once; a directory that cannot be examined counts as unlimited).
std::uint64_t free_temp_bytes(const std::vector<std::string>& dirs) noexcept;

// Throws ResourceError when `estimated` bytes exceed `free` (0 estimated: nothing to check);
// `places` name the locations in the message.
void check_temp_space(std::uint64_t estimated, std::uint64_t free,
                      const std::vector<std::string>& places);

}  // namespace samsort
