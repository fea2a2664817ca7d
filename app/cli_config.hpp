#pragma once
// Where the client commands find the API and their token: flags, then the
// environment, then $XDG_CONFIG_HOME/outrigger/client.conf (default
// ~/.config/outrigger/client.conf), then the defaults. See
// docs/configuration.md ("The CLI").

#include <functional>
#include <istream>
#include <optional>
#include <string>

namespace outrigger::app {

struct client_settings;

/// What a client.conf says (simple `key = value` lines).
struct client_conf {
  std::optional<std::string> api;
  std::optional<std::string> token_file;
  std::optional<int> timeout;
};

/// Parses client.conf text read from `in`; `name` is the file's path for
/// messages. Blank lines and lines starting with '#' are skipped; a value
/// may be in double quotes. Throws std::invalid_argument naming the file
/// and line ("client.conf line 3: unknown key \"tokn\" ...").
client_conf parse_client_conf(std::istream& in, const std::string& name);

/// Reads the environment (getenv in the program; a map in tests).
using env_reader = std::function<const char*(const char*)>;

/// $XDG_CONFIG_HOME/outrigger/client.conf, else
/// $HOME/.config/outrigger/client.conf (empty when neither is set).
std::string client_conf_path(const env_reader& env);

/// Fills c.api, c.timeout and c.token from c's flags, `env` and the
/// client.conf at client_conf_path (if it exists): flag > environment >
/// file > default. Returns an error message (empty when all is well):
/// a bad config file or an unreadable token file.
std::string resolve_client(client_settings& c, const env_reader& env);

} // namespace outrigger::app
