// Task book queries: listing by phase, key and cursor; retention of
// terminal tasks and results; the key index.

#include "scheduling/task_book/key_index.hpp"
#include "test_support.hpp"

#include <map>

using namespace outrigger::test;

TEST_CASE_FIXTURE(book_fixture, "tasks are listed by phase and key from a "
                                "cursor") {
  for (int i = 0; i < 10; ++i)
    submit((i % 2 ? "odd-" : "even-") + std::to_string(i));
  launch(2);
  launch(4);
  auto page = book->list({std::nullopt, "", 0, 4});
  REQUIRE(page.tasks.size() == 4);
  CHECK(page.tasks[0]->id == 1);
  CHECK(page.next == 4);
  page = book->list({std::nullopt, "", page.next, 100});
  CHECK(page.tasks.size() == 6);
  CHECK(page.next == 0);
  auto odd = book->list({std::nullopt, "odd-", 0, 100});
  CHECK(odd.tasks.size() == 5);
  auto launching = book->list({task_phase::launching, "", 0, 100});
  REQUIRE(launching.tasks.size() == 2);
  CHECK(launching.tasks[1]->id == 4);
  CHECK(book->phase_counts()[size_t(task_phase::launching)] == 2);
  CHECK(book->phase_counts()[size_t(task_phase::queued)] == 8);
  CHECK(book->find_key("odd-3")->id == 4);
  CHECK(book->find_key("nope") == nullptr);
}

TEST_CASE_FIXTURE(book_fixture, "tasks are listed by queue and role") {
  submit("a", {{"queue", "etl"}});
  submit("b", {{"queue", "etl"}, {"priority", 3}});
  submit("c");
  auto etl = book->list({std::nullopt, "", 0, 100, "etl", ""});
  REQUIRE(etl.tasks.size() == 2);
  CHECK(etl.tasks[1]->spec->key == "b");
  auto plain = book->list({std::nullopt, "", 0, 100, "default", ""});
  REQUIRE(plain.tasks.size() == 1);
  CHECK(plain.tasks[0]->spec->key == "c");
  CHECK(book->list({std::nullopt, "", 0, 100, "", "*"}).tasks.size() == 3);
  CHECK(book->list({std::nullopt, "", 0, 100, "", "ml"}).tasks.empty());
  auto page = book->list({std::nullopt, "", 0, 1, "etl", "*"});
  CHECK(page.tasks.size() == 1);
  CHECK(page.next == 1);
}

TEST_CASE_FIXTURE(book_fixture, "retention forgets the oldest terminal tasks "
                                "and results") {
  cfg.max_terminal_tasks = 2;
  cfg.max_results = 2;
  book = std::make_unique<task_book_state>(cfg, store);
  for (int i = 0; i < 4; ++i) {
    auto id = submit("k" + std::to_string(i));
    book->kill(id, at(i));
  }
  CHECK(book->size() == 2);
  CHECK(book->get(1) == nullptr);
  CHECK(book->find_key("k0") == nullptr);
  CHECK(book->get(4) != nullptr);
  auto page = book->read_results(0, 10);
  CHECK(page.truncated);
  REQUIRE(page.results.size() == 2);
  CHECK(page.results[0]->cursor == 3);
  CHECK(!book->read_results(2, 10).truncated);
  CHECK(book->last_result_cursor() == 4);
  // A forgotten key may be submitted again: it is a new task.
  auto again = book->submit_json(body("k0"), at(9));
  REQUIRE(again);
  CHECK(again->created);
  CHECK(again->task->id == 5);
}

TEST_CASE("the key index survives hash collisions") {
  struct all_collide {
    std::uint64_t operator()(std::string_view) const noexcept { return 7; }
  };
  std::map<task_id, std::string> keys = {{1, "a"}, {2, "b"}, {3, "c"}};
  auto key_of = [&](task_id id) { return std::string_view{keys.at(id)}; };
  basic_key_index<all_collide> index;
  for (auto& [id, key] : keys)
    index.insert(key, id, key_of);
  CHECK(index.size() == 3);
  CHECK(index.find("a", key_of) == task_id{1});
  CHECK(index.find("b", key_of) == task_id{2});
  CHECK(index.find("c", key_of) == task_id{3});
  CHECK(!index.find("d", key_of));
  index.erase("a", 1, key_of); // the one in the table: a collision moves in
  CHECK(!index.find("a", key_of));
  CHECK(index.find("b", key_of) == task_id{2});
  CHECK(index.find("c", key_of) == task_id{3});
  index.erase("c", 3, key_of);
  CHECK(index.find("b", key_of) == task_id{2});
  CHECK(index.size() == 1);
}
