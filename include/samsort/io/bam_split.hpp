// Split guessing for a distributed sort: from a byte offset in a BAM file, the first BGZF block
// at or after it and the virtual offset of the first BAM record starting in or after that block
// (what Hadoop-BAM's BAMSplitGuesser computes), found by pread alone, so any thread may call.
#pragma once
#include <cstdint>
#include <optional>

#include "samsort/core/config.hpp"

namespace samsort {

class BamHeader;

// Compressed offset of the first BGZF block that starts at or after `from` and before
// `file_size` (the bytes of `fd` considered), verified: gzip magic, FLG.FEXTRA, the BC subfield
// and BSIZE, the next block header (or the end of the file) at offset + BSIZE + 1, and the block
// inflating with matching CRC32 and ISIZE. nullopt when there is none. Every offset up to
// `file_size` is scanned, so garbage costs time but never a wrong "none"; in a BGZF file the
// first block is found within 64 KiB. A complete, valid BGZF block stored inside another's
// payload (stored, level-0 blocks show payload bytes as they are) passes these checks too:
// find_record_start does not trust a block beyond the records it confirms. Throws IoError when
// pread fails. Thread-safe (pread only); memory: a fixed ~200 KiB per call.
std::optional<std::uint64_t> find_bgzf_block(int fd, std::uint64_t file_size, std::uint64_t from);

// Virtual offset (coffset << 16 | uoffset) of the first BAM record that starts in the first BGZF
// block at or after `from` or, when no record starts in it (a record longer than the block, or
// an empty block), in a block after it. Each candidate offset is accepted only when `confirm`
// (0 counts as 1) consecutive records parse from it, each landing exactly where the previous one
// ended (or records up to the end of the file), against `header`: block_size within [fields, 1 GiB]
// (bit 31, samsort's in-memory wide-record bit, is never valid in a file), refID/next_refID in
// [-1, n_ref), pos/mpos in [-1, reference length] (-1 when the reference id is -1), flag
// within the 12 defined bits, l_read_name >= 1 with a NUL-terminated name of SAM's QNAME
// characters, CIGAR operations known and their query length equal to l_seq (when both are
// present), and aux fields (tag names, known types, lengths) that fill the record exactly.
//
// Why this is safe: a false start needs `confirm` plausible records that each end exactly on the
// next one's start, inside data that is not records at those offsets (read names, qualities,
// aux arrays, header text). Rejecting a true record is harmless (the guess moves to a later true
// start, and the previous slice simply reads further); accepting a false one is what matters.
// Content crafted to hold such a chain can still fool any guesser that only looks forward, so
// the consumer also checks continuity: the previous slice's reader, which starts at a start
// already known to be true, must end exactly at this one. Slice 0 starts after the header, so
// by induction every slice starts at a true record and the slices cover every record once.
//
// nullopt when no record starts from there to the end of the file (e.g. `from` past the last
// record, or no valid BGZF block). Truncated or garbage input gives nullopt or a start that
// parses; it throws only IoError (pread failed). Thread-safe; memory: a fixed bound of about
// 450 KiB per call (a scan window, four inflated blocks), whatever the record lengths: bytes of
// a record longer than a block are skipped by the blocks' sizes, never buffered.
std::optional<std::uint64_t> find_record_start(int fd, std::uint64_t file_size, std::uint64_t from,
                                               const BamHeader& header,
                                               unsigned confirm = config::kSplitConfirmRecords);

}  // namespace samsort
