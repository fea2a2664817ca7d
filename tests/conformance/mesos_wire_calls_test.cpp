// Calls as they were sent to a real Mesos 1.12 master (the recorded request
// bodies, written by hand) and the MasterInfo the master stored in
// ZooKeeper. The master's answer to each body is in the transcript of the
// same number.

#include "wire_events.hpp"

#include "protocol/calls.hpp"
#include "protocol/codec.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace outrigger::protocol;
using namespace outrigger::conformance;

namespace {

// Files in bodies/ that are not scheduler calls.
const std::set<std::string> not_calls{
  "transcripts2/bodies/100-master-credentials-file.json",  // --credentials
  "transcripts2/bodies/59a-operator-mark-agent-gone.json", // operator API
};

// Bodies the master could not turn into a Call protobuf (400 before
// validation); checked by the malformed-bodies test.
const std::set<std::string> not_convertible{
  "transcripts/bodies/37-bad-json.json",
  "transcripts/bodies/45-empty.json",
  "transcripts/bodies/47-ack-missing-required.json",
};

parse_result<Call> call_of(const fs::path& dir, const char* body) {
  return decode_call(read_file(dir / body));
}

// The response body of a one-shot transcript: the N bytes after its
// "### RESPONSE BODY (N bytes)" line.
std::string response_body(const fs::path& transcript) {
  auto text = read_file(transcript);
  const std::string marker = "### RESPONSE BODY (";
  auto at = text.find(marker);
  REQUIRE(at != std::string::npos);
  auto size = std::stoul(text.substr(at + marker.size()));
  auto start = text.find('\n', at) + 1;
  REQUIRE(start + size <= text.size());
  return text.substr(start, size);
}

// A call the master refused in validation::scheduler::call::validate.
struct refusal {
  const char* body;
  const char* principal; // authenticated principal, or nullptr
  const char* transcript;
};

const refusal refusals[] = {
  {"transcripts/bodies/38-unknown-enum.json", nullptr,
   "transcripts/38-error-unknown-call-type-enum.txt"},
  {"transcripts/bodies/39-no-framework-id.json", nullptr,
   "transcripts/39-error-missing-framework-id.txt"},
  {"transcripts/bodies/42-ack-bad-uuid.json", nullptr,
   "transcripts/42-error-ack-bad-uuid.txt"},
  {"transcripts/bodies/44-subscribe-id-mismatch.json", nullptr,
   "transcripts/44-error-subscribe-framework-id-mismatch.txt"},
  {"transcripts/bodies/46-kill-missing-kill.json", nullptr,
   "transcripts/46-error-kill-without-kill-field.txt"},
  {"transcripts2/bodies/34-update-framework-doc-example-no-ids.json", nullptr,
   "transcripts2/34-update-framework-like-doc-example-without-ids.txt"},
  {"transcripts2/bodies/35-update-framework-no-frameworkinfo-id.json", nullptr,
   "transcripts2/35-update-framework-without-framework-info-id.txt"},
  {"transcripts2/bodies/106-subscribe-principal-other.json", "outrigger",
   "transcripts2/106-auth-subscribe-frameworkinfo-principal-mismatch.txt"},
  {"transcripts2/bodies/101-subscribe-outrigger.json", "intruder",
   "transcripts2/"
   "106b-auth-subscribe-frameworkinfo-principal-mismatch-intruder.txt"},
};

} // namespace

