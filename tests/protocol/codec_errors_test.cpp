// Error reporting of the decoder: what kind of error, where (a path that
// names the member), and what was wrong. These messages end up in logs and in
// the simulator's 400 responses, so they must point at the offending field.

#include "protocol/codec.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

using namespace outrigger::protocol;

namespace {

// Decodes `text` as T, which must fail; returns the error.
template <class T = Event>
parse_error decode_error(std::string_view text) {
  CAPTURE(text);
  auto r = from_json<T>(text);
  REQUIRE_FALSE(r);
  return r.error();
}

// The "path: message" of a schema error.
template <class T = Event>
std::string schema_error(std::string_view text) {
  auto e = decode_error<T>(text);
  CHECK(e.what == parse_error::kind::schema);
  CHECK(e.missing.empty());
  return e.to_string();
}

template <class T>
T decode_ok(std::string_view text) {
  CAPTURE(text);
  auto r = from_json<T>(text);
  REQUIRE_MESSAGE(r, r.error().to_string());
  return *r;
}

// A FAILURE event with `status` (an int32) set to `number`.
std::string failure_status(std::string_view number) {
  return R"({"type":"FAILURE","failure":{"status":)" + std::string{number} +
         "}}";
}

// A MasterInfo with `ip` and `port` (both uint32).
std::string master_info(std::string_view ip, std::string_view port) {
  return R"({"id":"m","ip":)" + std::string{ip} + R"(,"port":)" +
         std::string{port} + "}";
}

// A resource with one range (uint64 bounds).
std::string port_range(std::string_view begin, std::string_view end) {
  return R"({"name":"ports","type":"RANGES","ranges":{"range":[{"begin":)" +
         std::string{begin} + R"(,"end":)" + std::string{end} + "}]}}";
}

// An offer with an unavailability starting at `ns` (an int64).
std::string unavailable_from(std::string_view ns) {
  return R"({"id":{"value":"O"},"framework_id":{"value":"F"},)"
         R"("agent_id":{"value":"S"},"hostname":"h",)"
         R"("unavailability":{"start":{"nanoseconds":)" +
         std::string{ns} + "}}}";
}

} // namespace

TEST_CASE("codec: syntax errors name the position") {
  // transcripts/bodies/37-bad-json.json: the body ends mid-object.
  auto e = decode_error<Call>(R"({"type": "RECONCILE", "framework_id": )");
  CHECK(e.what == parse_error::kind::syntax);
  CHECK(e.path.empty());
  CHECK(e.message.find("line 1, column 39") != std::string::npos);
  CHECK(e.to_string() == e.message);

  e = decode_error("{\n  \"type\": HEARTBEAT\n}");
  CHECK(e.what == parse_error::kind::syntax);
  CHECK(e.message.find("line 2, column 11") != std::string::npos);

  for (std::string_view bad :
       {R"({"type":"HEARTBEAT"} x)", R"({"type":"HEARTBEAT",})",
        R"({'type':'HEARTBEAT'})",
        "{\"type\":\"ERROR\",\"error\":{"
        "\"message\":\"\xff\"}}"}) {
    CAPTURE(bad);
    CHECK(decode_error(bad).what == parse_error::kind::syntax);
  }
}

TEST_CASE("codec: a number too large for a double is an error, not a throw") {
  // nlohmann reports this overflow with out_of_range, not parse_error; the
  // decoder promises never to throw, whatever arrives on the wire.
  auto e = decode_error(failure_status("1e400"));
  CHECK(e.what == parse_error::kind::syntax);
  CHECK(e.message.find("1e400") != std::string::npos);
  CHECK(decode_error<MasterInfo>(master_info("1", "-1e999")).what ==
        parse_error::kind::syntax);
}

