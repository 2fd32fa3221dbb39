// The BAM sink (own BGZF ring + optional index) and the htslib sink (SAM, CRAM).
#include "samsort/io/record_sink.hpp"

#include <htslib/hfile.h>
#include <htslib/hts.h>
#include <htslib/sam.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "samsort/bam/bam_header.hpp"
#include "samsort/bam/bam_index.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/core/signals.hpp"
#include "samsort/io/bgzf_block.hpp"
#include "samsort/io/bgzf_writer.hpp"
#include "samsort/io/cram_memory.hpp"
#include "samsort/io/hts_handles.hpp"
#include "samsort/io/hts_log.hpp"
#include "samsort/io/hts_record.hpp"
#include "samsort/io/output_digest.hpp"
#include "samsort/io/output_file.hpp"
#include "samsort/io/reference_fasta.hpp"

namespace samsort {

namespace {

std::size_t htslib_writer_bytes(const OutputSettings& settings, const BamHeader& header);

// htslib's open mode: CRAM "wc"; SAM is BGZF-compressed ("wz", as samtools does) when a
// level option is given or the name ends in .gz, plain text otherwise.
std::string open_mode(const OutputSettings& settings, const std::string& path) {
  if (settings.format == OutputFormat::kCram) return "wc";
  bool gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  for (const std::string& option : settings.options) {
    if (option.rfind("level=", 0) == 0) {
      gz = true;
      if (option.size() == 7) return std::string("wz") + option[6];
    }
  }
  return gz ? "wz" : "w";
}

// The index is an output file of its own (a temporary beside it, renamed once the output is
// in place; devices, FIFOs and links handled as for the output); htslib writes it by name.
using PendingIndex = OutputFile;

}  // namespace

void check_bam_record(const std::uint8_t* record) {
  // Sources refuse wide records for BAM output; this keeps a stray one out of a BAM file.
  if (bam::is_wide(record)) [[unlikely]] {
    throw Error("a position beyond 2^31 - 1 cannot be written in BAM; write SAM or CRAM");
  }
}

namespace {

class BamRecordSink final : public RecordSink, public BlockOutput {
 public:
  BamRecordSink(const OutputSettings& settings, const OutputFile& output, const BamHeader& header,
                MemoryBudget& budget)
      : path_(output.path()),
        piece_(settings.piece),
        writer_({.fd = output.fd(),
                 .path = output.path(),
                 .codec = {BlockFormat::kBgzf,
                           libdeflate_level_for_samtools_level(settings.samtools_level)},
                 .threads = settings.threads},
                budget) {
    if (!settings.index_path.empty()) {
      index_.emplace(header.hts_header(), settings.index_csi,
                     BgzfWriter::max_marks_in_flight(settings.threads), budget);
      pending_.emplace(settings.index_path);
      writer_.set_mark_observer(&*index_, budget);
    }
    if (settings.write_md5) {
      digest_.emplace(output.path());
      writer_.set_byte_observer(&*digest_);
    }
    if (piece_ != OutputSettings::Piece::kRecordsOnly) {
      std::string bytes = header.serialize();
      writer_.write(bytes.data(), bytes.size());
      writer_.flush_block();  // the header in blocks of its own, as htslib writes it
    }
  }

  void write(const std::uint8_t* record, std::uint32_t bytes) override {
    check_bam_record(record);
    if (index_) {
      index_->note(record);
      writer_.mark();
    }
    writer_.write(record, bytes);
  }

  std::uint64_t finish() override {
    std::uint64_t bytes = writer_.finish(piece_ == OutputSettings::Piece::kWholeFile);
    if (index_) index_->save(path_, pending_->write_path());
    if (digest_) digest_->finish();
    return bytes;
  }

  void commit_companions() override {
    if (pending_) pending_->commit();
    if (digest_) digest_->commit();
  }

  BlockOutput* block_output() noexcept override { return this; }
  const BlockCodec& codec() const noexcept override { return writer_.codec(); }
  bool indexed() const noexcept override { return index_.has_value(); }
  void write_block(const std::uint8_t* block, std::size_t block_bytes, std::size_t payload_bytes,
                   const std::uint32_t* starts, const RecordLocation* locations,
                   std::size_t count) override {
    if (index_) {
      for (std::size_t idx = 0; idx < count; ++idx) index_->note(locations[idx]);
      writer_.write_block(block, block_bytes, payload_bytes, starts, count);
    } else {
      writer_.write_block(block, block_bytes, payload_bytes);
    }
  }

