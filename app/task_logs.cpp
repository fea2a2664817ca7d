#include "app/task_logs.hpp"

#include "actors/error.hpp"
#include "app/sandbox_reader.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>

namespace outrigger::app {

namespace {

using ctx_ptr = std::shared_ptr<const api_context>;
using namespace std::chrono_literals;

// One agent read returns at most 16 pages (files.cpp caps it).
constexpr std::int64_t agent_page = 64 * 1024;
// follow=true waits at most this long for new bytes, polling the agent.
constexpr auto follow_limit = 25s;
constexpr auto follow_poll = 300ms;

http_response error(unsigned status, const std::string& code,
                    const std::string& message, const std::string& field = {}) {
  return http_response{
    status, "application/json", error_body(code, message, field), {}};
}

// The reads' metrics outcome of an HTTP status.
std::string outcome_of(unsigned status) {
  switch (status) {
    case 200:
      return "ok";
    case 400:
      return "bad_request";
    case 404:
      return "not_found";
    case 409:
      return "never_launched";
    case 410:
      return "gone";
    default:
      return "unreachable";
  }
}

// Answers and counts.
responder counted(const ctx_ptr& c, std::string kind, responder done) {
  return [c, kind = std::move(kind), done](http_response r) {
    if (c->metrics)
      c->metrics->count_log_read(kind, outcome_of(r.status),
                                 r.status == 200 ? r.body.size() : 0);
    done(std::move(r));
  };
}

// The book's sandbox_ref of attempt `n`, or the error answer.
void locate(const ctx_ptr& c, std::uint64_t id, std::uint32_t n,
            std::function<void(sandbox_ref&)> ok, responder done) {
  if (!c->book)
    return done(error(503, "unavailable", "the scheduler is not started"));
  auto timeout = c->timeout;
  c->sys->spawn([=, book = c->book](caf::event_based_actor* self) {
    self->request(book, timeout, atom::sandbox_v, id, n)
      .then(
        [=](sandbox_ref& r) {
          if (r.code == "not_found")
            return done(error(404, "not_found", r.message));
          if (r.code == "failed_precondition")
            return done(error(409, "failed_precondition", r.message));
          if (!r.code.empty())
            return done(error(410, "gone", r.message));
          ok(r);
        },
        [=](caf::error& e) {
          done(error(503, "unavailable",
                     "the scheduler did not answer: " + describe(e)));
        });
  });
}

std::optional<std::int64_t> integer(const http_request& req,
                                    const std::string& name,
                                    std::int64_t fallback, bool& bad) {
  auto i = req.query.find(name);
  if (i == req.query.end() || i->second.empty())
    return fallback;
  auto v = signed_of(i->second);
  if (!v)
    bad = true;
  return v;
}

std::string read_target(const std::string& path, std::int64_t offset,
                        std::int64_t length = -1) {
  auto t = "/files/read?path=" + url_encode(path) +
           "&offset=" + std::to_string(offset);
  if (length >= 0)
    t += "&length=" + std::to_string(length);
  return t;
}

// What the agent said, as the API's error (502 unreachable, 410 gone).
http_response agent_error(const sandbox_ref& where, const agent_answer& a,
                          const std::string& path) {
  if (a.status == 0)
    return error(502, "agent_unreachable",
                 "cannot read the sandbox of attempt " +
                   std::to_string(where.attempt) + " on agent " +
                   where.agent_id + ": " + a.error);
  if (a.status == 404)
    return error(410, "gone",
                 "agent " + where.agent_id + " (" + where.agent_url +
                   ") no longer has " + path +
                   " (the sandbox was garbage-collected, or the agent "
                   "restarted)");
  return error(502, "agent_error",
               "agent " + where.agent_id + " (" + where.agent_url +
                 ") answered " + std::to_string(a.status) + " to GET " + path +
                 (a.body.empty() ? "" : ": " + a.body.substr(0, 200)));
}

// One GET /v1/tasks/{id}/logs, from locating the attempt to the answer;
// with follow=true it polls until bytes come, the attempt ends or time is
// up.
struct log_read : std::enable_shared_from_this<log_read> {
  ctx_ptr c;
  std::uint64_t id = 0;
  std::uint32_t attempt = 0;
  std::string stream;
  std::int64_t offset = 0;
  std::int64_t length = 0;
  bool follow = false;
  std::chrono::steady_clock::time_point deadline;
  responder done;
  sandbox_ref where;
  std::string path;
  std::int64_t size = 0;
  std::int64_t start = 0;
  std::string bytes;

  void run() {
    auto self = shared_from_this();
    locate(
      c, id, attempt,
      [self](sandbox_ref& r) {
        self->where = r;
        self->attempt = r.attempt; // follow polls stay on this attempt
        self->path = sandbox_path(r, self->stream);
        self->query_size();
      },
      done);
  }