TEST_CASE("codec: empty body and non-object documents") {
  // transcripts/bodies/45-empty.json: the master answers 400 for it.
  CHECK(decode_error<Call>("").what == parse_error::kind::syntax);
  CHECK(decode_error<Call>(" \r\n").what == parse_error::kind::syntax);
  for (std::string_view doc : {"[]", "null", "42", R"("HEARTBEAT")", "true",
                               R"([{"type":"HEARTBEAT"}])"}) {
    CAPTURE(doc);
    auto e = decode_error(doc);
    CHECK(e.what == parse_error::kind::schema);
    CHECK(e.path.empty());
    CHECK(e.to_string() == "expected object");
    CHECK(schema_error<Call>(doc) == "expected object");
  }
}

TEST_CASE("codec: a wrong type deep inside names the full path") {
  // A real OFFERS record with the third resource's ranges made an array.
  CHECK(
    schema_error(
      R"({"type":"OFFERS","offers":{"offers":[{"id":{"value":"O1"},)"
      R"("framework_id":{"value":"F"},"agent_id":{"value":"S0"},)"
      R"("hostname":"localhost","resources":[)"
      R"({"name":"cpus","type":"SCALAR","scalar":{"value":2.0},"role":"*"},)"
      R"({"name":"mem","type":"SCALAR","scalar":{"value":2048.0},"role":"*"},)"
      R"({"name":"ports","type":"RANGES","ranges":[{"begin":31000,"end":32000}],)"
      R"("role":"*"}]}]}})") ==
    "offers.offers[0].resources[2].ranges: expected object");
}

TEST_CASE("codec: wrong JSON types for each kind of field") {
  const std::pair<std::string_view, std::string_view> cases[] = {
    {R"({"type":"ERROR","error":{"message":42}})",
     "error.message: expected string"},
    {R"({"type":"RESCIND","rescind":{"offer_id":{"value":null}}})",
     "rescind.offer_id.value: expected string"},
    {R"({"type":"UPDATE","update":{"status":{"task_id":{"value":"t"},)"
     R"("state":"TASK_RUNNING","healthy":"yes"}}})",
     "update.status.healthy: expected boolean"},
    {R"({"type":"UPDATE","update":{"status":{"task_id":{"value":"t"},)"
     R"("state":"TASK_RUNNING","healthy":1}}})",
     "update.status.healthy: expected boolean"},
    {R"({"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"F"},)"
     R"("heartbeat_interval_seconds":"15.0"}})",
     "subscribed.heartbeat_interval_seconds: expected number"},
    {R"({"type":"FAILURE","failure":{"status":"137"}})",
     "failure.status: expected integer"},
    {R"({"type":"FAILURE","failure":{"status":true}})",
     "failure.status: expected integer"},
    {R"({"type":"OFFERS","offers":{"offers":{}}})",
     "offers.offers: expected array"},
    {R"({"type":"OFFERS","offers":{"offers":[{"id":{"value":"O1"},)"
     R"("framework_id":{"value":"F"},"agent_id":{"value":"S"},"hostname":"h"},)"
     R"("O2"]}})",
     "offers.offers[1]: expected object"},
    {R"({"type":"UPDATE","update":{"status":{"task_id":{"value":"t"},)"
     R"("state":"TASK_RUNNING","uuid":5}}})",
     "update.status.uuid: expected base64 string"},
    {R"({"type":"UPDATE","update":{"status":{"task_id":{"value":"t"},)"
     R"("state":"TASK_RUNNING","uuid":"a/+9w2FrR92K0/BQA7adSw="}}})",
     "update.status.uuid: invalid base64"},
    {R"({"type":"UPDATE","update":{"status":{"task_id":{"value":"t"},)"
     R"("state":1}}})",
     "update.status.state: expected enum name"},
    {R"({"type":8})", "type: expected enum name"},
    {R"({"type":"RESCIND","rescind":"O1"})", "rescind: expected object"},
    {R"({"type":"UPDATE","update":{"status":{"task_id":{"value":"t"},)"
     R"("state":"TASK_RUNNING","container_status":{"container_id":{)"
     R"("value":"c","parent":[{"value":"p"}]}}}}})",
     "update.status.container_status.container_id.parent: expected object"},
  };
  for (auto [doc, expected] : cases)
    CHECK(schema_error(doc) == expected);

  // The same in calls: repeated strings, enums inside repeated messages.
  CHECK(schema_error<Call>(
          R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u",)"
          R"("name":"n","roles":["a",7]}}})") ==
        "subscribe.framework_info.roles[1]: expected string");
  CHECK(
    schema_error<Call>(
      R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u",)"
      R"("name":"n","capabilities":[{"type":"MULTI_ROLE"},{"type":2}]}}})") ==
    "subscribe.framework_info.capabilities[1].type: expected enum name");
  CHECK(schema_error<Call>(
          R"({"type":"MESSAGE","message":{"agent_id":{"value":"S"},)"
          R"("executor_id":{"value":"E"},"data":"aGk=!"}})") ==
        "message.data: invalid base64");
  CHECK(schema_error<Call>(R"({"type":"DECLINE","decline":{"offer_ids":[],)"
                           R"("filters":{"refuse_seconds":"5"}}})") ==
        "decline.filters.refuse_seconds: expected number");
}