// Every body the master accepted as a Call decodes, and re-encodes to the
// same JSON value (member order and 32 vs 32.0 aside, and `[]` equal to an
// absent repeated field, as in protobuf). Unknown members survive in
// `extra`, like the unknown enum name of 38; the one exception is the
// doc-style `"revive":{"role":...}` (36), which protobuf drops silently —
// and so does the master, which then revives every role.
TEST_CASE("conformance: every recorded call body round-trips") {
  auto dir = wire_dir();
  if (!dir)
    return;
  std::size_t checked = 0;
  for (auto& path : body_files(*dir)) {
    auto name = relative_name(*dir, path);
    if (not_calls.count(name) != 0 || not_convertible.count(name) != 0)
      continue;
    CAPTURE(name);
    auto text = read_file(path);
    auto call = decode_call(text);
    INFO("decode_call: " << call.error().to_string());
    REQUIRE(call);
    auto expected = json::parse(text);
    if (name == "transcripts2/bodies/36-revive-doc-singular-role-field.json") {
      CHECK(expected["revive"].erase("role") == 1);
      REQUIRE(call->revive.has_value());
      CHECK(call->revive->roles.empty());
    }
    auto encoded = to_json(*call);
    auto diffs =
      json_diff(expected, json::parse(encoded),
                {.wire_exact = false, .empty_array_is_absent = true});
    INFO("body:    " << expected.dump());
    INFO("encoded: " << encoded);
    INFO("differences:" << join_lines(diffs));
    CHECK(diffs.empty());
    auto again = decode_call(encoded);
    REQUIRE(again);
    CHECK(*again == *call);
    ++checked;
  }
  CHECK(checked >= 130);
  MESSAGE(checked << " call bodies round-tripped");
}

// The bodies the master refused with "Failed to parse body into JSON" (37,
// 45) are syntax errors; the one refused with "Failed to convert JSON into
// Call protobuf: Missing required fields: acknowledge.agent_id,
// acknowledge.uuid" (47) misses exactly those fields.
TEST_CASE("conformance: bodies the master could not convert fail to decode") {
  auto dir = wire_dir();
  if (!dir)
    return;
  for (auto body : {"transcripts/bodies/37-bad-json.json",
                    "transcripts/bodies/45-empty.json"}) {
    CAPTURE(body);
    auto call = call_of(*dir, body);
    REQUIRE_FALSE(call);
    CHECK(call.error().what == parse_error::kind::syntax);
  }
  auto ack = call_of(*dir, "transcripts/bodies/47-ack-missing-required.json");
  REQUIRE_FALSE(ack);
  CHECK(ack.error().what == parse_error::kind::missing_fields);
  CHECK(ack.error().missing ==
        std::vector<std::string>{"acknowledge.agent_id", "acknowledge.uuid"});
  CHECK(ack.error().to_string() ==
        "missing required fields: acknowledge.agent_id, acknowledge.uuid");
}

// Bodies that convert but fail the master's validation decode: the codec
// does not validate, but the flaw the master reports is visible.
TEST_CASE("conformance: bodies refused by validation decode with the flaw "
          "visible") {
  auto dir = wire_dir();
  if (!dir)
    return;
  // 38: unknown enum name dropped => "Expecting 'type' to be present".
  auto fly = call_of(*dir, "transcripts/bodies/38-unknown-enum.json");
  REQUIRE(fly);
  CHECK_FALSE(fly->type.has_value());
  CHECK(fly->framework_id.has_value());
  // 43: type UNKNOWN (which crashed the master).
  auto unknown = call_of(*dir, "transcripts/bodies/43-unknown-type.json");
  REQUIRE(unknown);
  CHECK(unknown->type == call_type::unknown);
  // 46: "Expecting 'kill' to be present".
  auto kill = call_of(*dir, "transcripts/bodies/46-kill-missing-kill.json");
  REQUIRE(kill);
  CHECK(kill->type == call_type::kill);
  CHECK_FALSE(kill->kill.has_value());
  // 39: "Expecting 'framework_id' to be present".
  auto no_id = call_of(*dir, "transcripts/bodies/39-no-framework-id.json");
  REQUIRE(no_id);
  CHECK_FALSE(no_id->framework_id.has_value());
  // 42: "Not a valid UUID": 5 bytes ("hello") instead of 16.
  auto bad_uuid = call_of(*dir, "transcripts/bodies/42-ack-bad-uuid.json");
  REQUIRE(bad_uuid);
  CHECK(bad_uuid->acknowledge->uuid.data == "hello");
  // 44: "'framework_id' differs from 'subscribe.framework_info.id'".
  auto mismatch =
    call_of(*dir, "transcripts/bodies/44-subscribe-id-mismatch.json");
  REQUIRE(mismatch);
  CHECK(mismatch->framework_id->value !=
        mismatch->subscribe->framework_info.id->value);
  // 34/35: UPDATE_FRAMEWORK as in the documentation, without the ids.
  auto doc = call_of(
    *dir, "transcripts2/bodies/34-update-framework-doc-example-no-ids.json");
  REQUIRE(doc);
  CHECK(doc->type == call_type::update_framework);
  CHECK_FALSE(doc->framework_id.has_value());
  CHECK_FALSE(doc->update_framework->framework_info.id.has_value());
}

