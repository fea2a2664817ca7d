#include "scheduling/status_tracker/ack_encoder.hpp"

#include "protocol/calls.hpp"
#include "protocol/codec.hpp"
#include "scheduling/task_book/book_records.hpp"

namespace outrigger::scheduling {

void append_acknowledge_json(std::string& out, std::string_view framework_id,
                             const pending_ack& ack) {
  // Member order and spelling as the codec writes them (.proto order).
  out += "{\"framework_id\":{\"value\":";
  records::append_json_string(out, framework_id);
  out += "},\"type\":\"ACKNOWLEDGE\",\"acknowledge\":{\"agent_id\":{\"value\":";
  records::append_json_string(out, ack.agent_id.value);
  out += "},\"task_id\":{\"value\":";
  records::append_json_string(out, ack.task_id.value);
  out += "},\"uuid\":\"";
  out += protocol::base64_encode(ack.uuid.data);
  out += "\"}}";
}

protocol::Call acknowledge_call(const protocol::FrameworkID& framework,
                                const pending_ack& ack) {
  return protocol::make_acknowledge(framework, ack.agent_id, ack.task_id,
                                    ack.uuid);
}

} // namespace outrigger::scheduling
