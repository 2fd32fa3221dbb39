// OwnerTag: the "HOST.PID" stamp in the names of samsort's temporary paths (the output's
// temporary file, the private run directory), so that a later samsort can tell the debris of
// a killed process from the live files of a running one.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace samsort {

// This process's tag: the host name (characters outside [A-Za-z0-9-] replaced by '-', at most
// 64 of them) and the pid, joined by '.'. Computed once; thread-safe.
const std::string& owner_tag();

struct ParsedOwnerTag {
  std::string host;
  long pid = 0;
};

// Parses a tag made by owner_tag() (the last '.' splits host from pid). nullopt when `tag`
// does not have that shape.
std::optional<ParsedOwnerTag> parse_owner_tag(std::string_view tag);

// True only when `tag` names a process on this host that no longer exists (kill(pid, 0) gives
// ESRCH). A tag from another host, an unparsable tag, or a live pid (even a reused one) gives
// false: debris is removed only when it is certainly dead.
bool owner_is_dead_local(std::string_view tag);

}  // namespace samsort
