#pragma once
// A small blocking HTTP/1.1 client for the CLI subcommands (one request per
// connection; http:// or https://). Beast stays inside http_client.cpp.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace outrigger::app {

/// A response (status 0: no response, `error` says why).
struct client_response {
  unsigned status = 0;
  std::string body;
  std::string error;
  /// Response header fields, in order (names as sent).
  std::vector<std::pair<std::string, std::string>> headers;

  /// The first value of header `name` (case-insensitive), or "".
  std::string header(const std::string& name) const;
};

/// How an https:// API is trusted (like curl's --cacert / --insecure), and
/// the client certificate for mutual TLS.
struct client_tls {
  std::string ca_file;   ///< PEM CAs to trust; empty: the system's
  bool insecure = false; ///< do not verify the server's certificate
  std::string cert_file; ///< client certificate (mutual TLS), PEM
  std::string key_file;  ///< its private key, PEM
};

/// Sends one request to `base` ("http://host:port", "https://host:port")
/// and waits at most `timeout` for the whole exchange. A non-empty body is
/// sent with `content_type`.
client_response http_call(const std::string& base, const std::string& method,
                          const std::string& target, const std::string& body,
                          const std::string& token,
                          std::chrono::seconds timeout,
                          const std::string& content_type = "application/json",
                          const client_tls& tls = {});

} // namespace outrigger::app
