#include "scheduling/store/zk_session.hpp"

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace outrigger::store::detail {

namespace {

using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

// The C client logs every connect attempt and reconnect. The store reports
// its failures through store_error with more context, so its lines go
// nowhere (per handle: the detector's own client keeps its logging).
void drop_client_log(const char*) {}

// A set of asynchronous requests the caller waits for. Shared with each
// request's completion, so a completion that fires late (after the caller
// gave up) still writes into live memory.
struct pending_set {
  std::mutex mutex;
  std::condition_variable done;
  std::size_t outstanding = 0;
  int auth_rc = ZOK;
  std::vector<zk_read> reads;
};

struct read_request {
  std::shared_ptr<pending_set> set;
  std::size_t index;
};

void on_read(int rc, const char* value, int len, const struct Stat*,
             const void* data) {
  std::unique_ptr<const read_request> req{
    static_cast<const read_request*>(data)};
  std::lock_guard guard{req->set->mutex};
  auto& out = req->set->reads[req->index];
  out.rc = rc;
  if (rc == ZOK && value && len > 0)
    out.data.assign(value, static_cast<std::size_t>(len));
  --req->set->outstanding;
  req->set->done.notify_all();
}

void on_auth(int rc, const void* data) {
  std::unique_ptr<const std::shared_ptr<pending_set>> holder{
    static_cast<const std::shared_ptr<pending_set>*>(data)};
  auto& set = **holder;
  std::lock_guard guard{set.mutex};
  set.auth_rc = rc;
  --set.outstanding;
  set.done.notify_all();
}

} // namespace

const char* op_path(const zoo_op_t& op) {
  switch (op.type) {
    case ZOO_CREATE_OP:
      return op.create_op.path;
    case ZOO_DELETE_OP:
      return op.delete_op.path;
    case ZOO_SETDATA_OP:
      return op.set_op.path;
    default:
      return op.check_op.path;
  }
}

bool connection_lost(int rc) {
  return rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT;
}

zk_session::zk_session(const std::string& hosts,
                       std::chrono::milliseconds session_timeout,
                       std::chrono::milliseconds connect_timeout,
                       const std::string& digest)
  : where_("ZooKeeper at " + hosts), session_timeout_(session_timeout) {
  auto deadline = steady::now() + connect_timeout;
  zh_ = zookeeper_init2(hosts.c_str(), nullptr,
                        static_cast<int>(session_timeout.count()), nullptr,
                        nullptr, 0, drop_client_log);
  if (!zh_)
    throw store_error("cannot start a ZooKeeper client for " + hosts + ": " +
                      std::strerror(errno));
  if (!wait_connected(deadline)) {
    auto state = zoo_state(zh_);
    zookeeper_close(zh_);
    zh_ = nullptr;
    throw store_error(
      "cannot connect to " + where_ + " within " +
      std::to_string(connect_timeout.count()) + " ms" +
      (state == ZOO_AUTH_FAILED_STATE ? " (authentication failed)" : ""));
  }
  acl_ = digest.empty() ? &ZOO_OPEN_ACL_UNSAFE : &ZOO_CREATOR_ALL_ACL;
  if (digest.empty())
    return;
  try {
    authenticate(digest, deadline, connect_timeout);
  } catch (...) {
    zookeeper_close(zh_); // no destructor runs for a throwing constructor
    zh_ = nullptr;
    throw;
  }
}

void zk_session::authenticate(const std::string& digest,
                              steady::time_point deadline,
                              std::chrono::milliseconds connect_timeout) {
  auto set = std::make_shared<pending_set>();
  set->outstanding = 1;
  auto* holder = new std::shared_ptr<pending_set>(set);
  int rc = zoo_add_auth(zh_, "digest", digest.data(),
                        static_cast<int>(digest.size()), on_auth, holder);
  if (rc != ZOK) {
    delete holder;
    fail("adding digest credentials for", "the session", rc);
  }
  std::unique_lock lock{set->mutex};
  if (!set->done.wait_until(lock, deadline,
                            [&] { return set->outstanding == 0; }))
    throw store_error(where_ +
                      " did not confirm the digest credentials within " +
                      std::to_string(connect_timeout.count()) + " ms");
  if (set->auth_rc != ZOK)
    throw store_error(
      where_ + " rejected the digest credentials: " + zerror(set->auth_rc));
}

zk_session::~zk_session() {
  if (zh_)
    zookeeper_close(zh_); // ends the session; joins the client's threads
}

bool zk_session::wait_connected(steady::time_point deadline) const {
  for (;;) {
    int state = zoo_state(zh_);
    if (state == ZOO_CONNECTED_STATE)
      return true;
    if (state == ZOO_EXPIRED_SESSION_STATE || state == ZOO_AUTH_FAILED_STATE ||
        steady::now() >= deadline)
      return false;
    std::this_thread::sleep_for(5ms);
  }
}

void zk_session::fail(const std::string& what, const std::string& path,
                      int rc) const {
  std::string hint;
  if (rc == ZNOAUTH)
    hint = " (check the digest credentials and the nodes' ACLs)";
  else if (rc == ZSESSIONEXPIRED || rc == ZINVALIDSTATE)
    hint = " (the ZooKeeper session is gone)";
  throw store_error(what + " " + path + " failed on " + where_ + ": " +
                    zerror(rc) + hint);
}

void zk_session::ensure_path(const std::string& path) {
  for (std::size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/')
      continue;
    auto part = path.substr(0, pos);
    int rc = zoo_create(zh_, part.c_str(), nullptr, -1, acl_, 0, nullptr, 0);
    if (rc != ZOK && rc != ZNODEEXISTS)
      fail("creating", part, rc);
  }
}

int zk_session::create(const std::string& path, std::string_view data) {
  return zoo_create(zh_, path.c_str(), data.data(),
                    static_cast<int>(data.size()), acl_, 0, nullptr, 0);
}

int zk_session::set(const std::string& path, std::string_view data, int version,
                    int& version_out) {
  struct Stat stat {};
  int rc = zoo_set2(zh_, path.c_str(), data.data(),
                    static_cast<int>(data.size()), version, &stat);
  if (rc == ZOK)
    version_out = stat.version;
  return rc;
}

std::vector<std::string> zk_session::children(const std::string& path) {
  String_vector names{};
  int rc = zoo_get_children(zh_, path.c_str(), 0, &names);
  if (rc != ZOK)
    fail("listing the children of", path, rc);
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(names.count));
  for (int i = 0; i < names.count; ++i)
    out.emplace_back(names.data[i]);
  deallocate_String_vector(&names);
  return out;
}

