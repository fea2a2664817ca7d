// The documents that describe the service match it: docs/api.yaml against
// the running server, and the metric names of the Prometheus rules and the
// Grafana dashboard in deploy/ against what the service exports.

#include "app/api.hpp"
#include "app/metrics.hpp"
#include "tests/app/service_fixture.hpp"

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace outrigger::test {

namespace {

std::string read_source(const std::string& rel) {
  std::ifstream in{std::string{OUTRIGGER_SOURCE_DIR} + "/" + rel};
  REQUIRE_MESSAGE(in.good(), "cannot read " << rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::size_t indent_of(const std::string& line) {
  return line.find_first_not_of(' ');
}

/// Operations of an OpenAPI document: (path, method) → documented status
/// codes. Reads the layout docs/api.yaml uses: paths at indent 2, methods
/// at 4, response codes quoted at 8.
std::map<std::pair<std::string, std::string>, std::set<unsigned>>
operations(const std::string& yaml) {
  std::map<std::pair<std::string, std::string>, std::set<unsigned>> ops;
  std::istringstream in{yaml};
  std::string line, path, method;
  bool in_paths = false;
  static const std::set<std::string> methods{"get", "post", "put", "delete",
                                             "patch"};
  while (std::getline(in, line)) {
    if (line.empty() || line.find_first_not_of(' ') == std::string::npos)
      continue;
    auto ind = indent_of(line);
    auto text = line.substr(ind);
    if (ind == 0) {
      in_paths = text == "paths:";
      continue;
    }
    if (!in_paths)
      continue;
    if (ind == 2 && text.back() == ':') {
      path = text.substr(0, text.size() - 1);
      method.clear();
    } else if (ind == 4 && text.back() == ':' &&
               methods.count(text.substr(0, text.size() - 1))) {
      method = text.substr(0, text.size() - 1);
      for (auto& c : method)
        c = static_cast<char>(std::toupper(c));
      ops[{path, method}];
    } else if (ind == 8 && !method.empty() && text.size() == 6 &&
               text[0] == '\'' && text[4] == '\'' && text[5] == ':') {
      ops[{path, method}].insert(
        static_cast<unsigned>(std::stoul(text.substr(1, 3))));
    }
  }
  return ops;
}

} // namespace

TEST_CASE("docs/api.yaml describes every route and the codes the server "
          "answers") {
  auto ops = operations(read_source("docs/api.yaml"));
  std::set<std::string> documented;
  for (auto& [op, codes] : ops) {
    documented.insert(op.first);
    CHECK_MESSAGE(!codes.empty(), op.second << " " << op.first);
  }
  // Every route of the server's table is documented, and only those, with
  // the same methods; a request to it is labelled with its pattern.
  std::set<std::string> served;
  std::set<std::pair<std::string, std::string>> served_ops, documented_ops;
  for (auto& r : app::api_routes()) {
    std::string p{r.pattern};
    auto example = p == "/v1/tasks/{id}" ? std::string{"/v1/tasks/1"}
                   : p == "/ui/{file}"   ? std::string{"/ui/app.css"}
                                         : p;
    CHECK(app::route_of(example) == p);
    served.insert(p);
    served_ops.emplace(p, std::string{r.method});
  }
  for (auto& [op, codes] : ops)
    documented_ops.insert(op);
  CHECK(documented == served);
  CHECK(documented_ops == served_ops);

  temp_dir dir{"or-doc"};
  std::ofstream{dir.path() / "token"} << "tok\n";
  std::ofstream{dir.path() / "tokens"} << "viewer read viewer-0123456789ab\n";
  serve_process serve{{"--dev", "--data-dir", (dir.path() / "data").string(),
                       "--api-token-file", (dir.path() / "token").string(),
                       "--api-tokens-file", (dir.path() / "tokens").string(),
                       "--max-body-bytes", "2048"},
                      dir.path() / "serve.log"};
  REQUIRE(serve.up());
  REQUIRE(serve.eventually(
    "/readyz", [](const api_answer& a) { return a.status == 200; }));
  struct probe {
    std::string method, target, doc_path, body, token;
  };
  std::vector<probe> probes{
    {"POST", "/v1/tasks", "/v1/tasks", task_body("a", "sleep 30"), "tok"},
    {"POST", "/v1/tasks", "/v1/tasks", task_body("a", "true"), "tok"},
    {"POST", "/v1/tasks", "/v1/tasks", R"({"key":"b"})", "tok"},
    {"POST", "/v1/tasks", "/v1/tasks", task_body("c", "true"), ""},
    {"POST", "/v1/tasks", "/v1/tasks", task_body("d", std::string(3000, 'x')),
     "tok"},
    {"GET", "/v1/tasks", "/v1/tasks", "", ""},
    {"GET", "/v1/tasks?limit=x", "/v1/tasks", "", ""},
    {"GET", "/v1/tasks/1", "/v1/tasks/{id}", "", ""},
    {"GET", "/v1/tasks/77", "/v1/tasks/{id}", "", ""},
    {"DELETE", "/v1/tasks/77", "/v1/tasks/{id}", "", "tok"},
    {"DELETE", "/v1/tasks/1", "/v1/tasks/{id}", "", ""},
    {"DELETE", "/v1/tasks/1", "/v1/tasks/{id}", "", "tok"},
    {"GET", "/v1/results?after=0&wait=1", "/v1/results", "", ""},
    {"GET", "/v1/results?wait=3600", "/v1/results", "", ""},
    {"GET", "/v1/framework", "/v1/framework", "", ""},
    {"DELETE", "/v1/framework", "/v1/framework", "", ""},
    {"GET", "/metrics", "/metrics", "", ""},
    {"GET", "/healthz", "/healthz", "", ""},
    {"GET", "/readyz", "/readyz", "", ""},
    {"POST", "/v1/tasks", "/v1/tasks", task_body("e", "true"),
     "viewer-0123456789ab"},
    {"DELETE", "/v1/tasks/1", "/v1/tasks/{id}", "", "viewer-0123456789ab"},
    {"DELETE", "/v1/framework", "/v1/framework", "", "viewer-0123456789ab"},
    {"GET", "/v1/stats", "/v1/stats", "", ""},
    {"GET", "/", "/", "", ""},
    {"GET", "/ui/js/main.js", "/ui/{file}", "", ""},
    {"GET", "/ui/no-such-file.js", "/ui/{file}", "", ""},
    {"DELETE", "/v1/framework", "/v1/framework", "", "tok"}, // last: teardown
  };
  for (auto& p : probes) {
    auto r = serve.call(p.method, p.target, p.body, p.token);
    auto& codes = ops[{p.doc_path, p.method}];
    CHECK_MESSAGE(codes.count(r.status) == 1,
                  p.method << " " << p.target << " answered " << r.status
                           << ", not documented");
    if (r.status >= 400)
      CHECK_MESSAGE(r.body["error"]["code"].is_string(),
                    p.method << " " << p.target);
  }
}

TEST_CASE("the deploy/ rules and dashboard only name exported metrics") {
  // Feed one value into every labelled family so that all of them are
  // exported with a sample.
  app::service_metrics m{"test"};
  link_metrics l;
  l.reconnects["stream cut"] = 1;
  l.events["UPDATE"] = 1;
  l.calls[{"ACCEPT", 202}] = 1;
  l.call_latency = latency_histogram::with_bounds({0.1, 1});
  l.call_latency.observe(0.05);
  m.update(l, 10);
  book_metrics b;
  b.tasks["QUEUED"] = 1;
  b.results[{"FINISHED", "NONE"}] = 1;
  for (auto* h : {&b.commit_latency, &b.event_latency, &b.submit_to_running}) {
    *h = latency_histogram::with_bounds({0.1, 1});
    h->observe(0.05);
  }
  m.update(b);
  matcher_metrics x;
  for (auto* h : {&x.hold_time, &x.pass_time}) {
    *h = latency_histogram::with_bounds({0.1, 1});
    h->observe(0.05);
  }
  m.update(x);
  m.count_request("/v1/tasks", 200);
  std::set<std::string> exported;
  std::istringstream text{m.serialize()};
  std::string line;
  while (std::getline(text, line))
    if (line.rfind("# TYPE ", 0) == 0)
      exported.insert(line.substr(7, line.find(' ', 7) - 7));
  CHECK(exported.size() >= 35);
  std::regex name{"outrigger_[a-z0-9_]+"};
  for (auto* file : {"deploy/prometheus/alerts.yaml",
                     "deploy/grafana/outrigger-dashboard.json"}) {
    auto content = read_source(file);
    std::size_t seen = 0;
    for (std::sregex_iterator i{content.begin(), content.end(), name}, end;
         i != end; ++i) {
      auto n = i->str();
      for (auto* suffix : {"_bucket", "_sum", "_count"}) {
        std::string s{suffix};
        if (n.size() > s.size() && n.ends_with(s) &&
            exported.count(n.substr(0, n.size() - s.size())))
          n = n.substr(0, n.size() - s.size());
      }
      ++seen;
      CHECK_MESSAGE(exported.count(n) == 1,
                    file << " names " << n << ", which is not exported");
    }
    CHECK_MESSAGE(seen > 5, file << " names hardly any metric");
  }
}

} // namespace outrigger::test
