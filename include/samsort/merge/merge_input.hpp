// One input of `samsort merge`: its records as a RecordStream for the loser tree, translated
// into the merged header's terms as samtools merge translates them (bam_translate, then -r),
// each checked to come at or after the previous one in the merge order: an unsorted input
// ends the merge in one line naming the file and the record, before anything is committed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "samsort/bam/bam_record.hpp"
#include "samsort/bam/record_checksum.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/io/record_source.hpp"
#include "samsort/io/record_stream.hpp"
#include "samsort/merge/header_merge.hpp"
#include "samsort/order/order_policy.hpp"

namespace samsort {

// Rewrites raw records of one input: tid and mtid through tid_map; RG:Z and PG:Z through their
// ID maps (the field deleted and the new one appended at the end, as bam_aux_del +
// bam_aux_append do; an ID the header does not know is dropped with one warning per ID); with
// -r the RG:Z of the file appended last. A wide record's 64-bit field stays last.
class RecordTranslator {
 public:
  using Warn = std::function<void(const std::string&)>;
  RecordTranslator(const InputTranslation& translation, std::string path, Warn warn);

  // Bytes the translation of a record of `bytes` bytes may take at most.
  std::size_t max_translated_bytes(std::size_t bytes) const noexcept {
    return bytes + extra_bytes_;
  }
  // Writes the translation of `record` to `out` (max_translated_bytes() room); returns its
  // size. Throws FormatError for a reference id outside the input's header.
  std::size_t translate(const std::uint8_t* record, std::uint8_t* out, std::uint64_t number);

 private:
  // Looked up by string_view: no allocation per record.
  using Lookup = std::map<std::string, std::string, std::less<>>;

  // The output ID of `value` in `map`; nullptr (with a warning the first time) when unknown.
  const std::string* mapped(const Lookup& map, std::string_view value, const char* tag,
                            const std::uint8_t* record);

  const InputTranslation& translation_;
  Lookup read_groups_;
  Lookup programs_;
  std::string path_;
  Warn warn_;
  std::size_t extra_bytes_;
  std::set<std::string, std::less<>> warned_;
};

template <MergeOrder Order>
class MergeInput final : public RecordStream {
 public:
  MergeInput(std::unique_ptr<RecordSource> source, const InputTranslation& translation,
             const Order& order, const char* order_label, MemoryBudget& budget,
             RecordTranslator::Warn warn)
      : source_(std::move(source)),
        translator_(translation, source_->path(), std::move(warn)),
        order_(order),
        order_label_(order_label),
        budget_(budget) {}

  const std::uint8_t* next() override {
    std::size_t bytes = source_->next_record_bytes();
    if (bytes == 0) return nullptr;
    ensure_room(raw_, raw_reservation_, bytes);
    source_->read_record(raw_.data());
    std::vector<std::uint8_t>& slot = slots_[current_ ^= 1];
    ensure_room(slot, slot_reservations_[current_], translator_.max_translated_bytes(bytes));
    ++records_;
    std::size_t translated = translator_.translate(raw_.data(), slot.data(), records_);
    checksum_.add(slot.data(), translated);
    typename Order::MergeKey key = order_.merge_key(slot.data());
    if (previous_key_ && order_.merge_less(key, *previous_key_)) {
      throw FormatError(source_->path(),
                        std::string("not sorted in ") + order_label_ + " order: record " +
                            std::to_string(records_) + " (" + bam::read_name(slot.data()) +
                            ") comes before the record above it",
                        source_->record_offset(), records_ - 1);
    }
    previous_key_ = key;  // its record stays in the other slot until the next call
    return slot.data();
  }

  std::uint64_t records() const noexcept { return records_; }
  const RecordChecksum& checksum() const noexcept { return checksum_; }
  RecordSource& source() noexcept { return *source_; }

 private:
  void ensure_room(std::vector<std::uint8_t>& buffer, Reservation& reservation, std::size_t bytes) {
    if (buffer.size() >= bytes) return;
    std::size_t grown = std::max(bytes, buffer.size() * 2);
    Reservation more = budget_.reserve(grown, "merge input record buffer");
    buffer = std::vector<std::uint8_t>();
    reservation = std::move(more);
    buffer.resize(grown);
  }

  std::unique_ptr<RecordSource> source_;
  RecordTranslator translator_;
  const Order& order_;
  const char* order_label_;
  MemoryBudget& budget_;
  std::vector<std::uint8_t> raw_;
  Reservation raw_reservation_;
  std::vector<std::uint8_t> slots_[2];
  Reservation slot_reservations_[2];
  unsigned current_ = 0;
  std::uint64_t records_ = 0;
  std::optional<typename Order::MergeKey> previous_key_;
  RecordChecksum checksum_;
};

}  // namespace samsort
