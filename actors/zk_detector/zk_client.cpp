#include "actors/zk_detector/zk_client.hpp"

#include "actors/log.hpp"

#include <caf/send.hpp>

#include <zookeeper/zookeeper.h>

#include <mutex>

namespace outrigger::zk {

/// What ZooKeeper's threads need: where to send, and which session this is.
struct zk_client::context {
  zk_sink_actor sink;
  std::uint64_t session;
};

namespace {

zhandle_t* zh(void* p) {
  return static_cast<zhandle_t*>(p);
}

// Per-read context of zoo_aget: the child's name travels with it.
struct node_request {
  zk_sink_actor sink;
  std::uint64_t session;
  std::string name;
};

// Session events and fired watches, on ZooKeeper's completion thread.
void on_watch(zhandle_t*, int type, int state, const char* path, void* data) {
  auto* ctx = static_cast<zk_client::context*>(data);
  if (!ctx)
    return;
  if (type == ZOO_SESSION_EVENT)
    caf::anon_send(ctx->sink, atom::zk_state_v, ctx->session,
                   static_cast<std::int32_t>(state));
  else
    caf::anon_send(ctx->sink, atom::zk_watch_v, ctx->session,
                   static_cast<std::int32_t>(type),
                   std::string{path ? path : ""});
}

void on_children(int rc, const struct String_vector* strings,
                 const void* data) {
  auto* ctx = static_cast<const zk_client::context*>(data);
  zk_children out;
  out.session = ctx->session;
  out.rc = rc;
  if (rc == ZOK && strings)
    for (int i = 0; i < strings->count; ++i)
      out.names.emplace_back(strings->data[i]);
  caf::anon_send(ctx->sink, atom::zk_kids_v, std::move(out));
}

void on_data(int rc, const char* value, int len, const struct Stat*,
             const void* data) {
  std::unique_ptr<const node_request> req{
    static_cast<const node_request*>(data)};
  zk_node out;
  out.session = req->session;
  out.rc = rc;
  out.name = req->name;
  if (rc == ZOK && value && len > 0)
    out.data.assign(value, static_cast<std::size_t>(len));
  caf::anon_send(req->sink, atom::zk_data_v, std::move(out));
}

void on_exists(int rc, const struct Stat*, const void* data) {
  auto* ctx = static_cast<const zk_client::context*>(data);
  caf::anon_send(ctx->sink, atom::zk_exists_v, ctx->session,
                 static_cast<std::int32_t>(rc));
}

void on_auth(int rc, const void*) {
  if (rc != ZOK)
    log::error("zk_detector", "ZooKeeper rejected the digest credentials",
               {{"rc", zerror(rc)}});
}

// The C client's own log lines (warnings and errors only) go to ours.
void client_log(const char* message) {
  if (message)
    log::warn("zookeeper", message);
}

void quiet_client_log() {
  // The C client logs every reconnect at INFO to stderr; warnings suffice.
  static std::once_flag once;
  std::call_once(once, [] { zoo_set_debug_level(ZOO_LOG_LEVEL_WARN); });
}

} // namespace

zk_client::zk_client(zk_sink_actor sink, std::uint64_t session,
                     const std::string& hosts,
                     std::chrono::milliseconds session_timeout,
                     const std::optional<credentials>& digest)
  : ctx_(std::make_unique<context>(context{std::move(sink), session})) {
  quiet_client_log();
  handle_ = zookeeper_init2(hosts.c_str(), on_watch,
                            static_cast<int>(session_timeout.count()), nullptr,
                            ctx_.get(), 0, client_log);
  if (handle_ && digest) {
    auto cert = digest->digest();
    zoo_add_auth(zh(handle_), "digest", cert.data(),
                 static_cast<int>(cert.size()), on_auth, nullptr);
  }
}

zk_client::~zk_client() {
  if (handle_)
    zookeeper_close(zh(handle_)); // joins the threads: no callback after it
}

std::optional<std::pair<std::int64_t, std::string>> zk_client::session() const {
  if (!handle_ || zoo_state(zh(handle_)) != ZOO_CONNECTED_STATE)
    return std::nullopt;
  auto* id = zoo_client_id(zh(handle_));
  if (!id || id->client_id == 0)
    return std::nullopt;
  return std::make_pair(std::int64_t{id->client_id},
                        std::string{id->passwd, sizeof(id->passwd)});
}

void zk_client::get_children(const std::string& path) {
  if (!handle_)
    return;
  auto rc = zoo_awget_children(zh(handle_), path.c_str(), on_watch, ctx_.get(),
                               on_children, ctx_.get());
  if (rc != ZOK) // not even queued: report it like a completion would
    caf::anon_send(ctx_->sink, atom::zk_kids_v,
                   zk_children{ctx_->session, rc, {}});
}

void zk_client::get_data(const std::string& path, const std::string& name) {
  if (!handle_)
    return;
  auto full = path == "/" ? "/" + name : path + "/" + name;
  auto* req = new node_request{ctx_->sink, ctx_->session, name};
  auto rc = zoo_aget(zh(handle_), full.c_str(), 0, on_data, req);
  if (rc != ZOK) {
    delete req;
    caf::anon_send(ctx_->sink, atom::zk_data_v,
                   zk_node{ctx_->session, rc, name, {}});
  }
}

void zk_client::watch_exists(const std::string& path) {
  if (!handle_)
    return;
  auto rc = zoo_awexists(zh(handle_), path.c_str(), on_watch, ctx_.get(),
                         on_exists, ctx_.get());
  if (rc != ZOK)
    caf::anon_send(ctx_->sink, atom::zk_exists_v, ctx_->session,
                   static_cast<std::int32_t>(rc));
}

} // namespace outrigger::zk
