// A RecordSink that keeps every record written, for merge tests.
#pragma once
#include <cstdint>
#include <vector>

#include "samsort/io/record_sink.hpp"

namespace samsort::test {

class CollectingSink final : public RecordSink {
 public:
  void write(const std::uint8_t* record, std::uint32_t bytes) override {
    records.emplace_back(record, record + bytes);
  }
  std::uint64_t finish() override { return 0; }
  void commit_companions() override {}
  std::vector<std::vector<std::uint8_t>> records;
};

}  // namespace samsort::test