std::vector<zk_read> zk_session::read_all(const std::vector<std::string>& paths,
                                          std::size_t window) {
  auto set = std::make_shared<pending_set>();
  set->reads.resize(paths.size());
  // A request that is never answered is failed by the client once the
  // connection is declared dead (2/3 of the session timeout); the deadline
  // is only a backstop.
  auto deadline = steady::now() + 3 * session_timeout_ + 5s;
  std::unique_lock lock{set->mutex};
  for (std::size_t next = 0; next < paths.size() || set->outstanding > 0;) {
    while (next < paths.size() && set->outstanding < window) {
      auto* req = new read_request{set, next};
      ++set->outstanding;
      lock.unlock();
      int rc = zoo_aget(zh_, paths[next].c_str(), 0, on_read, req);
      lock.lock();
      if (rc != ZOK) { // not queued: no completion will come
        delete req;
        --set->outstanding;
        set->reads[next].rc = rc;
      }
      ++next;
    }
    if (set->outstanding == 0)
      continue;
    if (set->done.wait_until(lock, deadline) == std::cv_status::timeout &&
        set->outstanding > 0)
      throw store_error(where_ + " did not answer " +
                        std::to_string(set->outstanding) + " reads in time");
  }
  return std::move(set->reads);
}

zk_multi_outcome zk_session::multi(std::vector<zoo_op_t>& ops, const char* what,
                                   int attempts) {
  zk_multi_outcome out;
  std::vector<zoo_op_result_t> results(ops.size());
  // All retries end one session timeout after the first loss: by then a
  // session that has not reconnected is expired on the server anyway.
  std::optional<steady::time_point> deadline;
  for (int attempt = 1;; ++attempt) {
    out.rc =
      zoo_multi(zh_, static_cast<int>(ops.size()), ops.data(), results.data());
    if (out.rc == ZOK)
      return out;
    if (!connection_lost(out.rc) || attempt >= attempts)
      break;
    if (!deadline)
      deadline = steady::now() + session_timeout_;
    if (!wait_connected(*deadline))
      break;
    out.retried = true;
  }
  if (connection_lost(out.rc) || out.rc == ZSESSIONEXPIRED ||
      out.rc == ZINVALIDSTATE || out.rc == ZCLOSING || out.rc == ZAUTHFAILED)
    fail(what,
         std::string{op_path(ops.back())} + " (multi of " +
           std::to_string(ops.size()) + " ops)",
         out.rc);
  // The first op whose error is its own (the others report "not run" or
  // "rolled back").
  for (std::size_t i = 0; i < results.size(); ++i)
    if (results[i].err != ZOK && results[i].err != ZRUNTIMEINCONSISTENCY) {
      out.rc = results[i].err;
      out.failed = i;
      break;
    }
  return out;
}

} // namespace outrigger::store::detail
