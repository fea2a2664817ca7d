#pragma once
// From `serve` settings to the configurations of the actors and the
// secrets they need: one place that says what each setting controls.

#include "actors/credentials.hpp"
#include "actors/master_link/link_config.hpp"
#include "actors/task_book/task_book_actor.hpp"
#include "actors/zk_detector/zk_detector_state.hpp"
#include "app/api_tokens.hpp"
#include "app/config.hpp"
#include "app/leader_election.hpp"
#include "scheduling/offer_matcher/offer_matcher_state.hpp"
#include "scheduling/store/zk_store.hpp"

#include <caf/expected.hpp>

#include <optional>
#include <string>

namespace outrigger::app {

/// The secrets of the service, read from files or the environment only.
struct service_secrets {
  std::optional<credentials> mesos; ///< basic auth with the master
  std::optional<credentials> zk;    ///< ZooKeeper digest auth
  token_set api_tokens;             ///< the API's tokens; empty: none
};

/// Loads the Mesos credentials (--credentials-file, else
/// OUTRIGGER_MESOS_PRINCIPAL / OUTRIGGER_MESOS_SECRET), the API tokens
/// (--api-token-file, else OUTRIGGER_API_TOKEN, and --api-tokens-file) and
/// the ZooKeeper digest (--zk-credentials-file), and registers them for
/// redaction. Errors (ec::bad_credentials) never quote a secret.
caf::expected<service_secrets> load_secrets(const serve_settings& s);

/// Where the API's tokens come from (re-read on SIGHUP).
token_sources token_sources_of(const serve_settings& s);

/// The task book's and status tracker's settings.
scheduling::book_actor_config book_config(const serve_settings& s);

/// The offer matcher's settings.
scheduling::offer_matcher_config matcher_config(const serve_settings& s);

/// The ZooKeeper detector's settings when `--master` is a zk:// URL.
/// What --ha configures: the election and the state store in ZooKeeper.
struct ha_config {
  election_options election;     ///< under <path>/election
  store::zk_store_options store; ///< under <path>/state
};

/// The --ha configuration (nullopt without --ha): ZooKeeper hosts and path
/// from the zk:// URL, digest from --zk-credentials-file, the member's URL
/// from --advertise-url.
std::optional<ha_config> ha_config_of(const serve_settings& s,
                                      const service_secrets& secrets,
                                      const std::string& version);

std::optional<zk::zk_config> zk_config_of(const serve_settings& s,
                                          const service_secrets& secrets);

/// The master link's settings (FrameworkInfo with the principal, if any).
link::link_config link_config_of(const serve_settings& s,
                                 const service_secrets& secrets);

} // namespace outrigger::app
