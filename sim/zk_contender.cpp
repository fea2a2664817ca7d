#include "sim/zk_contender.hpp"

#include "protocol/codec.hpp"
#include "sim/zk_relay.hpp"

#include <nlohmann/json.hpp>
#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace outrigger::sim {

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view label = "json.info_";

// The C client logs through a plain function pointer, so there is no room
// for a per-contender sink: quiet unless OUTRIGGER_ZK_LOG is set.
void zk_log(const char* message) {
  static const bool enabled = std::getenv("OUTRIGGER_ZK_LOG") != nullptr;
  if (enabled)
    std::fprintf(stderr, "zookeeper: %s\n", message);
}

// The request may or may not have reached the server; the session lives.
bool transient(int rc) {
  return rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT;
}

// The handle is unusable: a new session is needed.
bool session_lost(int rc) {
  return rc == ZSESSIONEXPIRED || rc == ZINVALIDSTATE || rc == ZAUTHFAILED;
}

// Frees a String_vector the C client allocated, whatever happens.
struct children_list {
  String_vector v{0, nullptr};
  ~children_list() { deallocate_String_vector(&v); }
};

} // namespace

class zk_contender::worker {
public:
  worker(zk_contender_options options, const protocol::MasterInfo& info,
         post_fn post, leader_fn on_leader)
    : options_(std::move(options)), data_(node_data(info)),
      post_(std::move(post)), on_leader_(std::move(on_leader)),
      want_contend_(options_.contend) {
    while (options_.path.size() > 1 && options_.path.back() == '/')
      options_.path.pop_back();
    prefix_ = options_.path == "/" ? "" : options_.path;
    thread_ = std::thread([this] { run(); });
  }

