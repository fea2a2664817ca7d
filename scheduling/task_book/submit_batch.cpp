#include "scheduling/task_book/submit_batch.hpp"

#include "protocol/json_text.hpp"

#include <nlohmann/json.hpp>

namespace outrigger::scheduling {

namespace {

// The error of item `i`, its field and message named from the batch body.
nlohmann::json item_error(std::size_t i, const api_error& e) {
  auto prefix = "tasks[" + std::to_string(i) + "]";
  auto field = e.field.empty() ? prefix : prefix + "." + e.field;
  auto message = e.message;
  if (!e.field.empty() && message.starts_with(e.field + ": "))
    message = field + message.substr(e.field.size());
  else
    message = prefix + ": " + message;
  return {
    {"status", http_status_of(e.code)},
    {"error", {{"code", e.code}, {"message", message}, {"field", field}}}};
}

// {"status":201,"task":{"id":7,"key":"k","state":"QUEUED"}}: the reference
// a client needs; the whole task is one GET away. Written directly, since a
// batch is answered a thousand items at a time.
void append_item(std::string& out, std::size_t i, int status,
                 const task_record& task) {
  out += i == 0 ? "{\"status\":" : ",{\"status\":";
  out += std::to_string(status);
  out += ",\"task\":{\"id\":";
  out += std::to_string(task.id);
  out += ",\"key\":";
  protocol::append_json_string(out, task.spec->key);
  out += ",\"state\":\"";
  out += to_string(task.phase);
  out += "\"}}";
}

} // namespace

bool is_batch_submission(const nlohmann::json& body) {
  return body.is_object() && body.contains("tasks");
}

api_result<batch_outcome> submit_batch(task_book_state& book,
                                       const nlohmann::json& body,
                                       time_point now, interned by) {
  auto& items = body.at("tasks");
  auto max = book.config().max_batch;
  if (body.size() != 1)
    return invalid_field("", "a batch has only \"tasks\"; put the other "
                             "fields into each task");
  if (!items.is_array())
    return invalid_field("tasks", "expected an array of task specs");
  if (items.empty())
    return invalid_field("tasks", "the batch is empty");
  if (items.size() > max)
    return invalid_field("tasks", "at most " + std::to_string(max) +
                                    " tasks per request, got " +
                                    std::to_string(items.size()));
  batch_outcome out;
  std::string text = R"({"tasks":[)";
  text.reserve(items.size() * 64);
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto r = book.submit_json(items[i], now, by);
    if (!r) {
      text += i == 0 ? "" : ",";
      text += item_error(i, r.error()).dump();
      ++out.rejected;
      continue;
    }
    append_item(text, i, r->created ? 201 : 200, *r->task);
    out.created += r->created ? 1 : 0;
  }
  text += "]}";
  out.json = std::move(text);
  return out;
}

} // namespace outrigger::scheduling
