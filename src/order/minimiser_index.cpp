// samtools sort -I FASTA: build_minhash_index, with the sequences read as htslib's FASTA
// reader gives them (lines after a '>' line concatenated, a trailing CR dropped, every byte
// through seq_nt16_table) and the table reserved from the budget before it is filled.
#include "samsort/order/minimiser_index.hpp"

#include <htslib/bgzf.h>
#include <htslib/hts.h>
#include <htslib/kstring.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "samsort/core/errors.hpp"

namespace samsort {

namespace {

constexpr std::size_t kSlotBytes = 2 * sizeof(std::uint64_t) + 1;  // key, value, used flag

struct BgzfCloser {
  void operator()(BGZF* file) const noexcept { bgzf_close(file); }
};

// Streams the sequences of a FASTA file (plain, gzip or BGZF) one line at a time.
class FastaLines {
 public:
  explicit FastaLines(const std::string& path) : path_(path), file_(bgzf_open(path.c_str(), "r")) {
    if (!file_) throw IoError(path, "cannot open the -I reference", errno != 0 ? errno : EIO);
  }
  // The next line without its end; false at end of file. Throws IoError on a read error.
  bool next(std::string_view& line) {
    int got = bgzf_getline(file_.get(), '\n', &line_);
    if (got == -1) return false;
    if (got < -1) throw IoError(path_, "cannot read the -I reference", EIO);
    line = std::string_view(line_.s, line_.l);
    return true;
  }
  ~FastaLines() { ks_free(&line_); }
  FastaLines(const FastaLines&) = delete;
  FastaLines& operator=(const FastaLines&) = delete;

 private:
  std::string path_;
  std::unique_ptr<BGZF, BgzfCloser> file_;
  kstring_t line_ = KS_INITIALIZE;
};

// Calls on_sequence(length, append) for each FASTA record, where append(line) adds bases.
// A first line that is not a '>' name is refused, as htslib's FASTA reader does.
struct FastaShape {
  std::vector<std::size_t> lengths;
  std::size_t longest = 0;
};

FastaShape read_shape(const std::string& path) {
  FastaLines lines(path);
  FastaShape shape;
  std::string_view line;
  bool first = true;
  while (lines.next(line)) {
    if (!line.empty() && line.front() == '>') {
      shape.lengths.push_back(0);
    } else if (first) {
      throw FormatError(path, "the -I reference is not FASTA (no '>' name line first)", 0);
    } else {
      shape.lengths.back() += line.size();
    }
    first = false;
  }
  for (std::size_t length : shape.lengths) shape.longest = std::max(shape.longest, length);
  return shape;
}

// Most entries the index can get: samtools steps each window on by at least k bases.
std::size_t max_entries_for(const FastaShape& shape, int kmer, int window) {
  std::size_t entries = 0;
  for (std::size_t length : shape.lengths) {
    if (static_cast<std::int64_t>(length) < window) continue;
    // The last window starts within `window` of the end (-w below 0 pushes it past the end).
    std::size_t span = length + static_cast<std::size_t>(std::max(0, -window));
    entries += span / static_cast<std::size_t>(kmer) + 2;
  }
  return entries;
}

inline void set_base(std::uint8_t* seq, std::size_t idx, int code) noexcept {
  int shift = static_cast<int>((~idx & 1) << 2);
  seq[idx >> 1] = static_cast<std::uint8_t>((seq[idx >> 1] & ~(0xf << shift)) | (code << shift));
}

// samtools' loop over one reference sequence: windows of the forward strand.
void index_sequence(MinimiserIndex& index, const std::uint8_t* seq, int length,
                    const MinimiserSettings& settings, int window, std::uint64_t& total) {
  if (length >= window) {
    int start = 0;
    bool at_end = false;
    while (!at_end) {
      int last_start = start;
      WindowMinimiser found =
          window_minimiser(seq, length, settings.kmer, window, start, true, false, settings.squash);
      at_end = found.at_end;
      index.insert(found.value,
                   total + static_cast<std::uint64_t>(static_cast<std::int64_t>(found.next_start)));
      start = std::max(last_start + settings.kmer, found.next_start + 1);
    }
    total += static_cast<std::uint64_t>(length);
  }
}

}  // namespace

std::size_t MinimiserIndex::slot_count_for(std::size_t max_entries) noexcept {
  // Load factor at most 3/4.
  return std::bit_ceil(std::max<std::size_t>(16, max_entries + max_entries / 3 + 1));
}

std::size_t minimiser_index_bytes(std::size_t max_entries) noexcept {
  return std::bit_ceil(std::max<std::size_t>(16, max_entries + max_entries / 3 + 1)) * kSlotBytes;
}

MinimiserIndex::MinimiserIndex(std::size_t max_entries, MemoryBudget& budget)
    : mask_(slot_count_for(max_entries) - 1),
      table_(budget, minimiser_index_bytes(max_entries), "minimiser index") {}

std::size_t MinimiserIndex::home_of(std::uint64_t key) const noexcept {
  // Fibonacci hashing spreads the salted k-mer values (and reference positions) evenly.
  return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> 20) & mask_;
}

