#include "protocol/calls.hpp"
#include "protocol/codec.hpp"

#include <doctest/doctest.h>

using namespace outrigger::protocol;

namespace {

const FrameworkID fw{"52b37399-815a-42e6-9723-a6a8a61cedbb-0000"};

Bytes uuid16() {
  return Bytes{std::string(16, '\x7f')};
}

} // namespace

TEST_CASE("calls: builders set the type and the matching sub-message") {
  FrameworkInfo info;
  info.user = "root";
  info.name = "outrigger";
  auto sub = make_subscribe(info);
  CHECK(sub.type == call_type::subscribe);
  CHECK_FALSE(sub.framework_id.has_value()); // a new framework has no id
  CHECK_FALSE(validate_call(sub).has_value());

  info.id = fw;
  auto resub = make_subscribe(info, {"batch"});
  CHECK(resub.framework_id == fw);
  CHECK(resub.subscribe->suppressed_roles == std::vector<std::string>{"batch"});
  CHECK_FALSE(validate_call(resub).has_value());

  // An empty id must not be sent: the master would look it up and fail.
  info.id = FrameworkID{""};
  auto fresh = make_subscribe(info);
  CHECK_FALSE(fresh.framework_id.has_value());
  CHECK_FALSE(fresh.subscribe->framework_info.id.has_value());

  CHECK(
    to_json(make_teardown(fw)) ==
    R"({"framework_id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-0000"},"type":"TEARDOWN"})");
  CHECK(
    to_json(make_reconcile(fw)) ==
    R"({"framework_id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-0000"},"type":"RECONCILE","reconcile":{}})");
  CHECK(
    to_json(make_decline(fw, {OfferID{"o1"}}, 3.0)) ==
    R"({"framework_id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-0000"},"type":"DECLINE","decline":{"offer_ids":[{"value":"o1"}],"filters":{"refuse_seconds":3.0}}})");
  CHECK(
    to_json(make_suppress(fw, {"a"})) ==
    R"({"framework_id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-0000"},"type":"SUPPRESS","suppress":{"roles":["a"]}})");

  std::vector<Call> all{
    make_accept(fw, {OfferID{"o"}}, {make_launch({})}),
    make_accept(fw, {OfferID{"o"}}, {make_launch_group({}, {})}, Filters{1.0}),
    make_decline(fw, {OfferID{"o"}}),
    make_accept_inverse_offers(fw, {OfferID{"i"}}),
    make_decline_inverse_offers(fw, {OfferID{"i"}}),
    make_revive(fw),
    make_suppress(fw),
    make_kill(fw, TaskID{"t"}, AgentID{"a"}),
    make_shutdown(fw, ExecutorID{"e"}, AgentID{"a"}),
    make_acknowledge(fw, AgentID{"a"}, TaskID{"t"}, uuid16()),
    make_acknowledge_operation_status(fw, OperationID{"op"}, uuid16(),
                                      AgentID{"a"}),
    make_reconcile(fw, {ReconcileTask{TaskID{"t"}, {}}}),
    make_reconcile_operations(fw,
                              {ReconcileOperation{OperationID{"op"}, {}, {}}}),
    make_message(fw, AgentID{"a"}, ExecutorID{"e"}, "hi"),
    make_request(fw, {ResourceRequest{}}),
    make_update_framework(info),
  };
  for (auto& c : all) {
    CAPTURE(to_json(c));
    CHECK_FALSE(validate_call(c).has_value());
    auto back = decode_call(to_json(c));
    REQUIRE(back);
    CHECK(*back == c);
  }
}

TEST_CASE("calls: an update is acknowledged only when it carries a uuid") {
  TaskStatus st;
  st.task_id = TaskID{"t"};
  st.state = task_state::running;
  st.agent_id = AgentID{"a"};
  // Master-generated updates (reconciliation, invalid offers) have no uuid.
  CHECK_FALSE(acknowledgement_for(fw, st).has_value());
  st.uuid = uuid16();
  auto ack = acknowledgement_for(fw, st);
  REQUIRE(ack.has_value());
  CHECK(ack->acknowledge->uuid == uuid16());
  CHECK(ack->acknowledge->agent_id == AgentID{"a"});
  st.agent_id.reset();
  CHECK_FALSE(acknowledgement_for(fw, st).has_value());
}

