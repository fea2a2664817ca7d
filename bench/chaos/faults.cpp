#include "bench/chaos/faults.hpp"

#include "bench/chaos/zk_sessions.hpp"
#include "bench/e2e/http_line.hpp"

#include <algorithm>
#include <csignal>
#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace outrigger::chaos {

using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

json sim_status(bench::http_line& admin) {
  auto a = admin.call("GET", "/sim/status");
  auto doc = json::parse(a.body, nullptr, false);
  return a.status == 200 && doc.is_object() ? doc : json::object();
}

std::optional<int> leader_of(const json& status) {
  if (status.contains("leader") && status["leader"].is_number())
    return status["leader"].get<int>();
  return std::nullopt;
}

} // namespace

const std::vector<std::string>& fault_runner::classes() {
  static const std::vector<std::string> all{
    "leader_killed",      "stream_cut",        "heartbeats_stopped",
    "unavailable_503",    "redirect_307",      "slow_responses",
    "dropped_calls",      "agent_lost",        "zk_restarted",
    "zk_session_expired", "outrigger_sigkill", "outrigger_paused",
    "disk_full",          "framework_removed"};
  return all;
}

fault_runner::fault_runner(fault_targets t, history& h, std::uint64_t seed,
                           std::pair<double, double> gap,
                           std::vector<std::string> enabled)
  : t_(std::move(t)), history_(h), rng_(seed * 104729 + 17), gap_(gap),
    enabled_(enabled.empty() ? classes() : std::move(enabled)) {}

std::map<std::string, int> fault_runner::counts() const {
  std::lock_guard lock{mu_};
  return counts_;
}

std::map<std::string, std::string> fault_runner::skipped() const {
  std::lock_guard lock{mu_};
  return skipped_;
}

double fault_runner::uniform(double lo, double hi) {
  return std::uniform_real_distribution<double>{lo, hi}(rng_);
}

void fault_runner::hold(double s) {
  std::this_thread::sleep_for(std::chrono::duration<double>(s));
}

void fault_runner::run_until(std::chrono::steady_clock::time_point until) {
  // A calm start: outrigger subscribes and work flows before the first one.
  auto next = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < until) {
    if (std::chrono::steady_clock::now() < next) {
      std::this_thread::sleep_for(50ms);
      continue;
    }
    // Classes are drawn from a bag (a seeded permutation, refilled when
    // empty): every class comes up once per round, even in a short run.
    if (bag_.empty()) {
      bag_ = enabled_;
      std::shuffle(bag_.begin(), bag_.end(), rng_);
    }
    auto cls = bag_.back();
    bag_.pop_back();
    bool skip;
    {
      std::lock_guard lock{mu_};
      skip = skipped_.count(cls) != 0;
    }
    if (skip)
      continue; // draw another at once
    history_.note("fault", {{"class", cls}});
    if (inject(cls)) {
      std::lock_guard lock{mu_};
      ++counts_[cls];
    }
    next = std::chrono::steady_clock::now() +
           std::chrono::duration_cast<std::chrono::steady_clock::duration>(
             std::chrono::duration<double>(uniform(gap_.first, gap_.second)));
  }
}

