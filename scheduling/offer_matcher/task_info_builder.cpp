#include "scheduling/offer_matcher/task_info_builder.hpp"

#include "protocol/resource_math.hpp"

#include <algorithm>

namespace outrigger::scheduling {

namespace {

protocol::Resource filled(const protocol::Resource& tmpl, resource_dim dim,
                          std::int64_t milli, protocol::Ranges ports) {
  protocol::Resource r = tmpl;
  if (dim == resource_dim::ports) {
    r.type = protocol::value_type::ranges;
    r.ranges = std::move(ports);
  } else {
    r.type = protocol::value_type::scalar;
    r.scalar = protocol::Scalar{static_cast<double>(milli) / 1000.0};
  }
  return r;
}

protocol::CommandInfo command_of(const task_spec& spec) {
  auto& x = spec.more();
  protocol::CommandInfo cmd;
  if (x.argv.empty()) {
    cmd.shell = true;
    cmd.value = spec.command;
  } else {
    cmd.shell = false;
    cmd.value = x.argv.front();
    cmd.arguments = x.argv;
  }
  if (!x.environment.empty()) {
    protocol::Environment env;
    for (auto& v : x.environment)
      env.variables.push_back({v.name, std::nullopt, v.value, std::nullopt});
    cmd.environment = std::move(env);
  }
  for (auto& uri : x.uris) {
    protocol::CommandURI u;
    u.value = uri;
    cmd.uris.push_back(std::move(u));
  }
  if (!x.user.empty())
    cmd.user = x.user.str();
  return cmd;
}

std::optional<protocol::ContainerInfo>
container_of(const task_extras& x, const task_info_options& options) {
  protocol::ContainerInfo c;
  switch (x.container) {
    case container_kind::mesos: {
      c.type = protocol::container_type::mesos;
      protocol::Image image;
      image.type = protocol::image_type::docker;
      image.docker = protocol::DockerImage{x.image, std::nullopt, {}};
      if (x.force_pull)
        image.cached = false;
      c.mesos = protocol::MesosInfo{std::move(image)};
      return c;
    }
    case container_kind::docker: {
      c.type = protocol::container_type::docker;
      protocol::DockerInfo d;
      d.image = x.image;
      d.network = options.docker_network;
      if (x.force_pull)
        d.force_pull_image = true;
      c.docker = std::move(d);
      return c;
    }
    default:
      return std::nullopt;
  }
}

} // namespace

std::optional<std::vector<protocol::Resource>>
take_resources(std::vector<offer_entry>& entries, const amounts& need,
               const resource_templates& templates) {
  // Check first, so that a failure leaves the entries untouched.
  amounts have;
  for (auto& e : entries)
    have[e.dim] += e.amount;
  if (!have.covers(need))
    return std::nullopt;
  std::vector<protocol::Resource> out;
  for (std::size_t d = 0; d < 5; ++d) {
    auto dim = static_cast<resource_dim>(d);
    auto left = need[dim];
    for (auto& e : entries) {
      if (left == 0)
        break;
      if (e.dim != dim || e.amount == 0)
        continue;
      auto take = std::min(left, e.amount);
      protocol::Ranges ports;
      if (dim == resource_dim::ports) {
        ports =
          *protocol::take_values(e.ports, static_cast<std::uint64_t>(take));
        e.ports = protocol::ranges_difference(e.ports, ports);
      }
      out.push_back(filled(templates[e.tmpl], dim, take, std::move(ports)));
      e.amount -= take;
      left -= take;
    }
  }
  return out;
}

protocol::TaskInfo build_task_info(task_id id, std::uint32_t attempt,
                                   const task_spec& spec,
                                   const protocol::AgentID& agent,
                                   std::vector<protocol::Resource> resources,
                                   const task_info_options& options) {
  auto& x = spec.more();
  protocol::TaskInfo t;
  t.name = spec.key;
  t.task_id.value = mesos_task_id(id, attempt);
  t.agent_id = agent;
  t.resources = std::move(resources);
  t.command = command_of(spec);
  t.container = container_of(x, options);
  if (x.kill_grace_period)
    t.kill_policy = protocol::KillPolicy{
      protocol::DurationInfo{x.kill_grace_period->count() * 1'000'000}};
  protocol::Labels labels;
  for (auto& l : x.labels)
    labels.labels.push_back({l.name, l.value});
  for (auto& l : options.labels)
    labels.labels.push_back({l.name, l.value});
  if (options.key_label)
    labels.labels.push_back({"outrigger.key", spec.key});
  if (!labels.labels.empty())
    t.labels = std::move(labels);
  return t;
}

} // namespace outrigger::scheduling
