#pragma once
// Helpers shared by the scheduling tests: times, specs, status updates.

#include "memory_store.hpp"
#include "scheduling/task_book/task_book_state.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <ostream>

namespace outrigger::scheduling {
// Lets doctest print phases and effects in failure messages.
inline std::ostream& operator<<(std::ostream& os, task_phase p) {
  return os << to_string(p);
}
inline std::ostream& operator<<(std::ostream& os, status_effect e) {
  return os << to_string(e);
}
} // namespace outrigger::scheduling

namespace outrigger::test {

using namespace outrigger::scheduling;
using json = nlohmann::json;
namespace proto = outrigger::protocol;

/// A fixed wall-clock origin plus `seconds`.
inline time_point at(double seconds) {
  return time_point{
    duration{1'700'000'000'000 + static_cast<std::int64_t>(seconds * 1000)}};
}

/// A submission body with a key and a command, patched by `extra`.
inline json body(const std::string& key, const json& extra = json::object()) {
  json b = {{"key", key}, {"command", "echo " + key}};
  b.merge_patch(extra);
  return b;
}

/// A status update as an agent (or the master) sends it.
inline proto::TaskStatus update(
  std::string mesos_id, proto::task_state state,
  std::optional<proto::status_source> source = proto::status_source::executor,
  std::optional<proto::status_reason> reason = {}, std::string message = {}) {
  proto::TaskStatus s;
  s.task_id.value = std::move(mesos_id);
  s.state = state;
  s.source = source;
  s.reason = reason;
  if (!message.empty())
    s.message = std::move(message);
  s.agent_id = proto::AgentID{"agent-1"};
  if (source != proto::status_source::master)
    s.uuid = proto::Bytes{std::string(16, 'u')};
  return s;
}

/// A task book over an in-memory store, with shorthands.
struct book_fixture {
  memory_store store;
  task_book_config cfg;
  std::unique_ptr<task_book_state> book =
    std::make_unique<task_book_state>(cfg, store);

  /// Submits and returns the new task's id (fails the test on error).
  task_id submit(const std::string& key, const json& extra = json::object(),
                 double when = 0) {
    auto r = book->submit_json(body(key, extra), at(when));
    REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
    return r->task->id;
  }

  /// Launches the next attempt of a queued task on agent-1.
  void launch(task_id id, double when = 1) {
    auto t = book->get(id);
    REQUIRE(t);
    auto r = book->begin_launch(id, t->next_attempt(), interned{"agent-1"},
                                interned{"host-1"}, at(when));
    REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
  }

  /// Applies an update for the current attempt of `id`.
  status_outcome report(
    task_id id, proto::task_state state, double when = 2,
    std::optional<proto::status_reason> reason = {},
    std::optional<proto::status_source> source = proto::status_source::executor,
    std::string message = {}) {
    auto t = book->get(id);
    REQUIRE(t);
    REQUIRE(!t->attempts.empty());
    return book->apply_status(
      update(mesos_task_id(id, t->attempts.back().number), state, source,
             reason, std::move(message)),
      at(when));
  }

  task_phase phase(task_id id) {
    auto t = book->get(id);
    REQUIRE(t);
    return t->phase;
  }

  /// Recovers a second book from what the store holds durably.
  std::unique_ptr<task_book_state> recovered() {
    auto other = std::make_unique<task_book_state>(cfg, store);
    other->recover(store.recover());
    return other;
  }
};

} // namespace outrigger::test