  ~worker() {
    alive_->store(false); // nothing posted from now on reaches the owner
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  void abandon() {
    alive_->store(false); // a dead process reports nothing
    relay_.cut();         // the connection drops; the session stays
    std::lock_guard lock(mutex_);
    abandoned_ = true;
    stop_ = true;
    cv_.notify_all();
  }

  void set_contending(bool on) {
    std::lock_guard lock(mutex_);
    want_contend_ = on;
    wake_ = true;
    cv_.notify_all();
  }

  std::optional<std::string> own_node() const {
    std::lock_guard lock(mutex_);
    return own_copy_;
  }

  std::optional<zk_session> session() const {
    std::lock_guard lock(mutex_);
    return session_copy_;
  }

private:
  // Runs on ZooKeeper's completion thread: only wake the worker.
  static void watcher(zhandle_t*, int, int, const char*, void* context) {
    auto* self = static_cast<worker*>(context);
    std::lock_guard lock(self->mutex_);
    self->wake_ = true;
    self->cv_.notify_all();
  }

  void run() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      lock.unlock();
      auto pause = step();
      lock.lock();
      if (!wake_ && !stop_)
        cv_.wait_for(lock, pause, [&] { return wake_ || stop_; });
      wake_ = false;
    }
    lock.unlock();
    close_session();
  }

  // One round of ZooKeeper work; returns how long to sleep unless woken.
  milliseconds step() {
    if (!zh_ && !open_session())
      return options_.retry_interval;
    int state = zoo_state(zh_);
    if (state == ZOO_EXPIRED_SESSION_STATE || state == ZOO_AUTH_FAILED_STATE) {
      expire();
      return 0ms;
    }
    if (state != ZOO_CONNECTED_STATE) {
      // Mesos' group gives up on a leader after a session timeout out of
      // touch; the session event on reconnection wakes us.
      auto now = steady::now();
      if (!disconnected_since_)
        disconnected_since_ = now;
      auto out =
        std::chrono::duration_cast<milliseconds>(now - *disconnected_since_);
      if (out < options_.session_timeout)
        return options_.session_timeout - out;
      report(std::nullopt);
      return options_.session_timeout;
    }
    disconnected_since_.reset();
    publish_session();
    if (int rc = ensure_path(); rc != ZOK)
      return on_error(rc, "create the group path");
    for (int round = 0; round < 5; ++round) {
      if (int rc = sync_own_node(); rc != ZOK)
        return on_error(rc, "update this master's node");
      bool again = false;
      if (int rc = refresh_leader(again); rc != ZOK)
        return on_error(rc, "read the group");
      if (!again)
        return options_.session_timeout; // watches wake us; this is a resync
    }
    return options_.retry_interval;
  }

  bool open_session() {
    zh_ = zookeeper_init2(relay_.address().c_str(), &watcher,
                          static_cast<int>(options_.session_timeout.count()),
                          nullptr, this, 0, &zk_log);
    disconnected_since_ = steady::now();
    return zh_ != nullptr;
  }

  void close_session() {
    bool abandoned;
    {
      std::lock_guard lock(mutex_);
      abandoned = abandoned_;
    }
    if (zh_ && abandoned) {
      // The relay is cut: once the client has noticed, zookeeper_close()
      // frees the handle without sending closeSession, and the server keeps
      // the session, and our ephemeral node, until the session timeout.
      auto until = steady::now() + 2s;
      while (zoo_state(zh_) == ZOO_CONNECTED_STATE && steady::now() < until)
        std::this_thread::sleep_for(5ms);
    }
    if (zh_)
      zookeeper_close(zh_); // when connected: deletes our node at once
    zh_ = nullptr;
    std::lock_guard lock(mutex_);
    session_copy_.reset();
  }

  void expire() {
    close_session();
    own_.reset();
    create_uncertain_ = false; // the old session's nodes are gone
    path_ready_ = false;
    publish_own();
    report(std::nullopt);
  }

  milliseconds on_error(int rc, const char* what) {
    if (session_lost(rc)) {
      expire();
      return 0ms;
    }
    if (rc == ZNONODE)
      path_ready_ = false; // somebody deleted the group
    if (!transient(rc)) {
      std::string line =
        std::string{"zk_contender: cannot "} + what + ": " + zerror(rc);
      zk_log(line.c_str());
    }
    return options_.retry_interval;
  }

  std::string full(const std::string& child) const {
    return prefix_ + "/" + child;
  }

  int ensure_path() {
    if (path_ready_)
      return ZOK;
    for (std::size_t slash = 1; slash <= prefix_.size(); ++slash) {
      if (slash != prefix_.size() && prefix_[slash] != '/')
        continue;
      auto part = prefix_.substr(0, slash);
      int rc = zoo_create(zh_, part.c_str(), "", 0, &ZOO_OPEN_ACL_UNSAFE,
                          ZOO_PERSISTENT, nullptr, 0);
      if (rc != ZOK && rc != ZNODEEXISTS)
        return rc;
    }
    path_ready_ = true;
    return ZOK;
  }

  // Makes the node exist when contending and vanish when not.
  int sync_own_node() {
    bool want;
    {
      std::lock_guard lock(mutex_);
      want = want_contend_;
    }
    if (create_uncertain_)
      if (int rc = adopt_orphan(); rc != ZOK)
        return rc;
    if (want && !own_) {
      std::string created(prefix_.size() + 64, '\0');
      int rc = zoo_create(zh_, full(std::string{label}).c_str(), data_.data(),
                          static_cast<int>(data_.size()), &ZOO_OPEN_ACL_UNSAFE,
                          ZOO_EPHEMERAL_SEQUENTIAL, created.data(),
                          static_cast<int>(created.size()));
      if (rc != ZOK) {
        // Lost connection: the node may exist; find it before another.
        create_uncertain_ = transient(rc);
        return rc;
      }
      created.resize(created.find('\0'));
      own_ = created.substr(created.rfind('/') + 1);
      publish_own();
    } else if (!want && own_) {
      int rc = zoo_delete(zh_, full(*own_).c_str(), -1);
      if (rc != ZOK && rc != ZNONODE)
        return rc;
      own_.reset();
      publish_own();
    }
    return ZOK;
  }

  // After a create with unknown outcome: adopt this session's node(s).
  int adopt_orphan() {
    children_list children;
    int rc = zoo_get_children(zh_, options_.path.c_str(), 0, &children.v);
    if (rc != ZOK)
      return rc;
    auto me = zoo_client_id(zh_)->client_id;
    std::vector<std::pair<std::int64_t, std::string>> mine;
    for (int i = 0; i < children.v.count; ++i) {
      std::string name = children.v.data[i];
      auto seq = sequence_of(name);
      Stat stat{};
      if (seq && zoo_exists(zh_, full(name).c_str(), 0, &stat) == ZOK &&
          stat.ephemeralOwner == me)
        mine.emplace_back(*seq, name);
    }
    std::sort(mine.begin(), mine.end());
    for (std::size_t i = 1; i < mine.size(); ++i)
      zoo_delete(zh_, full(mine[i].second).c_str(), -1); // duplicates
    if (!mine.empty())
      own_ = mine.front().second;
    create_uncertain_ = false;
    publish_own();
    return ZOK;
  }

  // Lists the group (re-arming the watch) and reports its leader. Sets
  // `again` when the picture changed under our feet.
  int refresh_leader(bool& again) {
    children_list children;
    Stat stat{};
    int rc = zoo_wget_children2(zh_, options_.path.c_str(), &watcher, this,
                                &children.v, &stat);
    if (rc != ZOK)
      return rc;
    std::optional<std::pair<std::int64_t, std::string>> best;
    bool own_present = false;
    for (int i = 0; i < children.v.count; ++i) {
      std::string name = children.v.data[i];
      own_present = own_present || (own_ && name == *own_);
      if (auto seq = sequence_of(name); seq && (!best || *seq < best->first))
        best.emplace(*seq, name);
    }
    if (own_ && !own_present) {
      // Somebody deleted our node (the session is fine): contend anew.
      own_.reset();
      publish_own();
      again = true;
      return ZOK;
    }
    if (!best) {
      report(std::nullopt);
      return ZOK;
    }
    std::vector<char> buffer(1u << 20);
    int length = static_cast<int>(buffer.size());
    rc = zoo_get(zh_, full(best->second).c_str(), 0, buffer.data(), &length,
                 &stat);
    if (rc == ZNONODE) {
      again = true; // the leader left between the two calls
      return ZOK;
    }
    if (rc != ZOK)
      return rc;
    zk_leader leader;
    leader.node = best->second;
    leader.sequence = best->first;
    leader.data.assign(buffer.data(),
                       static_cast<std::size_t>(std::max(length, 0)));
    if (auto decoded = protocol::from_json<protocol::MasterInfo>(leader.data))
      leader.info = std::move(*decoded);
    leader.self = own_ && *own_ == leader.node;
    report(std::move(leader));
    return ZOK;
  }

  void report(std::optional<zk_leader> leader) {
    if (reported_ && *reported_ == leader)
      return;
    reported_ = leader;
    post_([alive = alive_, callback = on_leader_, leader = std::move(leader)] {
      if (alive->load())
        callback(leader);
    });
  }

  void publish_own() {
    std::lock_guard lock(mutex_);
    own_copy_ = own_;
  }

  void publish_session() {
    const clientid_t* id = zoo_client_id(zh_);
    std::lock_guard lock(mutex_);
    session_copy_ =
      zk_session{id->client_id, std::string(id->passwd, sizeof id->passwd)};
  }

  // Set at construction.
  zk_contender_options options_;
  zk_relay relay_{options_.servers}; // the session's only way to ZooKeeper
  std::string prefix_; // the group path without a trailing '/' ("" for "/")
  std::string data_;
  post_fn post_;
  leader_fn on_leader_;
  std::shared_ptr<std::atomic<bool>> alive_ =
    std::make_shared<std::atomic<bool>>(true);

  // The worker thread's own.
  zhandle_t* zh_ = nullptr;
  std::optional<std::string> own_;
  bool create_uncertain_ = false;
  bool path_ready_ = false;
  std::optional<std::optional<zk_leader>> reported_; // outer unset: none yet
  std::optional<steady::time_point> disconnected_since_;

  // Shared with the owner and ZooKeeper's threads, under mutex_.
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool wake_ = false;
  bool stop_ = false;
  bool abandoned_ = false;
  bool want_contend_;
  std::optional<std::string> own_copy_;
  std::optional<zk_session> session_copy_;
  std::thread thread_; // last: starts once everything above exists
};

