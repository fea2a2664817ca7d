#include "protocol/enums.hpp"

#include <array>

namespace outrigger::protocol {

namespace {

// Looks a name up in a small table; enums have at most a few dozen members, so
// a linear scan beats hashing and allocates nothing.
template <class E, std::size_t N>
void lookup(const std::array<std::string_view, N>& names, std::string_view text,
            E& out) noexcept {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) {
      out = static_cast<E>(i);
      return;
    }
  }
  out = E::unrecognized;
}

} // namespace

#define OUTRIGGER_ENUM_NAME(member, text) std::string_view{text},
#define OUTRIGGER_DEFINE_ENUM(name, list)                                      \
  namespace {                                                                  \
  constexpr std::array name##_names{list(OUTRIGGER_ENUM_NAME)};                \
  }                                                                            \
  std::string_view to_string(name value) noexcept {                            \
    auto i = static_cast<std::size_t>(value);                                  \
    return i < name##_names.size() ? name##_names[i] : std::string_view{};     \
  }                                                                            \
  void from_string(std::string_view text, name& out) noexcept {                \
    lookup(name##_names, text, out);                                           \
  }

OUTRIGGER_DEFINE_ENUM(call_type, OUTRIGGER_CALL_TYPES)
OUTRIGGER_DEFINE_ENUM(event_type, OUTRIGGER_EVENT_TYPES)
OUTRIGGER_DEFINE_ENUM(task_state, OUTRIGGER_TASK_STATES)
OUTRIGGER_DEFINE_ENUM(status_source, OUTRIGGER_STATUS_SOURCES)
OUTRIGGER_DEFINE_ENUM(status_reason, OUTRIGGER_STATUS_REASONS)
OUTRIGGER_DEFINE_ENUM(value_type, OUTRIGGER_VALUE_TYPES)
OUTRIGGER_DEFINE_ENUM(framework_capability, OUTRIGGER_FRAMEWORK_CAPABILITIES)
OUTRIGGER_DEFINE_ENUM(master_capability, OUTRIGGER_MASTER_CAPABILITIES)
OUTRIGGER_DEFINE_ENUM(operation_type, OUTRIGGER_OPERATION_TYPES)
OUTRIGGER_DEFINE_ENUM(operation_state, OUTRIGGER_OPERATION_STATES)
OUTRIGGER_DEFINE_ENUM(reservation_type, OUTRIGGER_RESERVATION_TYPES)
OUTRIGGER_DEFINE_ENUM(disk_source_type, OUTRIGGER_DISK_SOURCE_TYPES)
OUTRIGGER_DEFINE_ENUM(container_type, OUTRIGGER_CONTAINER_TYPES)
OUTRIGGER_DEFINE_ENUM(image_type, OUTRIGGER_IMAGE_TYPES)
OUTRIGGER_DEFINE_ENUM(docker_network, OUTRIGGER_DOCKER_NETWORKS)
OUTRIGGER_DEFINE_ENUM(volume_mode, OUTRIGGER_VOLUME_MODES)
OUTRIGGER_DEFINE_ENUM(network_protocol, OUTRIGGER_NETWORK_PROTOCOLS)
OUTRIGGER_DEFINE_ENUM(env_variable_type, OUTRIGGER_ENV_VARIABLE_TYPES)
OUTRIGGER_DEFINE_ENUM(executor_type, OUTRIGGER_EXECUTOR_TYPES)

} // namespace outrigger::protocol
