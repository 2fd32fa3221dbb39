// Template-coordinate key fields, after samtools' template_coordinate_key and
// bam1_cmp_template_coordinate (bam_sort.c), with htslib's bam_endpos and bam_tag2cigar.
#include "samsort/order/template_key.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_set>

#include "samsort/bam/bam_aux.hpp"
#include "samsort/bam/bam_flags.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/bam/cigar.hpp"
#include "samsort/core/byte_order.hpp"
#include "samsort/order/name_key.hpp"

namespace samsort {

namespace {

// MC counts: strtol would saturate; a bound far above any CIGAR keeps the sums in range.
constexpr std::int64_t kMaxMateCount = std::int64_t{1} << 40;

constexpr const char* kMissingMateCigar =
    "paired read with a mapped mate has no MC tag (mate CIGAR), which template-coordinate "
    "order needs: run 'samtools fixmate' on the input first";
constexpr const char* kMateCigarNotString =
    "MC tag is not a string: use the MC tag written by 'samtools fixmate'";
constexpr const char* kCellBarcodeNotString = "CB tag is not a string";
constexpr const char* kMolecularIdNotString = "MI tag is not a string";

// One MC token as samtools reads it: an optional count (default 1), then an operator byte.
struct MateCigarReader {
  std::string_view text;
  std::size_t at = 0;