zk_contender::zk_contender(zk_contender_options options,
                           protocol::MasterInfo info, post_fn post,
                           leader_fn on_leader)
  : worker_(std::make_unique<worker>(std::move(options), info, std::move(post),
                                     std::move(on_leader))) {}

zk_contender::~zk_contender() = default;

void zk_contender::contend() {
  worker_->set_contending(true);
}

void zk_contender::withdraw() {
  worker_->set_contending(false);
}

void zk_contender::abandon() {
  worker_->abandon();
}

std::optional<std::string> zk_contender::own_node() const {
  return worker_->own_node();
}

std::optional<zk_session> zk_contender::session() const {
  return worker_->session();
}

std::string zk_contender::node_data(const protocol::MasterInfo& info) {
  // nlohmann::json keeps object members in a std::map: sorted, like stout's
  // JSON writer that Mesos uses for the ZooKeeper copy.
  return nlohmann::json::parse(protocol::to_json(info)).dump();
}

std::optional<std::int64_t>
zk_contender::sequence_of(const std::string& child) {
  if (child.size() <= label.size() || child.size() > label.size() + 18 ||
      child.compare(0, label.size(), label) != 0)
    return std::nullopt;
  std::int64_t value = 0;
  for (std::size_t i = label.size(); i < child.size(); ++i) {
    if (child[i] < '0' || child[i] > '9')
      return std::nullopt;
    value = value * 10 + (child[i] - '0');
  }
  return value;
}

} // namespace outrigger::sim
