// The order oracle's input side (see oracle.hpp): raw BAM records read with htslib's BGZF
// layer, and their descriptions for failure messages. The order itself is reference_order.cpp's.
#include "oracle.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "samsort/bam/bam_aux.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/core/byte_order.hpp"

namespace samsort::e2e {
namespace {

constexpr size_t kMaxRecordBytes = size_t{1} << 30;

void append_cigar(std::string& text, const uint8_t* record) {
  const uint8_t* ops = record + bam::kFixedBytes + bam::read_name_bytes(record);
  uint16_t count = bam::cigar_op_count(record);
  if (count == 0) text += '*';
  for (uint16_t idx = 0; idx < count; ++idx) {
    uint32_t op = load_le32(ops + 4 * idx);
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
  uint32_t block_size = load_le32(size_bytes);
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
          std::to_string(load_le<std::int32_t>(record + 28));
  for (const char* tag : {"id", "MC", "RG", "MI", "CB", "XT", "NM"}) append_tag(text, record, tag);
  return text;
}

}  // namespace samsort::e2e
