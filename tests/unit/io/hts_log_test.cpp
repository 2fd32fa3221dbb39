// HtsLogLevelGuard sets htslib's log level for its scope and restores the previous level on
// scope exit, also when the scope is left by an exception, and nested guards unwind in order.
#include "samsort/io/hts_log.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace samsort {
namespace {

// Restores whatever level the test binary had, whatever happens in the test.
class HtsLogLevelGuardTest : public ::testing::Test {
 protected:
  void SetUp() override { hts_set_log_level(HTS_LOG_WARNING); }
  void TearDown() override { hts_set_log_level(saved_); }

 private:
  enum htsLogLevel saved_ = hts_get_log_level();
};

TEST_F(HtsLogLevelGuardTest, MutesForItsScopeAndRestores) {
  {
    HtsLogLevelGuard quiet;
    EXPECT_EQ(hts_get_log_level(), HTS_LOG_OFF);
  }
  EXPECT_EQ(hts_get_log_level(), HTS_LOG_WARNING);
}

TEST_F(HtsLogLevelGuardTest, NestedGuardsRestoreInOrder) {
  {
    HtsLogLevelGuard debug(HTS_LOG_DEBUG);
    {
      HtsLogLevelGuard quiet;
      EXPECT_EQ(hts_get_log_level(), HTS_LOG_OFF);
    }
    EXPECT_EQ(hts_get_log_level(), HTS_LOG_DEBUG);
  }
  EXPECT_EQ(hts_get_log_level(), HTS_LOG_WARNING);
}

TEST_F(HtsLogLevelGuardTest, RestoresWhenAnExceptionLeavesTheScope) {
  EXPECT_THROW(
      {
        HtsLogLevelGuard quiet;
        throw std::runtime_error("parse failed");
      },
      std::runtime_error);
  EXPECT_EQ(hts_get_log_level(), HTS_LOG_WARNING);
}

}  // namespace
}  // namespace samsort
