// Index merge for a gathered BAM: the BAI or CSI of header + part 0 + ... + part K-1 + EOF block,
// made from each part's own index fragment (virtual offsets relative to the part's first byte)
// without reading a record (the BAI/CSI formats themselves: bam/index_format).
//
// What matches the index htslib builds over the gathered file (sam_index_build), given fragments
// whose offsets were taken as htslib's indexer takes them (tested): the reference count, each
// reference's pseudo-bin (first/last offsets, mapped/unmapped counts), n_no_coor, the BAI linear
// index (a window's first overlapping record lies in the first part whose linear index reaches
// the window), and, for one part, every table. What may differ with several parts: the chunk
// layout (htslib folds a bin spanning under 64 KiB of compressed data into its parent, and each
// part decided that for its own share of the bin), and a CSI bin's loffset where an earlier part
// than the bin's first holds a record reaching into it (a lower bound taken from that part's
// bins, never above htslib's value). Bins are written in bin order, htslib writes its hash
// order. Fragments indexed while writing may hold a record's end as the end of its block rather
// than the next block's start (the same position): their tables differ from htslib's in that
// spelling too. Region queries return the same records (tested); byte equality is not a goal.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "samsort/core/memory_budget.hpp"

namespace samsort {

// One part's index fragment: a BAI or CSI saved by hts_idx_save_as for a headerless BGZF part
// that was indexed from virtual offset 0, and that part's size in bytes.
struct IndexFragment {
  std::string path;
  std::uint64_t part_bytes;
};

// Writes to `index_path` (staged under a temporary name, renamed on success) the index, in the
// fragments' format, of the file made of `header_bytes` bytes, then the parts in order, then an
// EOF block. Every virtual offset of part p moves by (header_bytes + the earlier parts' bytes)
// << 16; a bin's chunks are concatenated in part order (chunks meeting in one BGZF block joined,
// as htslib joins them); BAI linear entries and CSI loffsets take the minimum over the parts
// that can hold a record reaching them, so they stay lower bounds; each reference's pseudo-bin
// combines first offset (min), last offset (max) and the mapped/unmapped counts (sums);
// n_no_coor is summed. Fragments are read one at a time, front to back, and one reference's
// merged tables are held at a time, reserved from `budget` as they grow.
// Throws IoError (a fragment cannot be opened, the index cannot be written), Error (a corrupt or
// truncated fragment, fragments of different formats, CSI parameters or reference counts, an
// offset beyond its part's bytes, parts out of coordinate order), ResourceError (budget).
// Not thread-safe with respect to `index_path`; otherwise reentrant.
void merge_index_fragments(const std::vector<IndexFragment>& fragments, std::uint64_t header_bytes,
                           const std::string& index_path, MemoryBudget& budget);

}  // namespace samsort