 private:
  std::string path_;
  OutputSettings::Piece piece_;
  std::optional<OutputDigest> digest_;  // before writer_: the writer's thread feeds it
  BgzfWriter writer_;
  std::optional<BamIndexBuilder> index_;
  std::optional<PendingIndex> pending_;
};

class HtsRecordSink final : public RecordSink {
 public:
  HtsRecordSink(const OutputSettings& settings, const OutputFile& output, const BamHeader& header,
                MemoryBudget& budget)
      : reservation_(
            budget.reserve(htslib_writer_bytes(settings, header), "htslib output buffers")),
        path_(output.path()),
        header_(header.hts_header()),
        sam_record_bytes_(settings.format == OutputFormat::kSam ? settings.sam_record_bytes : 0) {
    if (settings.write_md5) {
      // htslib writes its own buffers: the finished file is read back for the digest.
      if (!output.is_staged()) {
        throw UsageError("--write-md5 with SAM or CRAM output needs a regular output file");
      }
      digest_.emplace(output.path());
      read_back_path_ = output.write_path();
      output_fd_ = output.fd();
    }
    int fd = dup(output.fd());
    if (fd < 0) throw IoError(path_, "cannot open output", errno);
    hts::HFilePtr file(hdopen(fd, "w"));
    if (!file) {
      int error = errno;
      close(fd);
      throw IoError(path_, "cannot open output", error);
    }
    std::string mode = open_mode(settings, path_);
    file_.reset(hts_hopen(file.get(), path_.c_str(), mode.c_str()));
    if (!file_) throw IoError(path_, "cannot open output", errno);
    static_cast<void>(file.release());  // hts_hopen owns it now
    configure(settings);                // on a throw, the members release what it opened
  }

  void write(const std::uint8_t* raw, std::uint32_t bytes) override {
    if (sam_record_bytes_ != 0) check_sam_record(raw, bytes);
    if (!from_raw_record(raw, record_.get())) throw std::bad_alloc();
    if (sam_write1(file_.get(), header_, record_.get()) < 0) {
      throw IoError(path_, "cannot write record", errno);
    }
  }

  // htslib copies the record (its buffer rounded up to a power of two) and formats it into a
  // line buffer that grows by half again: both must fit the record's share of the budget.
  void check_sam_record(const std::uint8_t* raw, std::uint32_t bytes) {
    ++records_;
    std::size_t line = sam_line_bound(raw, bytes);
    std::size_t needed = 2 * std::size_t{bytes} + line + line / 2;
    if (needed <= sam_record_bytes_) return;
    char text[200];
    std::snprintf(text, sizeof text,
                  "SAM output of record %llu needs up to %.1f MiB of buffers, more than the %.1f "
                  "MiB the memory budget gives one record; raise --max-memory",
                  static_cast<unsigned long long>(records_), static_cast<double>(needed) / kMiB,
                  static_cast<double>(sam_record_bytes_) / kMiB);
    throw ResourceError(path_ + ": " + text);
  }

  // The longest SAM line the record can format to: fixed fields, the names, CIGAR operations of
  // up to 11 characters, sequence and qualities, and aux values (at most 5 characters a byte:
  // "-128," for an int8 array element).
  std::size_t sam_line_bound(const std::uint8_t* raw, std::uint32_t bytes) const noexcept {
    auto name_of = [this](std::int32_t tid) -> std::size_t {
      const char* name = tid >= 0 ? sam_hdr_tid2name(header_, tid) : nullptr;
      return name != nullptr ? std::strlen(name) : 1;
    };
    std::size_t cigar = bam::cigar_op_count(raw);
    std::size_t bases = static_cast<std::size_t>(std::max(0, bam::seq_length(raw)));
    std::size_t fixed =
        bam::kFixedBytes + bam::read_name_bytes(raw) + 4 * cigar + (bases + 1) / 2 + bases;
    std::size_t aux = bytes > fixed ? bytes - fixed : 0;
    return kSamFixedFieldChars + bam::read_name_bytes(raw) + name_of(bam::ref_id(raw)) +
           name_of(bam::mate_ref_id(raw)) + 11 * cigar + 2 * bases + 5 * aux;
  }

  std::uint64_t finish() override {
    if (pending_ && sam_idx_save(file_.get()) < 0) {
      throw IoError(pending_->write_path(), "cannot write index", errno);
    }
    int status = hts::close(file_);
    if (status != 0) throw IoError(path_, "cannot finish output", errno);
    if (digest_) {
      // The duplicated descriptor shared the file offset: it stands at the end of the output.
      off_t written = lseek(output_fd_, 0, SEEK_CUR);
      if (written < 0) throw IoError(path_, "cannot finish output", errno);
      digest_->add_file(read_back_path_, static_cast<std::uint64_t>(written));
      digest_->finish();
    }
    return 0;
  }

