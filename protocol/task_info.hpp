#pragma once
// What a framework launches: TaskInfo with its command, container and
// executor (mesos.proto `TaskInfo`, `CommandInfo`, `ContainerInfo`, ...).
// Rarely used sub-messages (health checks, discovery, linux_info) are kept as
// JSON text so they pass through unchanged.

#include "protocol/resource.hpp"

namespace outrigger::protocol {

/// Environment.Variable. A secret variable keeps its Secret as JSON text.
struct EnvironmentVariable {
  std::string name;
  std::optional<env_variable_type> type; ///< unset means VALUE
  std::optional<std::string> value;
  std::optional<RawJson> secret;
  bool operator==(const EnvironmentVariable&) const = default;
};

/// Environment of a command.
struct Environment {
  std::vector<EnvironmentVariable> variables;
  bool operator==(const Environment&) const = default;
};

/// CommandInfo.URI: something the fetcher downloads into the sandbox.
struct CommandURI {
  std::string value;
  std::optional<bool> executable;
  std::optional<bool> extract; ///< unset means true
  std::optional<bool> cache;
  std::optional<std::string> output_file;
  bool operator==(const CommandURI&) const = default;
};

/// A command: a shell string (`shell` unset or true) or an argv
/// (`shell: false`, `value` is the program, `arguments` the full argv).
struct CommandInfo {
  std::vector<CommandURI> uris;
  std::optional<Environment> environment;
  std::optional<bool> shell; ///< unset means true
  std::optional<std::string> value;
  std::vector<std::string> arguments;
  std::optional<std::string> user;
  RawJson extra;
  bool operator==(const CommandInfo&) const = default;
};

/// Image.Docker.
struct DockerImage {
  std::string name;
  std::optional<RawJson> config; ///< a Secret
  RawJson extra;
  bool operator==(const DockerImage&) const = default;
};

/// Image.Appc.
struct AppcImage {
  std::string name;
  std::optional<std::string> id;
  std::optional<Labels> labels;
  bool operator==(const AppcImage&) const = default;
};

/// A container image for the Mesos containerizer.
struct Image {
  image_type type = image_type::docker;
  std::optional<AppcImage> appc;
  std::optional<DockerImage> docker;
  std::optional<bool> cached; ///< unset means true
  RawJson extra;
  bool operator==(const Image&) const = default;
};

/// A volume mounted into a container. Its `source` is kept as JSON text.
struct Volume {
  volume_mode mode = volume_mode::rw;
  std::string container_path;
  std::optional<std::string> host_path;
  std::optional<Image> image;
  std::optional<RawJson> source;
  RawJson extra;
  bool operator==(const Volume&) const = default;
};

/// NetworkInfo.IPAddress.
struct IPAddress {
  std::optional<network_protocol> protocol;
  std::optional<std::string> ip_address;
  bool operator==(const IPAddress&) const = default;
};

/// A port mapping of a container network (NetworkInfo and DockerInfo share
/// the shape).
struct PortMapping {
  std::uint32_t host_port = 0;
  std::uint32_t container_port = 0;
  std::optional<std::string> protocol;
  bool operator==(const PortMapping&) const = default;
};

/// A network a container joins.
struct NetworkInfo {
  std::vector<IPAddress> ip_addresses;
  std::optional<std::string> name;
  std::vector<std::string> groups;
  std::optional<Labels> labels;
  std::vector<PortMapping> port_mappings;
  bool operator==(const NetworkInfo&) const = default;
};

/// ContainerInfo.DockerInfo (Docker containerizer).
struct DockerInfo {
  std::string image;
  std::optional<docker_network> network; ///< unset means HOST
  std::vector<PortMapping> port_mappings;
  std::optional<bool> privileged;
  std::vector<Parameter> parameters;
  std::optional<bool> force_pull_image;
  RawJson extra;
  bool operator==(const DockerInfo&) const = default;
};

/// ContainerInfo.MesosInfo (Mesos containerizer).
struct MesosInfo {
  std::optional<Image> image;
  bool operator==(const MesosInfo&) const = default;
};

/// How a task is containerized.
struct ContainerInfo {
  container_type type = container_type::mesos;
  std::vector<Volume> volumes;
  std::optional<std::string> hostname;
  std::optional<DockerInfo> docker;
  std::optional<MesosInfo> mesos;
  std::vector<NetworkInfo> network_infos;
  std::optional<RawJson> linux_info;
  std::optional<RawJson> rlimit_info;
  std::optional<RawJson> tty_info;
  RawJson extra;
  bool operator==(const ContainerInfo&) const = default;
};

/// How long an executor waits between SIGTERM and SIGKILL.
struct KillPolicy {
  std::optional<DurationInfo> grace_period;
  bool operator==(const KillPolicy&) const = default;
};

/// An executor: the default executor of a task group, or a custom one.
struct ExecutorInfo {
  std::optional<executor_type> type;
  ExecutorID executor_id;
  std::optional<FrameworkID> framework_id;
  std::optional<CommandInfo> command;
  std::optional<ContainerInfo> container;
  std::vector<Resource> resources;
  std::optional<std::string> name;
  std::optional<Bytes> data;
  std::optional<DurationInfo> shutdown_grace_period;
  std::optional<Labels> labels;
  RawJson extra;
  bool operator==(const ExecutorInfo&) const = default;
};

/// A task to launch on an agent.
struct TaskInfo {
  std::string name;
  TaskID task_id;
  AgentID agent_id;
  std::vector<Resource> resources;
  std::optional<ExecutorInfo> executor;
  std::optional<CommandInfo> command;
  std::optional<ContainerInfo> container;
  std::optional<RawJson> health_check;
  std::optional<RawJson> check;
  std::optional<KillPolicy> kill_policy;
  std::optional<Bytes> data;
  std::optional<Labels> labels;
  std::optional<RawJson> discovery;
  std::optional<DurationInfo> max_completion_time;
  RawJson extra;
  bool operator==(const TaskInfo&) const = default;
};

/// Tasks launched together in one executor (LAUNCH_GROUP).
struct TaskGroupInfo {
  std::vector<TaskInfo> tasks;
  bool operator==(const TaskGroupInfo&) const = default;
};

} // namespace outrigger::protocol
