// The data of the election's ZooKeeper nodes: member names and what a
// member writes (its URL). Pure functions, apart from leader_election.cpp
// (the ZooKeeper client) so that the zk_node_fuzz target takes them alone.
#include "app/leader_election.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <unistd.h>

namespace outrigger::app {

std::optional<std::uint64_t> member_sequence(std::string_view name) {
  if (!name.starts_with("member-"))
    return std::nullopt;
  auto us = name.rfind('_');
  if (us == std::string_view::npos)
    return std::nullopt;
  auto digits = name.substr(us + 1);
  if (digits.empty() || digits.size() > 19)
    return std::nullopt;
  std::uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9')
      return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

election_view decide(const std::vector<std::string>& children,
                     const std::string& mine) {
  std::vector<std::pair<std::uint64_t, std::string>> members;
  for (auto& child : children)
    if (auto seq = member_sequence(child))
      members.emplace_back(*seq, child);
  std::sort(members.begin(), members.end());
  election_view view;
  if (members.empty())
    return view;
  view.leader = members.front().second;
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (members[i].second != mine)
      continue;
    view.mine_present = true;
    if (i > 0)
      view.predecessor = members[i - 1].second;
    break;
  }
  return view;
}

std::string member_data(const std::string& url, const std::string& version) {
  return nlohmann::json{
    {"url", url}, {"version", version}, {"pid", static_cast<long>(getpid())}}
    .dump();
}

std::string url_of_member(std::string_view data) {
  auto j = nlohmann::json::parse(data, nullptr, false);
  if (!j.is_object())
    return {};
  auto i = j.find("url");
  return i != j.end() && i->is_string() ? i->get<std::string>() : "";
}

} // namespace outrigger::app
