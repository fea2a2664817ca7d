// What the master really sends, and what a newer master might send: real
// records must re-encode byte for byte, and members, event types and enum
// names this version does not know must survive a decode/encode cycle. Also
// the enum name tables and base64.

#include "protocol/codec.hpp"
#include "protocol/json_value.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>

// Values are built with designated initializers that leave optional fields
// unset on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using namespace outrigger::protocol;

namespace {

// Verbatim records from the recorded SUBSCRIBE streams (transcripts/ and
// transcripts2/ of tests/data/mesos-wire).
constexpr std::string_view kHeartbeat = R"({"type":"HEARTBEAT"})";
constexpr std::string_view kSubscribed =
  R"({"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"74d5754f-8aac-406b-9aac-388ad6fed9db-0000"},"heartbeat_interval_seconds":15.0,"master_info":{"id":"74d5754f-8aac-406b-9aac-388ad6fed9db","ip":16777343,"port":5050,"pid":"master@127.0.0.1:5050","hostname":"localhost","version":"1.12.0","address":{"hostname":"localhost","ip":"127.0.0.1","port":5050},"capabilities":[{"type":"AGENT_UPDATE"},{"type":"AGENT_DRAINING"},{"type":"QUOTA_V2"}]}}})";
constexpr std::string_view kMultiRoleOffers =
  R"json({"type":"OFFERS","offers":{"offers":[{"id":{"value":"74d5754f-8aac-406b-9aac-388ad6fed9db-O7"},"framework_id":{"value":"74d5754f-8aac-406b-9aac-388ad6fed9db-0002"},"agent_id":{"value":"74d5754f-8aac-406b-9aac-388ad6fed9db-S0"},"hostname":"localhost","url":{"scheme":"http","address":{"hostname":"localhost","ip":"127.0.0.1","port":5081},"path":"/slave(1)"},"resources":[{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":31099},{"begin":32000,"end":32099}]},"role":"*","allocation_info":{"role":"*"}},{"name":"cpus","type":"SCALAR","scalar":{"value":2.0},"role":"*","allocation_info":{"role":"*"}},{"name":"mem","type":"SCALAR","scalar":{"value":2048.0},"role":"*","allocation_info":{"role":"*"}},{"name":"disk","type":"SCALAR","scalar":{"value":4096.0},"role":"*","allocation_info":{"role":"*"}}],"attributes":[{"name":"rack","type":"TEXT","text":{"value":"r1"}},{"name":"zone","type":"TEXT","text":{"value":"a"}}],"allocation_info":{"role":"*"}}]}})json";
constexpr std::string_view kGroupTaskStarting =
  R"({"type":"UPDATE","update":{"status":{"task_id":{"value":"group-sleep-2"},"state":"TASK_STARTING","source":"SOURCE_EXECUTOR","agent_id":{"value":"74d5754f-8aac-406b-9aac-388ad6fed9db-S0"},"executor_id":{"value":"default-exec-1"},"timestamp":1795309267.509315,"uuid":"JRFSznxtRCOnMLmhrCcU/w==","container_status":{"container_id":{"value":"677eafde-dd8f-4f68-aa9e-b2f5a9a6e8c2","parent":{"value":"e988ce03-0994-4d7a-a120-02555e10b57c"}}}}}})";
constexpr std::string_view kUnreachable =
  R"({"type":"UPDATE","update":{"status":{"task_id":{"value":"pa-sleep-600"},"state":"TASK_UNREACHABLE","message":"health check timed out","source":"SOURCE_MASTER","reason":"REASON_AGENT_REMOVED","agent_id":{"value":"74d5754f-8aac-406b-9aac-388ad6fed9db-S1"},"timestamp":1795309324.824244,"unreachable_time":{"nanoseconds":1795309324820219136}}}})";
