#include "bench/chaos/zk_sessions.hpp"

#include <zookeeper/zookeeper.h>

#include <chrono>
#include <thread>

namespace outrigger::chaos {

std::vector<zk_connection> zk_connections(const test::zk_server& zk) {
  std::vector<zk_connection> out;
  auto text = zk.four_letter("cons");
  std::size_t pos = 0;
  while ((pos = text.find("sid=0x", pos)) != std::string::npos) {
    zk_connection c;
    c.session = static_cast<std::int64_t>(
      std::stoull(text.substr(pos + 6, 16), nullptr, 16));
    auto eol = text.find('\n', pos);
    auto to = text.find(",to=", pos);
    if (to != std::string::npos && to < eol)
      c.timeout_ms = std::atoi(text.c_str() + to + 4);
    out.push_back(c);
    pos += 6;
  }
  return out;
}

std::string zk_session_password(std::int64_t id) {
  // java.util.Random: a 48-bit LCG; nextBytes takes 4 bytes per nextInt(),
  // least significant first.
  constexpr std::uint64_t mult = 0x5DEECE66DULL, mask = (1ULL << 48) - 1;
  std::uint64_t seed =
    (static_cast<std::uint64_t>(id ^ 0xB3415C00LL) ^ mult) & mask;
  auto next_int = [&] {
    seed = (seed * mult + 0xBULL) & mask;
    return static_cast<std::int32_t>(seed >> 16);
  };
  std::string p(16, '\0');
  for (std::size_t i = 0; i < p.size();) {
    auto rnd = next_int();
    for (int n = 0; n < 4 && i < p.size(); ++n, rnd >>= 8)
      p[i++] = static_cast<char>(rnd & 0xff);
  }
  return p;
}

std::optional<std::int64_t> zk_leader_session(const std::string& servers,
                                              const std::string& path) {
  zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
  zhandle_t* zh =
    zookeeper_init(servers.c_str(), nullptr, 5000, nullptr, nullptr, 0);
  if (!zh)
    return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{5};
  while (zoo_state(zh) != ZOO_CONNECTED_STATE &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  std::optional<std::int64_t> owner;
  String_vector children{};
  if (zoo_state(zh) == ZOO_CONNECTED_STATE &&
      zoo_get_children(zh, path.c_str(), 0, &children) == ZOK) {
    std::string best;
    for (int i = 0; i < children.count; ++i) {
      std::string name = children.data[i];
      if (name.rfind("json.info_", 0) != 0)
        continue;
      // Sequence suffixes are zero-padded: text order is number order.
      if (best.empty() || name.substr(10) < best.substr(10))
        best = name;
    }
    deallocate_String_vector(&children);
    Stat stat{};
    if (!best.empty() &&
        zoo_exists(zh, (path + "/" + best).c_str(), 0, &stat) == ZOK &&
        stat.ephemeralOwner != 0)
      owner = stat.ephemeralOwner;
  }
  zookeeper_close(zh);
  return owner;
}

} // namespace outrigger::chaos
