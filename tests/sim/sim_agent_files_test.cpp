// The simulated agent's /files endpoints against the real agent's answers
// (tests/data/mesos-wire/transcripts2/44, 45, 80-89f): each recorded request
// is sent again to an agent_files endpoint over a sandbox laid out like the
// recorded one, and status, content type and body must match.

#include "sim/agent_files.hpp"
#include "tests/sim/wire_replay.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <random>

namespace outrigger::sim {

namespace {

namespace fs = std::filesystem;

const std::string agent = "74d5754f-8aac-406b-9aac-388ad6fed9db-S0";
const std::string fw0 = "74d5754f-8aac-406b-9aac-388ad6fed9db-0000";
const std::string fw3 = "74d5754f-8aac-406b-9aac-388ad6fed9db-0003";
const std::string run0 = "5265f35e-de5f-4860-a939-1db1289ae1d8";
const std::string run3 = "e988ce03-0994-4d7a-a120-02555e10b57c";
const std::string recorded_root = "/srv/mesos/x/agent1";

struct recorded {
  std::string target;
  unsigned status = 0;
  header_list headers;
  std::string body;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

recorded parse(const std::string& text) {
  recorded r;
  auto req = text.find("### REQUEST\n");
  REQUIRE(req != std::string::npos);
  auto line = text.substr(req + 12, text.find('\n', req + 12) - req - 12);
  r.target = line.substr(4, line.rfind(" HTTP/1.1") - 4);
  auto resp = text.find("### RESPONSE (status line");
  auto head = text.find('\n', resp) + 1;
  auto head_end = text.find("\r\n\r\n", head);
  auto status_line = text.substr(head, text.find("\r\n", head) - head);
  r.status = static_cast<unsigned>(std::stoi(status_line.substr(9, 3)));
  std::size_t at = text.find("\r\n", head) + 2;
  while (at < head_end) {
    auto eol = text.find("\r\n", at);
    auto field = text.substr(at, eol - at);
    auto colon = field.find(": ");
    r.headers.emplace_back(field.substr(0, colon), field.substr(colon + 2));
    at = eol + 2;
  }
  auto marker = text.find("### RESPONSE BODY (", head_end);
  auto n = std::stoul(text.substr(marker + 19));
  r.body = text.substr(text.find('\n', marker) + 1, n);
  return r;
}

std::string replace_all(std::string s, const std::string& from,
                        const std::string& to) {
  for (auto at = s.find(from); at != std::string::npos;
       at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

// A work directory shaped like the recorded agent's.
struct sandbox_fixture {
  fs::path root;
  std::string stderr0;
  sandbox_fixture() {
    root = fs::temp_directory_path() /
           ("or-files-" + std::to_string(std::random_device{}()));
    auto runs0 = root / "slaves" / agent / "frameworks" / fw0 / "executors" /
                 "echo-hello" / "runs";
    fs::create_directories(runs0 / run0);
    fs::create_directory_symlink(run0, runs0 / "latest");
    std::ofstream(runs0 / run0 / "stdout", std::ios::binary) << "hello\n";
    // The executor's stderr as recorded (87).
    auto dir = test::mesos_wire_dir();
    REQUIRE(dir);
    auto rec87 =
      parse(slurp(*dir / "transcripts2" / "87-files-read-stderr-offset0.txt"));
    auto data = nlohmann::json::parse(rec87.body)["data"].get<std::string>();
    stderr0 = data;
    std::ofstream(runs0 / run0 / "stderr", std::ios::binary) << data;
    auto runs3 = root / "slaves" / agent / "frameworks" / fw3 / "executors" /
                 "default-exec-1" / "runs";
    fs::create_directories(runs3 / run3 / "containers");
    fs::create_directories(runs3 / run3 / "tasks" / "group-echo-hi");
    fs::create_directory_symlink(run3, runs3 / "latest");
    std::ofstream(runs3 / run3 / "tasks" / "group-echo-hi" / "stdout")
      << "hi\n";
    std::ofstream(runs3 / run3 / "stdout");
    std::ofstream(runs3 / run3 / "stderr") << std::string(2549, 'x');
  }
  ~sandbox_fixture() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
};

// Listings compare member names and order, paths, sizes and modes; owner
// names and times are the machine's.
void same_listing(const std::string& expected, const std::string& actual) {
  auto e = nlohmann::ordered_json::parse(expected);
  auto a = nlohmann::ordered_json::parse(actual);
  REQUIRE(a.size() == e.size());
  for (std::size_t i = 0; i < e.size(); ++i) {
    std::vector<std::string> ek, ak;
    for (auto& [k, _] : e[i].items())
      ek.push_back(k);
    for (auto& [k, _] : a[i].items())
      ak.push_back(k);
    CHECK(ak == ek);
    CHECK(a[i]["path"] == e[i]["path"]);
    CHECK(a[i]["mode"].get<std::string>()[0] ==
          e[i]["mode"].get<std::string>()[0]);
    if (e[i]["mode"].get<std::string>()[0] == '-')
      CHECK(a[i]["size"] == e[i]["size"]);
    CHECK(a[i]["mtime"].is_number_float());
    CHECK(a[i]["uid"].is_string());
  }
}

} // namespace

TEST_CASE("agent /files answers as the recorded Mesos agent") {
  sandbox_fixture box;
  agent_files files{{box.root, {}}};
  files.set_agent_id(agent);
  auto dir = test::mesos_wire_dir();
  REQUIRE(dir);
  std::vector<std::string> names{
    "44-files-browse-default-executor-sandbox",
    "45-files-read-group-echo-hi-task-stdout",
    "80-files-browse-sandbox",
    "81-files-read-stdout-offset0-length100",
    "82-files-read-stdout-offset-minus1-size-query",
    "83-files-read-stdout-offset-beyond-end",
    "84-files-read-nonexistent-path",
    "85-files-read-stdout-virtual-latest-path",
    "86-files-browse-virtual-latest-path",
    "87-files-read-stderr-offset0",
    "88-files-read-stdout-no-offset",
    "89-files-browse-nonexistent",
    "89b-files-read-directory",
    "89c-files-debug",
    "89d-files-download-stdout",
    "89e-files-read-stdout-offset0-length3",
    "89f-files-read-offset-at-exact-end"};
  for (auto& name : names) {
    CAPTURE(name);
    auto rec = parse(slurp(*dir / "transcripts2" / (name + ".txt")));
    http_request req;
    req.method = "GET";
    req.target = replace_all(rec.target, recorded_root, box.root.string());
    auto reply = files.handle(req).response;
    CHECK(reply.status == rec.status);
    CHECK(reply.header("Content-Type") ==
          find_header(rec.headers, "Content-Type"));
    if (auto cd = find_header(rec.headers, "Content-Disposition"))
      CHECK(reply.header("Content-Disposition") == cd);
    auto expected = replace_all(rec.body, recorded_root, box.root.string());
    if (name.find("browse") != std::string::npos && rec.status == 200) {
      same_listing(expected, reply.body);
    } else if (name == "89c-files-debug") {
      // The attached paths of echo-hello (the recorded agent also had a
      // sleep-5 sandbox and its log file).
      auto e = nlohmann::json::parse(expected);
      auto a = nlohmann::json::parse(reply.body);
      for (auto& [k, v] : e.items())
        if (k.find("echo-hello") != std::string::npos)
          CHECK(a[k] == fs::canonical(v.get<std::string>()).string());
    } else {
      CHECK(reply.body == expected);
    }
  }
}

TEST_CASE("agent /files edge cases follow files.cpp") {
  sandbox_fixture box;
  agent_files files{{box.root, {}}};
  files.set_agent_id(agent);
  auto get = [&](const std::string& target) {
    http_request req;
    req.method = "GET";
    req.target = target;
    return files.handle(req).response;
  };
  auto v = "/frameworks/" + fw0 + "/executors/echo-hello/runs/latest";
  CHECK(get("/files/read").status == 400);
  CHECK(get("/files/read").body == "Expecting 'path=value' in query.\n");
  CHECK(get("/files/read?path=" + v + "/stdout&offset=x").status == 400);
  // Escaping outside the sandbox is not found.
  CHECK(get("/files/read?path=" + v + "/../../../x&offset=0").status == 404);
  CHECK(get("/files/download?path=" + v).status == 400);
  CHECK(get("/files/download?path=" + v).body ==
        "Cannot download a directory.\n");
  // Control bytes are escaped as stout does, other bytes go out raw.
  CHECK(stout_json_string(std::string("a\x01\x7f\xff\"/\n", 7)) ==
        std::string("\"a\\u0001\\u007f\xff\\\"/\\n\"", 21));
  // Percent-encoded paths decode.
  auto enc = replace_all(v, "/", "%2F");
  CHECK(get("/files/read?path=" + enc + "%2Fstdout&offset=0").body ==
        R"({"data":"hello\n","offset":0})");
  // Reads are capped at 16 pages.
  auto big = box.root / "slaves" / agent / "frameworks" / fw0 / "executors" /
             "echo-hello" / "runs" / run0 / "big";
  std::ofstream(big, std::ios::binary) << std::string(100000, 'z');
  auto r = get("/files/read?path=" + v + "/big&offset=0&length=100000");
  auto j = nlohmann::json::parse(r.body);
  CHECK(j["data"].get<std::string>().size() == 65536);
  // No agent id yet: nothing is attached.
  agent_files fresh{{box.root, {}}};
  http_request req;
  req.method = "GET";
  req.target = "/files/read?path=" + v + "/stdout&offset=0";
  CHECK(fresh.handle(req).response.status == 404);
}

TEST_CASE("a synthetic agent serves generated sandboxes") {
  agent_files files{
    {{},
     [](const std::string& a, const std::string& f,
        const std::string& e) -> std::optional<virtual_sandbox> {
       if (e != "t1")
         return std::nullopt;
       virtual_sandbox box;
       box.files["stdout"] = "out of " + a + "/" + f + "\n";
       box.files["stderr"] = "";
       box.mtime = 1795309267;
       return box;
     }}};
  files.set_agent_id("S9");
  auto get = [&](const std::string& target) {
    http_request req;
    req.method = "GET";
    req.target = target;
    return files.handle(req).response;
  };
  auto v = std::string{"/frameworks/F/executors/t1/runs/latest"};
  CHECK(get("/files/read?path=" + v + "/stdout&offset=0").body ==
        R"({"data":"out of S9/F\n","offset":0})");
  CHECK(get("/files/read?path=" + v + "/stdout").body ==
        R"({"data":"","offset":12})");
  auto listing = nlohmann::json::parse(get("/files/browse?path=" + v).body);
  REQUIRE(listing.size() == 2);
  CHECK(listing[1]["path"] == v + "/stdout");
  CHECK(listing[1]["mtime"].get<double>() == 1795309267.0);
  CHECK(get("/files/read?path=/frameworks/F/executors/t2/runs/latest/stdout")
          .status == 404);
}

} // namespace outrigger::sim
