// BAM binary header parsing and serialisation around htslib's sam_hdr_t.
#include "samsort/bam_header.hpp"

#include <htslib/sam.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "samsort/bgzf_reader.hpp"
#include "samsort/errors.hpp"

namespace samsort {

namespace {

std::uint32_t read_u32(BgzfReader& reader, const char* what) {
  std::uint8_t bytes[4];
  if (reader.read(bytes, 4) != 4) {
    throw FormatError(reader.path(), std::string("truncated BAM header (") + what + ")",
                      reader.block_offset());
  }
  std::uint32_t value;
  std::memcpy(&value, bytes, 4);
  return value;
}

void read_exact(BgzfReader& reader, void* out, std::size_t bytes, const char* what) {
  if (reader.read(out, bytes) != bytes) {
    throw FormatError(reader.path(), std::string("truncated BAM header (") + what + ")",
                      reader.block_offset());
  }
}

void append_u32(std::string& out, std::uint32_t value) {
  char bytes[4];
  std::memcpy(bytes, &value, 4);
  out.append(bytes, 4);
}

// Per reference: the name copy, the name pointer, the length, and htslib's hash entry.
constexpr std::size_t kPerReferenceBytes = 96;
// htslib keeps the text, a parsed record per line and the rebuilt text: about 4 copies.
constexpr std::size_t kTextCopies = 4;

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
  Reservation reservation =
      budget.reserve(kTextCopies * (static_cast<std::size_t>(text_bytes) + 1), "BAM header text");

  std::unique_ptr<sam_hdr_t, HeaderDeleter> header(sam_hdr_init());
  if (!header) throw std::bad_alloc();
  header->text = static_cast<char*>(std::malloc(static_cast<std::size_t>(text_bytes) + 1));
  if (header->text == nullptr) throw std::bad_alloc();
  read_exact(reader, header->text, text_bytes, "text");
  header->text[text_bytes] = '\0';
  // htslib drops a trailing NUL run from l_text the same way when it reads BAM.
  header->l_text = std::strlen(header->text);

  std::uint32_t reference_count = read_u32(reader, "n_ref");
  if (reference_count > static_cast<std::uint32_t>(INT32_MAX)) {
    throw FormatError(reader.path(), "BAM header n_ref out of range", reader.block_offset());
  }
  Reservation references =
      budget.reserve(static_cast<std::size_t>(reference_count) * kPerReferenceBytes,
                     "BAM header references");
  header->n_targets = static_cast<std::int32_t>(reference_count);
  header->target_len = static_cast<std::uint32_t*>(
      std::calloc(std::max<std::size_t>(1, reference_count), sizeof(std::uint32_t)));
  header->target_name = static_cast<char**>(
      std::calloc(std::max<std::size_t>(1, reference_count), sizeof(char*)));
  if (header->target_len == nullptr || header->target_name == nullptr) throw std::bad_alloc();
  std::size_t names_bytes = 0;
  for (std::uint32_t tid = 0; tid < reference_count; ++tid) {
    std::uint32_t name_bytes = read_u32(reader, "l_name");
    if (name_bytes == 0 || name_bytes > 0x10000) {
      throw FormatError(reader.path(), "BAM header reference name length out of range",
                        reader.block_offset());
    }
    names_bytes += name_bytes;
    if (names_bytes * 2 > references.bytes()) {
      references = budget.reserve(references.bytes() + names_bytes * 2, "BAM header references");
    }
    char* name = static_cast<char*>(std::malloc(name_bytes + 1));
    if (name == nullptr) throw std::bad_alloc();
    header->target_name[tid] = name;
    read_exact(reader, name, name_bytes, "reference name");
    name[name_bytes] = '\0';
    if (std::strlen(name) + 1 != name_bytes) {
      throw FormatError(reader.path(), "BAM header reference name not NUL-terminated",
                        reader.block_offset());
    }
    header->target_len[tid] = read_u32(reader, "l_ref");
  }
  return BamHeader(header.release(), std::move(reservation), std::move(references));
}

BamHeader BamHeader::adopt(sam_hdr_t* header, MemoryBudget& budget) {
  std::unique_ptr<sam_hdr_t, HeaderDeleter> owned(header);
  std::size_t text_bytes = sam_hdr_length(header);
  Reservation text = budget.reserve(kTextCopies * (text_bytes + 1), "header text");
  Reservation references = budget.reserve(
      static_cast<std::size_t>(std::max(0, sam_hdr_nref(header))) * kPerReferenceBytes,
      "header references");
  return BamHeader(owned.release(), std::move(text), std::move(references));
}

std::int32_t BamHeader::reference_count() const noexcept { return sam_hdr_nref(header_.get()); }

void BamHeader::set_sort_tags(const HeaderSortTags& tags) {
  sam_hdr_t* header = header_.get();
  if (sam_hdr_count_lines(header, "HD") <= 0) {
    // htslib puts a new @HD line first.
    int added = tags.group_order != nullptr && tags.sub_sort != nullptr
                    ? sam_hdr_add_line(header, "HD", "VN", SAM_FORMAT_VERSION, "SO",
                                       tags.sort_order, "GO", tags.group_order, "SS",
                                       tags.sub_sort, nullptr)
                : tags.sub_sort != nullptr
                    ? sam_hdr_add_line(header, "HD", "VN", SAM_FORMAT_VERSION, "SO",
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
  if (sam_hdr_add_pg(header_.get(), "samsort", "VN", version.c_str(), "CL",
                     command_line.c_str(), nullptr) < 0) {
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
