// Input detection and the two record sources: BAM through BgzfReader, SAM/CRAM (and BAM that
// is not BGZF) via htslib.
#include "samsort/io/record_source.hpp"

#include <fcntl.h>
#include <htslib/hfile.h>
#include <htslib/hts.h>
#include <htslib/sam.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "samsort/bam/bam_record.hpp"
#include "samsort/core/byte_order.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/io/bgzf_reader.hpp"
#include "samsort/io/cram_memory.hpp"
#include "samsort/io/hts_handles.hpp"
#include "samsort/io/hts_log.hpp"
#include "samsort/io/hts_record.hpp"
#include "samsort/io/reference_fasta.hpp"
#include "samsort/io/region_query.hpp"
#include "samsort/io/sam_line_reader.hpp"

namespace samsort {

namespace {

// Records larger than this are refused as corrupt (BAM's block_size is 32-bit; real records,
// even ultra-long reads with base modifications, stay far below it).
constexpr std::uint32_t kMaxRecordBlockSize = 1u << 30;

using hts::HFilePtr;

// samtools' message for an input whose index cannot be loaded, as one line.
[[noreturn]] void throw_no_index(const std::string& path, const std::string& index_path) {
  throw Error(path + ": cannot load its index" +
              (index_path.empty() ? std::string() : " '" + index_path + "'") +
              ": -R and -L need indexed BAM, CRAM or bgzipped SAM inputs (samtools index)");
}

// "12.3 MiB", for messages about sizes a user must act on.
std::string mib_text(std::size_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return text;
}

class BamRecordSource final : public RecordSource {
 public:
  BamRecordSource(HFilePtr file, int fd, std::string path, const InputSettings& settings,
                  MemoryBudget& budget)
      : file_(std::move(file)), slice_end_(settings.slice_end) {
    reader_.emplace(file_.get(), fd, path, settings.threads, budget);
    path_ = std::move(path);
    header_.emplace(BamHeader::read(*reader_, budget));
    reference_count_ = header_->reference_count();
    if (settings.slice_begin != 0) start_at(fd, settings.slice_begin, settings.threads, budget);
  }

  // Reads the fixed fields and the read name ahead, so that a name without its NUL can be
  // repaired as htslib's bam_read1 does (fixup_missing_qname_nul appends one, and samtools
  // writes the name with it): the record then takes one byte more than its block_size says.
  std::size_t next_record_bytes() override {
    if (slice_end_ != 0 && at_slice_end()) return 0;
    record_offset_ = reader_->block_offset();
    std::size_t got = reader_->read(head_, bam::kFixedBytes);
    if (got == 0) return 0;
    if (got < 4) throw FormatError(path_, "truncated BAM record", record_offset_, records_);
    std::uint32_t block_size = load_le32(head_);
    if (block_size < bam::kFixedBytes - 4 || block_size > kMaxRecordBlockSize) {
      throw FormatError(path_,
                        "BAM record block_size out of range (" + std::to_string(block_size) + ")",
                        record_offset_, records_);
    }
    if (got != bam::kFixedBytes) throw_cut_mid_record();
    head_bytes_ = bam::kFixedBytes;
    name_repaired_ = false;
    std::size_t name_bytes = bam::read_name_bytes(head_);
    // A name overrunning block_size stays unread here; check_record() reports the overrun.
    if (name_bytes > 0 && bam::kFixedBytes - 4 + name_bytes <= block_size) {
      if (reader_->read(head_ + head_bytes_, name_bytes) != name_bytes) throw_cut_mid_record();
      head_bytes_ += name_bytes;
      // A 255-byte name has no room for the NUL (samtools cannot write it back either):
      // check_record() refuses it.
      name_repaired_ = head_[head_bytes_ - 1] != '\0' && name_bytes < kMaxReadNameBytes;
    }
    return static_cast<std::size_t>(block_size) + 4 + (name_repaired_ ? 1 : 0);
  }