// Decoded values of the calls a scheduler sends most: SUBSCRIBE, ACCEPT
// with LAUNCH and LAUNCH_GROUP, ACKNOWLEDGE (echoing the update's uuid),
// DECLINE, RECONCILE, KILL, UPDATE_FRAMEWORK.
TEST_CASE("conformance: decoded values of recorded calls") {
  auto dir = wire_dir();
  if (!dir)
    return;
  auto subscribe = call_of(*dir, "transcripts/bodies/10-subscribe.json");
  REQUIRE(subscribe);
  CHECK(subscribe->type == call_type::subscribe);
  CHECK_FALSE(subscribe->framework_id.has_value());
  auto& info = subscribe->subscribe->framework_info;
  CHECK(info.user == "root");
  CHECK(info.name == "golden-framework");
  CHECK(info.failover_timeout == 3600.0);
  CHECK_FALSE(info.id.has_value());
  CHECK(info.has_capability(framework_capability::partition_aware));
  CHECK(info.has_capability(framework_capability::task_killing_state));
  CHECK(info.capabilities.size() == 2);

  auto accept = call_of(*dir, "transcripts/bodies/11-accept-launch-echo.json");
  REQUIRE(accept);
  CHECK(accept->type == call_type::accept);
  CHECK(accept->framework_id->value == id(master1, "-0000"));
  REQUIRE(accept->accept.has_value());
  REQUIRE(accept->accept->offer_ids.size() == 1);
  CHECK(accept->accept->offer_ids[0].value == id(master1, "-O0"));
  REQUIRE(accept->accept->operations.size() == 1);
  auto& op = accept->accept->operations[0];
  CHECK(op.type == operation_type::launch);
  REQUIRE(op.launch->task_infos.size() == 1);
  auto& task = op.launch->task_infos[0];
  CHECK(task.name == "echo-hello");
  CHECK(task.task_id.value == "task-echo-1");
  CHECK(task.agent_id.value == id(master1, "-S0"));
  CHECK(task.command->shell == true);
  CHECK(task.command->value == "echo hello");
  REQUIRE(task.resources.size() == 2);
  CHECK(task.resources[0].name == "cpus");
  CHECK(task.resources[0].type == value_type::scalar);
  CHECK(task.resources[0].scalar->value == 0.1);
  CHECK(task.resources[1].name == "mem");
  CHECK(task.resources[1].scalar->value == 32.0);
  CHECK(accept->accept->filters->refuse_seconds == 1.0);

  // The ACK echoes the uuid of the TASK_STARTING update verbatim.
  auto ack = call_of(*dir, "transcripts/bodies/12-ack-starting.json");
  REQUIRE(ack);
  CHECK(ack->type == call_type::acknowledge);
  auto events = events_of(*dir, "transcripts/10-subscribe-stream1");
  auto& starting = status_of(events[3]);
  CHECK(ack->acknowledge->uuid == *starting.uuid);
  CHECK(ack->acknowledge->task_id == starting.task_id);
  CHECK(ack->acknowledge->agent_id == *starting.agent_id);
  // acknowledgement_for builds exactly the recorded ACK from the update, and
  // none for an update the master generated (no uuid).
  auto built = acknowledgement_for(*ack->framework_id, starting);
  REQUIRE(built.has_value());
  CHECK(*built == *ack);
  CHECK_FALSE(acknowledgement_for(*ack->framework_id, status_of(events[13])));

  auto decline =
    call_of(*dir, "transcripts/bodies/15-decline-with-filters.json");
  REQUIRE(decline);
  CHECK(decline->decline->offer_ids.size() == 2);
  CHECK(decline->decline->filters->refuse_seconds == 3.0);

  auto reconcile =
    call_of(*dir, "transcripts/bodies/23-reconcile-explicit.json");
  REQUIRE(reconcile);
  auto& tasks = reconcile->reconcile->tasks;
  REQUIRE(tasks.size() == 5);
  CHECK(tasks[0].agent_id->value == id(master1, "-S0"));
  CHECK_FALSE(tasks[1].agent_id.has_value());
  CHECK(tasks[3].agent_id->value == "no-such-agent-S99");
  auto implicit =
    call_of(*dir, "transcripts/bodies/22-reconcile-implicit.json");
  REQUIRE(implicit);
  REQUIRE(implicit->reconcile.has_value());
  CHECK(implicit->reconcile->tasks.empty());

  auto kill = call_of(*dir, "transcripts/bodies/24-kill-sleep.json");
  REQUIRE(kill);
  CHECK(kill->kill->task_id.value == "task-sleep-1");
  CHECK(kill->kill->agent_id->value == id(master1, "-S0"));

  auto group =
    call_of(*dir, "transcripts2/bodies/41-accept-f3-launch-group.json");
  REQUIRE(group);
  auto& launch = group->accept->operations.at(0);
  CHECK(launch.type == operation_type::launch_group);
  auto& executor = launch.launch_group->executor;
  CHECK(executor.type == executor_type::default_);
  CHECK(executor.executor_id.value == "default-exec-1");
  CHECK(executor.resources.size() == 3);
  auto& group_tasks = launch.launch_group->task_group.tasks;
  REQUIRE(group_tasks.size() == 2);
  CHECK(group_tasks[0].name == "group-sleep-2");
  CHECK(group_tasks[1].command->value == "echo hi");

  auto multi =
    call_of(*dir, "transcripts2/bodies/20-subscribe-f2-multi-role.json");
  REQUIRE(multi);
  auto& multi_info = multi->subscribe->framework_info;
  CHECK(multi_info.roles == std::vector<std::string>{"analytics", "*"});
  CHECK(multi_info.has_capability(framework_capability::multi_role));
  auto update = call_of(
    *dir,
    "transcripts2/bodies/25-update-framework-f2-roles-batch-star-suppress-"
    "star.json");
  REQUIRE(update);
  CHECK(update->type == call_type::update_framework);
  CHECK(update->update_framework->framework_info.roles ==
        std::vector<std::string>{"batch", "*"});
  CHECK(update->update_framework->suppressed_roles ==
        std::vector<std::string>{"*"});
  auto suppress =
    call_of(*dir, "transcripts2/bodies/21-suppress-f2-role-analytics.json");
  REQUIRE(suppress);
  CHECK(suppress->suppress->roles == std::vector<std::string>{"analytics"});
}

