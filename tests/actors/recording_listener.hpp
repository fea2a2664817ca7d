#pragma once
// A link listener for tests on the threaded scheduler: it writes what it
// hears into a thread-safe log that the test waits on (bounded waits for
// outcomes, never for durations).

#include "actors/messages.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace outrigger::test {

/// What a listener heard: "up:<id>[:new]", "down:<reason>",
/// "removed:<id>", "event:<TYPE>".
struct heard {
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<std::string> log;

  void add(std::string x) {
    {
      std::lock_guard guard{mtx};
      log.push_back(std::move(x));
    }
    cv.notify_all();
  }

  /// Waits for the `nth` entry starting with `prefix`; returns it, or ""
  /// after `timeout`.
  std::string
  wait(const std::string& prefix, size_t nth = 0,
       std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::unique_lock lock{mtx};
    std::string found;
    cv.wait_for(lock, timeout, [&] {
      size_t seen = 0;
      for (auto& x : log)
        if (x.rfind(prefix, 0) == 0 && seen++ == nth) {
          found = x;
          return true;
        }
      return false;
    });
    return found;
  }

  /// Entries starting with `prefix` so far.
  size_t count(const std::string& prefix) {
    std::lock_guard guard{mtx};
    size_t n = 0;
    for (auto& x : log)
      n += x.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
  }
};

/// The listener actor writing into `h`.
inline link_listener_actor::behavior_type
recording_listener(link_listener_actor::pointer, std::shared_ptr<heard> h) {
  return {
    [h](atom::event, const event_ptr& e) {
      h->add("event:" + std::string{protocol::to_string(
                          e->type.value_or(protocol::event_type::unknown))});
    },
    [h](atom::link_up, const subscription& s) {
      h->add("up:" + s.framework_id + (s.new_framework ? ":new" : ""));
    },
    [h](atom::link_down, const std::string& r) { h->add("down:" + r); },
    [h](atom::fw_removed, const framework_removed& r) {
      h->add("removed:" + r.framework_id);
    },
  };
}

} // namespace outrigger::test