constexpr std::string_view kDropped =
  R"({"type":"UPDATE","update":{"status":{"task_id":{"value":"task-invalid-offer"},"state":"TASK_DROPPED","message":"Task launched with invalid offers: Offer 52b37399-815a-42e6-9723-a6a8a61cedbb-O3 is no longer valid","source":"SOURCE_MASTER","reason":"REASON_INVALID_OFFERS","agent_id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-S0"},"timestamp":1795308184.083354}}})";
constexpr std::string_view kRescind =
  R"({"type":"RESCIND","rescind":{"offer_id":{"value":"74d5754f-8aac-406b-9aac-388ad6fed9db-O10"}}})";
constexpr std::string_view kFailure =
  R"({"type":"FAILURE","failure":{"agent_id":{"value":"74d5754f-8aac-406b-9aac-388ad6fed9db-S1"}}})";
constexpr std::string_view kError =
  R"({"type":"ERROR","error":{"message":"Framework failed over"}})";

Event decode_ok(std::string_view text) {
  CAPTURE(text);
  auto e = decode_event(text);
  REQUIRE_MESSAGE(e, e.error().to_string());
  return *e;
}

std::size_t count(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto i = text.find(what); i != text.npos; i = text.find(what, i + 1))
    ++n;
  return n;
}

// Every value of E below `unrecognized` has a unique, non-empty wire name
// that parses back to the value; anything else parses as `unrecognized`.
template <class E>
void check_enum_names() {
  using U = std::underlying_type_t<E>;
  std::set<std::string_view> names;
  for (U i = 0; i < static_cast<U>(E::unrecognized); ++i) {
    auto value = static_cast<E>(i);
    auto name = to_string(value);
    CAPTURE(name);
    CHECK_FALSE(name.empty());
    CHECK(names.insert(name).second);
    E back = E::unrecognized;
    from_string(name, back);
    CHECK(back == value);
    // Wire names are case sensitive, like protobuf's.
    std::string lower{name};
    for (auto& c : lower)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    from_string(lower, back);
    CHECK(back == E::unrecognized);
  }
  CHECK(to_string(E::unrecognized).empty());
  E out = static_cast<E>(0);
  from_string("NOT_A_WIRE_NAME", out);
  CHECK(out == E::unrecognized);
  out = static_cast<E>(0);
  from_string("", out);
  CHECK(out == E::unrecognized);
}

} // namespace

TEST_CASE("codec: real master events re-encode byte for byte") {
  for (auto record :
       {kHeartbeat, kSubscribed, kMultiRoleOffers, kGroupTaskStarting,
        kUnreachable, kDropped, kRescind, kFailure, kError}) {
    CAPTURE(record);
    auto e = decode_ok(record);
    CHECK(e.type.has_value());
    // Everything the master sent is modeled: nothing went to `extra`.
    CHECK(e.extra.empty());
    CHECK(to_json(e) == record);
    CHECK(to_json_value(e).dump() == record);
  }
}

TEST_CASE("codec: SUBSCRIBED built in C++ is byte for byte the master's") {
  Event e{.type = event_type::subscribed};
  e.subscribed = Subscribed{
    {"74d5754f-8aac-406b-9aac-388ad6fed9db-0000"},
    15.0,
    MasterInfo{.id = "74d5754f-8aac-406b-9aac-388ad6fed9db",
               .ip = 16777343,
               .port = 5050,
               .pid = "master@127.0.0.1:5050",
               .hostname = "localhost",
               .version = "1.12.0",
               .address = Address{"localhost", "127.0.0.1", 5050, {}},
               .capabilities = {{master_capability::agent_update},
                                {master_capability::agent_draining},
                                {master_capability::quota_v2}}}};
  CHECK(to_json(e) == kSubscribed);
  CHECK(decode_ok(kSubscribed) == e);
}