  void read_record(std::uint8_t* out) override {
    std::uint32_t block_size = load_le32(head_);
    std::size_t rest = static_cast<std::size_t>(block_size) + 4 - head_bytes_;
    std::memcpy(out, head_, head_bytes_);
    std::uint8_t* cursor = out + head_bytes_;
    if (name_repaired_) {
      *cursor++ = '\0';
      out[12] = static_cast<std::uint8_t>(out[12] + 1);  // l_read_name
      store_le32(out, block_size + 1);
    }
    if (reader_->read(cursor, rest) != rest) throw_cut_mid_record();
    if (const char* problem = bam::check_record(out, reference_count_)) {
      throw FormatError(path_, problem, record_offset_, records_);
    }
    bam::refresh_bin(out);  // as bam_read1 does, so the output matches samtools'
    ++records_;
  }

  std::uint64_t record_offset() const noexcept override { return record_offset_; }
  bool missing_eof_marker() const noexcept override { return reader_->missing_eof_marker(); }
  std::uint64_t bytes_consumed() const noexcept override {
    return reader_->compressed_bytes_read();
  }
  bool is_bam() const noexcept override { return true; }

 private:
  // A slice (the distributed sort): a new reader from the slice's block, its first bytes
  // skipped. The header's reader goes first, so the two never hold the budget together.
  void start_at(int fd, std::uint64_t virtual_offset, std::size_t threads, MemoryBudget& budget) {
    std::uint64_t block = virtual_offset >> 16;
    std::size_t skip = virtual_offset & 0xffff;
    reader_.reset();
    if (lseek(fd, static_cast<off_t>(block), SEEK_SET) < 0) {
      throw IoError(path_, "cannot seek to the slice", errno);
    }
    reader_.emplace(fd, block, path_, threads, budget);
    std::uint8_t discard[256];
    while (skip > 0) {
      std::size_t take = std::min(skip, sizeof discard);
      if (reader_->read(discard, take) != take) {
        throw FormatError(path_, "the slice starts beyond the end of the file", block);
      }
      skip -= take;
    }
  }

  // The slice ends where the next one starts, which must be a record boundary: a record
  // running past it means the plan's next start is not one (the plan is wrong).
  bool at_slice_end() const {
    std::uint64_t here = reader_->virtual_offset();
    if (here < slice_end_) return false;
    if (here > slice_end_) {
      throw FormatError(path_,
                        "a record runs past the slice's end (virtual offset " +
                            std::to_string(slice_end_) +
                            "): the next slice does not start at a record; plan again",
                        record_offset_, records_);
    }
    return true;
  }

  HFilePtr file_;
  std::optional<BgzfReader> reader_;
  std::uint64_t slice_end_ = 0;  // virtual offset; 0 = the end of the file
  std::int32_t reference_count_ = 0;
  [[noreturn]] void throw_cut_mid_record() const {
    throw FormatError(path_, "truncated BAM record (file cut mid-record)", reader_->block_offset(),
                      records_);
  }