  // False at the end, at '*', or after a trailing count with no operator.
  bool next(std::int64_t& count, char& op) noexcept {
    if (at >= text.size() || text[at] == '*' || text[at] == '\0') return false;
    count = 1;
    if (text[at] >= '0' && text[at] <= '9') {
      count = 0;
      while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
        count = std::min(count * 10 + (text[at] - '0'), kMaxMateCount);
        ++at;
      }
    }
    if (at >= text.size() || text[at] == '\0') return false;
    op = text[at++];
    return true;
  }
};

inline int compare_bytes(std::string_view a, std::string_view b) noexcept {
  std::size_t common = std::min(a.size(), b.size());
  int order = common == 0 ? 0 : std::memcmp(a.data(), b.data(), common);
  if (order != 0) return order < 0 ? -1 : 1;
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

template <typename T>
inline int compare_values(T a, T b) noexcept {
  return a < b ? -1 : (a > b ? 1 : 0);
}

}  // namespace

LibraryTable::LibraryTable(std::string_view header_text) {
  struct Found {
    std::string_view id;
    std::string_view library;
  };
  std::vector<Found> found;
  std::unordered_set<std::string_view> seen_ids;
  std::size_t line_at = 0;
  while (line_at < header_text.size()) {
    std::size_t line_end = header_text.find('\n', line_at);
    if (line_end == std::string_view::npos) line_end = header_text.size();
    std::string_view line = header_text.substr(line_at, line_end - line_at);
    line_at = line_end + 1;
    if (line.substr(0, 4) != "@RG\t") continue;
    std::string_view id;
    std::string_view library;
    bool have_id = false;
    bool have_library = false;
    std::size_t field_at = 4;
    while (field_at <= line.size()) {
      std::size_t field_end = line.find('\t', field_at);
      if (field_end == std::string_view::npos) field_end = line.size();
      std::string_view field = line.substr(field_at, field_end - field_at);
      field_at = field_end + 1;
      if (!have_id && field.substr(0, 3) == "ID:") {
        id = field.substr(3);
        have_id = true;
      } else if (!have_library && field.substr(0, 3) == "LB:") {
        library = field.substr(3);
        have_library = true;
      }
    }
    if (!have_id || !have_library) continue;
    if (seen_ids.insert(id).second) found.push_back({id, library});
  }
  if (found.empty()) return;

  std::size_t pool_bytes = 0;
  for (const Found& entry : found) pool_bytes += entry.id.size() + entry.library.size() + 2;
  pool_ = std::make_unique<char[]>(pool_bytes);
  char* write_at = pool_.get();
  auto store = [&](std::string_view text) {
    std::memcpy(write_at, text.data(), text.size());
    write_at[text.size()] = '\0';
    std::string_view stored(write_at, text.size());
    write_at += text.size() + 1;
    return stored;
  };
  std::vector<std::string_view> names{std::string_view()};
  entries_.reserve(found.size());
  for (const Found& entry : found) {
    std::string_view id = store(entry.id);
    std::string_view library = store(entry.library);
    entries_.push_back({id, Library{library.data(), 0}});
    names.push_back(library);
  }
  // string_view compares as unsigned bytes (char_traits<char>::lt), i.e. as strcmp.
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  for (Entry& entry : entries_) {
    auto rank = std::lower_bound(names.begin(), names.end(), std::string_view(entry.library.name));
    entry.library.rank = static_cast<std::uint32_t>(rank - names.begin());
  }
  std::sort(entries_.begin(), entries_.end(),
            [](const Entry& a, const Entry& b) { return a.id < b.id; });
}

LibraryTable::Library LibraryTable::find(std::string_view read_group) const noexcept {
  auto found =
      std::lower_bound(entries_.begin(), entries_.end(), read_group,
                       [](const Entry& entry, std::string_view id) { return entry.id < id; });
  if (found == entries_.end() || found->id != read_group) return Library{"", 0};
  return found->library;
}

std::int64_t unclipped_start(const std::uint8_t* record) noexcept {
  return std::int64_t{bam::pos(record)} - bam::CigarView::of_record(record).leading_soft_clips() +
         1;
}

std::int64_t unclipped_end(const std::uint8_t* record) noexcept {
  return bam::end_position(record) + bam::CigarView::of_record(record).trailing_soft_clips();
}

std::int64_t mate_unclipped_start(std::int64_t mate_pos, std::string_view mate_cigar) noexcept {
  MateCigarReader reader{mate_cigar};
  std::int64_t clipped = 0;
  std::int64_t count;
  char op;
  while (reader.next(count, op)) {
    if (op == 'S') {
      clipped += count;
    } else if (op != 'H') {
      break;
    }
  }
  return mate_pos - clipped + 1;
}

std::int64_t mate_unclipped_end(std::int64_t mate_pos, std::string_view mate_cigar) noexcept {
  MateCigarReader reader{mate_cigar};
  std::int64_t reference_bytes = 0;
  bool leading = true;  // soft clips before the first reference op do not count
  std::int64_t count;
  char op;
  while (reader.next(count, op)) {
    switch (op) {
      case 'M':
      case 'D':
      case 'N':
      case '=':
      case 'X':
        reference_bytes += count;
        leading = false;
        break;
      case 'S':
        if (!leading) reference_bytes += count;
        break;
      default:
        break;
    }
  }
  return mate_pos + reference_bytes;
}

const char* make_template_fields(const std::uint8_t* record, const LibraryTable& libraries,
                                 TemplateFields& out) noexcept {
  out = TemplateFields{};
  const std::uint16_t flag = bam::flag(record);
  const std::uint8_t* found[4];
  bam::find_aux_fields(record, "RGMCCBMI", 4, found);
  const std::uint8_t* read_group = found[0];
  const std::uint8_t* mate_cigar = found[1];
  const std::uint8_t* cell_barcode = found[2];
  const std::uint8_t* molecular_id = found[3];

  if (read_group != nullptr && bam::aux_type(read_group) == 'Z') {
    LibraryTable::Library library = libraries.find(bam::aux_string(read_group));
    out.library = library.name;
    out.library_rank = library.rank;
  }
  out.name = std::string_view(bam::read_name(record), read_name_length(record));

  if ((flag & bam::kUnmapped) == 0) {
    out.tid1 = bam::ref_id(record);
    out.neg1 = (flag & bam::kReverse) != 0;
    out.pos1 = out.neg1 ? unclipped_end(record) : unclipped_start(record);
  }
  // A mate flagged mapped without a reference counts as unmapped (samtools would overflow).
  if ((flag & bam::kPaired) != 0 && (flag & bam::kMateUnmapped) == 0 &&
      bam::mate_ref_id(record) >= 0) {
    if (mate_cigar == nullptr) return kMissingMateCigar;
    if (!bam::aux_is_string(mate_cigar)) return kMateCigarNotString;
    std::string_view cigar_text = bam::aux_string(mate_cigar);
    std::int64_t mate_pos = bam::mate_pos(record);
    out.tid2 = bam::mate_ref_id(record);
    out.neg2 = (flag & bam::kMateReverse) != 0;
    out.pos2 = out.neg2 ? mate_unclipped_end(mate_pos, cigar_text)
                        : mate_unclipped_start(mate_pos, cigar_text);
  }
  if (cell_barcode != nullptr) {
    if (!bam::aux_is_string(cell_barcode)) return kCellBarcodeNotString;
    out.cb = bam::aux_string(cell_barcode);
  }
  if (molecular_id != nullptr) {
    if (!bam::aux_is_string(molecular_id)) return kMolecularIdNotString;
    std::string_view mi = bam::aux_string(molecular_id);
    // samtools compares MIs without one trailing "/<any byte>" (fgbio's /A and /B strands).
    if (mi.size() >= 2 && mi[mi.size() - 2] == '/') mi.remove_suffix(2);
    out.mi = mi;
  }

  bool lower = out.tid1 < out.tid2 || (out.tid1 == out.tid2 && out.pos1 < out.pos2) ||
               (out.tid1 == out.tid2 && out.pos1 == out.pos2 && !out.neg1);
  out.upper = !lower;
  if (out.upper) {
    std::swap(out.tid1, out.tid2);
    std::swap(out.pos1, out.pos2);
    std::swap(out.neg1, out.neg2);
  }
  return nullptr;
}

TemplateFields template_fields(const std::uint8_t* record, const LibraryTable& libraries) {
  TemplateFields fields;
  if (const char* problem = make_template_fields(record, libraries, fields)) {
    std::string name(bam::read_name(record), read_name_length(record));
    throw TemplateKeyError("read '" + name + "': " + problem);
  }
  return fields;
}

int compare_template(const TemplateFields& a, const TemplateFields& b) noexcept {
  if (a.tid1 != b.tid1) return compare_values(a.tid1, b.tid1);
  if (a.tid2 != b.tid2) return compare_values(a.tid2, b.tid2);
  if (a.pos1 != b.pos1) return compare_values(a.pos1, b.pos1);
  if (a.pos2 != b.pos2) return compare_values(a.pos2, b.pos2);
  if (a.neg1 != b.neg1) return a.neg1 ? -1 : 1;
  if (a.neg2 != b.neg2) return a.neg2 ? -1 : 1;
  if (a.library != b.library) {
    int order = std::strcmp(a.library, b.library);
    if (order != 0) return order < 0 ? -1 : 1;
  }
  if (int order = compare_bytes(a.cb, b.cb); order != 0) return order;
  if (int order = compare_bytes(a.mi, b.mi); order != 0) return order;
  if (int order = compare_bytes(a.name, b.name); order != 0) return order;
  if (a.upper != b.upper) return a.upper ? 1 : -1;
  return 0;
}

}  // namespace samsort
