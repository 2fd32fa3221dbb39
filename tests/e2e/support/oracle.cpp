// The order oracle (see oracle.hpp): raw BAM records read with htslib's BGZF layer, sorted by
// std::stable_sort with the plain comparators of the contract, one comparator per order.
#include "oracle.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string_view>

#include "samsort/bam/bam_aux.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/order/name_key.hpp"
#include "samsort/order/tag_key.hpp"
#include "samsort/order/template_key.hpp"

namespace samsort::e2e {
namespace {

constexpr size_t kMaxRecordBytes = size_t{1} << 30;

using RecordCompare = std::function<int(const uint8_t*, const uint8_t*)>;

int sign_of(int64_t value) { return value < 0 ? -1 : value > 0 ? 1 : 0; }

template <typename T>
int compare_values(const T& a, const T& b) {
  return a < b ? -1 : b < a ? 1 : 0;
}

// Coordinate: tid as unsigned 32-bit (-1 last), pos + 1 as unsigned (-1 -> 0), forward first.
int compare_coordinate(const uint8_t* a, const uint8_t* b) {
  if (int order = compare_values(static_cast<uint32_t>(bam::ref_id(a)),
                                 static_cast<uint32_t>(bam::ref_id(b)));
      order != 0) {
    return order;
  }
  uint64_t pos_a = static_cast<uint64_t>(int64_t{bam::pos(a)} + 1);
  uint64_t pos_b = static_cast<uint64_t>(int64_t{bam::pos(b)} + 1);
  if (int order = compare_values(pos_a, pos_b); order != 0) return order;
  return compare_values(bam::flag(a) & bam::kFlagReverse, bam::flag(b) & bam::kFlagReverse);
}

// Queryname: the name (natural or byte order), then the flag key.
int compare_name(const uint8_t* a, const uint8_t* b, bool natural) {
  int order = natural ? natural_compare(bam::read_name(a), bam::read_name(b))
                      : lexicographic_compare(bam::read_name(a), bam::read_name(b));
  if (order != 0) return sign_of(order);
  return compare_values(name_flag_key(bam::flag(a)), name_flag_key(bam::flag(b)));
}

RecordCompare base_compare(OracleOrder order) {
  switch (order) {
    case OracleOrder::kCoordinate:
      return compare_coordinate;
    case OracleOrder::kQueryName:
      return [](const uint8_t* a, const uint8_t* b) { return compare_name(a, b, true); };
    case OracleOrder::kQueryNameLex:
      return [](const uint8_t* a, const uint8_t* b) { return compare_name(a, b, false); };
    case OracleOrder::kTemplateCoordinate:
      break;
  }
  throw std::logic_error("no plain record comparator for template-coordinate");
}

std::vector<size_t> stable_order(size_t count, const std::function<int(size_t, size_t)>& compare) {
  std::vector<size_t> order(count);
  for (size_t idx = 0; idx < count; ++idx) order[idx] = idx;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return compare(a, b) < 0; });
  return order;
}

std::vector<size_t> template_order(const BamRecords& records) {
  LibraryTable libraries(records.header_text);
  std::vector<TemplateFields> fields(records.size());
  for (size_t idx = 0; idx < records.size(); ++idx) {
    if (const char* problem = make_template_fields(records.record(idx), libraries, fields[idx])) {
      throw std::runtime_error("template key of record " + std::to_string(idx) + ": " + problem);
    }
  }
  return stable_order(records.size(),
                      [&](size_t a, size_t b) { return compare_template(fields[a], fields[b]); });
}

void append_cigar(std::string& text, const uint8_t* record) {
  const uint8_t* ops = record + bam::kFixedBytes + bam::read_name_bytes(record);
  uint16_t count = bam::cigar_op_count(record);
  if (count == 0) text += '*';
  for (uint16_t idx = 0; idx < count; ++idx) {
    uint32_t op = bam::load_u32(ops + 4 * idx);
    text += std::to_string(op >> 4) + "MIDNSHP=X"[std::min<uint32_t>(op & 0xf, 8)];
  }
}

void append_tag(std::string& text, const uint8_t* record, const char tag[2]) {
  const uint8_t* aux = bam::find_aux(record, tag);
  if (aux == nullptr) return;
  text += ' ';
  text.append(tag, 2);
  text += ':';
  text += bam::aux_type(aux);
  text += ':';
  if (bam::aux_is_integer(aux)) {
    text += std::to_string(bam::aux_integer(aux));
  } else if (bam::aux_is_real(aux)) {
    text += std::to_string(bam::aux_real(aux));
  } else if (bam::aux_is_string(aux)) {
    text += '"';
    text += bam::aux_string(aux);
    text += '"';
  } else if (bam::aux_type(aux) == 'A') {
    text += static_cast<char>(bam::aux_char(aux));
  } else if (bam::aux_type(aux) == 'B') {
    text += bam::aux_array_type(aux);
    text += '[';
    text += std::to_string(bam::aux_array_count(aux));
    text += ']';
  }
}

}  // namespace

