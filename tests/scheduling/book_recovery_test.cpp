// Recovery of the task book: random operation sequences are replayed from
// the durable records (and snapshots) into an identical book; what was not
// committed is gone, nothing else; a real journal survives a reopen.

#include "scheduling/store/journal.hpp"
#include "test_support.hpp"
#include "tests/support/temp_dir.hpp"

#include <random>

using namespace outrigger::test;
using outrigger::test::temp_dir;
using st = outrigger::protocol::task_state;

namespace {

// Drives a book with random operations. Choices depend only on the RNG and
// the book's content, so two identical books driven by equal RNGs stay
// identical.
struct random_driver {
  std::mt19937_64 rng;
  double clock = 0;
  int keys = 0;

  explicit random_driver(std::uint64_t seed) : rng(seed) {
    // nop
  }

  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>{0, n - 1}(rng);
  }

  // A random task id among those matching `want` (0 when none).
  template <class Pred>
  task_id pick_task(task_book_state& book, Pred want) {
    std::vector<task_id> ids;
    for (auto* t : book.list({std::nullopt, "", 0, 100000}).tasks)
      if (want(*t))
        ids.push_back(t->id);
    return ids.empty() ? 0 : ids[pick(ids.size())];
  }

  void step(task_book_state& book) {
    clock += 0.5 + static_cast<double>(pick(20));
    auto now = at(clock);
    switch (pick(12)) {
      case 0:
      case 1: { // a new task, sometimes with a retry policy
        json extra = json::object();
        if (pick(2))
          extra["retry"] = {{"max_attempts", 1 + pick(3)},
                            {"backoff_seconds", pick(30)},
                            {"on", pick(2) ? json::array({"FAILED", "LOST"})
                                           : json::array({"GONE"})}};
        if (pick(3) == 0)
          extra["environment"] = {{"X", std::to_string(pick(9))}};
        book.submit_json(body("key-" + std::to_string(keys++), extra), now);
        break;
      }
      case 2: // an existing key again
        if (keys > 0)
          book.submit_json(body("key-" + std::to_string(pick(keys))), now);
        break;
      case 3:
        if (auto id = pick_task(book, [](auto&) { return true; }))
          book.kill(id, now);
        break;
      case 4:
      case 5:
        if (auto id = pick_task(book, [](const task_record& t) {
              return t.phase == task_phase::queued && !t.kill_requested;
            })) {
          auto agent = "agent-" + std::to_string(pick(4));
          book.begin_launch(id, book.get(id)->next_attempt(), interned{agent},
                            interned{"host-" + agent}, now);
        }
        break;
      case 6:
      case 7:
      case 8:
      case 9: {
        auto id = pick_task(
          book, [](const task_record& t) { return !t.attempts.empty(); });
        if (!id)
          break;
        static const st states[] = {
          st::staging,  st::starting, st::running, st::killing, st::unreachable,
          st::finished, st::failed,   st::killed,  st::lost,    st::dropped,
          st::gone,     st::unknown,  st::error};
        auto attempts = book.get(id)->attempts.size();
        auto number = pick(4) == 0 ? 1 + pick(attempts) : attempts;
        auto s = update(
          mesos_task_id(id, static_cast<std::uint32_t>(number)),
          states[pick(std::size(states))],
          pick(3) == 0 ? proto::status_source::master
                       : proto::status_source::executor,
          pick(4) == 0 ? std::optional{proto::status_reason::invalid_offers}
                       : std::nullopt,
          pick(2) ? "Command exited with status " + std::to_string(pick(3))
                  : std::string{});
        book.apply_status(s, now);
        break;
      }
      case 10:
        book.set_framework_id("fw-" + std::to_string(pick(3)));
        break;
      default:
        if (pick(8) == 0)
          book.framework_removed(now, "Framework has been removed");
        break;
    }
  }
};

} // namespace

TEST_CASE("random histories recover into an identical book") {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    CAPTURE(seed);
    memory_store store;
    task_book_config cfg;
    cfg.max_terminal_tasks = 40; // exercise retention during replay
    cfg.max_results = 25;
    task_book_state live{cfg, store};
    random_driver drive{seed};
    std::string durable_snapshot = live.snapshot();
    for (int i = 0; i < 600; ++i) {
      drive.step(live);
      if (drive.pick(10) == 0) {
        live.commit();
        durable_snapshot = live.snapshot();
      }
      if (drive.pick(150) == 0) {
        live.compact();
        durable_snapshot = live.snapshot();
      }
    }
    // A crash now loses exactly what was not committed.
    {
      task_book_state crashed{cfg, store};
      crashed.recover(store.recover());
      CHECK(crashed.snapshot() == durable_snapshot);
    }
    live.commit();
    task_book_state back{cfg, store};
    auto report = back.recover(store.recover());
    CHECK(report.tasks == live.size());
    REQUIRE(back.same_content(live));
    CHECK(back.snapshot() == live.snapshot());
    // Both continue identically (ids, cursors, retention all recovered).
    random_driver a{seed * 1000}, b{seed * 1000};
    a.keys = b.keys = drive.keys;
    a.clock = b.clock = drive.clock;
    for (int i = 0; i < 200; ++i) {
      a.step(live);
      b.step(back);
    }
    CHECK(back.same_content(live));
  }
}

