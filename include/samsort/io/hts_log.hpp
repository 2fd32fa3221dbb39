// HtsLogLevelGuard: sets htslib's global log level for one scope and restores the previous
// level when the scope ends, exceptions included. Used to mute htslib's own warnings where
// samsort reports the problem itself, in one `samsort: error:` line.
#pragma once
#include <htslib/hts_log.h>

namespace samsort {

class HtsLogLevelGuard {
 public:
  explicit HtsLogLevelGuard(enum htsLogLevel level = HTS_LOG_OFF) noexcept
      : saved_(hts_get_log_level()) {
    hts_set_log_level(level);
  }
  ~HtsLogLevelGuard() { hts_set_log_level(saved_); }
  HtsLogLevelGuard(const HtsLogLevelGuard&) = delete;
  HtsLogLevelGuard& operator=(const HtsLogLevelGuard&) = delete;

 private:
  enum htsLogLevel saved_;
};

}  // namespace samsort