BamRecordReader::BamRecordReader(const std::string& path) : path_(path) {
  file_ = bgzf_open(path.c_str(), "r");
  if (file_ == nullptr) throw std::runtime_error("cannot open " + path);
  auto read_exact = [&](void* data, size_t bytes) {
    if (bgzf_read(file_, data, bytes) != static_cast<ssize_t>(bytes)) {
      throw std::runtime_error("truncated BAM header in " + path);
    }
  };
  char magic[4];
  read_exact(magic, 4);
  if (std::memcmp(magic, "BAM\1", 4) != 0) throw std::runtime_error("not a BAM: " + path);
  int32_t text_bytes = 0;
  read_exact(&text_bytes, 4);
  header_text_.resize(static_cast<size_t>(text_bytes));
  read_exact(header_text_.data(), header_text_.size());
  // Text may be NUL-padded.
  header_text_.resize(std::strlen(header_text_.c_str()));
  int32_t reference_count = 0;
  read_exact(&reference_count, 4);
  for (int32_t ref_idx = 0; ref_idx < reference_count; ++ref_idx) {
    int32_t name_bytes = 0;
    read_exact(&name_bytes, 4);
    std::string skipped(static_cast<size_t>(name_bytes) + 4, '\0');
    read_exact(skipped.data(), skipped.size());
  }
}

BamRecordReader::~BamRecordReader() {
  if (file_ != nullptr) bgzf_close(file_);
}

bool BamRecordReader::next(std::vector<uint8_t>& record) {
  uint8_t size_bytes[4];
  ssize_t got = bgzf_read(file_, size_bytes, 4);
  if (got == 0) return false;
  if (got != 4) throw std::runtime_error("truncated record length in " + path_);
  uint32_t block_size = bam::load_u32(size_bytes);
  if (block_size < bam::kFixedBytes - 4 || block_size > kMaxRecordBytes) {
    throw std::runtime_error("bad record length in " + path_);
  }
  record.resize(size_t{block_size} + 4);
  std::memcpy(record.data(), size_bytes, 4);
  if (bgzf_read(file_, record.data() + 4, block_size) != static_cast<ssize_t>(block_size)) {
    throw std::runtime_error("truncated record in " + path_);
  }
  return true;
}

size_t BamRecords::record_bytes(size_t idx) const { return bam::record_bytes(record(idx)); }

BamRecords read_bam_records(const std::string& path) {
  BamRecordReader reader(path);
  BamRecords records;
  records.header_text = reader.header_text();
  std::vector<uint8_t> record;
  while (reader.next(record)) {
    records.offsets.push_back(records.bytes.size());
    records.bytes.insert(records.bytes.end(), record.begin(), record.end());
  }
  return records;
}

std::vector<size_t> oracle_order(const BamRecords& records, const OracleSort& sort) {
  if (sort.order == OracleOrder::kTemplateCoordinate) {
    if (*sort.tag != '\0') throw std::logic_error("template-coordinate takes no tag");
    return template_order(records);
  }
  RecordCompare secondary = base_compare(sort.order);
  if (*sort.tag == '\0') {
    return stable_order(records.size(), [&](size_t a, size_t b) {
      return secondary(records.record(a), records.record(b));
    });
  }
  // Tag first (only the first field with the tag counts), then the order above.
  const char* tag = sort.tag;
  return stable_order(records.size(), [&](size_t a, size_t b) {
    const uint8_t* record_a = records.record(a);
    const uint8_t* record_b = records.record(b);
    int order = compare_tag_values(bam::find_aux(record_a, tag), bam::find_aux(record_b, tag));
    if (order != 0) return sign_of(order);
    return secondary(record_a, record_b);
  });
}

int64_t record_id(const uint8_t* record) {
  const uint8_t* aux = bam::find_aux(record, "id");
  if (aux == nullptr || !bam::aux_is_integer(aux)) return -1;
  return bam::aux_integer(aux);
}

std::string describe_record(const uint8_t* record) {
  std::string text(bam::read_name(record));
  text += " flag=" + std::to_string(bam::flag(record));
  text += " tid=" + std::to_string(bam::ref_id(record));
  text += " pos=" + std::to_string(bam::pos(record)) + " ";
  append_cigar(text, record);
  text += " mate=" + std::to_string(bam::mate_ref_id(record)) + ":" +
          std::to_string(bam::load_i32(record + 28));
  for (const char* tag : {"id", "MC", "RG", "MI", "CB", "XT", "NM"}) append_tag(text, record, tag);
  return text;
}

}  // namespace samsort::e2e
