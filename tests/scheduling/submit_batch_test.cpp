// Batch submission ({"tasks": [...]}): each item answered on its own, keys
// idempotent within and across batches, body errors reject the whole batch.

#include "scheduling/task_book/submit_batch.hpp"
#include "test_support.hpp"

using namespace outrigger::test;

namespace {

json batch(const std::vector<json>& items) {
  json b = json::object();
  b["tasks"] = items;
  return b;
}

} // namespace

TEST_CASE_FIXTURE(book_fixture, "a batch answers every item in order") {
  submit("known");
  auto before = book->last_seq();
  auto r = submit_batch(
    *book,
    batch({body("a"), body("known"), body("b", {{"resources", {{"mem", 0}}}}),
           body("c"), body("a")}),
    at(1));
  REQUIRE(r);
  CHECK(r->created == 2);
  CHECK(r->rejected == 1);
  auto items = json::parse(r->json).at("tasks");
  REQUIRE(items.size() == 5);
  CHECK(items[0]["status"] == 201);
  CHECK(items[0]["task"]["key"] == "a");
  CHECK(items[1]["status"] == 200); // the key was known
  CHECK(items[1]["task"]["id"] == 1);
  CHECK(items[2]["status"] == 400);
  CHECK(items[2]["error"]["code"] == "invalid_argument");
  CHECK(items[2]["error"]["field"] == "tasks[2].resources.mem");
  CHECK(items[2]["error"]["message"] == "tasks[2].resources.mem: must be > 0");
  CHECK(items[3]["status"] == 201);
  // A key repeated inside the batch is the task its first item made.
  CHECK(items[4]["status"] == 200);
  CHECK(items[4]["task"]["id"] == items[0]["task"]["id"]);
  // Two new tasks, two records; all of them in one pending commit.
  CHECK(book->last_seq() == before + 2);
  CHECK(book->size() == 3);
  CHECK(book->take_notices().queued.size() == 3);
}

TEST_CASE_FIXTURE(book_fixture, "an item that is not an object says where") {
  auto r = submit_batch(*book, batch({body("a"), json{1, 2}}), at(0));
  REQUIRE(r);
  auto items = json::parse(r->json).at("tasks");
  CHECK(items[1]["status"] == 400);
  CHECK(items[1]["error"]["field"].get<std::string>().starts_with("tasks[1]"));
  CHECK(
    items[1]["error"]["message"].get<std::string>().starts_with("tasks[1]"));
}

TEST_CASE_FIXTURE(book_fixture, "a bad batch body changes nothing") {
  auto rejected = [&](const json& b, const std::string& message) {
    auto r = submit_batch(*book, b, at(0));
    REQUIRE(!r);
    CHECK(r.error().code == "invalid_argument");
    CHECK(r.error().message == message);
  };
  rejected(json{{"tasks", "a"}}, "tasks: expected an array of task specs");
  rejected(json{{"tasks", json::array()}}, "tasks: the batch is empty");
  rejected(json{{"tasks", json::array({body("a")})}, {"priority", 3}},
           "a batch has only \"tasks\"; put the other fields into each task");
  json many = json::array();
  for (int i = 0; i <= 1000; ++i)
    many.push_back(body("k" + std::to_string(i)));
  rejected(json{{"tasks", many}},
           "tasks: at most 1000 tasks per request, got 1001");
  CHECK(book->size() == 0);
  CHECK(book->last_seq() == 0);
}

TEST_CASE("only an object with \"tasks\" is the batch form") {
  CHECK(is_batch_submission(json{{"tasks", json::array()}}));
  CHECK(!is_batch_submission(body("a")));
  CHECK(!is_batch_submission(json::array()));
}