TEST_CASE("codec: integers out of range for their field") {
  // int32: Address.port, Failure.status.
  CHECK(
    schema_error(R"({"type":"OFFERS","offers":{"offers":[{"id":{"value":"O1"},)"
                 R"("framework_id":{"value":"F"},"agent_id":{"value":"S"},)"
                 R"("hostname":"h","url":{"scheme":"http","address":{)"
                 R"("port":1099511627776}}}]}})") ==
    "offers.offers[0].url.address.port: number out of range");
  CHECK(schema_error(failure_status("2147483648")) ==
        "failure.status: number out of range");
  CHECK(schema_error(failure_status("-2147483649")) ==
        "failure.status: number out of range");
  CHECK(decode_ok<Event>(failure_status("2147483647")).failure->status ==
        std::numeric_limits<std::int32_t>::max());
  CHECK(decode_ok<Event>(failure_status("-2147483648")).failure->status ==
        std::numeric_limits<std::int32_t>::min());

  // uint32: MasterInfo.ip and .port; negative numbers do not wrap around.
  CHECK(schema_error<MasterInfo>(master_info("-1", "5050")) ==
        "ip: number out of range");
  CHECK(schema_error<MasterInfo>(master_info("1", "4294967296")) ==
        "port: number out of range");
  CHECK(decode_ok<MasterInfo>(master_info("4294967295", "0")).ip ==
        4294967295u);

  // uint64: Range bounds.
  CHECK(schema_error<Resource>(port_range("-1", "2")) ==
        "ranges.range[0].begin: number out of range");
  CHECK(decode_ok<Resource>(port_range("0", "18446744073709551615"))
          .ranges->range[0]
          .end == std::numeric_limits<std::uint64_t>::max());

  // int64: TimeInfo.nanoseconds.
  CHECK(schema_error<Offer>(unavailable_from("9223372036854775808")) ==
        "unavailability.start.nanoseconds: number out of range");
  CHECK(decode_ok<Offer>(unavailable_from("-9223372036854775808"))
          .unavailability->start.nanoseconds ==
        std::numeric_limits<std::int64_t>::min());
}