TEST_CASE("codec: real master events decode to the right values") {
  auto offers = decode_ok(kMultiRoleOffers);
  REQUIRE(offers.offers);
  REQUIRE(offers.offers->offers.size() == 1);
  auto& o = offers.offers->offers[0];
  CHECK(o.url->address.port == 5081);
  REQUIRE(o.resources.size() == 4);
  CHECK(o.resources[0].ranges->range[1].end == 32099);
  CHECK(o.resources[1].scalar->value == 2.0);
  CHECK(o.resources[3].allocation_info->role == "*");
  CHECK(o.attributes[1].text->value == "a");
  CHECK(o.allocation_info->role == "*");

  auto starting = decode_ok(kGroupTaskStarting);
  auto& s = starting.update->status;
  CHECK(s.state == task_state::starting);
  CHECK(s.uuid->data.size() == 16);
  CHECK(s.timestamp == 1795309267.509315);
  REQUIRE(s.container_status->container_id->parent.size() == 1);
  CHECK(s.container_status->container_id->parent[0].value ==
        "e988ce03-0994-4d7a-a120-02555e10b57c");

  // Nanoseconds beyond 2^53: must stay exact, not pass through a double.
  auto unreachable = decode_ok(kUnreachable);
  CHECK(unreachable.update->status.unreachable_time->nanoseconds ==
        1795309324820219136);
  CHECK(unreachable.update->status.reason == status_reason::agent_removed);
  CHECK_FALSE(unreachable.update->status.uuid); // master-generated: no ack
}

TEST_CASE("codec: a pretty-printed call re-encodes compactly in proto order") {
  // transcripts/bodies/11-accept-launch-echo.json: hand-written, so integral
  // doubles are written as integers and members are out of .proto order.
  auto c = decode_call(R"({
  "framework_id": {"value": "52b37399-815a-42e6-9723-a6a8a61cedbb-0000"},
  "type": "ACCEPT",
  "accept": {
    "offer_ids": [{"value": "52b37399-815a-42e6-9723-a6a8a61cedbb-O0"}],
    "operations": [
      {
        "type": "LAUNCH",
        "launch": {
          "task_infos": [
            {
              "name": "echo-hello",
              "task_id": {"value": "task-echo-1"},
              "agent_id": {"value": "52b37399-815a-42e6-9723-a6a8a61cedbb-S0"},
              "command": {"shell": true, "value": "echo hello"},
              "resources": [
                {"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.1}},
                {"name": "mem", "type": "SCALAR", "scalar": {"value": 32}}
              ]
            }
          ]
        }
      }
    ],
    "filters": {"refuse_seconds": 1}
  }
})");
  REQUIRE_MESSAGE(c, c.error().to_string());
  CHECK(
    to_json(*c) ==
    R"({"framework_id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-0000"},"type":"ACCEPT","accept":{"offer_ids":[{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-O0"}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[{"name":"echo-hello","task_id":{"value":"task-echo-1"},"agent_id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-S0"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}},{"name":"mem","type":"SCALAR","scalar":{"value":32.0}}],"command":{"shell":true,"value":"echo hello"}}]}}],"filters":{"refuse_seconds":1.0}}})");
}

