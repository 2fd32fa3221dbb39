// BAM binary header parsing and serialisation around htslib's sam_hdr_t.
#include "samsort/bam/bam_header.hpp"

#include <htslib/sam.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "samsort/core/byte_order.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/io/bgzf_reader.hpp"
#include "samsort/io/hts_handles.hpp"
#include "samsort/io/hts_log.hpp"

namespace samsort {

namespace {

std::uint32_t read_u32(BgzfReader& reader, const char* what) {
  std::uint8_t bytes[4];
  if (reader.read(bytes, 4) != 4) {
    throw FormatError(reader.path(), std::string("truncated BAM header (") + what + ")",
                      reader.block_offset());
  }
  return load_le32(bytes);
}

void read_exact(BgzfReader& reader, void* out, std::size_t bytes, const char* what) {
  if (reader.read(out, bytes) != bytes) {
    throw FormatError(reader.path(), std::string("truncated BAM header (") + what + ")",
                      reader.block_offset());
  }
}

void append_u32(std::string& out, std::uint32_t value) {
  char bytes[4];
  store_le32(bytes, value);
  out.append(bytes, 4);
}

std::size_t line_count(const char* text, std::size_t bytes) noexcept {
  std::size_t lines = static_cast<std::size_t>(std::count(text, text + bytes, '\n'));
  return lines + (bytes > 0 && text[bytes - 1] != '\n' ? 1 : 0);
}

// What a header of `text_bytes` and `lines` lines holds once htslib has parsed it (config.hpp).
std::size_t header_text_bytes(std::size_t text_bytes, std::size_t lines) noexcept {
  return config::kHeaderTextCopies * (text_bytes + 1) + config::kHeaderBytesPerLine * lines;
}

// Longest reference name accepted (htslib has no limit; real names are far shorter).
constexpr std::uint32_t kMaxReferenceNameBytes = 0x10000;
// Characters of a malformed header line shown in the error message.
constexpr std::size_t kShownLineChars = 60;

// Budget claims taken while the header grows; merged into one Reservation at the end.
class GrowingClaim {
 public:
  GrowingClaim(MemoryBudget& budget, const std::string& path, const char* what)
      : budget_(budget), path_(path), what_(what) {}

  void grow_to(std::size_t bytes) {
    if (bytes <= claimed_bytes_) return;
    try {
      claims_.push_back(budget_.reserve(bytes - claimed_bytes_, what_));
    } catch (const ResourceError& error) {
      throw ResourceError(path_ + ": " + error.what());
    }
    claimed_bytes_ = bytes;
  }
  // Trades the growth claims for one of `final_bytes` (at most what was claimed).
  Reservation merged(std::size_t final_bytes) {
    claims_.clear();
    claimed_bytes_ = 0;
    return final_bytes == 0 ? Reservation() : budget_.reserve(final_bytes, what_);
  }

