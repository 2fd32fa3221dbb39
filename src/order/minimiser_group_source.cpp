// Pass 2's grouped reader: one name group at a time from pass 1's temporary BAM.
#include "samsort/order/minimiser_group_source.hpp"

#include <cstring>
#include <string>

#include "samsort/bam/bam_record.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/order/name_key.hpp"

namespace samsort {

MinimiserGroupSource::MinimiserGroupSource(std::unique_ptr<RecordSource> inner,
                                           MemoryBudget& budget, std::size_t buffer_bytes,
                                           GroupKeyRule rule)
    : inner_(std::move(inner)), buffer_(budget, buffer_bytes, "name group buffer"), rule_(rule) {
  path_ = inner_->path();
  header_.emplace(std::move(inner_->header()));
}

std::uint8_t* MinimiserGroupSource::read_inner(std::size_t at) {
  std::size_t bytes = inner_->next_record_bytes();
  if (bytes == 0) return nullptr;
  if (at + bytes > buffer_.size()) {
    throw ResourceError(
        "--minimiser-group-names: the records of one read name do not fit the group buffer of " +
        std::to_string(buffer_.size() >> 20) + " MiB (raise --max-memory)");
  }
  inner_->read_record(buffer_.data() + at);
  return buffer_.data() + at;
}

bool MinimiserGroupSource::fill_group() {
  std::uint8_t* data = buffer_.data();
  std::size_t first_bytes = lookahead_bytes_;
  if (first_bytes != 0) {
    std::memmove(data, data + group_end_, first_bytes);
  } else if (group_end_ == 0 && serve_at_ == 0) {  // the very first group
    if (read_inner(0) == nullptr) return false;
    first_bytes = bam::record_bytes(data);
  } else {
    return false;  // the last group was served and no record followed it
  }
  group_end_ = first_bytes;
  serve_at_ = 0;
  lookahead_bytes_ = 0;
  while (std::uint8_t* next = read_inner(group_end_)) {
    int order = lexicographic_compare(bam::read_name(data), bam::read_name(next));
    if (order == 0) {
      group_end_ += bam::record_bytes(next);
      continue;
    }
    if (order > 0) throw Error("internal error: the grouping pass's names are out of order");
    lookahead_bytes_ = bam::record_bytes(next);
    break;
  }
  // The group's records lie back to back in [0, group_end_): no list of them is kept.
  MinimiserKey group{0, 0, false};
  for (std::size_t at = 0; at < group_end_; at += bam::record_bytes(data + at)) {
    group = group_key_step(group, data + at, at == 0, rule_);
  }
  for (std::size_t at = 0; at < group_end_; at += bam::record_bytes(data + at)) {
    store_minimiser_key(data + at, group);
  }
  return true;
}

std::size_t MinimiserGroupSource::next_record_bytes() {
  if (serve_at_ == group_end_ && !fill_group()) return 0;
  return bam::record_bytes(buffer_.data() + serve_at_);
}

void MinimiserGroupSource::read_record(std::uint8_t* out) {
  std::size_t bytes = bam::record_bytes(buffer_.data() + serve_at_);
  std::memcpy(out, buffer_.data() + serve_at_, bytes);
  serve_at_ += bytes;
}

}  // namespace samsort
