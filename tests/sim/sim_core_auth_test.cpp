// HTTP basic authentication of frameworks (--authenticate_http_frameworks),
// as recorded on the auth master of mesos-wire transcripts2 item 7
// (101-113): the same 401 challenge for every failure, principal checks on
// SUBSCRIBE (400 with the validation prefix) and on other calls (400
// without), the principal filled in when FrameworkInfo has none, and a
// principal change on re-SUBSCRIBE refused in-band.

#include "sim_test_support.hpp"

#include <doctest/doctest.h>

using namespace outrigger::sim;
using namespace outrigger::sim::test;

namespace {

// transcripts2/bodies/100-master-credentials-file.json
master_config auth_config() {
  auto c = harness::default_config();
  c.authenticate_http_frameworks = true;
  c.credentials = {{"outrigger", "sekret"}, {"intruder", "pw2"}};
  return c;
}

// The Authorization headers curl sent (transcripts2 102-110).
const std::string outrigger_auth = "Basic b3V0cmlnZ2VyOnNla3JldA==";
const std::string intruder_auth = "Basic aW50cnVkZXI6cHcy";

handler_reply post_as(harness& h, std::optional<std::string> authorization,
                      const std::string& body,
                      std::optional<std::string> stream = {}) {
  header_list headers{{"Content-Type", "application/json"},
                      {"Accept", "application/json"}};
  if (authorization)
    headers.emplace_back("Authorization", *authorization);
  if (stream)
    headers.emplace_back("Mesos-Stream-Id", *stream);
  return h.request("POST", "/api/v1/scheduler", std::move(headers), body);
}

// transcripts2/bodies/101-subscribe-outrigger.json
const std::string subscribe_f7 =
  R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"root",)"
  R"("name":"f7-authenticated","principal":"outrigger",)"
  R"("failover_timeout":600}}})";

void check_challenge(const http_response& r) {
  CHECK(r.status == 401);
  REQUIRE(r.headers.size() == 2);
  CHECK(r.headers[0] ==
        std::pair<std::string, std::string>{
          "WWW-Authenticate", R"(Basic realm="mesos-master-scheduler")"});
  CHECK(r.headers[1] == std::pair<std::string, std::string>{
                          "Content-Type", "text/plain; charset=utf-8"});
  CHECK(r.body == "401 Unauthorized.");
}

// SUBSCRIBE as outrigger; returns the framework id and stream uuid.
std::pair<std::string, std::string> subscribe_outrigger(harness& h) {
  auto r = post_as(h, outrigger_auth, subscribe_f7);
  REQUIRE(r.response.status == 200);
  REQUIRE(r.stream);
  auto events = h.take(*r.stream);
  REQUIRE_FALSE(events.empty());
  REQUIRE(events[0].type == pr::event_type::subscribed);
  return {events[0].subscribed->framework_id.value,
          header(r.response, "Mesos-Stream-Id")};
}

std::string revive(const std::string& framework) {
  return R"({"framework_id":{"value":")" + framework + R"("},"type":"REVIVE"})";
}

} // namespace

TEST_CASE("auth: every authentication failure is the same 401 challenge") {
  harness h(auth_config());
  SUBCASE("no Authorization (101)") {
    check_challenge(post_as(h, std::nullopt, subscribe_f7).response);
  }
  SUBCASE("wrong password (102)") {
    check_challenge(
      post_as(h, "Basic b3V0cmlnZ2VyOndyb25n", subscribe_f7).response);
  }
  SUBCASE("unknown principal (103)") {
    check_challenge(
      post_as(h, "Basic bm9ib2R5OnNla3JldA==", subscribe_f7).response);
  }
  SUBCASE("undecodable base64 (104)") {
    check_challenge(post_as(h, "Basic !!!notbase64", subscribe_f7).response);
  }
  SUBCASE("another scheme (104b)") {
    check_challenge(post_as(h, "Bearer abc", subscribe_f7).response);
  }
  SUBCASE("the scheme is case-sensitive, the separator one space") {
    check_challenge(
      post_as(h, "basic b3V0cmlnZ2VyOnNla3JldA==", subscribe_f7).response);
    check_challenge(
      post_as(h, "Basic  b3V0cmlnZ2VyOnNla3JldA==", subscribe_f7).response);
  }
  SUBCASE("a secret with a colon never matches") {
    // "outrigger:sek:ret" splits into three parts (authenticator.cpp:112).
    check_challenge(
      post_as(h, "Basic b3V0cmlnZ2VyOnNlazpyZXQ=", subscribe_f7).response);
  }
  CHECK(h.m.framework_count() == 0);
}

TEST_CASE("auth: correct credentials subscribe as usual (105)") {
  harness h(auth_config());
  auto [framework, stream] = subscribe_outrigger(h);
  CHECK(framework == h.m.info().id + "-0000");
  // Unpadded base64 decodes as stout decodes it.
  auto r =
    post_as(h, "Basic b3V0cmlnZ2VyOnNla3JldA", revive(framework), stream);
  CHECK(r.response.status == 202);
}

TEST_CASE("auth: 401 comes before redirects, 503 and 405") {
  harness h(auth_config());
  SUBCASE("standby") {
    pr::MasterInfo other = h.m.info();
    other.id = "other";
    other.port = 5052;
    h.m.set_leader(other);
    check_challenge(post_as(h, std::nullopt, subscribe_f7).response);
    CHECK(post_as(h, outrigger_auth, subscribe_f7).response.status == 307);
  }
  SUBCASE("no leader") {
    h.m.set_no_leader();
    check_challenge(post_as(h, std::nullopt, subscribe_f7).response);
  }
  SUBCASE("GET") {
    check_challenge(h.request("GET", "/api/v1/scheduler", {}, "").response);
    auto r = h.request("GET", "/api/v1/scheduler",
                       {{"Authorization", outrigger_auth}}, "");
    CHECK(r.response.status == 405);
  }
  // Read-only routes are not in the scheduler realm.
  CHECK(h.get("/master/health").status == 200);
}