 private:
  MemoryBudget& budget_;
  const std::string& path_;
  const char* what_;
  std::vector<Reservation> claims_;
  std::size_t claimed_bytes_ = 0;
};

template <class T>
T* grow_array(T* array, std::size_t old_count, std::size_t new_count) {
  auto* grown = static_cast<T*>(std::realloc(array, new_count * sizeof(T)));
  if (grown == nullptr) throw std::bad_alloc();
  std::memset(static_cast<void*>(grown + old_count), 0, (new_count - old_count) * sizeof(T));
  return grown;
}

// Describes the first line htslib's header parser (sam_hrecs_parse_lines) rejects: one that
// does not start with '@' and a two-letter type, or a field that is not "XX:value". Returns an
// empty string when the lines look well-formed (htslib may still refuse, e.g. @SQ without SN).
std::string describe_bad_line(const char* text, std::size_t text_bytes) {
  std::size_t line_number = 1;
  for (std::size_t start = 0; start < text_bytes; ++line_number) {
    const char* newline =
        static_cast<const char*>(std::memchr(text + start, '\n', text_bytes - start));
    std::size_t end = newline != nullptr ? static_cast<std::size_t>(newline - text) : text_bytes;
    std::string line(text + start, end - start);
    start = end + 1;
    const char* problem = nullptr;
    if (line.size() < 3 || line[0] != '@' || !std::isalpha(static_cast<unsigned char>(line[1])) ||
        !std::isalpha(static_cast<unsigned char>(line[2]))) {
      problem = "does not start with '@' and a two-letter type";
    } else if (line.size() > 3 && line[3] != '\t') {
      problem = "has no tab after its type";
    } else if (line.compare(0, 3, "@CO") != 0) {
      for (std::size_t field = 4; field < line.size() && problem == nullptr;) {
        std::size_t tab = line.find('\t', field);
        std::size_t field_end = tab == std::string::npos ? line.size() : tab;
        if (field_end - field < 3 || line[field + 2] != ':') problem = "has a malformed TAG:value";
        field = field_end + 1;
      }
    }
    if (problem != nullptr) {
      if (line.size() > kShownLineChars) line = line.substr(0, kShownLineChars) + "...";
      for (char& c : line) {
        if (c == '\t') c = ' ';
        if (!std::isprint(static_cast<unsigned char>(c))) c = '?';
      }
      return "line " + std::to_string(line_number) + " " + problem + ": \"" + line + "\"";
    }
  }
  return {};
}

// Parses `text` with htslib (muted) as samtools will when it edits @HD; throws FormatError
// naming the first bad line when htslib refuses it.
void check_text(const BgzfReader& reader, const char* text, std::size_t text_bytes) {
  if (text_bytes == 0) return;
  hts::HeaderPtr parsed;
  {
    HtsLogLevelGuard quiet;
    parsed.reset(sam_hdr_parse(text_bytes, text));
  }
  if (parsed) return;
  std::string where = describe_bad_line(text, text_bytes);
  throw FormatError(reader.path(),
                    "malformed BAM header text" + (where.empty() ? "" : " (" + where + ")"),
                    reader.block_offset());
}

// What Picard SortSam 2.27.5 (htsjdk 3.0.4) writes: htsjdk's header parser ignores an @HD line
// without VN (SAMTextHeaderCodec.parseHDLine requires the tag), else keeps its tags in order in
// a map that starts with VN; SortSam sets SO in place or appends it; the writer puts VN:1.6 (its
// current version) first whatever the input said.
void set_picard_sort_order(sam_hdr_t* header, const char* sort_order) {
  if (sam_hdr_count_lines(header, "HD") <= 0) {
    // htslib puts a new @HD line first.
    if (sam_hdr_add_line(header, "HD", "VN", "1.6", "SO", sort_order, nullptr) < 0) {
      throw Error("cannot add an @HD line to the header");
    }
    return;
  }
  kstring_t old_line = KS_INITIALIZE;
  if (sam_hdr_find_line_pos(header, "HD", 0, &old_line) < 0) {
    ks_free(&old_line);
    throw Error("cannot read the @HD line of the header");
  }
  std::string text(old_line.s != nullptr ? old_line.s : "", old_line.l);
  ks_free(&old_line);
  // The line's tags as (key, value), VN first, SO's value replaced or SO appended.
  std::vector<std::pair<std::string, std::string>> fields{{"VN", "1.6"}};
  bool has_sort_order = false;
  bool has_version = false;
  for (std::size_t start = text.find('\t'); start != std::string::npos;) {
    std::size_t end = text.find('\t', start + 1);
    std::string field =
        text.substr(start + 1, end == std::string::npos ? std::string::npos : end - start - 1);
    start = end;
    if (field.size() < 3 || field[2] != ':') continue;
    std::string key = field.substr(0, 2);
    std::string value = field.substr(3);
    if (sam_hdr_remove_tag_hd(header, key.c_str()) < 0) {
      throw Error("cannot rewrite the @HD line of the header");
    }
    if (key == "VN") {
      has_version = true;
      continue;
    }
    if (key == "SO") {
      if (has_sort_order) continue;
      value = sort_order;
      has_sort_order = true;
    }
    fields.emplace_back(std::move(key), std::move(value));
  }
  if (!has_version) fields.resize(1);  // htsjdk dropped the line's tags
  if (!has_sort_order || !has_version) fields.emplace_back("SO", sort_order);
  // htslib appends each tag that the line lacks, so the tags come back in this order.
  for (const auto& [key, value] : fields) {
    if (sam_hdr_update_hd(header, key.c_str(), value.c_str()) < 0) {
      throw Error("cannot set @HD " + key + " in the header");
    }
  }
}

}  // namespace

void BamHeader::HeaderDeleter::operator()(sam_hdr_t* header) const noexcept {
  sam_hdr_destroy(header);
}

BamHeader::BamHeader(sam_hdr_t* header, Reservation text_reservation,
                     Reservation references_reservation)
    : header_(header),
      text_reservation_(std::move(text_reservation)),
      references_reservation_(std::move(references_reservation)) {}
BamHeader::BamHeader(BamHeader&&) noexcept = default;
BamHeader& BamHeader::operator=(BamHeader&&) noexcept = default;
BamHeader::~BamHeader() = default;

BamHeader BamHeader::read(BgzfReader& reader, MemoryBudget& budget) {
  char magic[4];
  std::size_t got = reader.read(magic, 4);
  if (got == 0) throw FormatError(reader.path(), "empty input (no BAM header)", 0);
  if (got != 4 || std::memcmp(magic, "BAM\1", 4) != 0) {
    throw FormatError(reader.path(), "not a BAM file (bad magic)", reader.block_offset());
  }
  std::uint32_t text_bytes = read_u32(reader, "l_text");
  if (text_bytes > static_cast<std::uint32_t>(INT32_MAX)) {
    throw FormatError(reader.path(), "BAM header l_text out of range", reader.block_offset());
  }
  std::unique_ptr<sam_hdr_t, HeaderDeleter> header(sam_hdr_init());
  if (!header) throw std::bad_alloc();

  GrowingClaim text_claim(budget, reader.path(), "BAM header text");
  std::size_t text_capacity = 0;
  while (text_capacity < text_bytes || header->text == nullptr) {
    std::size_t grown = std::min<std::size_t>(
        text_bytes, std::max(config::kHeaderTextGrowthBytes, 2 * text_capacity));
    text_claim.grow_to(config::kHeaderTextCopies * (grown + 1));
    header->text = grow_array(header->text, text_capacity, grown + 1);
    read_exact(reader, header->text + text_capacity, grown - text_capacity, "text");
    text_capacity = grown;
  }
  header->text[text_bytes] = '\0';
  // htslib drops a trailing NUL run from l_text the same way when it reads BAM.
  header->l_text = std::strlen(header->text);
  // The parsed records (the check's, then the job's) per line, before htslib makes them.
  std::size_t lines = line_count(header->text, header->l_text);
  text_claim.grow_to(header_text_bytes(text_capacity, lines));
  check_text(reader, header->text, header->l_text);

  std::uint32_t reference_count = read_u32(reader, "n_ref");
  if (reference_count > static_cast<std::uint32_t>(INT32_MAX)) {
    throw FormatError(reader.path(), "BAM header n_ref out of range", reader.block_offset());
  }
  GrowingClaim references_claim(budget, reader.path(), "BAM header references");
  std::size_t capacity = 0;
  std::size_t names_bytes = 0;
  for (std::uint32_t tid = 0; tid < reference_count; ++tid) {
    if (tid == capacity) {
      std::size_t grown = std::min<std::size_t>(
          reference_count, std::max(config::kHeaderReferenceGrowthCount, 2 * capacity));
      references_claim.grow_to(grown * config::kHeaderBytesPerReference + 2 * names_bytes);
      header->target_len = grow_array(header->target_len, capacity, grown);
      header->target_name = grow_array(header->target_name, capacity, grown);
      capacity = grown;
    }
    std::uint32_t name_bytes = read_u32(reader, "l_name");
    if (name_bytes == 0 || name_bytes > kMaxReferenceNameBytes) {
      throw FormatError(reader.path(), "BAM header reference name length out of range",
                        reader.block_offset());
    }
    names_bytes += name_bytes;
    references_claim.grow_to(capacity * config::kHeaderBytesPerReference + 2 * names_bytes +
                             config::kHeaderNameClaimBytes);
    char* name = static_cast<char*>(std::malloc(name_bytes + 1));
    if (name == nullptr) throw std::bad_alloc();
    header->target_name[tid] = name;
    header->n_targets = static_cast<std::int32_t>(tid + 1);  // what sam_hdr_destroy frees
    read_exact(reader, name, name_bytes, "reference name");
    name[name_bytes] = '\0';
    if (std::strlen(name) + 1 != name_bytes) {
      throw FormatError(reader.path(), "BAM header reference name not NUL-terminated",
                        reader.block_offset());
    }
    header->target_len[tid] = read_u32(reader, "l_ref");
  }
  if (header->target_len == nullptr) {
    header->target_len = grow_array<std::uint32_t>(nullptr, 0, 1);
    header->target_name = grow_array<char*>(nullptr, 0, 1);
  }
  header->n_targets = static_cast<std::int32_t>(reference_count);
  Reservation text_reservation = text_claim.merged(header_text_bytes(text_capacity, lines));
  Reservation references_reservation =
      references_claim.merged(capacity * config::kHeaderBytesPerReference + 2 * names_bytes);
  return BamHeader(header.release(), std::move(text_reservation),
                   std::move(references_reservation));
}

BamHeader BamHeader::adopt(sam_hdr_t* header, MemoryBudget& budget) {
  std::unique_ptr<sam_hdr_t, HeaderDeleter> owned(header);
  std::size_t text_bytes = sam_hdr_length(header);
  const char* text = sam_hdr_str(header);
  Reservation text_reservation = budget.reserve(
      header_text_bytes(text_bytes, text != nullptr ? line_count(text, text_bytes) : 0),
      "header text");
  Reservation references =
      budget.reserve(static_cast<std::size_t>(std::max(0, sam_hdr_nref(header))) *
                         config::kHeaderBytesPerReference,
                     "header references");
  return BamHeader(owned.release(), std::move(text_reservation), std::move(references));
}

std::int32_t BamHeader::reference_count() const noexcept { return sam_hdr_nref(header_.get()); }

void BamHeader::set_sort_tags(const HeaderSortTags& tags) {
  sam_hdr_t* header = header_.get();
  if (tags.rule == HeaderRule::kPicard) {
    set_picard_sort_order(header, tags.sort_order);
    return;
  }
  if (sam_hdr_count_lines(header, "HD") <= 0) {
    // htslib puts a new @HD line first.
    int added =
        tags.group_order != nullptr && tags.sub_sort != nullptr
            ? sam_hdr_add_line(header, "HD", "VN", SAM_FORMAT_VERSION, "SO", tags.sort_order, "GO",
                               tags.group_order, "SS", tags.sub_sort, nullptr)
        : tags.sub_sort != nullptr ? sam_hdr_add_line(header, "HD", "VN", SAM_FORMAT_VERSION, "SO",
                                                      tags.sort_order, "SS", tags.sub_sort, nullptr)
                                   : sam_hdr_add_line(header, "HD", "VN", SAM_FORMAT_VERSION, "SO",
                                                      tags.sort_order, nullptr);
    if (added < 0) throw Error("cannot add an @HD line to the header");
    return;
  }
  auto set_or_remove = [header](const char* key, const char* value) {
    int result = value != nullptr ? sam_hdr_update_hd(header, key, value)
                                  : (sam_hdr_remove_tag_hd(header, key), 0);
    if (result < 0) throw Error(std::string("cannot set @HD ") + key + " in the header");
  };
  set_or_remove("SO", tags.sort_order);
  set_or_remove("GO", tags.group_order);
  set_or_remove("SS", tags.sub_sort);
}

void BamHeader::add_program_line(const std::string& version, const std::string& command_line) {
  if (sam_hdr_add_pg(header_.get(), "samsort", "VN", version.c_str(), "CL", command_line.c_str(),
                     nullptr) < 0) {
    throw Error("cannot add @PG line to the header");
  }
}

std::string BamHeader::text() const {
  const char* text = sam_hdr_str(header_.get());
  return text != nullptr ? std::string(text, sam_hdr_length(header_.get())) : std::string();
}

std::string BamHeader::serialize() const {
  sam_hdr_t* header = header_.get();
  std::string text_copy = text();
  std::string out;
  out.append("BAM\1", 4);
  append_u32(out, static_cast<std::uint32_t>(text_copy.size()));
  out += text_copy;
  std::int32_t reference_count = sam_hdr_nref(header);
  append_u32(out, static_cast<std::uint32_t>(reference_count));
  for (std::int32_t tid = 0; tid < reference_count; ++tid) {
    const char* name = sam_hdr_tid2name(header, tid);
    std::size_t name_bytes = std::strlen(name) + 1;
    append_u32(out, static_cast<std::uint32_t>(name_bytes));
    out.append(name, name_bytes);
    append_u32(out, static_cast<std::uint32_t>(sam_hdr_tid2len(header, tid)));
  }
  return out;
}

}  // namespace samsort
