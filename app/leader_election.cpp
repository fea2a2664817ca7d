#include "app/leader_election.hpp"

#include "actors/log.hpp"

#include <nlohmann/json.hpp>

#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>
#include <unistd.h>

namespace outrigger::app {

using namespace std::chrono_literals;

std::string_view to_string(replica_role role) {
  switch (role) {
    case replica_role::joining:
      return "joining";
    case replica_role::standby:
      return "standby";
    case replica_role::leader:
      return "leader";
  }
  return "joining";
}

/// The election's state, shared by its thread and ZooKeeper's callbacks.
struct leader_election::shared {
  election_options opt;
  callbacks cb;
  std::mutex m;
  std::condition_variable cv;
  bool stopping = false;   // guarded by m
  bool wake = false;       // guarded by m: a watch fired, refresh() was called
  zhandle_t* zh = nullptr; // written by the thread under m
  std::thread thread;
  // Only the election's thread touches the rest.
  std::string token; // of the member being created (finds it after a loss)
  std::string mine;  // our member node's name, "" when not a member
  std::string leader_url;
  replica_role role = replica_role::joining;
};

namespace {

using shared_t = leader_election::shared;

// Session events and fired watches (ZooKeeper's completion thread): wake
// the election's thread, which looks at the session itself.
void on_event(zhandle_t*, int, int, const char*, void* ctx) {
  auto* s = static_cast<shared_t*>(ctx);
  std::lock_guard lock{s->m};
  s->wake = true;
  s->cv.notify_all();
}

void client_log(const char* message) {
  if (message)
    log::warn("zookeeper", message);
}

const ACL_vector* acl_of(const shared_t& s) {
  return s.opt.digest.empty() ? &ZOO_OPEN_ACL_UNSAFE : &ZOO_CREATOR_ALL_ACL;
}

bool stopping(shared_t& s) {
  std::lock_guard lock{s.m};
  return s.stopping;
}

// Waits until woken, stopped or `d` passed; false when stopping.
bool pause(shared_t& s, std::chrono::milliseconds d) {
  std::unique_lock lock{s.m};
  s.cv.wait_for(lock, d, [&] { return s.stopping || s.wake; });
  s.wake = false;
  return !s.stopping;
}

void set_role(shared_t& s, replica_role role) {
  if (s.role == role)
    return;
  s.role = role;
  log::info("ha", "replica role changed", {{"role", to_string(role)}});
}

void set_leader(shared_t& s, const std::string& url) {
  if (url == s.leader_url)
    return;
  s.leader_url = url;
  if (s.cb.leader)
    s.cb.leader(url);
}

void close_session(shared_t& s) {
  zhandle_t* zh = nullptr;
  {
    std::lock_guard lock{s.m};
    std::swap(zh, s.zh);
  }
  if (zh)
    zookeeper_close(zh); // ends the session: our member node goes with it
  s.mine.clear();
  set_role(s, replica_role::joining);
  set_leader(s, "");
}

bool open_session(shared_t& s) {
  static std::once_flag quiet;
  std::call_once(quiet, [] { zoo_set_debug_level(ZOO_LOG_LEVEL_WARN); });
  auto* zh = zookeeper_init2(s.opt.hosts.c_str(), on_event,
                             static_cast<int>(s.opt.session_timeout.count()),
                             nullptr, &s, 0, client_log);
  if (!zh) {
    log::error("ha", "cannot create a ZooKeeper client",
               {{"hosts", s.opt.hosts}});
    return false;
  }
  if (!s.opt.digest.empty())
    zoo_add_auth(zh, "digest", s.opt.digest.data(),
                 static_cast<int>(s.opt.digest.size()), nullptr, nullptr);
  std::lock_guard lock{s.m};
  s.zh = zh;
  return true;
}

// Waits for a connected session; false when stopping or when the session
// expired (it is closed then: a new one must be opened).
bool connected(shared_t& s) {
  auto since = std::chrono::steady_clock::now();
  for (;;) {
    auto state = zoo_state(s.zh);
    if (state == ZOO_CONNECTED_STATE)
      return true;
    if (state == ZOO_EXPIRED_SESSION_STATE || state == ZOO_AUTH_FAILED_STATE) {
      log::warn("ha",
                state == ZOO_EXPIRED_SESSION_STATE
                  ? "ZooKeeper session expired; joining again"
                  : "ZooKeeper rejected the credentials; retrying",
                {{"hosts", s.opt.hosts}});
      close_session(s);
      pause(s, 1s);
      return false;
    }
    if (!pause(s, 1s))
      return false;
    if (std::chrono::steady_clock::now() - since > 10s) {
      log::warn("ha", "ZooKeeper not reachable; still trying",
                {{"hosts", s.opt.hosts}});
      since = std::chrono::steady_clock::now();
    }
  }
}

void ensure_path(shared_t& s) {
  auto& path = s.opt.path;
  for (std::size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/')
      continue;
    auto prefix = path.substr(0, pos);
    zoo_create(s.zh, prefix.c_str(), nullptr, -1, acl_of(s), 0, nullptr, 0);
  }
}

std::string random_token() {
  std::random_device rd;
  std::uniform_int_distribution<unsigned> hex{0, 15};
  std::string t;
  for (int i = 0; i < 16; ++i)
    t.push_back("0123456789abcdef"[hex(rd)]);
  return t;
}

// The children of the election node (rc in `rc`).
std::vector<std::string> children(shared_t& s, int& rc) {
  String_vector v{};
  rc = zoo_get_children(s.zh, s.opt.path.c_str(), 0, &v);
  std::vector<std::string> out;
  if (rc == ZOK)
    for (int i = 0; i < v.count; ++i)
      out.emplace_back(v.data[i]);
  deallocate_String_vector(&v);
  return out;
}

// Creates our member node. After a connection loss the node may exist
// without our knowing its name: the token in the name finds it.
bool join(shared_t& s, const std::string& data) {
  int rc = ZOK;
  if (!s.token.empty()) {
    auto kids = children(s, rc);
    if (rc != ZOK)
      return false;
    for (auto& kid : kids)
      if (kid.starts_with("member-" + s.token + "_")) {
        s.mine = kid;
        return true;
      }
  }
  ensure_path(s);
  s.token = random_token();
  auto prefix = s.opt.path + "/member-" + s.token + "_";
  std::string created(prefix.size() + 32, '\0');
  rc =
    zoo_create(s.zh, prefix.c_str(), data.data(), static_cast<int>(data.size()),
               acl_of(s), ZOO_EPHEMERAL | ZOO_SEQUENCE, created.data(),
               static_cast<int>(created.size()));
  if (rc != ZOK) {
    log::warn("ha", "cannot join the election",
              {{"path", s.opt.path}, {"rc", zerror(rc)}});
    return false;
  }
  created.resize(created.find('\0'));
  s.mine = created.substr(created.rfind('/') + 1);
  log::info("ha", "joined the election",
            {{"path", s.opt.path}, {"member", s.mine}});
  return true;
}

std::string member_url(shared_t& s, const std::string& member) {
  std::string buf(4096, '\0');
  int len = static_cast<int>(buf.size());
  auto path = s.opt.path + "/" + member;
  if (zoo_get(s.zh, path.c_str(), 0, buf.data(), &len, nullptr) != ZOK ||
      len < 0)
    return {};
  buf.resize(static_cast<std::size_t>(len));
  return url_of_member(buf);
}

// Leads until stopped or until the connection drops.
void lead(shared_t& s) {
  set_role(s, replica_role::leader);
  set_leader(s, s.opt.url);
  log::info("ha", "elected leader", {{"member", s.mine}});
  if (s.cb.elected)
    s.cb.elected();
  while (pause(s, 200ms)) {
    auto state = zoo_state(s.zh);
    if (state == ZOO_CONNECTED_STATE)
      continue;
    auto why = state == ZOO_EXPIRED_SESSION_STATE
                 ? std::string{"the ZooKeeper session expired"}
                 : std::string{"the ZooKeeper connection was lost"};
    log::error("ha", "leadership may be lost: " + why);
    if (s.cb.lost)
      s.cb.lost(why);
    return;
  }
}

void run(shared_t& s) {
  auto data = member_data(s.opt.url, s.opt.version);
  while (!stopping(s)) {
    if (!s.zh && !open_session(s)) {
      pause(s, 5s);
      continue;
    }
    if (!connected(s))
      continue;
    if (s.mine.empty() && !join(s, data)) {
      pause(s, 1s);
      continue;
    }
    int rc = ZOK;
    auto view = decide(children(s, rc), s.mine);
    if (rc != ZOK) {
      pause(s, 1s);
      continue;
    }
    if (!view.mine_present) {
      log::warn("ha", "our member node is gone; joining again",
                {{"member", s.mine}});
      s.mine.clear();
      s.token.clear();
      continue;
    }
    if (view.leading()) {
      lead(s);
      break;
    }
    set_role(s, replica_role::standby);
    set_leader(s, member_url(s, view.leader));
    // Watch only the member just before ours.
    auto before = s.opt.path + "/" + view.predecessor;
    Stat stat{};
    rc = zoo_wexists(s.zh, before.c_str(), on_event, &s, &stat);
    if (rc == ZNONODE)
      continue;
    pause(s, rc == ZOK ? s.opt.refresh : 1000ms);
  }
  close_session(s);
}

} // namespace

leader_election::leader_election(election_options options, callbacks cb)
  : shared_(std::make_shared<shared>()) {
  shared_->opt = std::move(options);
  shared_->cb = std::move(cb);
  shared_->thread = std::thread{[s = shared_.get()] { run(*s); }};
}

leader_election::~leader_election() {
  {
    std::lock_guard lock{shared_->m};
    shared_->stopping = true;
    shared_->cv.notify_all();
  }
  shared_->thread.join();
}

void leader_election::refresh() {
  std::lock_guard lock{shared_->m};
  shared_->wake = true;
  shared_->cv.notify_all();
}

std::optional<std::pair<std::int64_t, std::string>>
leader_election::session() const {
  std::lock_guard lock{shared_->m};
  if (!shared_->zh || zoo_state(shared_->zh) != ZOO_CONNECTED_STATE)
    return std::nullopt;
  auto* id = zoo_client_id(shared_->zh);
  if (!id || id->client_id == 0)
    return std::nullopt;
  return std::make_pair(std::int64_t{id->client_id},
                        std::string{id->passwd, sizeof(id->passwd)});
}

} // namespace outrigger::app
