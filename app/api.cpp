#include "app/api.hpp"

#include "app/web_ui.hpp"

#include "actors/error.hpp"
#include "actors/log.hpp"
#include "app/replica_router.hpp"
#include "app/task_logs.hpp"
#include "scheduling/task_book/api_error.hpp"

#include <caf/event_based_actor.hpp>

#include <nlohmann/json.hpp>

#include <charconv>
#include <optional>

namespace outrigger::app {

namespace {

using ctx_ptr = std::shared_ptr<const api_context>;

http_response json(unsigned status, std::string body) {
  return http_response{status, "application/json", std::move(body), {}};
}

http_response error(unsigned status, const std::string& code,
                    const std::string& message, const std::string& field = {}) {
  return json(status, error_body(code, message, field));
}

http_response from_reply(const api_reply& r, unsigned ok = 200) {
  if (!r.code.empty())
    return error(scheduling::http_status_of(r.code), r.code, r.message,
                 r.field);
  return json(r.created ? 201 : ok, r.json);
}

http_response unavailable(const caf::error& e) {
  return error(503, "unavailable",
               "the scheduler did not answer: " + describe(e));
}

// Sends a request through a short-lived actor; `ok` and `fail` run on a
// CAF thread and must only answer.
template <class Reply, class Handle, class... Ts>
void ask(const ctx_ptr& c, const Handle& h, caf::timespan timeout,
         std::function<void(Reply&)> ok,
         std::function<void(const caf::error&)> fail, Ts... xs) {
  if (!h) {
    fail(caf::make_error(ec::stopped, "not started"));
    return;
  }
  c->sys->spawn([=](caf::event_based_actor* self) {
    self->request(h, timeout, xs...)
      .then([=](Reply& r) { ok(r); }, [=](caf::error& e) { fail(e); });
  });
}

// A non-negative integer query parameter, or an error naming it.
std::optional<std::uint64_t> number(const http_request& req,
                                    const std::string& name,
                                    std::uint64_t fallback, std::string& err) {
  auto i = req.query.find(name);
  if (i == req.query.end() || i->second.empty())
    return fallback;
  auto v = unsigned_of(i->second);
  if (!v)
    err = name;
  return v;
}

// The token of "Bearer <token>" (scheme case-insensitive), or "".
std::string_view bearer_token(std::string_view header) {
  constexpr std::string_view scheme = "bearer ";
  if (header.size() <= scheme.size())
    return {};
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i])
      return {};
  header.remove_prefix(scheme.size());
  while (!header.empty() && header.front() == ' ')
    header.remove_prefix(1);
  return header;
}

scope scope_of(access rule) {
  switch (rule) {
    case access::submit:
      return scope::submit;
    case access::admin:
      return scope::admin;
    default:
      return scope::read;
  }
}

http_response forbidden(const api_caller& who, scope needed) {
  return error(403, "permission_denied",
               "this request needs scope " + std::string{to_string(needed)} +
                 "; the token \"" + who.name + "\" has scope " +
                 std::string{to_string(who.granted)});
}

http_response unauthenticated() {
  auto r = error(401, "unauthenticated",
                 "a valid bearer token is required (Authorization: Bearer "
                 "<token>)");
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"outrigger\"");
  return r;
}

http_response method_not_allowed(const std::string& allow) {
  auto r = error(405, "method_not_allowed", "allowed: " + allow);
  r.headers.emplace_back("Allow", allow);
  return r;
}

// How the API is protected (GET /v1/framework "api").
nlohmann::json security_info(const api_context& c) {
  auto tokens = c.tokens ? c.tokens->get() : nullptr;
  std::size_t n = tokens ? tokens->size() : 0;
  nlohmann::json j{{"authentication", n > 0 ? "tokens" : "none"},
                   {"tokens", n},
                   {"protect_reads", c.protect_reads},
                   {"allow_unauthenticated", c.allow_unauthenticated},
                   {"tls", c.tls},
                   {"mutual_tls", c.mutual_tls},
                   {"audit", c.audit != nullptr}};
  if (c.allow_unauthenticated && n == 0)
    j["warning"] = "--allow-unauthenticated: anyone who reaches the API can "
                   "run commands on the cluster";
  return j;
}

// Who leads (GET /v1/framework "ha").
nlohmann::json ha_info(const api_context& c) {
  auto replica = c.replica.lock();
  if (!replica)
    return {{"enabled", false}};
  auto st = replica->status();
  return {{"enabled", st.ha},
          {"role", to_string(st.role)},
          {"leader", st.leader_url},
          {"replica", st.self_url}};
}

