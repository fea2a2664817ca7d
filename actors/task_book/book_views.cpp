#include "actors/task_book/book_views.hpp"

#include "protocol/enums.hpp"
#include "scheduling/task_book/task_json.hpp"

#include <nlohmann/json.hpp>

namespace outrigger::scheduling {

api_reply json_reply(const nlohmann::json& j, bool created) {
  return api_reply{{}, {}, {}, created, j.dump()};
}

api_reply error_reply(const api_error& e) {
  return api_reply{e.code, e.message, e.field, false, {}};
}

api_reply list_reply(const task_book_state& book, const list_request& q,
                     std::uint32_t max_page) {
  list_query query;
  if (!q.state.empty()) {
    auto phase = parse_task_phase(q.state);
    if (!phase)
      return error_reply(
        invalid_field("state", "unknown state \"" + q.state + "\""));
    query.phase = *phase;
  }
  if (q.limit == 0 || q.limit > max_page)
    return error_reply(
      invalid_field("limit", "must be 1.." + std::to_string(max_page)));
  query.key_prefix = q.key;
  query.after = q.after;
  query.limit = q.limit;
  query.queue = q.queue;
  query.role = q.role;
  auto page = book.list(query);
  auto items = nlohmann::json::array();
  for (auto* t : page.tasks)
    items.push_back(task_to_json(*t));
  nlohmann::json j{{"tasks", std::move(items)}};
  j["next"] = page.next == 0 ? nlohmann::json() : nlohmann::json(page.next);
  return json_reply(j);
}

api_reply results_reply(const results_page& page) {
  auto items = nlohmann::json::array();
  for (auto* r : page.results)
    items.push_back(result_to_json(*r));
  return json_reply({{"results", std::move(items)},
                     {"next", page.next},
                     {"truncated", page.truncated}});
}

std::map<std::string, std::uint64_t>
tasks_by_state(const task_book_state& book) {
  std::map<std::string, std::uint64_t> out;
  auto& pc = book.phase_counts();
  for (std::size_t i = 0; i < pc.size(); ++i)
    out[std::string{to_string(static_cast<task_phase>(i))}] = pc[i];
  return out;
}

api_reply framework_reply(const task_book_state& book, bool reconciling) {
  return json_reply({{"framework_id", book.framework_id()},
                     {"tasks", tasks_by_state(book)},
                     {"results_cursor", book.last_result_cursor()},
                     {"reconciling", reconciling}});
}

double oldest_queued_seconds(const task_book_state& book, time_point now) {
  list_query oldest;
  oldest.phase = task_phase::queued;
  oldest.limit = 1;
  auto page = book.list(oldest);
  if (page.tasks.empty())
    return 0;
  return std::max(
    0.0, std::chrono::duration<double>(now - page.tasks.front()->submitted_at)
           .count());
}

std::uint64_t count_results(
  const task_book_state& book, std::uint64_t cursor,
  std::map<std::pair<std::string, std::string>, std::uint64_t>& into) {
  for (;;) {
    auto page = book.read_results(cursor, 1000);
    for (auto* r : page.results) {
      auto reason = r->reason ? std::string{protocol::to_string(*r->reason)}
                              : std::string{"NONE"};
      ++into[{std::string{to_string(r->state)}, reason}];
    }
    cursor = page.next;
    if (page.results.empty())
      return cursor;
  }
}

} // namespace outrigger::scheduling
