// The task_book actor keeps the durability contract (design.md, contract
// 7): an UPDATE is acknowledged, and a launch confirmed to the matcher,
// only after the commit that makes its change durable; a failing store
// stops the book before anything is acknowledged.

#include "actors/error.hpp"
#include "actors/task_book/task_book_actor.hpp"
#include "scheduling/store/journal.hpp"
#include "tests/scheduling/memory_store.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/system_messages.hpp>

#include <doctest/doctest.h>

#include <mutex>
#include <thread>

namespace outrigger::test {

using namespace std::chrono_literals;

namespace {

/// What happened, in order: "commit", "ack:<task>", "kill:<task>".
struct journal_of_events {
  std::mutex mtx;
  std::vector<std::string> entries;
  void add(std::string e) {
    std::lock_guard guard{mtx};
    entries.push_back(std::move(e));
  }
  std::vector<std::string> snapshot() {
    std::lock_guard guard{mtx};
    return entries;
  }
  /// Waits until an entry equals `what`; its index.
  std::optional<std::size_t> wait_for(const std::string& what) {
    for (int i = 0; i < 500; ++i) {
      auto s = snapshot();
      for (std::size_t j = 0; j < s.size(); ++j)
        if (s[j] == what)
          return j;
      std::this_thread::sleep_for(10ms);
    }
    return std::nullopt;
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

struct book_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::shared_ptr<journal_of_events> log =
    std::make_shared<journal_of_events>();
  task_book_actor book;

  explicit book_fixture(bool failing_store = false) {
    add_error_category(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    auto started = scheduling::spawn_task_book(
      *sys, {}, std::make_unique<logging_store>(log, failing_store), {});
    REQUIRE(started);
    book = started->actor;
    auto link = sys->spawn(fake_link, log);
    caf::anon_send(book, atom::connect_v,
                   caf::actor_cast<master_link_actor>(link));
  }
  ~book_fixture() {
    caf::anon_send_exit(book, caf::exit_reason::user_shutdown);
  }
};

} // namespace

TEST_CASE("the book acknowledges an update only after committing it") {
  book_fixture f;
  caf::scoped_actor self{*f.sys};
  api_reply submitted;
  self
    ->request(f.book, 10s, atom::submit_v,
              std::string{R"({"key":"k","command":"true"})"})
    .receive([&](api_reply& r) { submitted = r; },
             [](caf::error& e) { FAIL(describe(e)); });
  CHECK(submitted.created);
  CHECK(f.log->snapshot() == std::vector<std::string>{"commit"});
  // The matcher's launch is confirmed only once it is on disk.
  launch_request req{{{1, 1, "a1", "host1"}}};
  self->request(f.book, 10s, atom::launch_v, req)
    .receive([](launch_reply& r) { CHECK(r.refused.empty()); },
             [](caf::error& e) { FAIL(describe(e)); });
  CHECK(f.log->snapshot().size() == 2);
  auto before = f.log->snapshot().size();
  caf::anon_send(f.book, atom::event_v,
                 update("or-1-1", protocol::task_state::running, "u1"));
  auto ack = f.log->wait_for("ack:or-1-1");
  REQUIRE(ack);
  auto entries = f.log->snapshot();
  bool committed_first = false;
  for (auto i = before; i < *ack; ++i)
    committed_first |= entries[i] == "commit";
  CHECK(committed_first);
  // A duplicate is acknowledged again (the agent re-sends until it is),
  // without a new change.
  caf::anon_send(f.book, atom::event_v,
                 update("or-1-1", protocol::task_state::running, "u1"));
  for (int i = 0; i < 500; ++i) {
    auto s = f.log->snapshot();
    if (std::count(s.begin(), s.end(), "ack:or-1-1") == 2)
      break;
    std::this_thread::sleep_for(10ms);
  }
  auto s = f.log->snapshot();
  CHECK(std::count(s.begin(), s.end(), "ack:or-1-1") == 2);
}

TEST_CASE("a failing store stops the book before anything is acknowledged") {
  book_fixture f{true};
  caf::scoped_actor self{*f.sys};
  self->monitor(f.book);
  caf::anon_send(f.book, atom::event_v,
                 update("or-9-1", protocol::task_state::running, "u9"));
  self
    ->request(f.book, 2s, atom::submit_v,
              std::string{R"({"key":"k","command":"true"})"})
    .receive([](api_reply&) { FAIL("answered without a durable commit"); },
             [](caf::error&) {});
  std::optional<caf::error> reason;
  self->receive([&](caf::down_msg& d) { reason = d.reason; },
                caf::after(10s) >> [] {});
  REQUIRE(reason);
  CHECK(*reason == caf::make_error(ec::store_failed));
  for (auto& e : f.log->snapshot())
    CHECK(e.rfind("ack:", 0) != 0);
}

} // namespace outrigger::test