void framework_info(const ctx_ptr& c, const responder& done) {
  auto fail = [done](const caf::error& e) { done(unavailable(e)); };
  ask<api_reply>(
    c, c->book, c->timeout,
    [c, done, fail](api_reply& book) {
      auto j = nlohmann::json::parse(book.json);
      ask<link_metrics>(
        c, c->link, c->timeout,
        [c, done, fail, j](link_metrics& l) mutable {
          j["connected"] = l.connected;
          j["phase"] = l.phase;
          j["leader"] = l.leader;
          ask<matcher_metrics>(
            c, c->matcher, c->timeout,
            [c, done, j](matcher_metrics& m) mutable {
              j["offers_held"] = m.offers_held;
              j["pending"] = m.pending;
              j["api"] = security_info(*c);
              j["ha"] = ha_info(*c);
              done(json(200, j.dump()));
            },
            fail, atom::metrics_v);
        },
        fail, atom::metrics_v);
    },
    fail, atom::framework_v);
}

// -- the handlers of the route table ------------------------------------------
// Each runs once the route is known, the id (for /v1/tasks/{id}) parsed and
// the token checked.

void healthz(const ctx_ptr&, http_request&, std::uint64_t,
             const responder& done) {
  done(json(200, R"({"status":"ok"})"));
}

void readyz(const ctx_ptr& c, http_request&, std::uint64_t,
            const responder& done) {
  ask<link_metrics>(
    c, c->link, c->timeout,
    [c, done](link_metrics& l) {
      nlohmann::json j{{"ready", l.connected}};
      if (auto r = c->replica.lock(); r && r->status().ha)
        j["role"] = "leader";
      if (l.connected)
        return done(json(200, j.dump()));
      j["reason"] = "not subscribed to a master (" + l.phase + ")";
      done(json(503, j.dump()));
    },
    [done](const caf::error& e) { done(unavailable(e)); }, atom::metrics_v);
}

void metrics(const ctx_ptr& c, http_request&, std::uint64_t,
             const responder& done) {
  done(http_response{200,
                     "text/plain; version=0.0.4; charset=utf-8",
                     c->metrics->serialize(),
                     {}});
}

// The book's api_reply as the response; a missing answer is 503.
void ask_book(const ctx_ptr& c, const responder& done, caf::timespan timeout,
              auto... xs) {
  ask<api_reply>(
    c, c->book, timeout, [done](api_reply& r) { done(from_reply(r)); },
    [done](const caf::error& e) { done(unavailable(e)); }, xs...);
}

void submit(const ctx_ptr& c, http_request& req, std::uint64_t,
            const responder& done) {
  auto& ct = req.content_type;
  if (ct.rfind("application/json", 0) != 0)
    return done(
      error(415, "unsupported_media_type",
            "Content-Type must be application/json, got \"" + ct + "\""));
  ask_book(c, done, c->timeout, atom::submit_v, std::move(req.body),
           req.caller);
}

void list_tasks(const ctx_ptr& c, http_request& req, std::uint64_t,
                const responder& done) {
  std::string bad;
  auto limit = number(req, "limit", 100, bad);
  auto cursor = number(req, "cursor", 0, bad);
  if (!limit || !cursor)
    return done(error(400, "invalid_argument",
                      bad + ": expected a non-negative integer", bad));
  list_request q{
    req.query["state"],
    req.query["key"],
    *cursor,
    static_cast<std::uint32_t>(std::min<std::uint64_t>(*limit, 1u << 30)),
    req.query["queue"],
    req.query["role"]};
  for (auto& ch : q.state)
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  ask_book(c, done, c->timeout, atom::list_v, std::move(q));
}

void get_task(const ctx_ptr& c, http_request&, std::uint64_t id,
              const responder& done) {
  ask_book(c, done, c->timeout, atom::get_v, id);
}

// Scope submit kills only the tasks its token submitted; admin any.
void kill_task(const ctx_ptr& c, http_request& req, std::uint64_t id,
               const responder& done) {
  if (req.admin)
    ask_book(c, done, c->timeout, atom::kill_v, id);
  else
    ask_book(c, done, c->timeout, atom::kill_v, id, req.caller);
}

