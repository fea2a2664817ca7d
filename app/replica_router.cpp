#include "app/replica_router.hpp"

#include "actors/log.hpp"
#include "app/metrics.hpp"

#include <nlohmann/json.hpp>

#include <thread>

namespace outrigger::app {

namespace {

http_response json_response(unsigned status, const nlohmann::json& j) {
  return http_response{status, "application/json", j.dump(), {}};
}

http_response retry_later(const std::string& code, const std::string& message) {
  http_response r{503, "application/json", error_body(code, message), {}};
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

std::string percent_encode(const std::string& text, bool keep_slash) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

// Response fields of the leader that a client may rely on.
constexpr const char* passed_headers[] = {"ETag",        "Location",
                                          "Retry-After", "WWW-Authenticate",
                                          "Allow",       "Cache-Control"};

} // namespace

std::string encode_target(const std::string& path,
                          const std::map<std::string, std::string>& query) {
  auto target = percent_encode(path, true);
  char sep = '?';
  for (auto& [key, value] : query) {
    target.push_back(sep);
    target += percent_encode(key, false);
    target.push_back('=');
    target += percent_encode(value, false);
    sep = '&';
  }
  return target;
}

std::string bearer_token(const std::string& authorization) {
  constexpr std::string_view scheme = "Bearer ";
  if (authorization.size() <= scheme.size())
    return {};
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(scheme[i])))
      return {};
  return authorization.substr(scheme.size());
}

replica_router::replica_router(bool ha, forward_options options,
                               std::shared_ptr<service_metrics> metrics)
  : ha_(ha), options_(std::move(options)), metrics_(std::move(metrics)) {
  status_.ha = ha;
  status_.self_url = options_.self_url;
  if (!ha)
    status_.role = replica_role::leader;
}

http_handler replica_router::handler() {
  return [self = shared_from_this()](http_request req, responder done) {
    self->answer(std::move(req), std::move(done));
  };
}

void replica_router::set_role(replica_role role) {
  std::lock_guard lock{m_};
  status_.role = role;
}

void replica_router::set_leader(const std::string& url) {
  std::lock_guard lock{m_};
  status_.leader_url = url;
}

void replica_router::serve_locally(http_handler local) {
  std::lock_guard lock{m_};
  local_ = std::move(local);
}

replica_status replica_router::status() const {
  std::lock_guard lock{m_};
  return status_;
}

void replica_router::answer(http_request req, responder done) {
  http_handler local;
  replica_status st;
  {
    std::lock_guard lock{m_};
    local = local_;
    st = status_;
  }
  if (local)
    return local(std::move(req), std::move(done));
  auto role = std::string{to_string(st.role)};
  if (req.method == "GET" && req.path == "/healthz")
    return done(json_response(200, {{"status", "ok"}, {"role", role}}));
  if (req.method == "GET" && req.path == "/metrics" && metrics_)
    return done(http_response{200,
                              "text/plain; version=0.0.4; charset=utf-8",
                              metrics_->serialize(),
                              {}});
  bool forwarding = ha_ && st.role == replica_role::standby &&
                    !st.leader_url.empty() && st.leader_url != st.self_url;
  if (req.method == "GET" && req.path == "/readyz") {
    // A standby that can forward is ready: a Service may send it traffic.
    if (forwarding)
      return done(json_response(
        200, {{"ready", true}, {"role", role}, {"leader", st.leader_url}}));
    auto reason = !ha_ || st.role == replica_role::leader
                    ? "starting: loading the state"
                    : "no replica leads yet (election in progress)";
    return done(json_response(
      503, {{"ready", false}, {"role", role}, {"reason", reason}}));
  }
  if (!forwarding) {
    if (!ha_ || st.role == replica_role::leader)
      return done(retry_later("unavailable", "the service is starting "
                                             "(loading its state); retry"));
    return done(retry_later("no_leader",
                            "no replica leads yet (election in progress); "
                            "retry"));
  }
  forward(std::move(req), std::move(done), st.leader_url);
}

void replica_router::forward(http_request req, responder done,
                             std::string leader) {
  if (in_flight_.fetch_add(1) >= options_.max_in_flight) {
    --in_flight_;
    return done(retry_later("overloaded",
                            "too many requests are being forwarded to the "
                            "leader; retry"));
  }
  // http_call blocks: each forward gets a thread, bounded by max_in_flight.
  std::thread{[self = shared_from_this(), req = std::move(req),
               done = std::move(done), leader = std::move(leader)] {
    auto ct = req.content_type.empty() ? "application/json" : req.content_type;
    auto r = http_call(leader, req.method, encode_target(req.path, req.query),
                       req.body, bearer_token(req.authorization),
                       self->options_.timeout, ct, self->options_.tls);
    --self->in_flight_;
    if (r.status == 0) {
      log::warn("ha", "the leader did not answer a forwarded request",
                {{"leader", leader}, {"error", r.error}});
      return done(
        retry_later("leader_unreachable",
                    "the leader at " + leader + " did not answer: " + r.error));
    }
    http_response out;
    out.status = r.status;
    out.content_type = r.header("Content-Type");
    out.body = std::move(r.body);
    for (auto* name : passed_headers)
      if (auto v = r.header(name); !v.empty())
        out.headers.emplace_back(name, v);
    out.headers.emplace_back("X-Outrigger-Leader", leader);
    done(std::move(out));
  }}.detach();
}

} // namespace outrigger::app