  static constexpr std::size_t kMaxReadNameBytes = 255;  // l_read_name is 8 bits
  // The record's fixed fields and read name, read by next_record_bytes().
  std::uint8_t head_[bam::kFixedBytes + kMaxReadNameBytes] = {};
  std::size_t head_bytes_ = 0;
  bool name_repaired_ = false;
  std::uint64_t record_offset_ = 0;
  std::uint64_t records_ = 0;
};

class HtsRecordSource final : public RecordSource {
 public:
  HtsRecordSource(HFilePtr file, std::string path, const InputSettings& settings,
                  MemoryBudget& budget, bool is_cram)
      : reservation_(budget.reserve(
            config::kHtslibReaderBytes + (is_cram ? codec_bytes(kCramDecoderMemory, 1) : 0),
            "htslib input buffers")) {
    path_ = std::move(path);
    file_.reset(hts_hopen(file.get(), path_.c_str(), "r"));
    if (!file_) throw FormatError(path_, "cannot open as SAM/CRAM", 0);
    static_cast<void>(file.release());  // hts_hopen owns it now
    if (!settings.reference.empty()) use_reference_fasta(file_.get(), settings.reference);
    options_ = parse_options(settings.options);
    if (options_ && hts_opt_apply(file_.get(), options_.get()) != 0) {
      throw UsageError("cannot apply --input-fmt-option");
    }
    hts::HeaderPtr owned_header;
    {
      HtsLogLevelGuard quiet;  // our error line replaces htslib's warnings
      owned_header.reset(sam_hdr_read(file_.get()));
    }
    if (!owned_header) throw FormatError(path_, "cannot read the SAM/CRAM header", 0);
    // One header for htslib's parsing and the job (no second parsed copy): the job takes the
    // BamHeader but keeps it, and this source, alive until reading ends; its @HD/@PG edits
    // leave the reference names htslib looks up unchanged. Reserved before htslib parses the
    // lines (sam_hdr_read holds only the text so far).
    sam_hdr_t* shared = owned_header.get();
    header_.emplace(BamHeader::adopt(owned_header.release(), budget));
    parse_header_ = shared;
    if (is_cram) reserve_cram_threads(settings, budget);
    record_.reset(bam_init1());
    if (!record_) throw std::bad_alloc();
    is_cram_ = is_cram;
    reference_given_ = !settings.reference.empty();
    wide_records_allowed_ = settings.wide_records_allowed;
    const char* text = sam_hdr_str(parse_header_);
    for (std::size_t idx = 0, end = sam_hdr_length(parse_header_); text && idx < end; ++idx) {
      header_lines_ += text[idx] == '\n' ? 1 : 0;
    }
    const htsFormat* format = hts_get_format(file_.get());
    if (format->format == sam) {
      sam_record_bytes_ = std::max(config::kSamRecordMinBytes,
                                   budget.total_bytes() / config::kSamRecordBudgetShare);
      sam_reservation_ = budget.reserve(sam_record_bytes_, "SAM line and record buffers");
      if (format->compression == no_compression) {
        sam_lines_.emplace(
            file_.get(),
            sam_record_bytes_ * config::kSamLineShareNumerator / config::kSamLineShareDenominator,
            path_, header_lines_ + 1);
      }
    }
  }

  std::size_t next_record_bytes() override {
    // htslib reports parse errors as warnings of its own; ours is the one line that counts.
    int result;
    do {
      HtsLogLevelGuard quiet;
      result = iterator_    ? sam_itr_next(file_.get(), iterator_.get(), record_.get())
               : sam_lines_ ? sam_lines_->read(parse_header_, record_.get())
                            : sam_read1(file_.get(), parse_header_, record_.get());
    } while (result >= 0 && !bed_by_tid_.empty() && !in_bed_intervals());
    // An iterator that stops short of its end: samtools calls the input truncated.
    if (result == -1 && iterator_ && iterator_->finished == 0) {
      throw FormatError(path_, "truncated (the region's records end early)", records_, records_);
    }
    if (result == -1) return 0;
    if (result >= 0 && sam_record_bytes_ != 0) check_sam_buffers();
    if (result < -1) {
      // BAM comes here only when it is not BGZF (plain gzip or uncompressed).
      bool is_sam = hts_get_format(file_.get())->format == sam;
      std::string what =
          is_sam ? "SAM parse error at line " + std::to_string(header_lines_ + records_ + 1)
                 : std::string("cannot decode ") + (is_cram_ ? "CRAM" : "BAM") + " record " +
                       std::to_string(records_ + 1);
      // htslib's own reason is muted; for CRAM it is nearly always the reference.
      if (is_cram_ && !reference_given_) {
        what +=
            ": its reference sequence was not found (give the FASTA with --reference, or "
            "set REF_PATH/REF_CACHE as for samtools)";
      } else if (is_cram_) {
        what += " (does --reference match the reference the CRAM was written with?)";
      }
      throw FormatError(path_, what, records_, records_);
    }
    const char* problem = nullptr;
    std::size_t bytes = raw_record_bytes(record_.get(), &problem);
    if (bytes == 0) throw FormatError(path_, problem, records_, records_);
    if (!wide_records_allowed_ && needs_wide_record(record_.get())) {
      throw FormatError(path_,
                        "position beyond 2^31 - 1, which BAM cannot hold (samtools refuses it "
                        "too); write SAM or CRAM (-O sam, -O cram)",
                        records_, records_);
    }
    return bytes;
  }