TEST_CASE("a snapshot alone restores the book") {
  book_fixture f;
  auto a = f.submit(
    "a", {{"constraints", json::array({json::array({"hostname", "UNIQUE"})})}});
  f.launch(a);
  f.report(a, st::running);
  f.book->kill(a, at(3));
  f.submit("b");
  f.book->set_framework_id("fw-9");
  f.book->compact();
  CHECK(f.store.committed().empty());
  auto back = f.recovered();
  CHECK(back->same_content(*f.book));
  CHECK(back->framework_id() == "fw-9");
  // What fresh actors need after the restart.
  auto n = back->recovery_notices();
  REQUIRE(n.queued.size() == 1);
  CHECK(n.queued[0].id == 2);
  REQUIRE(n.kills.size() == 1);
  CHECK(n.kills[0].ref == attempt_ref{a, 1});
  CHECK(back->take_notices().empty());
}

TEST_CASE("compaction happens once the log outgrows the threshold") {
  book_fixture f;
  f.cfg.compact_min_bytes = 2000;
  f.book = std::make_unique<task_book_state>(f.cfg, f.store);
  int compactions = 0;
  for (int i = 0; i < 100; ++i) {
    f.submit("k" + std::to_string(i));
    f.book->commit();
    compactions += f.book->compact_if_needed();
  }
  CHECK(compactions > 0);
  CHECK(f.store.compactions() == std::size_t(compactions));
  CHECK(f.book->durable_seq() == f.book->last_seq());
  CHECK(f.recovered()->same_content(*f.book));
}

TEST_CASE("a corrupt record stops recovery with its position") {
  memory_store store;
  task_book_config cfg;
  task_book_state book{cfg, store};
  book.submit_json(body("a"), at(0));
  book.commit();
  auto rec = store.recover();
  rec.records.push_back("{\"op\":\"status\",\"id\":1}");
  task_book_state back{cfg, store};
  CHECK_THROWS_WITH_AS(back.recover(rec),
                       doctest::Contains("task book record 1"), book_error);
}

// Found by journal_fuzz: a float where the snapshot has an integer
// (1.8e20 as a time) was converted by nlohmann's get<int64_t>, which is
// undefined behaviour out of range; now it is a book_error naming the line.
TEST_CASE("a snapshot with a float for an integer is refused with its line") {
  memory_store store;
  task_book_config cfg;
  task_book_state book{cfg, store};
  book.submit_json(body("a"), at(0));
  book.commit();
  auto text = book.snapshot();
  for (auto [from, to] : {std::pair{"\"next_id\":2", "\"next_id\":1e300"},
                          std::pair{"\"sub\":", "\"sub\":1.79654e+20,\"x\":"},
                          std::pair{"\"id\":1,", "\"id\":-1.5,"}}) {
    auto bad = text;
    auto pos = bad.find(from);
    REQUIRE_MESSAGE(pos != std::string::npos, from);
    bad.replace(pos, std::string_view{from}.size(), to);
    outrigger::store::recovered_state rec;
    rec.snapshot = bad;
    task_book_state back{cfg, store};
    CHECK_THROWS_WITH_AS(back.recover(rec),
                         doctest::Contains("expected an integer"), book_error);
  }
}

TEST_CASE("the book survives a reopen of a real journal") {
  temp_dir dir{"book-journal"};
  task_book_config cfg;
  std::string before;
  {
    outrigger::store::recovered_state rec;
    auto journal = outrigger::store::journal::open(dir.path(), rec);
    task_book_state book{cfg, *journal};
    book.recover(rec);
    book.set_framework_id("fw-1");
    for (int i = 0; i < 20; ++i)
      book.submit_json(body("k" + std::to_string(i)), at(i));
    book.begin_launch(3, 1, interned{"agent-7"}, interned{"h7"}, at(30));
    book.commit();
    book.compact();
    book.apply_status(update("or-3-1", st::running), at(31));
    book.kill(5, at(32));
    book.commit();
    book.submit_json(body("not-committed"), at(33)); // lost in the "crash"
    before = book.snapshot();
  }
  outrigger::store::recovered_state rec;
  auto journal = outrigger::store::journal::open(dir.path(), rec);
  task_book_state back{cfg, *journal};
  auto report = back.recover(rec);
  CHECK(report.snapshot);
  CHECK(report.records == 2); // status and kill after the snapshot
  CHECK(back.framework_id() == "fw-1");
  CHECK(back.size() == 20);
  CHECK(back.get(3)->phase == task_phase::running);
  CHECK(back.get(5)->phase == task_phase::killed);
  CHECK(back.find_key("not-committed") == nullptr);
  CHECK(back.snapshot() != before);
}
