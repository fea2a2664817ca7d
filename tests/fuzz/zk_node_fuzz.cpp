// libFuzzer target for what outrigger reads from ZooKeeper nodes: the
// leading master's MasterInfo JSON (leader_from_master_info) and the names
// of the masters' nodes (sequence_of), the HA election's member names
// (member_sequence) and member data (url_of_member), and the frames and node
// names of the ZooKeeper state store (zk_frames.hpp).
//
// Every parser gets the whole input. For every input it checks that
//  - nothing throws or reads out of bounds; a MasterInfo that is not usable
//    is an error naming the node;
//  - an accepted MasterInfo gives an http(s)://host:port URL with a port in
//    1-65535;
//  - member_sequence and sequence_of accept exactly the documented names;
//  - a frame scan only returns whole frames and stops with a reason.
// Run: see tests/fuzz/README.md.

#include "actors/zk_detector/zk_detector_state.hpp"
#include "app/leader_election.hpp"
#include "scheduling/store/zk_frames.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "zk_node_fuzz: %s\n%.*s\n", what,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// Digits only (1-19 of them when `max_digits` says so), as a number.
std::optional<std::uint64_t> digits_of(std::string_view text,
                                       std::size_t max_digits) {
  if (text.empty() || text.size() > max_digits)
    return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10)
      return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

void check_master_info(std::string_view json, bool tls, bool prefer_ip) {
  auto leader = outrigger::zk::leader_from_master_info(
    json, "json.info_0000000001", tls, prefer_ip);
  if (!leader) {
    auto text = to_string(leader.error());
    if (text.find("json.info_0000000001") == std::string::npos)
      fail("a MasterInfo error does not name the node", text);
    return;
  }
  std::string_view url = leader->url;
  std::string_view scheme = tls ? "https://" : "http://";
  if (!url.starts_with(scheme))
    fail("leader URL without the scheme", url);
  auto colon = url.rfind(':');
  auto port = digits_of(url.substr(colon + 1), 5);
  if (colon < scheme.size() || !port || *port == 0 || *port > 65535)
    fail("leader URL without a valid port", url);
}

void check_names(std::string_view name) {
  // member-<token>_<1-19 digits>
  std::optional<std::uint64_t> expected;
  if (name.starts_with("member-")) {
    auto us = name.rfind('_');
    if (us != std::string_view::npos)
      expected = digits_of(name.substr(us + 1), 19);
  }
  if (outrigger::app::member_sequence(name) != expected)
    fail("member_sequence differs from the reference", name);
  // json.info_<digits that fit 64 bits>
  std::optional<std::uint64_t> seq;
  if (name.starts_with("json.info_"))
    seq = digits_of(name.substr(10), 20);
  if (outrigger::zk::sequence_of(name) != seq)
    fail("sequence_of differs from the reference", name);
}

void check_store_nodes(std::string_view in) {
  namespace zf = outrigger::store::zk_frames;
  auto scan = zf::scan_frames(in, 1u << 20);
  std::size_t end = 0;
  for (auto& p : scan.payloads)
    end += 8 + p.size();
  if (end != scan.valid || scan.valid > in.size())
    fail("frame scan: valid is not the end of the good frames", scan.problem);
  if (scan.problem.empty() != (scan.valid == in.size()))
    fail("frame scan stopped early without a reason, or gave one at the end",
         scan.problem);
  std::uint64_t gen = 0, n = 0;
  if (zf::parse_head(in, gen, n)) {
    std::uint64_t g2 = 0, n2 = 0;
    if (!zf::parse_head(zf::head_text(gen, n), g2, n2) || g2 != gen || n2 != n)
      fail("head_text does not read back", in);
  }
  for (std::string_view prefix : {"log-", "snap-"}) {
    if (!zf::parse_node(in, prefix, gen, n))
      continue;
    auto name = prefix == "log-" ? zf::log_name(gen, n) : zf::snap_name(gen, n);
    std::uint64_t g2 = 0, n2 = 0;
    if (!zf::parse_node(name, prefix, g2, n2) || g2 != gen || n2 != n)
      fail("a node name does not read back", name);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string_view in{reinterpret_cast<const char*>(data), size};
  bool tls = size > 0 && (data[0] & 1);
  bool prefer_ip = size > 0 && (data[0] & 2);
  check_master_info(in, tls, prefer_ip);
  check_master_info(in, !tls, !prefer_ip);
  (void)outrigger::app::url_of_member(in);
  check_names(in);
  check_store_nodes(in);
  return 0;
}