  void read_record(std::uint8_t* out) override {
    to_raw_record(record_.get(), out);
    ++records_;
  }

  std::uint64_t record_offset() const noexcept override { return records_; }
  std::uint64_t bytes_consumed() const noexcept override { return 0; }

  // samtools merge: sam_index_load (or sam_index_load2 with -X), then sam_itr_queryi for one
  // interval or nothing, sam_itr_regions for a BED file. A BAM or SAM index is freed once the
  // iterator holds its chunk list; CRAM's stays with the open file (htslib keeps it there).
  void restrict_to(const RegionQuery& query, MemoryBudget& budget) override {
    Reservation index_reservation =
        budget.reserve(index_memory_estimate(path_, query.index_path), "an input's index (-R/-L)");
    hts::IndexPtr index;
    if (!sam_lines_) {
      HtsLogLevelGuard quiet;  // our error line replaces htslib's
      index.reset(query.index_path.empty()
                      ? sam_index_load(file_.get(), path_.c_str())
                      : sam_index_load2(file_.get(), path_.c_str(), query.index_path.c_str()));
    }
    if (!index) throw_no_index(path_, query.index_path);
    std::size_t intervals = 1;
    switch (query.kind) {
      case RegionQuery::Kind::kInterval:
        iterator_.reset(sam_itr_queryi(index.get(), query.tid, query.beg, query.end));
        break;
      case RegionQuery::Kind::kNothing:
        iterator_.reset(sam_itr_queryi(index.get(), HTS_IDX_NONE, 0, 0));
        break;
      case RegionQuery::Kind::kBed:
        intervals = query.bed->interval_count();
        if (query.bed->needs_filter()) filter_by(*query.bed);
        iterator_.reset(sam_itr_regions(index.get(), parse_header_, query.bed->reglist(),
                                        static_cast<unsigned>(query.bed->references.size())));
        break;
    }
    if (!iterator_) throw Error(path_ + ": cannot make an iterator over the region(s) (-R/-L)");
    iterator_reservation_ = budget.reserve(
        static_cast<std::size_t>(std::max(iterator_->n_off, 0)) * sizeof(hts_pair64_max_t) +
            intervals * sizeof(hts_pair_pos_t),
        "an input's region iterator");
    if (is_cram_) index_reservation_ = std::move(index_reservation);
  }

 private:
  // BED intervals of length 0 (BedRegions::needs_filter): the iterator reads a widened
  // interval, and each record is checked here against the BED's own intervals as samtools
  // HEAD's multi-region iterator checks it (the record's [pos, bam_endpos) overlaps one).
  void filter_by(const BedRegions& bed) {
    bed_by_tid_.assign(static_cast<std::size_t>(sam_hdr_nref(parse_header_)) + 1, nullptr);
    for (const auto& [name, intervals] : bed.references) {
      int tid = sam_hdr_name2tid(parse_header_, name.c_str());
      if (tid >= 0) bed_by_tid_[static_cast<std::size_t>(tid)] = &intervals;
    }
  }