void results(const ctx_ptr& c, http_request& req, std::uint64_t,
             const responder& done) {
  std::string bad;
  auto after = number(req, "after", 0, bad);
  auto limit = number(req, "limit", 100, bad);
  auto wait = number(req, "wait", 0, bad);
  if (!after || !limit || !wait)
    return done(error(400, "invalid_argument",
                      bad + ": expected a non-negative integer", bad));
  auto max_wait = static_cast<std::uint64_t>(c->max_wait_seconds);
  if (*wait > max_wait)
    return done(error(400, "invalid_argument",
                      "wait: at most " + std::to_string(max_wait) + " seconds",
                      "wait"));
  auto lim =
    static_cast<std::uint32_t>(std::min<std::uint64_t>(*limit, 1u << 30));
  caf::timespan w = std::chrono::seconds{*wait};
  ask_book(c, done, c->timeout + w, atom::results_v, *after, lim, w);
}

void framework(const ctx_ptr& c, http_request&, std::uint64_t,
               const responder& done) {
  framework_info(c, done);
}

void stats(const ctx_ptr& c, http_request&, std::uint64_t,
           const responder& done) {
  if (!c->stats)
    return done(error(503, "unavailable", "no statistics kept"));
  done(json(200, c->stats->to_json(rate_history::clock::now())));
}

// The dashboard's files: open, like /healthz, so that the page can load
// and ask for the token; they hold no data and no secret.
void web_file(const ctx_ptr&, http_request& req, std::uint64_t,
              const responder& done) {
  done(serve_web_file(req.path, req.if_none_match));
}

// TEARDOWN: kills every task of the framework.
void teardown(const ctx_ptr& c, http_request&, std::uint64_t,
              const responder& done) {
  ask<call_outcome>(
    c, c->link, c->timeout,
    [done](call_outcome& o) {
      nlohmann::json j{{"teardown", o.status == 202 || o.status == 200},
                       {"master_status", o.status}};
      done(json(o.status == 202 || o.status == 200 ? 200 : 502, j.dump()));
    },
    [done](const caf::error& e) { done(unavailable(e)); }, atom::teardown_v);
}

constexpr std::string_view task_prefix = "/v1/tasks/";
constexpr std::string_view web_prefix = "/ui/";

// Whether a path names a route's pattern: equal, or for the task patterns
// what task_pattern() makes of it.
bool matches(std::string_view pattern, std::string_view path) {
  if (pattern.starts_with(task_prefix) && pattern.find("{id}") != pattern.npos)
    return path.starts_with(task_prefix) && task_pattern(path) == pattern;
  if (pattern.ends_with("{file}"))
    return path.starts_with(web_prefix);
  return path == pattern;
}

// The access rule of a request: its route's, or for a method the path does
// not serve (405) or an unknown path (404) the rule of that method, so that
// a request is refused for its token before anything is said about routes.
access access_of(std::string_view path, std::string_view method) {
  access fallback =
    method == "POST" || method == "DELETE" ? access::submit : access::read;
  for (auto& r : api_routes()) {
    if (!matches(r.pattern, path))
      continue;
    if (r.method == method || r.auth == access::open)
      return r.auth;
  }
  return fallback;
}

std::string allowed_methods(std::string_view pattern) {
  std::string out;
  for (auto& r : api_routes())
    if (r.pattern == pattern)
      out += (out.empty() ? "" : ", ") + std::string{r.method};
  return out;
}

// The row of a request, if one matches its path and method.
const api_route* row_of(std::string_view path, std::string_view method) {
  for (auto& r : api_routes())
    if (r.method == method && matches(r.pattern, path))
      return &r;
  return nullptr;
}

// The task ids a mutating request concerned: the {id} of the path, or
// those of the submitted task(s) in the answer.
std::vector<std::uint64_t> task_ids_of(std::uint64_t path_id,
                                       const http_response& res) {
  if (path_id != 0)
    return {path_id};
  std::vector<std::uint64_t> ids;
  if (res.status >= 300)
    return ids;
  auto j = nlohmann::json::parse(res.body, nullptr, false);
  if (!j.is_object())
    return ids;
  if (auto id = j.find("id"); id != j.end() && id->is_number_unsigned())
    ids.push_back(id->get<std::uint64_t>());
  if (auto ts = j.find("tasks"); ts != j.end() && ts->is_array())
    for (auto& item : *ts)
      if (item.is_object() && item.contains("task"))
        ids.push_back(item["task"].value("id", std::uint64_t{0}));
  return ids;
}