// The master's ZooKeeper node holds MasterInfo as JSON with sorted keys;
// decoded it is the MasterInfo of SUBSCRIBED, which the master writes in
// proto field order — so our encoding of the ZooKeeper copy must be exactly
// SUBSCRIBED's master_info.
TEST_CASE("conformance: ZooKeeper MasterInfo JSON") {
  auto dir = wire_dir();
  if (!dir)
    return;
  std::size_t nodes = 0;
  for (auto& path : std::filesystem::directory_iterator{*dir / "transcripts"}) {
    auto file = path.path().filename().string();
    if (file.find("-zk-dump") == std::string::npos)
      continue;
    std::istringstream lines{read_file(path.path())};
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind("{\"", 0) != 0)
        continue; // the node's data is the one-line JSON
      CAPTURE(file);
      auto info = from_json<MasterInfo>(line);
      INFO(info.error().to_string());
      REQUIRE(info);
      CHECK(info->pid == "master@127.0.0.1:" + std::to_string(info->port));
      CHECK(info->address->port == static_cast<std::int32_t>(info->port));
      CHECK(json_diff(json::parse(line), json::parse(to_json(*info)),
                      {.wire_exact = false})
              .empty());
      ++nodes;
    }
  }
  CHECK(nodes == 9);

  auto dump = read_file(*dir / "transcripts/01-zk-dump-one-master.txt");
  auto start = dump.find("\n{\"");
  REQUIRE(start != std::string::npos);
  auto text = dump.substr(start + 1, dump.find('\n', start + 1) - start - 1);
  CHECK(text.size() == 294); // dataLength
  auto info = from_json<MasterInfo>(text);
  REQUIRE(info);
  CHECK(info->id == master1);
  CHECK(info->ip == 16777343u);
  CHECK(info->port == 5050u);
  CHECK(info->pid == "master@127.0.0.1:5050");
  CHECK(info->hostname == "localhost");
  CHECK(info->version == "1.12.0");
  CHECK(info->address->hostname == "localhost");
  CHECK(info->address->ip == "127.0.0.1");
  REQUIRE(info->capabilities.size() == 3);
  CHECK(info->capabilities[2].type == master_capability::quota_v2);
  CHECK(info->extra.empty());

  stream_file stream;
  stream.base = *dir / "transcripts/10-subscribe-stream1";
  auto subscribed = json::parse(stream_records(stream).at(0));
  auto& recorded = subscribed.at("subscribed").at("master_info");
  auto diffs = json_diff(recorded, json::parse(to_json(*info)), {});
  INFO(join_lines(diffs));
  CHECK(diffs.empty());
}