TEST_CASE("codec: doubles in integer fields") {
  // protobuf's JSON reader accepts integral doubles such as 32.0; a hand
  // written or JavaScript-produced body may contain them.
  CHECK(decode_ok<MasterInfo>(master_info("1", "5050.0")).port == 5050);
  CHECK(to_json(decode_ok<MasterInfo>(master_info("1", "5050.0"))) ==
        R"({"id":"m","ip":1,"port":5050})");
  CHECK(decode_ok<MasterInfo>(master_info("1", "5e3")).port == 5000);
  CHECK(decode_ok<Event>(failure_status("-0.0")).failure->status == 0);
  CHECK(decode_ok<Event>(failure_status("-2147483648.0")).failure->status ==
        std::numeric_limits<std::int32_t>::min());
  CHECK(decode_ok<Resource>(port_range("1e19", "1e19")).ranges->range[0].end ==
        10'000'000'000'000'000'000u);

  CHECK(schema_error(failure_status("1.5")) ==
        "failure.status: expected integer");
  CHECK(schema_error<MasterInfo>(master_info("1", "5050.000001")) ==
        "port: expected integer");
  // Integral but far outside the field: out of range, and no undefined
  // conversion on the way.
  CHECK(schema_error(failure_status("1e30")) ==
        "failure.status: number out of range");
  CHECK(schema_error(failure_status("2147483648.0")) ==
        "failure.status: number out of range");
  CHECK(schema_error<MasterInfo>(master_info("-1.0", "1")) ==
        "ip: number out of range");
  CHECK(schema_error<Resource>(port_range("0", "18446744073709551616.0")) ==
        "ranges.range[0].end: number out of range");
  CHECK(schema_error<Offer>(unavailable_from("9223372036854775808.0")) ==
        "unavailability.start.nanoseconds: number out of range");
}

TEST_CASE("codec: all missing required fields are listed") {
  // transcripts/bodies/47-ack-missing-required.json; the master's message
  // is "Missing required fields: acknowledge.agent_id, acknowledge.uuid".
  auto e = decode_error<Call>(
    R"({"framework_id": {"value": "52b37399-815a-42e6-9723-a6a8a61cedbb-0000"},)"
    R"( "type": "ACKNOWLEDGE", "acknowledge": {"task_id": {"value": "t"}}})");
  CHECK(e.what == parse_error::kind::missing_fields);
  CHECK(e.missing ==
        std::vector<std::string>{"acknowledge.agent_id", "acknowledge.uuid"});
  CHECK(e.message ==
        "missing required fields: acknowledge.agent_id, acknowledge.uuid");
  CHECK(e.path.empty());
  CHECK(e.to_string() == e.message);

  // Across array elements and nesting levels, in document order.
  e = decode_error(
    R"({"type":"OFFERS","offers":{"offers":[{"id":{"value":"O1"},)"
    R"("framework_id":{"value":"F"},"agent_id":{"value":"S"},"resources":[)"
    R"({"name":"cpus","type":"SCALAR","scalar":{"value":1.0}},)"
    R"({"scalar":{"value":2.0}}]},{"framework_id":{"value":"F"},"hostname":"h"}]}})");
  CHECK(e.what == parse_error::kind::missing_fields);
  CHECK(e.missing == std::vector<std::string>{
                       "offers.offers[0].hostname",
                       "offers.offers[0].resources[1].name",
                       "offers.offers[0].resources[1].type",
                       "offers.offers[1].id", "offers.offers[1].agent_id"});

  // A missing message is one entry, not one per field inside it.
  CHECK(decode_error(R"({"type":"UPDATE","update":{}})").missing ==
        std::vector<std::string>{"update.status"});
  CHECK(
    decode_error(R"({"type":"RESCIND","rescind":{"offer_id":{}}})").missing ==
    std::vector<std::string>{"rescind.offer_id.value"});
  e = decode_error<TaskInfo>("{}");
  CHECK(e.missing == std::vector<std::string>{"name", "task_id", "agent_id"});
  CHECK(e.message == "missing required fields: name, task_id, agent_id");

  // Optional and repeated fields are never required.
  CHECK(decode_ok<Call>("{}") == Call{});
  CHECK(decode_ok<Event>(R"({"type":"OFFERS","offers":{}})")
          .offers->offers.empty());
}

TEST_CASE("codec: a wrong type is reported before missing fields") {
  // agent_id is missing, but task_id.value has the wrong type: one error
  // that names a field is more useful than a list that omits the real one.
  auto e = decode_error<Call>(
    R"({"type":"ACKNOWLEDGE","acknowledge":{"task_id":{"value":7}}})");
  CHECK(e.what == parse_error::kind::schema);
  CHECK(e.missing.empty());
  CHECK(e.to_string() == "acknowledge.task_id.value: expected string");
}