  void query_size() {
    auto self = shared_from_this();
    c->sandboxes->get(
      where.agent_url, read_target(path, -1), [self](agent_answer a) {
        if (a.status == 404 && !self->where.ended)
          a = agent_answer{200, R"({"data":"","offset":0})", {}};
        if (a.status != 200)
          return self->done(agent_error(self->where, a, self->path));
        auto parsed = parse_files_read(a.body);
        if (!parsed)
          return self->done(error(502, "agent_error",
                                  "agent " + self->where.agent_id +
                                    " sent an unreadable /files/read answer"));
        self->size = parsed->second;
        self->start = self->offset < 0
                        ? std::max<std::int64_t>(0, self->size + self->offset)
                        : self->offset;
        if (self->start >= self->size) {
          if (self->follow && !self->where.ended &&
              std::chrono::steady_clock::now() < self->deadline) {
            self->c->sandboxes->after(follow_poll, [self] { self->run(); });
            return;
          }
          return self->answer();
        }
        self->read_more();
      });
  }

  void read_more() {
    auto self = shared_from_this();
    auto pos = start + static_cast<std::int64_t>(bytes.size());
    auto want =
      std::min(agent_page, length - static_cast<std::int64_t>(bytes.size()));
    c->sandboxes->get(
      where.agent_url, read_target(path, pos, want), [self](agent_answer a) {
        if (a.status != 200)
          return self->done(agent_error(self->where, a, self->path));
        auto parsed = parse_files_read(a.body);
        if (!parsed)
          return self->done(error(502, "agent_error",
                                  "agent " + self->where.agent_id +
                                    " sent an unreadable /files/read answer"));
        self->bytes += parsed->first;
        auto got = static_cast<std::int64_t>(self->bytes.size());
        self->size = std::max(self->size, self->start + got);
        if (!parsed->first.empty() && got < self->length)
          return self->read_more();
        self->answer();
      });
  }

