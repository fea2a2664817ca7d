// Every check of design.md §M6 (request handling order of
// Master::Http::scheduler) and §M3 (non-leading master), with the exact status
// codes and bodies.

#include "sim_test_support.hpp"

#include <doctest/doctest.h>

using namespace outrigger::sim;
using namespace outrigger::sim::test;

namespace {

const std::string fw_json =
  R"({"framework_id":{"value":"F"},"type":"RECONCILE","reconcile":{"tasks":[]}})";

void check_text(const http_response& r, unsigned status,
                const std::string& body) {
  CHECK(r.status == status);
  CHECK(r.body == body);
  CHECK(header(r, "Content-Type") == "text/plain; charset=utf-8");
}

pr::MasterInfo other_master() {
  pr::MasterInfo info;
  info.id = "5b6fe8a1-e755-48ee-b7a7-500c6a5f4335";
  info.hostname = "localhost";
  info.port = 5052;
  return info;
}

} // namespace

TEST_CASE("row 2: a non-leader redirects everything with 307, or 503") {
  harness h;
  h.m.set_leader(other_master());
  auto post = [&](const std::string& target) {
    return h
      .request("POST", target, {{"Content-Type", "application/json"}}, "{}")
      .response;
  };
  auto r = post("/api/v1/scheduler");
  CHECK(r.status == 307);
  CHECK(header(r, "Location") == "//localhost:5052/master/api/v1/scheduler");
  CHECK(r.body.empty());
  CHECK(header(post("/master/api/v1/scheduler"), "Location") ==
        "//localhost:5052/master/api/v1/scheduler");
  CHECK(header(post("/api/v1/scheduler?foo=bar"), "Location") ==
        "//localhost:5052/master/api/v1/scheduler?foo=bar");
  // 307, not 405, for GET (surprise 0.3), also for the state endpoint.
  CHECK(h.get("/api/v1/scheduler").status == 307);
  CHECK(header(h.get("/master/state"), "Location") ==
        "//localhost:5052/master/state");
  CHECK(header(h.get("/master/redirect"), "Location") == "//localhost:5052");
  check_text(h.get("/master/redirect/foo"), 404, "404 Not Found.");
  CHECK_FALSE(h.m.elected());
  CHECK(h.m.metric("master/elected") == 0);

  h.m.set_no_leader();
  check_text(post("/api/v1/scheduler"), 503, "No leader elected");
  check_text(h.get("/master/redirect"), 503, "No leader elected");
  check_text(h.get("/api/v1/scheduler"), 503, "No leader elected");

  h.m.set_leader_self();
  CHECK(h.get("/api/v1/scheduler").status == 405);
}

TEST_CASE("the leader redirects /redirect to itself - health is 200") {
  harness h;
  CHECK(header(h.get("/master/redirect"), "Location") == "//localhost:5050");
  CHECK(header(h.get("/redirect"), "Location") == "//localhost:5050");
  CHECK(h.get("/redirect/x").status == 404);
  auto health = h.get("/master/health");
  CHECK(health.status == 200);
  CHECK(health.body.empty());
  CHECK(h.get("/no/such/route").status == 404);
}

TEST_CASE("row 3: 503 while the master has not finished recovery") {
  harness h;
  h.m.unavailable_for(2s);
  check_text(h.post(fw_json), 503, "Master has not finished recovery");
  h.advance(2s);
  CHECK(h.post(fw_json).status == 400); // framework cannot be found
}

TEST_CASE("row 4: 405 with Allow: POST (obs 33)") {
  harness h;
  auto r = h.get("/api/v1/scheduler");
  check_text(r, 405,
             "405 Method Not Allowed. Expecting one of { 'POST' }, but "
             "received 'GET'.");
  CHECK(header(r, "Allow") == "POST");
}