TEST_CASE("codec: unknown members survive at every nesting level") {
  // A newer master may add fields anywhere; an intermediary (the simulator,
  // a recorder) must not drop them.
  constexpr std::string_view offers =
    R"({"type":"OFFERS","offers":{"offers":[{"id":{"value":"O1"},)"
    R"("framework_id":{"value":"F"},"agent_id":{"value":"S0"},"hostname":"h",)"
    R"("url":{"scheme":"http","address":{"hostname":"h","ip":"10.0.0.1",)"
    R"j("port":5051,"ipv6":"::1"},"path":"/slave(1)"},"resources":[{)j"
    R"("name":"disk","type":"SCALAR","scalar":{"value":10.0},"reservations":[{)"
    R"("type":"DYNAMIC","role":"r","future_owner":{"id":7}}],"disk":{)"
    R"("source":{"type":"RAW","future_size":[1,2]},"future_disk":true},)"
    R"("future_resource":"x"}],"future_offer":{"a":[{"b":null}]}}]},)"
    R"("future_top":1.5})";
  auto e = decode_ok(offers);
  CHECK(e.extra.text == R"({"future_top":1.5})");
  auto& o = e.offers->offers.at(0);
  CHECK(o.extra.text == R"({"future_offer":{"a":[{"b":null}]}})");
  CHECK(o.url->address.extra.text == R"({"ipv6":"::1"})");
  auto& r = o.resources.at(0);
  CHECK(r.extra.text == R"({"future_resource":"x"})");
  CHECK(r.reservations.at(0).extra.text == R"({"future_owner":{"id":7}})");
  CHECK(r.disk->extra.text == R"({"future_disk":true})");
  CHECK(r.disk->source->type == disk_source_type::raw);
  CHECK(r.disk->source->extra.text == R"({"future_size":[1,2]})");
  CHECK(to_json(e) == offers);

  constexpr std::string_view accept =
    R"({"type":"ACCEPT","accept":{"offer_ids":[{"value":"O1"}],"operations":[{)"
    R"("type":"LAUNCH","launch":{"task_infos":[{"name":"t","task_id":{"value":"t"},)"
    R"("agent_id":{"value":"S0"},"command":{"value":"true","future_cmd":1},)"
    R"("container":{"type":"DOCKER","docker":{"image":"i","future_docker":2},)"
    R"("future_container":3},"future_task":4}]},"future_op":5}]},"future_call":6})";
  auto c = decode_call(accept);
  REQUIRE_MESSAGE(c, c.error().to_string());
  auto& op = c->accept->operations.at(0);
  auto& t = op.launch->task_infos.at(0);
  CHECK(t.extra.text == R"({"future_task":4})");
  CHECK(t.command->extra.text == R"({"future_cmd":1})");
  CHECK(t.container->extra.text == R"({"future_container":3})");
  CHECK(t.container->docker->extra.text == R"({"future_docker":2})");
  CHECK(op.extra.text == R"({"future_op":5})");
  CHECK(c->extra.text == R"({"future_call":6})");
  CHECK(to_json(*c) == accept);
}

TEST_CASE("codec: an unknown member in mid-object moves to the end") {
  // Kept members are written after the modeled ones; JSON member order does
  // not matter to Mesos, the value does.
  auto e = decode_ok(
    R"({"type":"RESCIND","future":[1],"rescind":{"offer_id":{"value":"O1"}}})");
  auto text = to_json(e);
  CHECK(
    text ==
    R"({"type":"RESCIND","rescind":{"offer_id":{"value":"O1"}},"future":[1]})");
  CHECK(decode_ok(text) == e);
}

TEST_CASE("codec: an unknown event or call type decodes and re-encodes") {
  // Mesos adds event types (UPDATE_OPERATION_STATUS came in 1.5); an old
  // scheduler must skip them, not fail the stream.
  constexpr std::string_view future =
    R"({"type":"FUTURE_THING","future_thing":{"x":1}})";
  auto e = decode_ok(future);
  CHECK_FALSE(e.type.has_value());
  CHECK(e.extra.text == future);
  CHECK(to_json(e) == future);

  // transcripts/bodies/38-unknown-enum.json: the master, too, sees no type.
  constexpr std::string_view fly =
    R"({"framework_id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-0000"},)"
    R"("type":"FLY_TO_MOON"})";
  auto c = decode_call(fly);
  REQUIRE_MESSAGE(c, c.error().to_string());
  CHECK_FALSE(c->type.has_value());
  CHECK(c->framework_id->value == "52b37399-815a-42e6-9723-a6a8a61cedbb-0000");
  CHECK(to_json(*c) == fly);
}

