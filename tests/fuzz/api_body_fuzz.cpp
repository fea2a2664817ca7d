// libFuzzer target for the body of POST /v1/tasks: one task spec or the batch
// form {"tasks": [...]}, as the task book actor takes it (JSON parse, then
// submit_batch or submit_json on a fresh book over a store that keeps
// nothing).
//
// For every input it checks that
//  - the book answers a spec or an error naming what was wrong, never throws
//    (an exception escaping is a crash for libFuzzer);
//  - an accepted spec survives both JSON forms: task_spec_to_json read back
//    by parse_task_spec (under the same rules) and by
//    task_spec_from_stored_json gives an equal spec (what the journal keeps
//    must recover to what was accepted);
//  - a batch answer is valid JSON with one item per submitted spec.
// Run: see tests/fuzz/README.md.

#include "scheduling/store/state_store.hpp"
#include "scheduling/task_book/submit_batch.hpp"
#include "scheduling/task_book/task_book_state.hpp"
#include "scheduling/task_book/task_spec_validation.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

using namespace outrigger;
using namespace outrigger::scheduling;

namespace {

// Keeps nothing: the target checks parsing, not durability.
class null_store final : public store::state_store {
public:
  void append(std::string_view) override {}
  void commit() override {}
  void compact(std::string_view) override {}
  std::uint64_t log_bytes() const override { return 0; }
  std::size_t pending() const override { return 0; }
};

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "api_body_fuzz: %s\n%.*s\n", what,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void check_round_trip(const task_spec& spec, const task_spec_rules& rules) {
  auto j = task_spec_to_json(spec);
  auto again = parse_task_spec(j, rules);
  if (!again)
    fail("task_spec_to_json of an accepted spec is rejected",
         again.error().message + " / " + j.dump());
  if (!(*again == spec))
    fail("parse_task_spec(task_spec_to_json(spec)) != spec", j.dump());
  if (!(task_spec_from_stored_json(j) == spec))
    fail("task_spec_from_stored_json(task_spec_to_json(spec)) != spec",
         j.dump());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string_view body{reinterpret_cast<const char*>(data), size};
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded())
    return 0; // the actor answers "the body is not valid JSON"
  null_store store;
  task_book_config cfg;
  cfg.max_batch = 64; // keeps an input's work bounded
  task_book_state book{cfg, store};
  time_point now{std::chrono::milliseconds{1'700'000'000'000}};

  if (is_batch_submission(parsed)) {
    auto b = submit_batch(book, parsed, now);
    if (!b)
      return 0;
    auto answer = nlohmann::json::parse(b->json, nullptr, false);
    if (answer.is_discarded() || !answer.contains("tasks"))
      fail("batch answer is not the documented JSON", b->json);
    if (answer["tasks"].size() != parsed["tasks"].size() ||
        b->created + b->rejected > answer["tasks"].size())
      fail("batch answer does not have one item per spec", b->json);
    return 0;
  }
  auto spec = parse_task_spec(parsed, cfg.rules);
  if (!spec)
    return 0;
  check_round_trip(*spec, cfg.rules);
  auto r = book.submit_json(parsed, now);
  if (!r)
    fail("submit_json rejects what parse_task_spec accepted",
         r.error().message);
  return 0;
}