TEST_CASE("row 5: no Content-Type (obs 36)") {
  harness h;
  check_text(h.request("POST", "/api/v1/scheduler", {}, fw_json).response, 400,
             "Expecting 'Content-Type' to be present");
}

TEST_CASE("row 6: protobuf bodies") {
  harness h;
  auto pb = [&](std::string body) {
    return h
      .request("POST", "/api/v1/scheduler",
               {{"Content-Type", "application/x-protobuf"}}, std::move(body))
      .response;
  };
  check_text(pb("\x08\x01"), 400, "Failed to parse body into Call protobuf");
  // An empty body is a valid empty protobuf message: validation fails.
  check_text(pb(""), 400,
             "Failed to validate scheduler::Call: Expecting 'type' to be "
             "present");
}

TEST_CASE("row 7: JSON syntax errors worded as picojson (obs 37, 45)") {
  harness h;
  std::string prefix = "Failed to parse body into JSON: ";
  check_text(h.post(R"({"type": "RECONCILE", "framework_id": )"), 400,
             prefix + "syntax error at line 1 near: ");
  check_text(h.post(""), 400, prefix + "syntax error at line 1 near: ");
  check_text(h.post("{bad}"), 400,
             prefix + "syntax error at line 1 near: bad}");
  check_text(h.post("{\n\"a\": tru\n}"), 400,
             prefix + "syntax error at line 2 near: ");
  check_text(h.post(R"({"a": 1} x)"), 400,
             prefix +
               "Parsed JSON included non-whitespace trailing characters:  x");
  check_text(h.post(R"({"a": 1e999})"), 400, prefix + "Value out of range");
}

TEST_CASE("row 8: JSON to protobuf conversion errors (obs 47)") {
  harness h;
  std::string prefix = "Failed to convert JSON into Call protobuf: ";
  check_text(
    h.post(R"({"framework_id": {"value": "F"}, "type": "ACKNOWLEDGE", )"
           R"("acknowledge": {"task_id": {"value": "t"}}})"),
    400,
    prefix + "Missing required fields: acknowledge.agent_id, "
             "acknowledge.uuid");
  check_text(h.post(R"({"type": "TEARDOWN", "framework_id": {"value": 5}})"),
             400, prefix + "Not expecting a JSON number for field 'value'");
  check_text(h.post("[1, 2]"), 400, prefix + "Expecting a JSON object");
  check_text(
    h.post(R"({"type":"ACKNOWLEDGE","framework_id":{"value":"F"},)"
           R"("acknowledge":{"agent_id":{"value":"A"},"task_id":{"value":"t"},)"
           R"("uuid":"a*b"}})"),
    400,
    prefix + "Failed to base64 decode bytes field 'uuid': Invalid "
             "character '*'");
  // What stout accepts: null as unset, numbers in strings, unpadded base64.
  CHECK(h.post(R"({"type": "TEARDOWN", "framework_id": {"value": "F"}, )"
               R"("kill": null})")
          .body == "Framework cannot be found");
  CHECK(
    h.post(R"({"type":"DECLINE","framework_id":{"value":"F"},)"
           R"("decline":{"offer_ids":[],"filters":{"refuse_seconds":"5"}}})")
      .body == "Framework cannot be found");
}

TEST_CASE("row 9: 415 for other content types, exact compare (obs 34, 35)") {
  harness h;
  for (auto type : {"text/plain", "application/json; charset=utf-8"}) {
    auto r =
      h.request("POST", "/api/v1/scheduler", {{"Content-Type", type}}, fw_json)
        .response;
    check_text(r, 415,
               "Expecting 'Content-Type' of application/json or "
               "application/x-protobuf");
  }
}