void MinimiserIndex::insert(std::uint64_t kmer_value, std::uint64_t position) noexcept {
  auto* slots = reinterpret_cast<std::uint64_t*>(table_.data());
  std::uint8_t* used = table_.data() + (mask_ + 1) * 2 * sizeof(std::uint64_t);
  for (std::size_t slot = home_of(kmer_value);; slot = (slot + 1) & mask_) {
    if (used[slot] == 0) {
      used[slot] = 1;
      slots[2 * slot] = kmer_value;
      slots[2 * slot + 1] = position;
      ++entries_;
      return;
    }
    if (slots[2 * slot] == kmer_value) {  // kh_put found it: the newest position, repeated
      slots[2 * slot + 1] = position + kRepeatedBit;
      return;
    }
  }
}

std::optional<std::uint64_t> MinimiserIndex::find(std::uint64_t kmer_value) const noexcept {
  const auto* slots = reinterpret_cast<const std::uint64_t*>(table_.data());
  const std::uint8_t* used = table_.data() + (mask_ + 1) * 2 * sizeof(std::uint64_t);
  for (std::size_t slot = home_of(kmer_value);; slot = (slot + 1) & mask_) {
    if (used[slot] == 0) return std::nullopt;
    if (slots[2 * slot] == kmer_value) return slots[2 * slot + 1];
  }
}

MinimiserIndex MinimiserIndex::build(const std::string& path, const MinimiserSettings& settings,
                                     int window, MemoryBudget& budget) {
  FastaShape shape = read_shape(path);
  std::size_t max_entries = max_entries_for(shape, settings.kmer, window);
  std::size_t sequence_bytes = (shape.longest + 1) / 2;
  std::size_t needed = minimiser_index_bytes(max_entries) + round_up_to_pages(sequence_bytes);
  if (needed > budget.available_bytes()) {
    throw ResourceError(
        "the -I reference " + path + " needs " + std::to_string((needed + (1 << 20) - 1) >> 20) +
        " MiB for its minimiser index; " + std::to_string(budget.available_bytes() >> 20) +
        " MiB of the memory budget are free; raise --max-memory");
  }
  if (shape.longest > static_cast<std::size_t>(INT32_MAX)) {
    throw FormatError(path, "a -I reference sequence is longer than 2^31 - 1 bases", 0);
  }
  MinimiserIndex index(max_entries, budget);
  MappedBuffer sequence(budget, std::max<std::size_t>(sequence_bytes, 1), "minimiser reference");
  std::uint8_t* seq = sequence.data();

  FastaLines lines(path);
  std::string_view line;
  std::size_t length = 0;
  bool in_record = false;
  std::uint64_t total = 0;
  auto finish = [&] {
    if (in_record) index_sequence(index, seq, static_cast<int>(length), settings, window, total);
  };
  while (lines.next(line)) {
    if (!line.empty() && line.front() == '>') {
      finish();
      in_record = true;
      length = 0;
      continue;
    }
    if (length + line.size() > shape.longest) {
      throw FormatError(path, "the -I reference changed while it was read", 0);
    }
    for (char base : line) {
      set_base(seq, length++, seq_nt16_table[static_cast<unsigned char>(base)]);
    }
  }
  finish();
  return index;
}

}  // namespace samsort
