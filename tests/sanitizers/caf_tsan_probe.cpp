// Whether ThreadSanitizer can check actors: it cannot see the order CAF's
// lock-free mailboxes give between a send and its receipt unless libcaf
// itself is instrumented, and Debian's is not. This program only sends
// requests to one actor and waits for each answer, which is race-free; TSan
// reports the actor's reads of each message as races with the sender's
// writes when libcaf is not instrumented.
//
// Against the ThreadSanitizer copy of scripts/caf-tsan (what
// scripts/test --sanitize thread builds against): no report, exit 0.
//   cmake --build build-thread --target caf_tsan_probe
//   build-thread/tests/sanitizers/caf_tsan_probe
// Against Debian's libcaf: 26 reports (2026-12-06), exit 66.
//   g++ -std=c++20 -O1 -g -fsanitize=thread \
//     tests/sanitizers/caf_tsan_probe.cpp -lcaf_core -o /tmp/probe
//   TSAN_OPTIONS=halt_on_error=0 /tmp/probe

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include <iostream>
#include <numeric>
#include <vector>

namespace {

caf::behavior summer(caf::event_based_actor*) {
  return {[](const std::vector<int>& xs) {
    return std::accumulate(xs.begin(), xs.end(), 0L);
  }};
}

} // namespace

int main() {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto a = sys.spawn(summer);
  caf::scoped_actor self{sys};
  long total = 0;
  for (int round = 0; round < 50; ++round) {
    std::vector<int> xs(1000, round);
    self->request(a, caf::infinite, xs)
      .receive([&](long sum) { total += sum; },
               [](caf::error&) { std::exit(2); });
  }
  std::cout << "sum " << total << " (expected 1225000)\n";
  return total == 1225000 ? 0 : 1;
}