TEST_CASE("codec: unknown enum names in optional fields") {
  auto e = decode_ok(
    R"({"type":"UPDATE","update":{"status":{"task_id":{"value":"t"},)"
    R"("state":"TASK_RUNNING","source":"SOURCE_FUTURE","reason":"REASON_FUTURE",)"
    R"("timestamp":1.5}}})");
  auto& s = e.update->status;
  CHECK_FALSE(s.source.has_value());
  CHECK_FALSE(s.reason.has_value());
  CHECK(s.state == task_state::running);
  CHECK(s.extra.text ==
        R"({"source":"SOURCE_FUTURE","reason":"REASON_FUTURE"})");
  auto text = to_json(e);
  CHECK(count(text, R"("reason":"REASON_FUTURE")") == 1);
  CHECK(decode_ok(text) == e);

  // A value set later replaces the kept name instead of duplicating the key.
  s.reason = status_reason::reconciliation;
  text = to_json(e);
  CHECK(count(text, R"("reason":)") == 1);
  CHECK(count(text, "REASON_RECONCILIATION") == 1);
  CHECK(count(text, R"("source":"SOURCE_FUTURE")") == 1);

  // Inside a call: an unknown Docker network and reservation type.
  auto r = from_json<Resource>(
    R"({"name":"cpus","type":"SCALAR","scalar":{"value":1.0},)"
    R"("reservations":[{"type":"ELASTIC","role":"r"}]})");
  REQUIRE_MESSAGE(r, r.error().to_string());
  CHECK_FALSE(r->reservations.at(0).type.has_value());
  CHECK(r->reservations[0].extra.text == R"({"type":"ELASTIC"})");
  auto d = from_json<ContainerInfo>(
    R"({"type":"DOCKER","docker":{"image":"i","network":"OVERLAY"}})");
  REQUIRE_MESSAGE(d, d.error().to_string());
  CHECK_FALSE(d->docker->network.has_value());
  CHECK(to_json(*d) ==
        R"({"type":"DOCKER","docker":{"image":"i","network":"OVERLAY"}})");
}

TEST_CASE("codec: unknown enum names in required fields") {
  auto e =
    decode_ok(R"({"type":"UPDATE","update":{"status":{"task_id":{"value":"t"},)"
              R"("state":"TASK_FUTURE"}}})");
  auto& s = e.update->status;
  CHECK(s.state == task_state::unrecognized);
  CHECK(s.extra.text == R"({"state":"TASK_FUTURE"})");
  auto text = to_json(e);
  CHECK(text ==
        R"({"type":"UPDATE","update":{"status":{"task_id":{"value":"t"},)"
        R"("state":"TASK_FUTURE"}}})");
  CHECK(decode_ok(text) == e);
  s.state = task_state::killed;
  CHECK(count(to_json(e), R"("state":"TASK_KILLED")") == 1);
  CHECK(count(to_json(e), "TASK_FUTURE") == 0);

  auto r = from_json<Resource>(R"({"name":"gpus","type":"MATRIX","role":"*"})");
  REQUIRE_MESSAGE(r, r.error().to_string());
  CHECK(r->type == value_type::unrecognized);
  CHECK(to_json(*r) == R"({"name":"gpus","role":"*","type":"MATRIX"})");
  CHECK(from_json<Resource>(to_json(*r))->type == value_type::unrecognized);

  // A newer master's capability list still decodes; known entries survive.
  auto m = from_json<MasterInfo>(
    R"({"id":"m","ip":1,"port":5050,"capabilities":[{"type":"AGENT_UPDATE"},)"
    R"({"type":"TELEPORT"},{"type":"QUOTA_V2"}]})");
  REQUIRE_MESSAGE(m, m.error().to_string());
  REQUIRE(m->capabilities.size() == 3);
  CHECK(m->capabilities[0].type == master_capability::agent_update);
  CHECK_FALSE(m->capabilities[1].type.has_value());
  CHECK(m->capabilities[2].type == master_capability::quota_v2);
}

TEST_CASE("codec: unrecognized values are never written as empty names") {
  // `unrecognized` has no wire name; writing "" would make the master reject
  // the message, so the member is left out (or comes from `extra`).
  TaskStatus s{.task_id = {"t"}, .state = task_state::unrecognized};
  s.source = status_source::unrecognized;
  s.reason = status_reason::unrecognized;
  CHECK(to_json(s) == R"({"task_id":{"value":"t"}})");
  Resource r{.name = "cpus", .type = value_type::unrecognized};
  CHECK(to_json(r) == R"({"name":"cpus"})");
}