// validate_call mirrors the master's validation::scheduler::call::validate:
// every body the master refused there gets the same message (the transcript's
// response is "Failed to validate scheduler::Call: <message>"), and every
// other recorded call passes — including those refused later for other
// reasons (unknown framework, stream id, UPDATE_FRAMEWORK contents).
TEST_CASE("conformance: validate_call gives the master's validation "
          "messages") {
  auto dir = wire_dir();
  if (!dir)
    return;
  std::set<std::string> refused_bodies;
  for (auto& r : refusals) {
    CAPTURE(r.body);
    auto call = call_of(*dir, r.body);
    REQUIRE(call);
    std::optional<std::string> principal;
    if (r.principal != nullptr)
      principal = r.principal;
    auto verdict = validate_call(*call, principal);
    REQUIRE(verdict.has_value());
    CHECK("Failed to validate scheduler::Call: " + *verdict ==
          response_body(*dir / r.transcript));
    if (r.principal == nullptr)
      refused_bodies.insert(r.body);
  }
  std::size_t valid = 0;
  for (auto& path : body_files(*dir)) {
    auto name = relative_name(*dir, path);
    if (not_calls.count(name) != 0 || not_convertible.count(name) != 0 ||
        refused_bodies.count(name) != 0)
      continue;
    CAPTURE(name);
    auto call = decode_call(read_file(path));
    REQUIRE(call);
    CHECK(validate_call(*call) == std::nullopt);
    ++valid;
  }
  CHECK(valid >= 120);
  // Authenticated SUBSCRIBEs the master let through (105, 107, 111).
  auto subscribe = [&](const char* body, const char* principal) {
    auto call = call_of(*dir, body);
    REQUIRE(call);
    return validate_call(*call, std::string{principal});
  };
  CHECK(subscribe("transcripts2/bodies/101-subscribe-outrigger.json",
                  "outrigger") == std::nullopt);
  CHECK(subscribe("transcripts2/bodies/107-subscribe-no-principal.json",
                  "outrigger") == std::nullopt);
  CHECK(subscribe("transcripts2/bodies/111-resubscribe-f7-as-intruder.json",
                  "intruder") == std::nullopt);
}