  bool in_bed_intervals() const {
    const bam1_t* record = record_.get();
    if (record->core.tid < 0) return true;  // "*": the unplaced records, all of them
    auto tid = static_cast<std::size_t>(record->core.tid);
    if (tid >= bed_by_tid_.size() || bed_by_tid_[tid] == nullptr) return false;
    const auto* intervals = bed_by_tid_[tid];
    hts_pos_t beg = record->core.pos;
    hts_pos_t end = bam_endpos(record);
    // Joined intervals: both ends ascend, so the first ending after `beg` decides.
    auto found = std::upper_bound(
        intervals->begin(), intervals->end(), beg,
        [](hts_pos_t at, const BedRegions::Interval& interval) { return at < interval.end; });
    return found != intervals->end() && found->beg < end;
  }

  // The SAM line and record buffers must stay within their share of the budget. A line read
  // here is bounded before it is held; htslib's own (BGZF-compressed SAM) and the record it
  // parses into are checked once made, and refused in one line when over.
  void check_sam_buffers() const {
    std::size_t line = sam_lines_ ? sam_lines_->buffer_bytes() : file_->line.m;
    std::size_t held = line + record_->m_data;
    if (held <= sam_record_bytes_) return;
    char text[200];
    std::snprintf(text, sizeof text,
                  "SAM record %llu needs %.1f MiB of buffers, more than the %.1f MiB the memory "
                  "budget gives one record; raise --max-memory",
                  static_cast<unsigned long long>(records_) + 1,
                  static_cast<double>(held) / config::kMiB,
                  static_cast<double>(sam_record_bytes_) / config::kMiB);
    throw ResourceError(path_ + ": " + text);
  }

  // --input-fmt-option key=value list as htslib options. Throws UsageError.
  static hts::OptionsPtr parse_options(const std::vector<std::string>& texts) {
    hts_opt* list = nullptr;
    for (const std::string& text : texts) {
      if (hts_opt_add(&list, text.c_str()) != 0) {
        hts_opt_free(list);
        throw UsageError("invalid --input-fmt-option '" + text + "'");
      }
    }
    return hts::OptionsPtr(list);
  }

  // CRAM: the reference htslib will load (from the header's @SQ lengths) and the codec's extra
  // threads are reserved before any record is decoded; htslib gets as many threads as fit.
  void reserve_cram_threads(const InputSettings& settings, MemoryBudget& budget) {
    char sort_order[32] = {};
    kstring_t value = KS_INITIALIZE;
    if (sam_hdr_find_tag_hd(parse_header_, "SO", &value) == 0 && value.s != nullptr) {
      std::strncpy(sort_order, value.s, sizeof(sort_order) - 1);
    }
    ks_free(&value);
    CramReference reference = cram_reference(parse_header_, !settings.reference.empty(),
                                             std::strcmp(sort_order, "coordinate") == 0);
    std::size_t threads =
        codec_threads(kCramDecoderMemory, settings.threads, budget.total_bytes(), reference);
    std::size_t extra =
        codec_bytes(kCramDecoderMemory, threads, reference) - codec_bytes(kCramDecoderMemory, 1);
    if (extra > budget.available_bytes()) {
      throw ResourceError(path_ + ": the CRAM reference needs " + mib_text(extra) +
                          " (htslib loads whole contigs), " + mib_text(budget.available_bytes()) +
                          " of the budget left; raise --max-memory by at least the difference");
    }
    cram_reservation_ = budget.reserve(extra, "htslib CRAM reference and threads");
    if (threads > 1) hts_set_threads(file_.get(), static_cast<int>(threads));
  }