bool fault_runner::inject(const std::string& cls) {
  bench::http_line admin{t_.sim_admin, 10000};
  auto post = [&](const std::string& route, const json& body = json::object()) {
    auto a = admin.call("POST", route, body.dump());
    if (a.status != 200)
      history_.note("admin call failed",
                    {{"route", route}, {"status", a.status}, {"body", a.body}});
    return a.status == 200;
  };
  auto skip = [&](const std::string& why) {
    std::lock_guard lock{mu_};
    skipped_[cls] = why;
    return false;
  };
  if (cls == "leader_killed")
    return kill_leader(std::nullopt);
  if (cls == "redirect_307")
    return kill_leader(static_cast<int>(uniform(1000, 3000)));
  if (cls == "stream_cut")
    return post("/sim/cut-streams");
  if (cls == "heartbeats_stopped") {
    if (!post("/sim/heartbeats", {{"paused", true}}))
      return false;
    // Long enough for outrigger to give the stream up.
    hold(t_.heartbeat_s * (t_.missed_heartbeats + 1) + uniform(0.5, 2));
    post("/sim/heartbeats", {{"paused", false}});
    return true;
  }
  if (cls == "unavailable_503") {
    auto ms = static_cast<int>(uniform(1000, 5000));
    if (!post("/sim/unavailable", {{"ms", ms}}))
      return false;
    hold(ms / 1000.0);
    return true;
  }
  if (cls == "slow_responses") {
    if (!post("/sim/delay", {{"ms", static_cast<int>(uniform(200, 2000))}}))
      return false;
    hold(uniform(2, 8));
    post("/sim/delay", {{"ms", 0}});
    return true;
  }
  if (cls == "dropped_calls")
    return post("/sim/drop-calls",
                {{"count", static_cast<int>(uniform(1, 5))}});
  if (cls == "agent_lost") {
    auto st = sim_status(admin);
    std::vector<std::string> active;
    for (auto& a : st.value("agents", json::array()))
      if (a.value("status", "") == "active")
        active.push_back(a.value("id", ""));
    if (active.empty())
      return false; // no leader right now; another time
    auto id = active[std::uniform_int_distribution<std::size_t>{
      0, active.size() - 1}(rng_)];
    if (!post("/sim/lose-agent", {{"agent", id}, {"how", "partition"}}))
      return false;
    hold(uniform(2, 8));
    // The agent may have moved masters meanwhile; try for a while.
    for (int i = 0; i < 20; ++i) {
      if (admin.call("POST", "/sim/return-agent", json{{"agent", id}}.dump())
            .status == 200)
        break;
      hold(0.5);
    }
    return true;
  }
  if (cls == "zk_restarted") {
    t_.zk->stop(uniform(0, 1) < 0.5);
    hold(uniform(0.5, 3));
    for (int i = 0; i < 5; ++i) {
      try {
        t_.zk->start();
        break;
      } catch (const std::exception& e) {
        history_.note("ZooKeeper did not start", {{"error", e.what()}});
        hold(1);
      }
    }
    return true;
  }
  if (cls == "zk_session_expired")
    return expire_session();
  if (cls == "outrigger_sigkill")
    return t_.serve->signal(SIGKILL, true);
  if (cls == "outrigger_paused") {
    if (!t_.serve->signal(SIGSTOP))
      return false;
    hold(uniform(1, 6));
    t_.serve->signal(SIGCONT);
    return true;
  }
  if (cls == "disk_full") {
    if (t_.small_fs.empty())
      return skip(t_.small_fs_missing);
    return fill_disk();
  }
  if (cls == "framework_removed") {
    auto a = admin.call("POST", "/sim/teardown", "{}");
    if (a.status == 404)
      return skip("the simulator has no /sim/teardown route");
    return a.status == 200;
  }
  return skip("unknown class");
}

bool fault_runner::kill_leader(std::optional<int> election_lag_ms) {
  bench::http_line admin{t_.sim_admin, 10000};
  auto old = leader_of(sim_status(admin));
  if (!old)
    return false; // an election is under way; another time
  if (election_lag_ms) {
    // The next master elected notices it late: meanwhile it answers 307
    // to the master it last knew as leader.
    auto a = admin.call("POST", "/sim/election-lag",
                        json{{"ms", *election_lag_ms}}.dump());
    if (a.status == 404) {
      std::lock_guard lock{mu_};
      skipped_["redirect_307"] = "the simulator has no /sim/election-lag route";
      return false;
    }
  }
  admin.call("POST", "/sim/kill-master", json{{"master", *old}}.dump());
  // The dead leader's node lingers for its session timeout; then another
  // master is elected. Then the dead one comes back as a standby.
  auto until = std::chrono::steady_clock::now() +
               std::chrono::duration<double>(t_.master_session_s + 20);
  while (std::chrono::steady_clock::now() < until) {
    auto now = leader_of(sim_status(admin));
    if (now && *now != *old)
      break;
    hold(0.2);
  }
  admin.call("POST", "/sim/start-master", json{{"master", *old}}.dump());
  return true;
}

bool fault_runner::expire_session() {
  // In turn: the leading master's session (it loses leadership, as on a
  // real cluster) and outrigger's detector session (10 s timeout, owning
  // no node).
  bool master = session_turn_++ % 2 == 0;
  std::optional<std::int64_t> sid;
  auto leader = zk_leader_session(t_.zk->connect_string(), t_.zk_path);
  if (master) {
    sid = leader;
  } else {
    auto master_ms = static_cast<int>(t_.master_session_s * 1000);
    for (auto& c : zk_connections(*t_.zk))
      if (c.timeout_ms != master_ms && c.timeout_ms > 0)
        sid = c.session;
  }
  if (!sid) {
    history_.note("no session to expire", {{"master", master}});
    return false;
  }
  bool ok = t_.zk->expire_session(*sid, zk_session_password(*sid));
  history_.note("session expired",
                {{"master", master}, {"session", *sid}, {"joined", ok}});
  return ok;
}

bool fault_runner::fill_disk() {
  auto filler = t_.small_fs / "filler";
  int fd =
    ::open(filler.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return false;
  // Every free byte: outrigger's next journal write gets ENOSPC.
  std::vector<char> block(1 << 16, 0);
  std::size_t written = 0;
  for (;;) {
    auto n = ::write(fd, block.data(), block.size());
    if (n <= 0)
      break;
    written += static_cast<std::size_t>(n);
  }
  for (;;) { // the last partial block
    auto n = ::write(fd, block.data(), 1);
    if (n <= 0)
      break;
    ++written;
  }
  ::close(fd);
  history_.note("disk full", {{"filler_bytes", written}});
  hold(uniform(2, 6));
  std::filesystem::remove(filler);
  return true;
}

} // namespace outrigger::chaos
