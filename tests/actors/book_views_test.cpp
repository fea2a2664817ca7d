// The task_book actor's answers as plain functions of the book: pages of
// tasks and results, the framework document, gauges.

#include "actors/task_book/book_views.hpp"
#include "tests/scheduling/test_support.hpp"

namespace outrigger::test {

TEST_CASE("task pages filter by state and check their parameters") {
  book_fixture f;
  f.submit("a");
  f.submit("b");
  f.launch(2);
  auto all = json::parse(list_reply(*f.book, {"", "", 0, 10}, 100).json);
  CHECK(all["tasks"].size() == 2);
  CHECK(all["next"].is_null());
  auto queued =
    json::parse(list_reply(*f.book, {"QUEUED", "", 0, 10}, 100).json);
  REQUIRE(queued["tasks"].size() == 1);
  CHECK(queued["tasks"][0]["key"] == "a");
  auto paged = json::parse(list_reply(*f.book, {"", "", 0, 1}, 100).json);
  CHECK(paged["next"] == 1);
  auto bad = list_reply(*f.book, {"SLEEPING", "", 0, 10}, 100);
  CHECK(bad.code == "invalid_argument");
  CHECK(bad.field == "state");
  CHECK(list_reply(*f.book, {"", "", 0, 0}, 100).field == "limit");
  CHECK(list_reply(*f.book, {"", "", 0, 101}, 100).message ==
        "limit: must be 1..100");
}

TEST_CASE("results with their counts and the framework document") {
  book_fixture f;
  f.submit("a");
  f.submit("b");
  f.launch(1);
  f.report(1, proto::task_state::finished);
  CHECK(oldest_queued_seconds(*f.book, at(30)) == doctest::Approx(30));
  auto page = json::parse(results_reply(f.book->read_results(0, 10)).json);
  REQUIRE(page["results"].size() == 1);
  CHECK(page["results"][0]["state"] == "FINISHED");
  CHECK(page["next"] == 1);
  std::map<std::pair<std::string, std::string>, std::uint64_t> counts;
  CHECK(count_results(*f.book, 0, counts) == 1);
  CHECK(counts[{"FINISHED", "NONE"}] == 1);
  CHECK(count_results(*f.book, 1, counts) == 1); // nothing new
  CHECK(counts.size() == 1);
  auto fw = json::parse(framework_reply(*f.book, true).json);
  CHECK(fw["tasks"]["FINISHED"] == 1);
  CHECK(fw["tasks"]["QUEUED"] == 1);
  CHECK(fw["results_cursor"] == 1);
  CHECK(fw["reconciling"] == true);
  CHECK(tasks_by_state(*f.book).size() == 14);
}

} // namespace outrigger::test
