// The task_book actor keeps the durability contract (design.md, contract
// 7): an UPDATE is acknowledged, and a launch confirmed to the matcher,
// only after the commit that makes its change durable; a failing store
// stops the book before anything is acknowledged. The book runs on CAF's
// deterministic test coordinator (spawned not detached): run() delivers
// everything that is due, so no test waits for time to pass.

#include "actors/error.hpp"
#include "actors/task_book/task_book_actor.hpp"
#include "scheduling/store/journal.hpp"
#include "tests/actors/deterministic_fixture.hpp"
#include "tests/scheduling/memory_store.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/system_messages.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace outrigger::test {

using namespace std::chrono_literals;

namespace {

/// What happened, in order: "commit", "ack:<task>", "kill:<task>".
struct journal_of_events {
  std::vector<std::string> entries;
  void add(std::string e) { entries.push_back(std::move(e)); }
  std::size_t count(const std::string& what) const {
    return static_cast<std::size_t>(
      std::count(entries.begin(), entries.end(), what));
  }
};

/// A memory store that logs its commits, and can fail them.
class logging_store final : public store::state_store {
public:
  logging_store(std::shared_ptr<journal_of_events> log, bool fail)
    : log_(std::move(log)), fail_(fail) {}
  void append(std::string_view r) override { inner_.append(r); }
  void commit() override {
    if (fail_)
      throw store::store_error("disk on fire");
    inner_.commit();
    log_->add("commit");
  }
  void compact(std::string_view s) override { inner_.compact(s); }
  std::uint64_t log_bytes() const override { return inner_.log_bytes(); }
  std::size_t pending() const override { return inner_.pending(); }

private:
  memory_store inner_;
  std::shared_ptr<journal_of_events> log_;
  bool fail_;
};

/// Stands in for master_link: logs the calls it is asked to send.
caf::behavior fake_link(caf::event_based_actor*,
                        std::shared_ptr<journal_of_events> log) {
  return {
    [log](atom::call, const protocol::Call& c) {
      if (c.acknowledge)
        log->add("ack:" + c.acknowledge->task_id.value);
      else if (c.kill)
        log->add("kill:" + c.kill->task_id.value);
      return call_outcome{202, {}, {}};
    },
    // ACKs come encoded, a batch per commit, and are never answered.
    [log](atom::acks, const encoded_calls_ptr& calls) {
      for (auto& body : calls->bodies) {
        auto call = nlohmann::json::parse(body);
        log->add("ack:" +
                 call["acknowledge"]["task_id"]["value"].get<std::string>());
      }
    },
  };
}

event_ptr update(const std::string& task, protocol::task_state state,
                 const std::string& uuid) {
  protocol::Event ev;
  ev.type = protocol::event_type::update;
  protocol::TaskStatus st;
  st.task_id.value = task;
  st.state = state;
  st.agent_id = protocol::AgentID{"a1"};
  st.uuid = protocol::Bytes{uuid};
  st.source = protocol::status_source::executor;
  ev.update = protocol::Update{st};
  return std::make_shared<const protocol::Event>(std::move(ev));
}

struct book_fixture : deterministic_fixture {
  std::shared_ptr<journal_of_events> log =
    std::make_shared<journal_of_events>();
  task_book_actor book;

  explicit book_fixture(bool failing_store = false) {
    scheduling::book_actor_config bc;
    bc.detached = false; // on the test coordinator
    auto started = scheduling::spawn_task_book(
      sys, bc, std::make_unique<logging_store>(log, failing_store), {});
    REQUIRE(started);
    book = own(started->actor);
    auto link = own(sys.spawn(fake_link, log));
    caf::anon_send(book, atom::connect_v,
                   caf::actor_cast<master_link_actor>(link));
    run();
  }
};

} // namespace

TEST_CASE("the book acknowledges an update only after committing it") {
  book_fixture f;
  auto fail = [](caf::error& e) { FAIL(describe(e)); };
  api_reply submitted;
  auto submit = f.self->request(f.book, 10s, atom::submit_v,
                                std::string{R"({"key":"k","command":"true"})"});
  f.run();
  submit.receive([&](api_reply& r) { submitted = r; }, fail);
  CHECK(submitted.created);
  CHECK(f.log->entries == std::vector<std::string>{"commit"});
  // The matcher's launch is confirmed only once it is on disk.
  launch_request req{{{1, 1, "a1", "host1"}}};
  auto launch = f.self->request(f.book, 10s, atom::launch_v, req);
  f.run();
  launch.receive([](launch_reply& r) { CHECK(r.refused.empty()); }, fail);
  CHECK(f.log->entries.size() == 2);
  auto before = f.log->entries.size();
  caf::anon_send(f.book, atom::event_v,
                 update("or-1-1", protocol::task_state::running, "u1"));
  f.run();
  auto& entries = f.log->entries;
  auto ack = std::find(entries.begin(), entries.end(), "ack:or-1-1");
  REQUIRE(ack != entries.end());
  auto first = entries.begin() + static_cast<std::ptrdiff_t>(before);
  CHECK(std::find(first, ack, "commit") != ack); // committed first
  // A duplicate is acknowledged again (the agent re-sends until it is),
  // without a new change.
  caf::anon_send(f.book, atom::event_v,
                 update("or-1-1", protocol::task_state::running, "u1"));
  f.run();
  CHECK(f.log->count("ack:or-1-1") == 2);
}

TEST_CASE("a failing store stops the book before anything is acknowledged") {
  book_fixture f{true};
  f.self->monitor(f.book);
  caf::anon_send(f.book, atom::event_v,
                 update("or-9-1", protocol::task_state::running, "u9"));
  f.self->send(f.book, atom::submit_v,
               std::string{R"({"key":"k","command":"true"})"});
  f.run();
  std::optional<caf::error> reason;
  bool answered = false;
  for (bool more = true; more;)
    f.self->receive([&](caf::down_msg& d) { reason = d.reason; },
                    [&](api_reply&) { answered = true; },
                    caf::after(0s) >> [&] { more = false; });
  CHECK_FALSE(answered); // no answer without a durable commit
  REQUIRE(reason);
  CHECK(*reason == caf::make_error(ec::store_failed));
  for (auto& e : f.log->entries)
    CHECK(e.rfind("ack:", 0) != 0);
}

TEST_CASE("a failing store answers the waiting submit with the store error") {
  // Not left to the requester's timeout: CAF 0.17 sends nothing for a
  // promise a stopped actor drops, and the API's ask would wait 30 s and
  // hold the process's shutdown that long.
  book_fixture f{true};
  auto submit = f.self->request(f.book, 60s, atom::submit_v,
                                std::string{R"({"key":"k","command":"true"})"});
  f.run();
  std::optional<caf::error> err;
  submit.receive([](api_reply&) { FAIL("answered without a durable commit"); },
                 [&](caf::error& e) { err = e; });
  REQUIRE(err);
  CHECK(*err == caf::make_error(ec::store_failed));
}

TEST_CASE("a stopping book answers its long-polling readers") {
  book_fixture f;
  // Waits up to 60 s for a first result; none comes.
  auto poll = f.self->request(f.book, 120s, atom::results_v, std::uint64_t{0},
                              std::uint32_t{10}, caf::timespan{60s});
  f.run();
  caf::anon_send_exit(f.book, caf::exit_reason::user_shutdown);
  f.run();
  std::optional<caf::error> err;
  poll.receive([](api_reply&) { FAIL("a page without results"); },
               [&](caf::error& e) { err = e; });
  REQUIRE(err);
  CHECK(*err == caf::exit_reason::user_shutdown);
}

} // namespace outrigger::test
