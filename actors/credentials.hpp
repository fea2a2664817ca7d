#pragma once
// Principal and secret for HTTP basic authentication with the master (and
// user and password for ZooKeeper digest authentication). They come only from
// a file or the environment, never from flags or URLs; loading registers both
// with log::add_secret so that they can never be printed, and errors never
// quote the file's content.

#include <caf/expected.hpp>

#include <string>
#include <string_view>

namespace outrigger {

/// A principal and its secret.
struct credentials {
  std::string principal;
  std::string secret;

  /// The Authorization header value: "Basic base64(principal:secret)".
  std::string basic_authorization() const;
  /// "principal:secret", the form zoo_add_auth's digest scheme wants.
  std::string digest() const { return principal + ":" + secret; }
};

/// Parses credentials text: a JSON object {"principal": .., "secret": ..},
/// a Mesos credentials file {"credentials": [{"principal", "secret"}]} (the
/// first entry), or plain text "principal secret" / "principal:secret" on
/// one line. Errors (ec::bad_credentials) name `origin`, never the content.
caf::expected<credentials> parse_credentials(std::string_view text,
                                             std::string_view origin);

/// Reads and parses a credentials file; refused when others may read it
/// (the error says to chmod 600).
caf::expected<credentials> load_credentials_file(const std::string& path);

/// Reads the principal and the secret from two environment variables.
caf::expected<credentials> load_credentials_env(const char* principal_var,
                                                const char* secret_var);

} // namespace outrigger
