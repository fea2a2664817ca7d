#include "scheduling/task_book/book_records.hpp"

#include "scheduling/task_book/task_spec_validation.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <stdexcept>

namespace outrigger::scheduling::records {

namespace {

using json = nlohmann::json;

void append_number(std::string& out, std::int64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}

void append_key(std::string& out, std::string_view key) {
  out += ",\"";
  out += key;
  out += "\":";
}

void append_time(std::string& out, time_point at) {
  append_key(out, "at");
  append_number(out, at.time_since_epoch().count());
}

// Hand-written encoders: the status record is on the path of every update
// (100,000 per second), where building an nlohmann value first costs more
// than the rest of the change.
struct encoder {
  std::string& out;

  void operator()(const framework_set& r) {
    out += "{\"op\":\"fw\",\"fw\":";
    append_json_string(out, r.id);
    out += '}';
  }
  void operator()(const framework_gone& r) {
    out += "{\"op\":\"fw_gone\"";
    append_time(out, r.at);
    append_key(out, "m");
    append_json_string(out, r.message);
    out += '}';
  }
  void operator()(const submit& r) {
    out += "{\"op\":\"submit\",\"id\":";
    append_number(out, static_cast<std::int64_t>(r.id));
    append_time(out, r.at);
    if (!r.by.empty()) {
      append_key(out, "by");
      append_json_string(out, r.by.view());
    }
    append_key(out, "spec");
    out += task_spec_to_json(*r.spec).dump();
    out += '}';
  }
  void operator()(const launch& r) {
    out += "{\"op\":\"launch\",\"id\":";
    append_number(out, static_cast<std::int64_t>(r.id));
    append_key(out, "a");
    append_number(out, r.attempt);
    append_time(out, r.at);
    append_key(out, "agent");
    append_json_string(out, r.agent_id.view());
    append_key(out, "host");
    append_json_string(out, r.hostname.view());
    if (!r.agent_url.empty()) {
      append_key(out, "url");
      append_json_string(out, r.agent_url.view());
    }
    out += '}';
  }
  void operator()(const status& r) {
    out += "{\"op\":\"status\",\"id\":";
    append_number(out, static_cast<std::int64_t>(r.id));
    append_key(out, "a");
    append_number(out, r.attempt);
    append_key(out, "s");
    append_json_string(out, to_string(r.state));
    append_time(out, r.at);
    if (r.reason) {
      append_key(out, "r");
      append_json_string(out, protocol::to_string(*r.reason));
    }
    if (r.from_master)
      out += ",\"master\":true";
    if (!r.agent_id.empty()) {
      append_key(out, "agent");
      append_json_string(out, r.agent_id.view());
    }
    if (!r.message.empty()) {
      append_key(out, "m");
      append_json_string(out, r.message);
    }
    if (!r.stderr_tail.empty()) {
      append_key(out, "tail");
      append_json_string(out, r.stderr_tail);
    }
    out += '}';
  }
  void operator()(const kill& r) {
    out += "{\"op\":\"kill\",\"id\":";
    append_number(out, static_cast<std::int64_t>(r.id));
    append_time(out, r.at);
    out += '}';
  }
};

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument("task book record: " + what);
}

const json& member(const json& j, const char* name) {
  auto i = j.find(name);
  if (i == j.end())
    bad(std::string{"missing '"} + name + "'");
  return *i;
}

template <class T>
T number(const json& j, const char* name) {
  auto& v = member(j, name);
  if (!v.is_number_integer())
    bad(std::string{"'"} + name + "' is not an integer");
  return v.get<T>();
}

std::string text(const json& j, const char* name, bool required = true) {
  auto i = j.find(name);
  if (i == j.end()) {
    if (required)
      bad(std::string{"missing '"} + name + "'");
    return {};
  }
  if (!i->is_string())
    bad(std::string{"'"} + name + "' is not a string");
  return i->get<std::string>();
}

time_point at(const json& j) {
  return time_point{duration{number<std::int64_t>(j, "at")}};
}

task_phase phase(const json& j) {
  auto s = text(j, "s");
  auto p = parse_task_phase(s);
  if (!p)
    bad("unknown state '" + s + "'");
  return *p;
}

} // namespace

void encode(const framework_set& r, std::string& out) {
  encoder{out}(r);
}
void encode(const framework_gone& r, std::string& out) {
  encoder{out}(r);
}
void encode(const submit& r, std::string& out) {
  encoder{out}(r);
}
void encode(const launch& r, std::string& out) {
  encoder{out}(r);
}
void encode(const status& r, std::string& out) {
  encoder{out}(r);
}
void encode(const kill& r, std::string& out) {
  encoder{out}(r);
}
void encode(const record& r, std::string& out) {
  std::visit(encoder{out}, r);
}

record decode(std::string_view text_in) {
  json j;
  try {
    j = json::parse(text_in);
  } catch (const json::exception& e) {
    bad(std::string{"not JSON: "} + e.what());
  }
  if (!j.is_object())
    bad("not an object");
  auto op = text(j, "op");
  if (op == "status") {
    status r;
    r.id = number<task_id>(j, "id");
    r.attempt = number<std::uint32_t>(j, "a");
    r.state = phase(j);
    r.at = at(j);
    if (j.contains("r")) {
      protocol::status_reason reason;
      protocol::from_string(text(j, "r"), reason);
      r.reason = reason;
    }
    r.from_master = j.value("master", false);
    r.agent_id = interned{text(j, "agent", false)};
    r.message = text(j, "m", false);
    r.stderr_tail = text(j, "tail", false);
    return r;
  }
  if (op == "launch") {
    launch r;
    r.id = number<task_id>(j, "id");
    r.attempt = number<std::uint32_t>(j, "a");
    r.at = at(j);
    r.agent_id = interned{text(j, "agent")};
    r.hostname = interned{text(j, "host")};
    r.agent_url = interned{text(j, "url", false)};
    return r;
  }
  if (op == "submit") {
    submit r;
    r.id = number<task_id>(j, "id");
    r.at = at(j);
    r.spec = std::make_shared<const task_spec>(
      task_spec_from_stored_json(member(j, "spec")));
    // Journals written before submitters were recorded have no "by".
    r.by = interned{text(j, "by", false)};
    return r;
  }
  if (op == "kill")
    return kill{number<task_id>(j, "id"), at(j)};
  if (op == "fw")
    return framework_set{text(j, "fw")};
  if (op == "fw_gone")
    return framework_gone{at(j), text(j, "m", false)};
  bad("unknown op '" + op + "'");
}

} // namespace outrigger::scheduling::records