  void commit_companions() override {
    if (pending_) pending_->commit();
    if (digest_) digest_->commit();
  }

 private:
  void configure(const OutputSettings& settings) {
    if (!settings.reference.empty()) use_reference_fasta(file_.get(), settings.reference);
    if (settings.samtools_level >= 0) {
      std::string level = "level=" + std::to_string(settings.samtools_level);
      add_option(level, "bad level");
    }
    for (const std::string& option : settings.options) {
      add_option(option, "invalid --output-fmt-option '" + option + "'");
    }
    if (options_ && hts_opt_apply(file_.get(), options_.get()) != 0) {
      throw UsageError("cannot apply the output format options");
    }
    if (settings.threads > 1) hts_set_threads(file_.get(), static_cast<int>(settings.threads));
    if (sam_hdr_write(file_.get(), header_) < 0) throw IoError(path_, "cannot write header", errno);
    if (!settings.index_path.empty()) {
      pending_.emplace(settings.index_path);
      if (sam_idx_init(file_.get(), header_, settings.index_csi ? 14 : 0,
                       pending_->write_path().c_str()) < 0) {
        throw Error("cannot index " + path_ + " (indexing needs BGZF-compressed output)");
      }
    }
    record_.reset(bam_init1());
    if (!record_) throw std::bad_alloc();
  }

  // Appends key=value to options_ (hts_opt_add leaves the list intact when it fails).
  void add_option(const std::string& option, const std::string& error) {
    hts_opt* list = options_.release();
    int status = hts_opt_add(&list, option.c_str());
    options_.reset(list);
    if (status != 0) throw UsageError(error);
  }

  static constexpr std::size_t kSamFixedFieldChars = 128;  // FLAG..TLEN, tabs, newline
  static constexpr double kMiB = 1024.0 * 1024.0;

  Reservation reservation_;
  std::string path_;
  sam_hdr_t* header_;  // borrowed from the job's BamHeader
  std::size_t sam_record_bytes_;
  std::uint64_t records_ = 0;
  // Destroyed bottom-up: the record, then the file, then the options it was opened with.
  hts::OptionsPtr options_;
  hts::FilePtr file_;
  hts::RecordPtr record_;
  std::optional<PendingIndex> pending_;
  std::optional<OutputDigest> digest_;
  std::string read_back_path_;
  int output_fd_ = -1;
};

std::size_t htslib_writer_bytes(const OutputSettings& settings, const BamHeader& header) {
  std::size_t bytes = config::kHtslibWriterBytes;
  if (settings.write_md5) bytes += OutputDigest::kReadBackBytes;
  if (settings.format == OutputFormat::kSam) return bytes + settings.sam_record_bytes;
  if (settings.format != OutputFormat::kCram) return bytes;
  return bytes +
         codec_bytes(kCramEncoderMemory, settings.threads, output_cram_reference(settings, header));
}

}  // namespace

CramReference output_cram_reference(const OutputSettings& settings, const BamHeader& header) {
  for (const std::string& option : settings.options) {  // htslib loads no reference then
    if (option == "no_ref" || option == "no_ref=1" || option == "embed_ref=2") return {};
  }
  return cram_reference(header.hts_header(), !settings.reference.empty(),
                        settings.coordinate_sorted);
}

std::size_t sink_extra_bytes(const OutputSettings& settings, const BamHeader& header) {
  if (settings.format != OutputFormat::kBam) return htslib_writer_bytes(settings, header);
  if (settings.index_path.empty()) return 0;
  return BamIndexBuilder::reserved_bytes_for(header.hts_header(),
                                             BgzfWriter::max_marks_in_flight(settings.threads)) +
         BgzfWriter::mark_table_bytes_for(settings.threads);
}

std::unique_ptr<RecordSink> open_record_sink(const OutputSettings& settings,
                                             const OutputFile& output, const BamHeader& header,
                                             MemoryBudget& budget) {
  if (settings.format == OutputFormat::kBam) {
    return std::make_unique<BamRecordSink>(settings, output, header, budget);
  }
  if (settings.piece != OutputSettings::Piece::kWholeFile) {
    throw UsageError("the pieces of a distributed sort's output are BAM");
  }
  return std::make_unique<HtsRecordSink>(settings, output, header, budget);
}

}  // namespace samsort