TEST_CASE("codec: is_terminal for every task state") {
  // UNREACHABLE and UNKNOWN are not terminal: the task may still come back.
  const std::set<task_state> terminal{
    task_state::finished, task_state::failed,
    task_state::killed,   task_state::error,
    task_state::lost,     task_state::dropped,
    task_state::gone,     task_state::gone_by_operator};
  using U = std::underlying_type_t<task_state>;
  for (U i = 0; i <= static_cast<U>(task_state::unrecognized); ++i) {
    auto s = static_cast<task_state>(i);
    CAPTURE(to_string(s));
    CHECK(is_terminal(s) == terminal.contains(s));
  }
  static_assert(is_terminal(task_state::gone_by_operator));
  static_assert(!is_terminal(task_state::unreachable));
}

TEST_CASE("codec: every enum name round-trips through the name tables") {
  check_enum_names<call_type>();
  check_enum_names<event_type>();
  check_enum_names<task_state>();
  check_enum_names<status_source>();
  check_enum_names<status_reason>();
  check_enum_names<value_type>();
  check_enum_names<framework_capability>();
  check_enum_names<master_capability>();
  check_enum_names<operation_type>();
  check_enum_names<operation_state>();
  check_enum_names<reservation_type>();
  check_enum_names<disk_source_type>();
  check_enum_names<container_type>();
  check_enum_names<image_type>();
  check_enum_names<docker_network>();
  check_enum_names<volume_mode>();
  check_enum_names<network_protocol>();
  check_enum_names<env_variable_type>();
  check_enum_names<executor_type>();
  // Spellings that differ from the C++ names.
  CHECK(to_string(network_protocol::ipv4) == "IPv4");
  CHECK(to_string(reservation_type::static_) == "STATIC");
  CHECK(to_string(executor_type::default_) == "DEFAULT");
  CHECK(to_string(task_state::gone_by_operator) == "TASK_GONE_BY_OPERATOR");
  CHECK(to_string(status_reason::task_health_check_status_updated) ==
        "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED");
  CHECK(to_string(call_type::update_framework) == "UPDATE_FRAMEWORK");
  CHECK(to_string(event_type::update_operation_status) ==
        "UPDATE_OPERATION_STATUS");
}

TEST_CASE("codec: base64 follows RFC 4648 and round-trips every byte") {
  const std::pair<std::string_view, std::string_view> rfc[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"}};
  for (auto [raw, encoded] : rfc) {
    CAPTURE(raw);
    CHECK(base64_encode(raw) == encoded);
    std::string out = "stale";
    CHECK(base64_decode(encoded, out));
    CHECK(out == raw);
  }

  std::string all;
  for (int i = 0; i < 256; ++i)
    all.push_back(static_cast<char>(i));
  CHECK(base64_encode(all) ==
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v"
        "MDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5f"
        "YGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6P"
        "kJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/"
        "wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v"
        "8PHy8/T19vf4+fr7/P3+/w==");
  // Every length (so every padding case) from both ends of the byte range.
  for (std::size_t n = 0; n <= all.size(); ++n) {
    for (auto raw : {all.substr(0, n), all.substr(all.size() - n)}) {
      CAPTURE(n);
      auto encoded = base64_encode(raw);
      CHECK(encoded.size() == (n + 2) / 3 * 4);
      std::string back;
      CHECK(base64_decode(encoded, back));
      CHECK(back == raw);
    }
  }
}

TEST_CASE("codec: base64_decode rejects malformed input") {
  for (std::string_view bad :
       {"Z", "Zg=", "Zm9", "Zm9vY", // length not a multiple of 4
        "Zm9$", "Zm 9", "Zm9v\n", "Zm-_", "Zm9\x80", // not in the alphabet
        "Z=g=", "=Zg=", "Zg==Zg==", "Zm=v", "Z===", "====", "Zm9v===="}) {
    CAPTURE(bad);
    std::string out;
    CHECK_FALSE(base64_decode(bad, out));
  }
}
