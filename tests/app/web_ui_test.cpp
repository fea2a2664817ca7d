// The dashboard's static files: embedded at build time, served with their
// types, validators and security headers over a real socket; the activity
// history behind GET /v1/stats; --advertise-url.

#include "app/api.hpp"
#include "app/api_tokens.hpp"
#include "app/config.hpp"
#include "app/rate_history.hpp"
#include "app/service_config.hpp"
#include "app/web_ui.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <set>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace outrigger::test {

namespace {

std::string header(const app::http_response& r, const std::string& name) {
  for (auto& [k, v] : r.headers)
    if (k == name)
      return v;
  return {};
}

/// One request over a fresh loopback connection; the raw response.
std::string raw_get(std::uint16_t port, const std::string& target,
                    const std::string& extra_headers = {}) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  timeval tv{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  auto req = "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + extra_headers +
             "Connection: close\r\n\r\n";
  REQUIRE(::send(fd, req.data(), req.size(), 0) ==
          static_cast<ssize_t>(req.size()));
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

std::string header_of(const std::string& raw, const std::string& name) {
  auto end = raw.find("\r\n\r\n");
  auto head = raw.substr(0, end);
  std::string lower_head, lower_name;
  for (char c : head)
    lower_head += static_cast<char>(std::tolower(c));
  for (char c : name)
    lower_name += static_cast<char>(std::tolower(c));
  auto at = lower_head.find("\r\n" + lower_name + ":");
  if (at == std::string::npos)
    return {};
  auto start = at + 2 + name.size() + 1;
  auto stop = head.find("\r\n", start);
  auto v = head.substr(start, stop - start);
  return v.substr(v.find_first_not_of(' '));
}

} // namespace

TEST_CASE("the embedded dashboard has its entry files") {
  std::set<std::string_view> names;
  for (auto& f : app::embedded_files()) {
    names.insert(f.path);
    CHECK_MESSAGE(f.etag.size() == 18, f.path); // 16 hex digits, quoted
  }
  for (auto name : {"index.html", "app.css", "js/main.js", "js/api.js"})
    CHECK_MESSAGE(names.count(name) == 1, name);
  CHECK(app::content_type_of("a.js") == "text/javascript; charset=utf-8");
  CHECK(app::content_type_of("a.css") == "text/css; charset=utf-8");
  CHECK(app::content_type_of("a.svg") == "image/svg+xml");
  CHECK(app::content_type_of("a.bin") == "application/octet-stream");
}

TEST_CASE("dashboard files are answered with type, ETag and security headers") {
  auto index = app::serve_web_file("/", "");
  CHECK(index.status == 200);
  CHECK(index.content_type == "text/html; charset=utf-8");
  CHECK(index.body.find("/ui/js/main.js") != std::string::npos);
  auto csp = header(index, "Content-Security-Policy");
  CHECK(csp.find("default-src 'self'") != std::string::npos);
  CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
  CHECK(csp.find("unsafe-inline") == std::string::npos);
  CHECK(csp.find("unsafe-eval") == std::string::npos);
  CHECK(header(index, "X-Content-Type-Options") == "nosniff");
  CHECK(header(index, "Referrer-Policy") == "no-referrer");
  CHECK(header(index, "Cache-Control") == "no-cache");
  auto etag = header(index, "ETag");
  REQUIRE(!etag.empty());

  SUBCASE("a matching validator gets 304 without a body") {
    for (auto v : {etag, "W/" + etag, "\"other\", " + etag, std::string{"*"}}) {
      auto again = app::serve_web_file("/", v);
      CHECK_MESSAGE(again.status == 304, v);
      CHECK(again.body.empty());
      CHECK(header(again, "ETag") == etag);
    }
    CHECK(app::serve_web_file("/", "\"stale\"").status == 200);
  }
  SUBCASE("files below /ui/ and unknown ones") {
    auto js = app::serve_web_file("/ui/js/main.js", "");
    CHECK(js.status == 200);
    CHECK(js.content_type == "text/javascript; charset=utf-8");
    CHECK(app::serve_web_file("/ui/app.css", "").content_type ==
          "text/css; charset=utf-8");
    CHECK(app::serve_web_file("/ui/index.html", "").status == 200);
    for (auto bad :
         {"/ui/nope.js", "/ui/../CMakeLists.txt", "/ui/js", "/index.html"}) {
      auto r = app::serve_web_file(bad, "");
      CHECK_MESSAGE(r.status == 404, bad);
      CHECK(r.content_type == "application/json");
      CHECK(nlohmann::json::parse(r.body)["error"]["code"] == "not_found");
    }
  }
}

TEST_CASE("the API's routes serve the dashboard over a real socket") {
  CHECK(app::route_of("/") == "/");
  CHECK(app::route_of("/ui/js/main.js") == "/ui/{file}");
  CHECK(app::route_of("/v1/stats") == "/v1/stats");
  boost::asio::io_context ioc;
  auto guard = boost::asio::make_work_guard(ioc);
  auto ctx = std::make_shared<app::api_context>();
  app::token_set tokens;
  tokens.add("admin", app::scope::admin, "secret-secret-secret");
  ctx->tokens = std::make_shared<app::token_registry>(std::move(tokens));
  ctx->protect_reads = true; // the page still loads, to ask for the token
  app::http_server_options o;
  o.port = 0;
  app::http_server server{ioc, o, app::make_api_handler(ctx)};
  auto port = server.start();
  std::thread io{[&] { ioc.run(); }};

  auto index = raw_get(port, "/");
  CHECK(index.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(header_of(index, "Content-Type") == "text/html; charset=utf-8");
  CHECK(header_of(index, "Content-Security-Policy").find("frame-ancestors") !=
        std::string::npos);
  auto etag = header_of(index, "ETag");
  REQUIRE(!etag.empty());
  auto cached = raw_get(port, "/", "If-None-Match: " + etag + "\r\n");
  CHECK(cached.rfind("HTTP/1.1 304", 0) == 0);
  CHECK(cached.substr(cached.find("\r\n\r\n") + 4).empty());
  auto css = raw_get(port, "/ui/app.css");
  CHECK(header_of(css, "Content-Type") == "text/css; charset=utf-8");
  CHECK(raw_get(port, "/ui/missing.js").rfind("HTTP/1.1 404", 0) == 0);
  // The data is not open: /v1/stats needs the token with --protect-reads.
  CHECK(raw_get(port, "/v1/stats").rfind("HTTP/1.1 401", 0) == 0);
  auto stats = raw_get(port, "/v1/stats",
                       "Authorization: Bearer secret-secret-secret\r\n");
  CHECK(stats.rfind("HTTP/1.1 503", 0) == 0); // no history in this context

  server.close();
  guard.reset();
  io.join();
}

TEST_CASE("the activity history counts growth per interval over a window") {
  using namespace std::chrono;
  using clock = app::rate_history::clock;
  clock::time_point t0{seconds{1'000'000}}; // a multiple of 10 s
  app::rate_history h{t0, seconds{10}, 6};
  auto at = [&](int s) { return t0 + seconds{s}; };
  auto intervals = [&](int s) {
    return nlohmann::json::parse(h.to_json(at(s)))["intervals"];
  };
  h.record(at(0), {100, 50, 5}, 0); // the base: counts from before
  h.record(at(1), {103, 51, 5}, 0);
  h.record(at(4), {104, 53, 6}, 2.5);
  h.record(at(12), {110, 53, 6}, 0);
  auto j = nlohmann::json::parse(h.to_json(at(15)));
  CHECK(j["interval_seconds"] == 10);
  CHECK(j["uptime_seconds"] == 15);
  CHECK(j["oldest_pending_seconds"] == 0);
  auto iv = j["intervals"];
  REQUIRE(iv.size() == 6);
  CHECK(iv[4]["launches"] == 4);
  CHECK(iv[4]["finishes"] == 3);
  CHECK(iv[4]["failures"] == 1);
  CHECK(iv[5]["launches"] == 6);
  CHECK(iv[5]["start"] == "1970-01-12T13:46:50Z");
  CHECK(iv[0]["launches"] == 0);
  SUBCASE("intervals older than the window are gone") {
    h.record(at(75), {111, 53, 6}, 0);
    auto later = intervals(75);
    std::uint64_t total = 0;
    for (auto& i : later)
      total += i["launches"].get<std::uint64_t>();
    CHECK(total == 1); // the interval of second 12 left the window
    CHECK(later[5]["launches"] == 1);
  }
  SUBCASE("counters that went down count from zero") {
    h.record(at(13), {2, 0, 0}, 0);
    CHECK(intervals(13)[5]["launches"] == 8);
  }
  CHECK(app::totals_of(7, {{"FINISHED", 3},
                           {"FAILED", 1},
                           {"LOST", 2},
                           {"KILLED", 4},
                           {"FINISHED", 1}})
          .failures == 3);
}

TEST_CASE("--advertise-url fills FrameworkInfo.webui_url and hostname") {
  CHECK(app::advertised_host("http://sched.example.com:8080/") ==
        "sched.example.com");
  CHECK(app::advertised_host("https://10.0.0.5") == "10.0.0.5");
  CHECK(app::advertised_host("http://[::1]:8080/ui") == "::1");
  CHECK(!app::advertised_host("sched.example.com:8080"));
  CHECK(!app::advertised_host("ftp://x/"));
  CHECK(!app::advertised_host("http://"));
  CHECK(!app::advertised_host("http://user:pw@host/"));
  CHECK(!app::advertised_host("http://a b/"));
  app::serve_settings s;
  s.advertise_url = "sched:8080";
  CHECK(app::validate(s).rfind("--advertise-url:", 0) == 0);
  s.advertise_url = "https://sched.example.com:8443/";
  CHECK(app::validate(s).empty());
  auto l = app::link_config_of(s, {});
  CHECK(l.framework.webui_url == "https://sched.example.com:8443/");
  CHECK(l.framework.hostname == "sched.example.com");
  s.advertise_url.clear();
  auto none = app::link_config_of(s, {});
  CHECK(!none.framework.webui_url);
  CHECK(!none.framework.hostname);
}

} // namespace outrigger::test