// Pins the master's own messages (recorded in tests/data/mesos-wire 38, 39, 42,
// 44, 46), which the simulator returns verbatim.
TEST_CASE("calls: the directly written ACKNOWLEDGE is exactly the codec's") {
  AgentID agent{"agent-\"7\"\\"};
  TaskID task{"or-12-3"};
  Bytes uuid{std::string("\x00\x01\xfe\xff\n\t", 6) + std::string(10, 'x')};
  std::string fast;
  append_acknowledge_json(fast, "fw-\x01\b\f", agent.value, task.value,
                          uuid.data);
  CHECK(fast == to_json(make_acknowledge(FrameworkID{"fw-\x01\b\f"}, agent,
                                         task, uuid)));
  auto call = decode_call(fast);
  REQUIRE(call);
  CHECK(!validate_call(*call));
  CHECK(call->acknowledge->uuid == uuid);
}

TEST_CASE("calls: validation reproduces the master's checks and messages") {
  Call c;
  CHECK(validate_call(c) == "Expecting 'type' to be present");
  c.type = call_type::unrecognized;
  CHECK(validate_call(c) == "Expecting 'type' to be present");

  c.type = call_type::kill;
  CHECK(validate_call(c) == "Expecting 'framework_id' to be present");
  c.framework_id = fw;
  CHECK(validate_call(c) == "Expecting 'kill' to be present");

  auto ack = make_acknowledge(fw, AgentID{"a"}, TaskID{"t"}, Bytes{"short"});
  CHECK(validate_call(ack) == "Not a valid UUID");
  ack.acknowledge.reset();
  CHECK(validate_call(ack) == "Expecting 'acknowledge' to be present");

  auto op = make_acknowledge_operation_status(fw, OperationID{"x"}, uuid16());
  CHECK(validate_call(op) == "Expecting 'agent_id' to be present");

  FrameworkInfo info;
  info.user = "root";
  info.name = "n";
  info.id = FrameworkID{"other"};
  auto sub = make_subscribe(info);
  sub.framework_id = fw;
  CHECK(validate_call(sub) ==
        "'framework_id' differs from 'subscribe.framework_info.id'");
  sub.framework_id = FrameworkID{"other"};
  info.principal = "alice";
  sub.subscribe->framework_info.principal = "alice";
  CHECK_FALSE(validate_call(sub, std::string{"alice"}).has_value());
  CHECK(validate_call(sub, std::string{"mallory"}) ==
        "Authenticated principal 'mallory' does not match principal 'alice' "
        "set in `FrameworkInfo`");

  auto upd = make_update_framework(info);
  upd.framework_id = fw;
  CHECK(validate_call(upd) ==
        "'framework_id' differs from 'update_framework.framework_info.id'");

  for (auto [type, field] : std::vector<std::pair<call_type, std::string>>{
         {call_type::accept, "accept"},
         {call_type::decline, "decline"},
         {call_type::accept_inverse_offers, "accept_inverse_offers"},
         {call_type::decline_inverse_offers, "decline_inverse_offers"},
         {call_type::shutdown, "shutdown"},
         {call_type::reconcile, "reconcile"},
         {call_type::reconcile_operations, "reconcile_operations"},
         {call_type::message, "message"},
         {call_type::request, "request"},
         {call_type::subscribe, "subscribe"},
         {call_type::update_framework, "update_framework"}}) {
    Call bare;
    bare.type = type;
    bare.framework_id = fw;
    CHECK(validate_call(bare) == "Expecting '" + field + "' to be present");
  }
  // TEARDOWN, REVIVE and SUPPRESS need nothing but the framework id.
  for (auto t : {call_type::teardown, call_type::revive, call_type::suppress}) {
    Call bare;
    bare.type = t;
    bare.framework_id = fw;
    CHECK_FALSE(validate_call(bare).has_value());
  }
}
