#include "protocol/calls.hpp"

#include "protocol/codec.hpp"
#include "protocol/json_text.hpp"

namespace outrigger::protocol {

namespace {

Call base(call_type type, FrameworkID framework) {
  Call c;
  c.type = type;
  c.framework_id = std::move(framework);
  return c;
}

} // namespace

Call make_subscribe(FrameworkInfo info,
                    std::vector<std::string> suppressed_roles) {
  Call c;
  c.type = call_type::subscribe;
  if (info.id && !info.id->value.empty())
    c.framework_id = info.id;
  else
    info.id.reset(); // an empty id would be sent as a (wrong) existing id
  c.subscribe = Subscribe{std::move(info), std::move(suppressed_roles), {}};
  return c;
}

Call make_teardown(FrameworkID framework) {
  return base(call_type::teardown, std::move(framework));
}

Call make_accept(FrameworkID framework, std::vector<OfferID> offers,
                 std::vector<OfferOperation> operations,
                 std::optional<Filters> filters) {
  auto c = base(call_type::accept, std::move(framework));
  c.accept =
    Accept{std::move(offers), std::move(operations), std::move(filters)};
  return c;
}

OfferOperation make_launch(std::vector<TaskInfo> tasks) {
  OfferOperation op;
  op.type = operation_type::launch;
  op.launch = LaunchOperation{std::move(tasks)};
  return op;
}

OfferOperation make_launch_group(ExecutorInfo executor, TaskGroupInfo group) {
  OfferOperation op;
  op.type = operation_type::launch_group;
  op.launch_group = LaunchGroupOperation{std::move(executor), std::move(group)};
  return op;
}

Call make_decline(FrameworkID framework, std::vector<OfferID> offers,
                  std::optional<double> refuse_seconds) {
  auto c = base(call_type::decline, std::move(framework));
  c.decline = Decline{std::move(offers), {}};
  if (refuse_seconds)
    c.decline->filters = Filters{refuse_seconds};
  return c;
}

Call make_accept_inverse_offers(FrameworkID framework,
                                std::vector<OfferID> inverse_offers,
                                std::optional<Filters> filters) {
  auto c = base(call_type::accept_inverse_offers, std::move(framework));
  c.accept_inverse_offers =
    InverseOffersReply{std::move(inverse_offers), std::move(filters)};
  return c;
}

Call make_decline_inverse_offers(FrameworkID framework,
                                 std::vector<OfferID> inverse_offers,
                                 std::optional<Filters> filters) {
  auto c = base(call_type::decline_inverse_offers, std::move(framework));
  c.decline_inverse_offers =
    InverseOffersReply{std::move(inverse_offers), std::move(filters)};
  return c;
}

Call make_revive(FrameworkID framework, std::vector<std::string> roles) {
  auto c = base(call_type::revive, std::move(framework));
  c.revive = RoleList{std::move(roles)};
  return c;
}

Call make_suppress(FrameworkID framework, std::vector<std::string> roles) {
  auto c = base(call_type::suppress, std::move(framework));
  c.suppress = RoleList{std::move(roles)};
  return c;
}

Call make_kill(FrameworkID framework, TaskID task, std::optional<AgentID> agent,
               std::optional<KillPolicy> policy) {
  auto c = base(call_type::kill, std::move(framework));
  c.kill = Kill{std::move(task), std::move(agent), std::move(policy)};
  return c;
}

Call make_shutdown(FrameworkID framework, ExecutorID executor, AgentID agent) {
  auto c = base(call_type::shutdown, std::move(framework));
  c.shutdown = Shutdown{std::move(executor), std::move(agent)};
  return c;
}

Call make_acknowledge(FrameworkID framework, AgentID agent, TaskID task,
                      Bytes uuid) {
  auto c = base(call_type::acknowledge, std::move(framework));
  c.acknowledge =
    Acknowledge{std::move(agent), std::move(task), std::move(uuid)};
  return c;
}

void append_acknowledge_json(std::string& out, std::string_view framework,
                             std::string_view agent, std::string_view task,
                             std::string_view uuid) {
  // Member order and spelling as the codec writes them (.proto order).
  out += "{\"framework_id\":{\"value\":";
  append_json_string(out, framework);
  out += "},\"type\":\"ACKNOWLEDGE\",\"acknowledge\":{\"agent_id\":{\"value\":";
  append_json_string(out, agent);
  out += "},\"task_id\":{\"value\":";
  append_json_string(out, task);
  out += "},\"uuid\":\"";
  out += base64_encode(uuid);
  out += "\"}}";
}

std::optional<Call> acknowledgement_for(const FrameworkID& framework,
                                        const TaskStatus& status) {
  if (!status.uuid || !status.agent_id)
    return std::nullopt;
  return make_acknowledge(framework, *status.agent_id, status.task_id,
                          *status.uuid);
}

Call make_acknowledge_operation_status(FrameworkID framework,
                                       OperationID operation, Bytes uuid,
                                       std::optional<AgentID> agent) {
  auto c = base(call_type::acknowledge_operation_status, std::move(framework));
  c.acknowledge_operation_status = AcknowledgeOperationStatus{
    std::move(agent), {}, std::move(uuid), std::move(operation)};
  return c;
}

Call make_reconcile(FrameworkID framework, std::vector<ReconcileTask> tasks) {
  auto c = base(call_type::reconcile, std::move(framework));
  c.reconcile = Reconcile{std::move(tasks)};
  return c;
}

Call make_reconcile_operations(FrameworkID framework,
                               std::vector<ReconcileOperation> operations) {
  auto c = base(call_type::reconcile_operations, std::move(framework));
  c.reconcile_operations = ReconcileOperations{std::move(operations)};
  return c;
}

Call make_message(FrameworkID framework, AgentID agent, ExecutorID executor,
                  std::string data) {
  auto c = base(call_type::message, std::move(framework));
  c.message = ExecutorMessage{std::move(agent), std::move(executor),
                              Bytes{std::move(data)}};
  return c;
}

Call make_request(FrameworkID framework,
                  std::vector<ResourceRequest> requests) {
  auto c = base(call_type::request, std::move(framework));
  c.request = Request{std::move(requests)};
  return c;
}

Call make_update_framework(FrameworkInfo info,
                           std::vector<std::string> suppressed_roles) {
  Call c;
  c.type = call_type::update_framework;
  c.framework_id = info.id;
  c.update_framework =
    Subscribe{std::move(info), std::move(suppressed_roles), {}};
  return c;
}

// Mirrors validation::scheduler::call::validate (src/master/validation.cpp
// in Mesos 1.12), check for check, message for message.
std::optional<std::string>
validate_call(const Call& call, const std::optional<std::string>& principal) {
  auto present = [](bool has, const char* field) -> std::optional<std::string> {
    if (has)
      return std::nullopt;
    return std::string{"Expecting '"} + field + "' to be present";
  };
  // An id that is unset compares equal to an empty one, as in protobuf.
  auto id_of = [](const std::optional<FrameworkID>& id) {
    return id ? id->value : std::string{};
  };
  // id::UUID::fromBytes accepts exactly 16 bytes.
  auto valid_uuid = [](const Bytes& b) { return b.data.size() == 16; };

  if (!call.type || *call.type == call_type::unrecognized)
    return "Expecting 'type' to be present";
  if (*call.type == call_type::subscribe) {
    if (!call.subscribe)
      return "Expecting 'subscribe' to be present";
    auto& info = call.subscribe->framework_info;
    if (id_of(info.id) != id_of(call.framework_id))
      return "'framework_id' differs from 'subscribe.framework_info.id'";
    if (principal && info.principal && *principal != *info.principal)
      return "Authenticated principal '" + *principal +
             "' does not match principal '" + *info.principal +
             "' set in `FrameworkInfo`";
    return std::nullopt;
  }
  if (!call.framework_id)
    return "Expecting 'framework_id' to be present";
  switch (*call.type) {
    case call_type::accept:
      return present(call.accept.has_value(), "accept");
    case call_type::decline:
      return present(call.decline.has_value(), "decline");
    case call_type::accept_inverse_offers:
      return present(call.accept_inverse_offers.has_value(),
                     "accept_inverse_offers");
    case call_type::decline_inverse_offers:
      return present(call.decline_inverse_offers.has_value(),
                     "decline_inverse_offers");
    case call_type::kill:
      return present(call.kill.has_value(), "kill");
    case call_type::shutdown:
      return present(call.shutdown.has_value(), "shutdown");
    case call_type::acknowledge:
      if (!call.acknowledge)
        return "Expecting 'acknowledge' to be present";
      if (!valid_uuid(call.acknowledge->uuid))
        return "Not a valid UUID";
      return std::nullopt;
    case call_type::acknowledge_operation_status: {
      auto& ack = call.acknowledge_operation_status;
      if (!ack)
        return "Expecting 'acknowledge_operation_status' to be present";
      if (!valid_uuid(ack->uuid))
        return "Not a valid UUID";
      if (!ack->agent_id)
        return "Expecting 'agent_id' to be present";
      return std::nullopt;
    }
    case call_type::reconcile:
      return present(call.reconcile.has_value(), "reconcile");
    case call_type::reconcile_operations:
      return present(call.reconcile_operations.has_value(),
                     "reconcile_operations");
    case call_type::message:
      return present(call.message.has_value(), "message");
    case call_type::request:
      return present(call.request.has_value(), "request");
    case call_type::update_framework:
      if (!call.update_framework)
        return "Expecting 'update_framework' to be present";
      if (id_of(call.framework_id) !=
          id_of(call.update_framework->framework_info.id))
        return "'framework_id' differs from "
               "'update_framework.framework_info.id'";
      return std::nullopt;
    default: // TEARDOWN, REVIVE, SUPPRESS, UNKNOWN
      return std::nullopt;
  }
}

} // namespace outrigger::protocol