TEST_CASE("auth: FrameworkInfo.principal must be the authenticated one on "
          "SUBSCRIBE (106, 106b)") {
  harness h(auth_config());
  auto other = std::string{subscribe_f7};
  other.replace(other.find("\"outrigger\""), 11, "\"someone-else\"");
  auto r = post_as(h, outrigger_auth, other).response;
  CHECK(r.status == 400);
  CHECK(r.body == "Failed to validate scheduler::Call: Authenticated principal "
                  "'outrigger' does not match principal 'someone-else' set in "
                  "`FrameworkInfo`");
  r = post_as(h, intruder_auth, subscribe_f7).response;
  CHECK(r.status == 400);
  CHECK(r.body == "Failed to validate scheduler::Call: Authenticated principal "
                  "'intruder' does not match principal 'outrigger' set in "
                  "`FrameworkInfo`");
  CHECK(h.m.framework_count() == 0);
}

TEST_CASE("auth: a missing FrameworkInfo.principal is filled in (107)") {
  harness h(auth_config());
  auto body =
    R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"root",)"
    R"("name":"f7-no-principal-in-frameworkinfo","failover_timeout":600}}})";
  auto r = post_as(h, outrigger_auth, body);
  REQUIRE(r.response.status == 200);
  auto events = h.take(*r.stream);
  REQUIRE(events[0].type == pr::event_type::subscribed);
  auto framework = events[0].subscribed->framework_id.value;
  auto stream = header(r.response, "Mesos-Stream-Id");
  // The framework now belongs to outrigger: another principal is refused
  // with outrigger's name in the message.
  auto other = post_as(h, intruder_auth, revive(framework), stream).response;
  CHECK(other.status == 400);
  CHECK(other.body == "Authenticated principal 'intruder' does not match "
                      "principal 'outrigger' set in `FrameworkInfo`");
  CHECK(post_as(h, outrigger_auth, revive(framework), stream).response.status ==
        202);
}

TEST_CASE("auth: calls of another principal get 400, calls without "
          "credentials 401 (108-110)") {
  harness h(auth_config());
  auto [framework, stream] = subscribe_outrigger(h);
  auto r = post_as(h, intruder_auth, revive(framework), stream).response;
  CHECK(r.status == 400);
  CHECK(header(r, "Content-Type") == "text/plain; charset=utf-8");
  CHECK(r.body == "Authenticated principal 'intruder' does not match "
                  "principal 'outrigger' set in `FrameworkInfo`");
  check_challenge(post_as(h, std::nullopt, revive(framework), stream).response);
  r = post_as(h, outrigger_auth, revive(framework), stream).response;
  CHECK(r.status == 202);
  CHECK(r.headers.empty());
  CHECK(r.body.empty());

  SUBCASE("the principal check precedes the 403 of a disconnected framework") {
    h.m.cut_streams();
    h.pump();
    r = post_as(h, intruder_auth, revive(framework), stream).response;
    CHECK(r.status == 400);
    r = post_as(h, outrigger_auth, revive(framework), stream).response;
    CHECK(r.status == 403);
  }
  SUBCASE("an unknown framework is 400 'Framework cannot be found' first") {
    r = post_as(h, intruder_auth, revive(framework + "x"), stream).response;
    CHECK(r.body == "Framework cannot be found");
  }
}

TEST_CASE("auth: changing the principal on re-SUBSCRIBE is an in-band ERROR "
          "(111)") {
  harness h(auth_config());
  auto r1 = post_as(h, outrigger_auth, subscribe_f7);
  REQUIRE(r1.stream);
  auto framework = h.take(*r1.stream)[0].subscribed->framework_id.value;
  // transcripts2/bodies/111-resubscribe-f7-as-intruder.json
  auto body = R"({"framework_id":{"value":")" + framework +
              R"("},"type":"SUBSCRIBE","subscribe":{"framework_info":{"id":)"
              R"({"value":")" +
              framework +
              R"("},"user":"root","name":"f7-authenticated",)"
              R"("principal":"intruder","failover_timeout":600}}})";
  auto r2 = post_as(h, intruder_auth, body);
  CHECK(r2.response.status == 200);
  REQUIRE(r2.stream);
  auto& s2 = h.streams[*r2.stream];
  REQUIRE(s2.records.size() == 1);
  CHECK(s2.records[0] == R"({"type":"ERROR","error":{"message":"Changing )"
                         R"(framework's principal is not allowed."}})");
  CHECK(s2.ended);
  // The original stream is unaffected.
  CHECK_FALSE(h.streams[*r1.stream].ended);
  CHECK_FALSE(h.streams[*r1.stream].cut);
  CHECK(h.take(*r1.stream).empty());
}

TEST_CASE("auth: off by default - Authorization headers are ignored") {
  harness h;
  auto r = post_as(h, std::string{"Bearer nonsense"}, subscribe_f7);
  CHECK(r.response.status == 200);
  auto framework = h.take(*r.stream)[0].subscribed->framework_id.value;
  auto stream = header(r.response, "Mesos-Stream-Id");
  CHECK(post_as(h, intruder_auth, revive(framework), stream).response.status ==
        202);
}

TEST_CASE("auth: on with no credentials refuses everyone") {
  auto c = harness::default_config();
  c.authenticate_http_frameworks = true;
  harness h(c);
  check_challenge(post_as(h, outrigger_auth, subscribe_f7).response);
}
