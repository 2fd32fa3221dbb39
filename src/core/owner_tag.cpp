// Host-and-pid stamps for temporary names, and the liveness check that makes stale-debris
// removal safe.
#include "samsort/core/owner_tag.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <climits>

namespace samsort {
namespace {

std::string sanitized_host_name() {
  char buffer[HOST_NAME_MAX + 1] = {};
  if (gethostname(buffer, sizeof buffer - 1) != 0 || buffer[0] == '\0') return "localhost";
  std::string host;
  for (const char* p = buffer; *p != '\0' && host.size() < 64; ++p) {
    char c = *p;
    bool plain =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    host.push_back(plain ? c : '-');
  }
  return host;
}

}  // namespace

const std::string& owner_tag() {
  static const std::string tag = sanitized_host_name() + "." + std::to_string(getpid());
  return tag;
}

std::optional<ParsedOwnerTag> parse_owner_tag(std::string_view tag) {
  std::string_view::size_type dot = tag.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == tag.size()) return std::nullopt;
  long pid = 0;
  const char* first = tag.data() + dot + 1;
  const char* last = tag.data() + tag.size();
  auto [end, error] = std::from_chars(first, last, pid);
  if (error != std::errc() || end != last || pid <= 0) return std::nullopt;
  return ParsedOwnerTag{std::string(tag.substr(0, dot)), pid};
}

bool owner_is_dead_local(std::string_view tag) {
  std::optional<ParsedOwnerTag> parsed = parse_owner_tag(tag);
  if (!parsed || parsed->pid > INT_MAX) return false;
  // owner_tag() is "HOST.PID": compare the host part of ours with the tag's.
  const std::string& mine = owner_tag();
  if (parsed->host != std::string_view(mine).substr(0, mine.rfind('.'))) return false;
  if (parsed->pid == getpid()) return false;
  return kill(static_cast<pid_t>(parsed->pid), 0) != 0 && errno == ESRCH;
}

}  // namespace samsort
