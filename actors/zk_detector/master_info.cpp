// What the masters write to ZooKeeper: the sequence of their nodes and the
// MasterInfo JSON of the leading one. Pure functions, apart from
// zk_detector_state.cpp so that the zk_node_fuzz target takes them without
// the detector.
#include "actors/zk_detector/zk_detector_state.hpp"

#include "actors/error.hpp"
#include "protocol/codec.hpp"

#include <charconv>

namespace outrigger::zk {

namespace {

std::string ipv4_of(std::uint32_t packed) {
  // MasterInfo.ip is the address in network byte order read as a
  // little-endian integer: 127.0.0.1 is 16777343 (design.md §M14).
  return std::to_string(packed & 0xff) + "." +
         std::to_string((packed >> 8) & 0xff) + "." +
         std::to_string((packed >> 16) & 0xff) + "." +
         std::to_string(packed >> 24);
}

} // namespace

std::optional<std::uint64_t> sequence_of(std::string_view child,
                                         std::string_view label) {
  if (child.size() <= label.size() + 1 ||
      child.substr(0, label.size()) != label || child[label.size()] != '_')
    return std::nullopt;
  auto digits = child.substr(label.size() + 1);
  std::uint64_t value = 0;
  auto [ptr, err] =
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (err != std::errc{} || ptr != digits.data() + digits.size())
    return std::nullopt;
  return value;
}

std::optional<std::string>
leader_node(const std::vector<std::string>& children) {
  std::optional<std::string> best;
  std::uint64_t best_seq = 0;
  for (auto& child : children) {
    auto seq = sequence_of(child);
    if (seq && (!best || *seq < best_seq)) {
      best = child;
      best_seq = *seq;
    }
  }
  return best;
}

caf::expected<leader_info> leader_from_master_info(std::string_view json,
                                                   std::string_view node,
                                                   bool tls, bool prefer_ip) {
  auto bad = [&](std::string what) {
    return caf::make_error(ec::zookeeper_error, "leader node '" +
                                                  std::string{node} +
                                                  "': " + std::move(what));
  };
  auto info = protocol::from_json<protocol::MasterInfo>(json);
  if (!info)
    return bad("unreadable MasterInfo JSON: " + info.error().to_string());
  std::string name, ip;
  std::uint32_t port = info->port;
  if (info->address) {
    if (info->address->hostname)
      name = *info->address->hostname;
    if (info->address->ip)
      ip = *info->address->ip;
    if (info->address->port > 0)
      port = static_cast<std::uint32_t>(info->address->port);
  }
  if (name.empty() && info->hostname)
    name = *info->hostname;
  if (ip.empty() && info->ip != 0)
    ip = ipv4_of(info->ip);
  auto host = prefer_ip ? (ip.empty() ? name : ip) : (name.empty() ? ip : name);
  if (host.empty())
    return bad("MasterInfo names neither a hostname nor an IP");
  if (port == 0 || port > 65535)
    return bad("MasterInfo has no valid port");
  if (host.find(':') != std::string::npos)
    host = "[" + host + "]";
  leader_info out;
  out.url = (tls ? "https://" : "http://") + host + ":" + std::to_string(port);
  out.master_id = info->id;
  out.node = std::string{node};
  return out;
}

} // namespace outrigger::zk
