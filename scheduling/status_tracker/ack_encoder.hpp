#pragma once
// The ACKNOWLEDGE body written directly: the status tracker answers up to
// 100,000 updates per second, and building a protocol::Call to encode it
// costs more than the rest of the update. The bytes are exactly those of
// protocol::to_json(make_acknowledge(...)) (tested).

#include "scheduling/status_tracker/status_tracker_state.hpp"

#include <string>
#include <string_view>

namespace outrigger::scheduling {

/// Appends the JSON of the ACKNOWLEDGE call for `ack` to `out`.
void append_acknowledge_json(std::string& out, std::string_view framework_id,
                             const pending_ack& ack);

/// The ACKNOWLEDGE call for `ack` as a protocol value.
protocol::Call acknowledge_call(const protocol::FrameworkID& framework,
                                const pending_ack& ack);

} // namespace outrigger::scheduling