  void answer() {
    auto next = start + static_cast<std::int64_t>(bytes.size());
    http_response r{200, "application/octet-stream", std::move(bytes), {}};
    r.headers.emplace_back("X-Log-Offset", std::to_string(start));
    r.headers.emplace_back("X-Log-Next-Offset", std::to_string(next));
    r.headers.emplace_back("X-Log-Size", std::to_string(size));
    r.headers.emplace_back("X-Log-Complete",
                           where.ended && next >= size ? "true" : "false");
    r.headers.emplace_back("X-Log-Attempt", std::to_string(where.attempt));
    done(std::move(r));
  }
};

} // namespace

std::string sandbox_path(const sandbox_ref& where, const std::string& file) {
  auto base = "/frameworks/" + where.framework_id + "/executors/" +
              where.executor_id + "/runs/latest";
  // A task of a group runs nested in its executor's sandbox (the default
  // executor's layout, recording 44/45).
  if (where.executor_id != where.mesos_task_id)
    base += "/tasks/" + where.mesos_task_id;
  return file.empty() ? base : base + "/" + file;
}

void task_logs(const ctx_ptr& c, http_request& req, std::uint64_t id,
               const responder& answer) {
  auto done = counted(c, "logs", answer);
  if (!c->sandboxes)
    return done(error(503, "unavailable", "task output is not available"));
  auto s = req.query.count("stream") ? req.query["stream"] : "stdout";
  if (s.empty())
    s = "stdout";
  if (s != "stdout" && s != "stderr")
    return done(error(400, "invalid_argument",
                      "stream: expected stdout or stderr, got \"" + s + "\"",
                      "stream"));
  bool bad = false;
  auto attempt = integer(req, "attempt", 0, bad);
  if (bad || *attempt < 0 || *attempt > 0xFFFFFFFF)
    return done(error(400, "invalid_argument",
                      "attempt: expected a positive integer", "attempt"));
  auto offset = integer(req, "offset", 0, bad);
  if (bad)
    return done(error(400, "invalid_argument",
                      "offset: expected an integer (negative: from the end)",
                      "offset"));
  auto length = integer(req, "length", 64 * 1024, bad);
  if (bad || *length < 0 || *length > max_log_page)
    return done(error(400, "invalid_argument",
                      "length: expected an integer from 0 to " +
                        std::to_string(max_log_page),
                      "length"));
  auto f = req.query.count("follow") ? req.query["follow"] : "false";
  if (f != "true" && f != "false" && !f.empty())
    return done(error(400, "invalid_argument", "follow: expected true or false",
                      "follow"));
  auto r = std::make_shared<log_read>();
  r->c = c;
  r->id = id;
  r->attempt = static_cast<std::uint32_t>(*attempt);
  r->stream = s;
  r->offset = *offset;
  r->length = *length;
  r->follow = f == "true";
  r->deadline = std::chrono::steady_clock::now() + follow_limit;
  r->done = done;
  r->run();
}

void task_files(const ctx_ptr& c, http_request& req, std::uint64_t id,
                const responder& answer) {
  auto done = counted(c, "files", answer);
  if (!c->sandboxes)
    return done(error(503, "unavailable", "task output is not available"));
  // /v1/tasks/{id}/files[/rel]
  auto at = req.path.find("/files", std::string{"/v1/tasks/"}.size());
  std::string rel = req.path.substr(at + 6);
  while (!rel.empty() && rel.front() == '/')
    rel.erase(0, 1);
  while (!rel.empty() && rel.back() == '/')
    rel.pop_back();
  for (std::size_t from = 0; from <= rel.size();) {
    auto slash = rel.find('/', from);
    auto part = rel.substr(from, slash - from);
    if (part == "." || part == "..")
      return done(error(400, "invalid_argument",
                        "path: '.' and '..' are not allowed", "path"));
    if (slash == std::string::npos)
      break;
    from = slash + 1;
  }
  std::uint32_t attempt = 0;
  if (auto a = req.query.find("attempt"); a != req.query.end()) {
    bool bad = false;
    auto n = integer(req, "attempt", 0, bad);
    if (bad || *n < 0 || *n > 0xFFFFFFFF)
      return done(error(400, "invalid_argument",
                        "attempt: expected a positive integer", "attempt"));
    attempt = static_cast<std::uint32_t>(*n);
  }
  locate(
    c, id, attempt,
    [c, rel, done](sandbox_ref& where) {
      // (a 404 of the sandbox itself is a gone sandbox: agent_error's 410)
      auto path = sandbox_path(where, rel);
      auto reader = c->sandboxes;
      // A file downloads; a directory is "Cannot download a directory."
      // (400): then its listing.
      reader->get(
        where.agent_url, "/files/download?path=" + url_encode(path),
        [c, where, path, rel, done, reader](agent_answer a) {
          if (a.status == 200)
            return done(http_response{
              200, "application/octet-stream", std::move(a.body), {}});
          if (a.status == 404 && !rel.empty())
            return done(error(404, "not_found",
                              "no such file in the sandbox of attempt " +
                                std::to_string(where.attempt) + ": " + path));
          if (a.status != 400)
            return done(agent_error(where, a, path));
          reader->get(where.agent_url, "/files/browse?path=" + url_encode(path),
                      [where, path, done](agent_answer b) {
                        if (b.status != 200)
                          return done(agent_error(where, b, path));
                        done(http_response{
                          200, "application/json", std::move(b.body), {}});
                      });
        });
    },
    done);
}

stderr_tail_actor spawn_tail_fetcher(caf::actor_system& sys,
                                     std::shared_ptr<sandbox_reader> reader,
                                     std::shared_ptr<service_metrics> metrics,
                                     std::size_t bytes) {
  using impl_actor = stderr_tail_actor::extend<
    caf::reacts_to<atom::tail, std::uint64_t, std::string>>;
  struct state {
    std::map<std::uint64_t, caf::typed_response_promise<std::string>> waiting;
    std::uint64_t next = 1;
  };
  auto h = sys.spawn(
    [reader, metrics, bytes](
      impl_actor::stateful_pointer<state> self) -> impl_actor::behavior_type {
      auto me = caf::actor_cast<impl_actor>(self);
      return {
        [=](atom::tail, const sandbox_ref& where) -> caf::result<std::string> {
          if (bytes == 0 || where.agent_url.empty())
            return std::string{};
          auto token = self->state.next++;
          auto promise = self->make_response_promise<std::string>();
          self->state.waiting.emplace(token, promise);
          auto path = sandbox_path(where, "stderr");
          auto n = static_cast<std::int64_t>(bytes);
          auto give = [me, token, metrics](std::string text, bool ok) {
            if (metrics)
              metrics->count_log_read("tail", ok ? "ok" : "unreachable",
                                      text.size());
            caf::anon_send(me, atom::tail_v, token, std::move(text));
          };
          reader->get(where.agent_url, read_target(path, -1),
                      [=](agent_answer a) {
                        auto size = a.status == 200 ? parse_files_read(a.body)
                                                    : std::nullopt;
                        if (!size)
                          return give({}, false);
                        auto from = std::max<std::int64_t>(0, size->second - n);
                        reader->get(where.agent_url, read_target(path, from, n),
                                    [=](agent_answer b) {
                                      auto data = b.status == 200
                                                    ? parse_files_read(b.body)
                                                    : std::nullopt;
                                      if (!data)
                                        return give({}, false);
                                      give(valid_utf8(data->first), true);
                                    });
                      });
          return promise;
        },
        [=](atom::tail, std::uint64_t token, std::string& text) {
          auto i = self->state.waiting.find(token);
          if (i == self->state.waiting.end())
            return;
          i->second.deliver(std::move(text));
          self->state.waiting.erase(i);
        },
      };
    });
  return caf::actor_cast<stderr_tail_actor>(h);
}

} // namespace outrigger::app