// A responder that writes the audit line `e` of the request (completed by
// the caller: its token's name), then answers.
responder audited(const ctx_ptr& c, const http_request& req,
                  std::string_view action, responder done,
                  const std::shared_ptr<audit_event>& e) {
  e->request_id = req.request_id;
  e->action = std::string{action};
  e->method = req.method;
  e->path = req.path;
  e->client = req.client;
  std::uint64_t path_id = 0;
  if (req.path.starts_with(task_prefix))
    path_id = task_id_of(req.path, true).value_or(0);
  return [c, e, path_id, done](http_response res) {
    e->status = res.status;
    e->outcome = "ok";
    if (res.status >= 400) {
      auto j = nlohmann::json::parse(res.body, nullptr, false);
      e->outcome = j.is_object() && j.contains("error")
                     ? j["error"].value("code", "error")
                     : "error";
    }
    e->task_ids = task_ids_of(path_id, res);
    c->audit->write(*e);
    done(std::move(res));
  };
}

void route(const ctx_ptr& c, http_request req, responder done) {
  auto& path = req.path;
  auto rule = access_of(path, req.method);
  auto* row = row_of(path, req.method);
  std::shared_ptr<audit_event> audit;
  if (row && !row->action.empty() && c->audit) {
    audit = std::make_shared<audit_event>();
    done = audited(c, req, row->action, std::move(done), audit);
  }
  if (rule != access::open) {
    bool mutating = rule == access::submit || rule == access::admin;
    auto tokens = c->tokens ? c->tokens->get() : nullptr;
    if (tokens && !tokens->empty() && (mutating || c->protect_reads)) {
      auto who = tokens->find(bearer_token(req.authorization));
      if (!who) {
        log::info("api", "unauthenticated request",
                  {{"request_id", req.request_id},
                   {"client", req.client},
                   {"path", path}});
        return done(unauthenticated());
      }
      if (audit)
        audit->caller = who->name;
      if (who->granted < scope_of(rule)) {
        log::info("api", "request refused",
                  {{"request_id", req.request_id},
                   {"caller", who->name},
                   {"path", path}});
        return done(forbidden(*who, scope_of(rule)));
      }
      req.caller = who->name;
      req.admin = who->granted == scope::admin;
    }
    if (mutating && c->accepting && !c->accepting->load())
      return done(error(503, "unavailable", "the service is shutting down"));
  }
  auto pattern = route_of(path);
  if (pattern == "other")
    return done(error(404, "not_found", "no such endpoint: " + path));
  std::uint64_t id = 0;
  if (pattern.find("{id}") != std::string::npos) {
    auto parsed = task_id_of(path, pattern.ends_with("{id}"));
    if (!parsed)
      return done(error(404, "not_found", "no task at " + path));
    id = *parsed;
  }
  for (auto& r : api_routes())
    if (r.pattern == pattern && r.method == req.method)
      return r.handle(c, req, id, done);
  done(method_not_allowed(allowed_methods(pattern)));
}

} // namespace

const std::vector<api_route>& api_routes() {
  // GET first where a path has two methods: the order of the Allow header.
  static const std::vector<api_route> routes{
    {"GET", "/healthz", access::open, healthz},
    {"GET", "/readyz", access::open, readyz},
    {"GET", "/metrics", access::open, metrics},
    {"GET", "/v1/tasks", access::read, list_tasks},
    {"POST", "/v1/tasks", access::submit, submit, "submit"},
    {"GET", "/v1/tasks/{id}", access::read, get_task},
    {"DELETE", "/v1/tasks/{id}", access::submit, kill_task, "kill"},
    {"GET", "/v1/tasks/{id}/logs", access::read, task_logs},
    {"GET", "/v1/tasks/{id}/files/{path}", access::read, task_files},
    {"GET", "/v1/results", access::read, results},
    {"GET", "/v1/framework", access::read, framework},
    {"DELETE", "/v1/framework", access::admin, teardown, "teardown"},
    {"GET", "/v1/stats", access::read, stats},
    {"GET", "/", access::open, web_file},
    {"GET", "/ui/{file}", access::open, web_file},
  };
  return routes;
}

std::string route_of(std::string_view path) {
  for (auto& r : api_routes())
    if (matches(r.pattern, path))
      return std::string{r.pattern};
  return "other";
}

http_handler make_api_handler(std::shared_ptr<const api_context> ctx) {
  return [ctx](http_request req, responder done) {
    route(ctx, std::move(req), std::move(done));
  };
}

} // namespace outrigger::app
