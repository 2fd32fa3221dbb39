// run_team: runs fn(member_idx, team_size, barrier) on up to `threads` threads, the caller
// being member 0, and returns when all members finish. If the system refuses to start a
// thread the team simply runs smaller, so callers must split work by team_size.
//
// fn must not throw, and must say so (a noexcept lambda): an exception would leave the other
// members waiting at the barrier for a member that never arrives (and escaping a helper
// thread calls std::terminate anyway). A caller with work that can fail records the failure
// in its own state and reports it after run_team returns. The requires-clause enforces it.
#pragma once
#include <barrier>
#include <cstddef>
#include <latch>
#include <memory>
#include <system_error>
#include <thread>
#include <type_traits>
#include <vector>

namespace samsort {

template <class Fn>
requires std::is_nothrow_invocable_v < Fn&, std::size_t, std::size_t, std::barrier<>
& > void run_team(std::size_t threads, Fn&& fn) {
  if (threads <= 1) {
    std::barrier<> solo(1);
    fn(std::size_t{0}, std::size_t{1}, solo);
    return;
  }
  std::latch started(1);
  std::unique_ptr<std::barrier<>> barrier;
  std::size_t team_size = 1;
  std::vector<std::jthread> helpers;
  helpers.reserve(threads - 1);
  for (std::size_t member = 1; member < threads; ++member) {
    try {
      helpers.emplace_back([&, member] {
        started.wait();
        if (member < team_size) fn(member, team_size, *barrier);
      });
    } catch (const std::system_error&) {
      break;
    }
  }
  team_size = helpers.size() + 1;
  barrier = std::make_unique<std::barrier<>>(static_cast<std::ptrdiff_t>(team_size));
  started.count_down();
  fn(std::size_t{0}, team_size, *barrier);
  helpers.clear();  // joins
}

}  // namespace samsort
