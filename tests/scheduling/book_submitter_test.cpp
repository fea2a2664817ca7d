// Who submitted a task (the API token's name): recorded with the submit,
// shown in the task's JSON, kept through the journal and snapshots, read
// from journals written before it existed, and the owner check of kill.

#include "scheduling/task_book/task_json.hpp"
#include "test_support.hpp"

using namespace outrigger::test;

TEST_CASE("the submitter survives the journal and a snapshot") {
  memory_store store;
  task_book_config cfg;
  task_book_state book{cfg, store};
  auto a = book.submit_json(body("a"), at(0), interned{"ci"});
  REQUIRE(a);
  auto b = book.submit_json(body("b"), at(1));
  REQUIRE(b);
  CHECK(a->task->submitted_by.view() == "ci");
  CHECK(task_to_json(*a->task)["submitted_by"] == "ci");
  CHECK(!task_to_json(*b->task).contains("submitted_by"));
  book.commit();
  CHECK(store.committed()[0].find("\"by\":\"ci\"") != std::string::npos);
  CHECK(store.committed()[1].find("\"by\"") == std::string::npos);
  task_book_state replayed{cfg, store};
  replayed.recover(store.recover());
  CHECK(replayed.same_content(book));
  CHECK(replayed.get(a->task->id)->submitted_by.view() == "ci");
  book.compact();
  task_book_state from_snapshot{cfg, store};
  from_snapshot.recover(store.recover());
  CHECK(from_snapshot.same_content(book));
  CHECK(from_snapshot.get(a->task->id)->submitted_by.view() == "ci");
}

TEST_CASE("a journal written before submitters were recorded still loads") {
  memory_store store;
  task_book_config cfg;
  auto rec = store.recover();
  // A submit record exactly as older versions wrote it (no "by").
  rec.records.push_back(
    R"({"op":"submit","id":1,"at":1000,"spec":{"key":"old","command":"true",)"
    R"("resources":{"cpus":1,"mem":32,"disk":0,"gpus":0,"ports":0},)"
    R"("role":"*","queue":"","priority":0}})");
  task_book_state book{cfg, store};
  book.recover(rec);
  REQUIRE(book.get(1));
  CHECK(book.get(1)->submitted_by.empty());
  CHECK(book.get(1)->spec->key == "old");
}

TEST_CASE("kill with an owner refuses another submitter's task") {
  memory_store store;
  task_book_config cfg;
  task_book_state book{cfg, store};
  auto a = book.submit_json(body("a"), at(0), interned{"ci"});
  REQUIRE(a);
  auto id = a->task->id;
  auto other = book.kill(id, at(1), std::string_view{"other"});
  REQUIRE(!other);
  CHECK(other.error().code == "permission_denied");
  CHECK(http_status_of(other.error().code) == 403);
  CHECK(!book.get(id)->kill_requested);
  CHECK(book.get(id)->phase == task_phase::queued);
  REQUIRE(book.kill(id, at(2), std::string_view{"ci"}));
  CHECK(book.get(id)->phase == task_phase::killed);
  auto b = book.submit_json(body("b"), at(3), interned{"other"});
  REQUIRE(b);
  REQUIRE(book.kill(b->task->id, at(4))); // no owner: any task (admin)
}
