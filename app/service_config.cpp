#include "app/service_config.hpp"

#include "actors/error.hpp"
#include "actors/log.hpp"
#include "actors/master_link/master_address.hpp"

#include <cstdlib>
#include <fstream>
#include <pwd.h>
#include <unistd.h>

namespace outrigger::app {

namespace {

caf::timespan secs(double s) {
  return std::chrono::duration_cast<caf::timespan>(
    std::chrono::duration<double>(s));
}

std::string current_user() {
  if (auto* pw = getpwuid(geteuid()))
    return pw->pw_name;
  return "root";
}

} // namespace

scheduling::book_actor_config book_config(const serve_settings& s) {
  scheduling::book_actor_config c;
  auto& d = c.book.rules.defaults;
  d.resources.cpus = s.default_cpus;
  d.resources.mem = s.default_mem;
  d.resources.disk = s.default_disk;
  d.role = s.default_role;
  d.retry.max_attempts = s.default_max_attempts;
  c.book.max_results = s.max_results;
  c.book.max_terminal_tasks = s.max_terminal_tasks;
  c.tracker.reconcile_batch = s.reconcile_batch;
  c.tracker.implicit_period = std::chrono::duration_cast<scheduling::duration>(
    std::chrono::duration<double>(s.reconcile_interval));
  return c;
}

scheduling::offer_matcher_config matcher_config(const serve_settings& s) {
  scheduling::offer_matcher_config c;
  c.strategy = s.strategy == "spread" ? scheduling::fitness::spread
                                      : scheduling::fitness::first_fit;
  c.refuse_seconds = s.refuse_seconds;
  c.offer_hold_time = std::chrono::duration_cast<scheduling::duration>(
    std::chrono::duration<double>(s.offer_hold_seconds));
  c.max_tasks_per_offer = s.max_tasks_per_offer;
  c.max_launches_per_pass = s.max_launches_per_pass;
  c.roles = s.roles;
  return c;
}

caf::expected<service_secrets> load_secrets(const serve_settings& s) {
  service_secrets out;
  if (!s.credentials_file.empty()) {
    auto c = load_credentials_file(s.credentials_file);
    if (!c)
      return c.error();
    out.mesos = *c;
  } else if (std::getenv("OUTRIGGER_MESOS_PRINCIPAL")) {
    auto c = load_credentials_env("OUTRIGGER_MESOS_PRINCIPAL",
                                  "OUTRIGGER_MESOS_SECRET");
    if (!c)
      return c.error();
    out.mesos = *c;
  }
  if (!s.zk_credentials_file.empty()) {
    auto c = load_credentials_file(s.zk_credentials_file);
    if (!c)
      return c.error();
    out.zk = *c;
  }
  std::string error;
  auto tokens = load_tokens(token_sources_of(s), error);
  if (!tokens)
    return caf::make_error(ec::bad_credentials, error);
  out.api_tokens = std::move(*tokens);
  return out;
}

token_sources token_sources_of(const serve_settings& s) {
  token_sources src;
  src.token_file = s.api_token_file;
  if (auto* env = std::getenv("OUTRIGGER_API_TOKEN"))
    src.env_token = env;
  src.tokens_file = s.api_tokens_file;
  return src;
}

std::optional<ha_config> ha_config_of(const serve_settings& s,
                                      const service_secrets& secrets,
                                      const std::string& version) {
  if (s.ha.empty())
    return std::nullopt;
  auto addrs = link::parse_master_addresses(s.ha, false);
  if (!addrs || !addrs->zk)
    return std::nullopt;
  auto root = addrs->zk->path == "/" ? std::string{} : addrs->zk->path;
  auto timeout = std::chrono::milliseconds{
    static_cast<std::int64_t>(s.ha_session_timeout * 1000)};
  auto digest = secrets.zk ? secrets.zk->digest() : std::string{};
  ha_config c;
  c.election.hosts = addrs->zk->hosts;
  c.election.path = root + "/election";
  c.election.session_timeout = timeout;
  c.election.digest = digest;
  c.election.url = s.advertise_url;
  c.election.version = version;
  c.store.hosts = addrs->zk->hosts;
  c.store.root = root;
  c.store.session_timeout = timeout;
  c.store.digest = digest;
  c.store.owner = s.advertise_url + " pid " + std::to_string(getpid());
  return c;
}

std::optional<zk::zk_config> zk_config_of(const serve_settings& s,
                                          const service_secrets& secrets) {
  auto addrs = link::parse_master_addresses(s.master, s.https);
  if (!addrs || !addrs->zk)
    return std::nullopt;
  zk::zk_config zc;
  zc.hosts = addrs->zk->hosts;
  zc.path = addrs->zk->path;
  zc.tls = s.https;
  zc.digest = secrets.zk;
  return zc;
}

link::link_config link_config_of(const serve_settings& s,
                                 const service_secrets& secrets) {
  link::link_config lc;
  lc.master = s.master;
  lc.https = s.https;
  lc.framework = link::default_framework_info(
    s.framework_name, s.user.empty() ? current_user() : s.user);
  lc.framework.roles = s.roles;
  lc.framework.failover_timeout = s.failover_timeout;
  if (secrets.mesos)
    lc.framework.principal = secrets.mesos->principal;
  // The Mesos web UI links a framework's page to webui_url (the dashboard).
  if (auto host = advertised_host(s.advertise_url)) {
    lc.framework.webui_url = s.advertise_url;
    lc.framework.hostname = *host;
  }
  lc.backoff.floor = secs(s.backoff_min);
  lc.backoff.cap = secs(s.backoff_max);
  lc.backoff.max_reconnect = s.max_reconnect;
  lc.backoff.outage_timeout = secs(s.master_outage_timeout);
  lc.max_missed_heartbeats = s.max_missed_heartbeats;
  lc.on_removed = s.on_removed == "stop" ? link::removed_policy::stop
                                         : link::removed_policy::new_framework;
  return lc;
}

} // namespace outrigger::app
