// The string pool behind roles, queues, users and agent ids: one copy per
// string, counted handles, and no growth from values nobody holds any more
// (submitters that invent a queue per task, rejected submissions).

#include "test_support.hpp"

#include <thread>
#include <vector>

using namespace outrigger::test;

TEST_CASE("interned: one copy per string, freed with its last handle") {
  auto base = interned_held();
  {
    interned a{"pool-test-a"};
    interned b{std::string{"pool-test-a"}};
    CHECK(a == b);
    CHECK(interned_held() == base + 1);
    interned c = a;
    interned d = std::move(b);
    CHECK(b.empty()); // NOLINT(bugprone-use-after-move): moved-from is empty
    CHECK(c == d);
    a = interned{"pool-test-other"};
    CHECK(interned_held() == base + 2);
    c = interned{};
    d = interned{};
    // "pool-test-a" has no handle left.
    CHECK(interned_held() == base + 1);
    CHECK(a.view() == "pool-test-other");
  }
  CHECK(interned_held() == base);
  CHECK(interned{}.empty());
  CHECK(interned{""} == interned{});
}

TEST_CASE("interned: the pool stays bounded by the strings held") {
  auto held = interned_held();
  for (int i = 0; i < 50'000; ++i) {
    interned transient{"pool-test-run-" + std::to_string(i)};
    // Never more than twice what is held, plus the sweep's constant.
    REQUIRE(interned_pool_size() <= 2 * (held + 1) + 1024);
  }
  CHECK(interned_held() == held);
}

TEST_CASE("interned: handles copied and dropped from many threads") {
  auto base = interned_held();
  {
    interned shared{"pool-test-shared"};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&shared, t] {
        for (int i = 0; i < 20'000; ++i) {
          interned copy = shared;
          interned own{"pool-test-t" + std::to_string((t + i) % 3)};
          interned again{"pool-test-shared"};
          CHECK_FALSE(!(copy == again));
        }
      });
    for (auto& th : threads)
      th.join();
    CHECK(shared.view() == "pool-test-shared");
  }
  CHECK(interned_held() == base);
}

TEST_CASE("interned: a queue per task does not outlive the tasks") {
  auto base = interned_held();
  {
    book_fixture f;
    f.cfg.max_terminal_tasks = 10;
    f.cfg.max_results = 10;
    f.book = std::make_unique<task_book_state>(f.cfg, f.store);
    std::vector<task_id> ids;
    for (int i = 0; i < 300; ++i)
      ids.push_back(f.submit("k" + std::to_string(i),
                             {{"queue", "run-" + std::to_string(i)},
                              {"user", "user-" + std::to_string(i)}}));
    CHECK(interned_held() >= base + 600);
    // Finished and forgotten tasks release their names.
    for (auto id : ids)
      REQUIRE(f.book->kill(id, at(2)));
    f.book->commit();
    f.book->take_notices(); // the matcher's copies of the specs
    // Only the 10 kept terminal tasks and the 10 kept results hold names
    // (besides the book's own defaults, such as the default role).
    CHECK(interned_held() <= base + 2 * 10 + 2);
  }
  CHECK(interned_held() == base);
}

TEST_CASE("interned: a rejected submission leaves no name in the pool") {
  book_fixture f;
  auto base = interned_held();
  for (int i = 0; i < 100; ++i) {
    auto r = f.book->submit_json(
      body("bad" + std::to_string(i),
           {{"queue", "q-bad-" + std::to_string(i)},
            {"user", "u-bad-" + std::to_string(i)},
            {"role", "no spaces allowed"},
            {"constraints", {{"attr-" + std::to_string(i), "UNIQUE"}}}}),
      at(1));
    REQUIRE(!r);
  }
  CHECK(interned_held() == base);
}