TEST_CASE("row 10: call validation (obs 38, 39, 42, 44, 46)") {
  harness h;
  std::string prefix = "Failed to validate scheduler::Call: ";
  check_text(
    h.post(R"({"framework_id": {"value": "F"}, "type": "FLY_TO_MOON"})"), 400,
    prefix + "Expecting 'type' to be present");
  check_text(h.post(R"({"type": "RECONCILE", "reconcile": {"tasks": []}})"),
             400, prefix + "Expecting 'framework_id' to be present");
  check_text(h.post(R"({"framework_id": {"value": "F"}, "type": "KILL"})"), 400,
             prefix + "Expecting 'kill' to be present");
  check_text(
    h.post(R"({"framework_id": {"value": "F"}, "type": "ACKNOWLEDGE", )"
           R"("acknowledge": {"agent_id": {"value": "A"}, "task_id": )"
           R"({"value": "t"}, "uuid": "aGVsbG8="}})"),
    400, prefix + "Not a valid UUID");
  check_text(
    h.post(R"({"framework_id": {"value": "F"}, "type": "SUBSCRIBE", )"
           R"("subscribe": {"framework_info": {"user": "root", "name": "x", )"
           R"("id": {"value": "other"}}}})"),
    400, prefix + "'framework_id' differs from 'subscribe.framework_info.id'");
}

TEST_CASE("row 11: 406 when Accept excludes JSON on SUBSCRIBE (obs 41)") {
  harness h;
  auto body = pr::to_json(pr::make_subscribe(framework_info()));
  auto sub = [&](std::optional<std::string> accept) {
    header_list headers{{"Content-Type", "application/json"}};
    if (accept)
      headers.emplace_back("Accept", *accept);
    return h.request("POST", "/api/v1/scheduler", headers, body);
  };
  std::string message = "Expecting 'Accept' to allow "
                        "'application/x-protobuf' or 'application/json'";
  check_text(sub("text/html").response, 406, message);
  check_text(sub("application/json;q=0, text/html").response, 406, message);
  // Deviation: protobuf-only is refused as if protobuf were unacceptable.
  check_text(sub("application/x-protobuf").response, 406, message);
  CHECK(sub(std::nullopt).stream); // obs 123: no Accept → JSON stream
  CHECK(sub("*/*").stream);
  CHECK(sub("application/*;q=0.5").stream);
  // Other calls ignore Accept.
  auto r = h.request(
    "POST", "/api/v1/scheduler",
    {{"Content-Type", "application/json"}, {"Accept", "text/html"}}, fw_json);
  CHECK(r.response.body == "Framework cannot be found");
}

TEST_CASE("row 12: SUBSCRIBE with a Mesos-Stream-Id (obs 32)") {
  harness h;
  auto r = h.post(pr::to_json(pr::make_subscribe(framework_info())),
                  std::string{"105d21d1-b075-4e05-8d19-3d4b8fdb8c76"});
  check_text(r, 400,
             "Subscribe calls should not include the 'Mesos-Stream-Id' "
             "header");
}

TEST_CASE("rows 14-22: framework, subscription and stream id checks") {
  harness h;
  auto s = h.subscribe(framework_info());
  check_text(h.post(fw_json), 400, "Framework cannot be found"); // obs 40
  auto reconcile = pr::to_json(pr::make_reconcile(s.framework));
  check_text(h.post(reconcile), 400,
             "All non-subscribe calls should include the 'Mesos-Stream-Id' "
             "header"); // obs 31
  check_text(
    h.post(reconcile, std::string{"00000000-1111-2222-3333-444444444444"}), 400,
    "The stream ID '00000000-1111-2222-3333-444444444444' included "
    "in this request didn't match the stream ID currently "
    "associated with framework ID " +
      s.framework.value); // obs 30
  auto ok = h.post(reconcile, s.stream_uuid);
  CHECK(ok.status == 202);
  CHECK(ok.body.empty());
  CHECK(ok.headers.empty()); // no Content-Type; the server adds the rest

  // UPDATE_FRAMEWORK: 200, empty, no Content-Type (transcripts2 25).
  auto info = framework_info("renamed");
  info.id = s.framework;
  auto upd = h.call(pr::make_update_framework(info), s);
  CHECK(upd.status == 200);
  CHECK(upd.body.empty());
  CHECK(upd.headers.empty());

  // Row 17: disconnected within failover_timeout (obs 60).
  h.m.stream_closed(s.stream);
  check_text(h.post(reconcile, s.stream_uuid), 403,
             "Framework is not subscribed");
}