  Reservation reservation_;
  Reservation cram_reservation_;
  Reservation index_reservation_;  // CRAM: its index stays loaded with the file
  Reservation iterator_reservation_;
  // Members are destroyed bottom-up: the record and header before the file that uses them,
  // the options (kept as long as the file, as htslib may refer to them) last.
  hts::OptionsPtr options_;
  hts::FilePtr file_;
  sam_hdr_t* parse_header_ = nullptr;  // the BamHeader's, wherever the job moved it
  hts::RecordPtr record_;
  hts::IteratorPtr iterator_;  // -R/-L: the records of the region(s) only
  // -L with intervals of length 0: each BED interval list by the input's reference id.
  std::vector<const std::vector<BedRegions::Interval>*> bed_by_tid_;
  Reservation sam_reservation_;
  std::size_t sam_record_bytes_ = 0;        // SAM: the line and record buffers' share
  std::optional<SamLineReader> sam_lines_;  // uncompressed SAM: lines read with a bound
  std::uint64_t records_ = 0;
  bool is_cram_ = false;
  bool reference_given_ = false;       // --reference given (CRAM decode errors say what to check)
  bool wide_records_allowed_ = false;  // positions beyond 32 bits can be written (not BAM)
  std::uint64_t header_lines_ = 0;     // SAM line numbers in messages count the header
};

// htslib parses the header text lazily, when it is first edited; parse it now so a malformed
// header is reported as the input's error, in one line, before any record is read.
std::unique_ptr<RecordSource> checked(std::unique_ptr<RecordSource> source) {
  int lines;
  {
    HtsLogLevelGuard quiet;
    lines = sam_hdr_count_lines(source->header().hts_header(), "HD");
  }
  if (lines < 0) throw FormatError(source->path(), "malformed header text", 0);
  return source;
}

}  // namespace

void RecordSource::restrict_to(const RegionQuery& query, MemoryBudget& /*budget*/) {
  throw_no_index(path_, query.index_path);
}

std::unique_ptr<RecordSource> open_record_source(const InputSettings& settings,
                                                 MemoryBudget& budget) {
  const std::string& path = settings.path;
  const std::string shown = path == "-" ? "stdin" : path;
  // Local files and stdin through a descriptor the BAM reader can poll, so an error never
  // leaves it waiting on a stalled pipe; URLs through htslib's own backends.
  bool is_url = path.find("://") != std::string::npos;
  int fd = path == "-" ? STDIN_FILENO : is_url ? -1 : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && !is_url) throw IoError(shown, "cannot open input", errno);
  HFilePtr file(fd >= 0 ? hdopen(fd, "r") : hopen(path.c_str(), "r"));
  if (!file) {
    int errno_value = errno;
    if (fd > STDIN_FILENO) close(fd);
    throw IoError(shown, "cannot open input", errno_value);
  }
  htsFormat format{};
  if (hts_detect_format2(file.get(), path.c_str(), &format) < 0) {
    throw IoError(shown, "cannot read input", errno);
  }
  if (format.format == ::bam && format.compression == bgzf && !settings.indexed) {
    return checked(std::make_unique<BamRecordSource>(std::move(file), fd, shown, settings, budget));
  }
  // BAM that is plain gzip or not compressed at all (htslib reads both, so samtools does):
  // htslib's reader too, single-threaded; its buffers are fixed-size, as for SAM.
  if (format.format == sam || format.format == cram || format.format == ::bam) {
    if (settings.slice_begin != 0 || settings.slice_end != 0) {
      throw FormatError(shown, "a slice of this file needs BGZF-compressed BAM", 0);
    }
    return checked(std::make_unique<HtsRecordSource>(std::move(file), shown, settings, budget,
                                                     format.format == cram));
  }
  if (format.format == unknown_format || format.format == empty_format ||
      format.format == binary_format || format.format == text_format) {
    // Empty input, plain gzip, or anything else: let the BAM reader report what it sees.
    return checked(std::make_unique<BamRecordSource>(std::move(file), fd, shown, settings, budget));
  }
  char* description = hts_format_description(&format);
  std::string what = std::string("unsupported input format: ") +
                     (description != nullptr ? description : "unknown");
  std::free(description);
  throw FormatError(shown, what, 0);
}

}  // namespace samsort
