// OwnerTag: the tag round-trips, and only a dead process on this host counts as dead.
#include "samsort/core/owner_tag.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace samsort {
namespace {

std::string host_part() { return owner_tag().substr(0, owner_tag().rfind('.')); }

TEST(OwnerTagTest, TagIsHostDotPid) {
  std::optional<ParsedOwnerTag> parsed = parse_owner_tag(owner_tag());
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->pid, getpid());
  EXPECT_FALSE(parsed->host.empty());
  EXPECT_EQ(parsed->host.find('.'), std::string::npos);
  EXPECT_EQ(parsed->host.find('/'), std::string::npos);
}

TEST(OwnerTagTest, MalformedTagsDoNotParse) {
  for (const char* bad : {"", "host", "host.", ".12", "host.12x", "host.-3", "host.0"}) {
    EXPECT_FALSE(parse_owner_tag(bad).has_value()) << bad;
    EXPECT_FALSE(owner_is_dead_local(bad)) << bad;
  }
}

TEST(OwnerTagTest, OnlyAnExitedProcessOnThisHostIsDead) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  std::string dead = host_part() + "." + std::to_string(child);
  EXPECT_TRUE(owner_is_dead_local(dead));
  EXPECT_FALSE(owner_is_dead_local(owner_tag()));                              // this process
  EXPECT_FALSE(owner_is_dead_local(host_part() + ".1"));                       // init: alive
  EXPECT_FALSE(owner_is_dead_local("another-host." + std::to_string(child)));  // not ours to judge
}

}  // namespace
}  // namespace samsort