TEST_CASE("202 for every call type that is accepted") {
  harness h;
  h.add_agent();
  auto s = h.subscribe(framework_info());
  auto fw = s.framework;
  pr::AgentID agent{"A"};
  std::vector<pr::Call> calls = {
    pr::make_decline(fw, {pr::OfferID{"nope"}}),
    pr::make_accept(fw, {pr::OfferID{"nope"}}, {}),
    pr::make_revive(fw),
    pr::make_suppress(fw),
    pr::make_kill(fw, pr::TaskID{"t"}),
    pr::make_shutdown(fw, pr::ExecutorID{"e"}, agent),
    pr::make_acknowledge(fw, agent, pr::TaskID{"t"},
                         pr::Bytes{std::string(16, 'x')}),
    pr::make_reconcile(fw),
    pr::make_message(fw, agent, pr::ExecutorID{"e"}, "hi"),
    pr::make_request(fw, {}),
    pr::make_accept_inverse_offers(fw, {}),
    pr::make_decline_inverse_offers(fw, {}),
  };
  for (auto& c : calls) {
    auto r = h.call(c, s);
    INFO(pr::to_json(c));
    CHECK(r.status == 202);
    CHECK(r.body.empty());
  }
}

TEST_CASE("row 23: UNKNOWN answers 501 unless the crash is emulated") {
  auto unknown = [](const subscription& s) {
    return R"({"type":"UNKNOWN","framework_id":{"value":")" +
           s.framework.value + R"("}})";
  };
  SUBCASE("default: 501") {
    harness h;
    auto s = h.subscribe(framework_info());
    check_text(h.post(unknown(s), s.stream_uuid), 501, "501 Not Implemented.");
    CHECK_FALSE(h.streams[s.stream].cut);
  }
  SUBCASE("crash_on_unknown_call: no answer, streams cut, new master") {
    auto cfg = harness::default_config();
    cfg.crash_on_unknown_call = true;
    harness h(cfg);
    auto id = h.m.info().id;
    auto s = h.subscribe(framework_info());
    auto r = h.post(unknown(s), s.stream_uuid);
    CHECK(r.status == 0);
    CHECK(h.streams[s.stream].cut);
    CHECK_FALSE(h.streams[s.stream].ended);
    CHECK(h.m.info().id != id);
    CHECK(h.m.framework_count() == 0);
  }
}

TEST_CASE("bounds: oversized bodies and malformed input never crash") {
  auto cfg = harness::default_config();
  cfg.max_body_bytes = 1024;
  harness h(cfg);
  check_text(h.post(std::string(2048, ' ')), 413, "Request body too large");
  std::mt19937 rng(3);
  std::string alphabet = "{}[]\":,0123456789.-+eEtrufalsn \n\\abcxyz";
  for (int i = 0; i < 2000; ++i) {
    std::string body;
    auto n = rng() % 64;
    for (unsigned j = 0; j < n; ++j)
      body += alphabet[rng() % alphabet.size()];
    auto r = h.post(body);
    CHECK(r.status >= 400);
  }
  // Deep nesting is refused like a syntax error (depth 200), without
  // recursion trouble.
  harness big;
  auto deep = big.post(std::string(100000, '['));
  CHECK(deep.status == 400);
  CHECK(deep.body.find("syntax error at line 1 near: [[[") !=
        std::string::npos);
  CHECK(big.post(std::string(150, '[') + std::string(150, ']')).body ==
        "Failed to convert JSON into Call protobuf: Expecting a JSON object");
}
