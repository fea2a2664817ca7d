#pragma once
// The API's HTTP/1.1 server (Boost.Beast, plain TCP or TLS, keep-alive).
// Generic: it parses requests within bounds and hands each to a handler that
// answers later, from any thread, through a responder. Bounds: body and
// header size (413 / 431), open connections (503 and close), a request rate
// for the whole server (429), an idle timeout per connection. Every request
// gets an id (X-Request-Id, and "request_id" in every error body). With TLS,
// a client speaking plain HTTP gets a plain 400 saying so; the certificate
// can be replaced while the server runs. Beast is only included by
// http_server.cpp (and its TLS context by http_tls.cpp).

#include "app/request_parse.hpp" // url_decode, parse_query

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace outrigger::app {

/// A parsed request.
struct http_request {
  std::string method;                       ///< "GET", "POST", ...
  std::string path;                         ///< decoded, without the query
  std::map<std::string, std::string> query; ///< decoded; last value wins
  std::string content_type;
  std::string authorization;
  std::string if_none_match; ///< validators of a conditional GET
  std::string body;
  std::string request_id; ///< made by the server, unique in the process
  std::string client;     ///< "address:port" of the peer
  /// Set by the API after authentication: the token's name ("" without
  /// tokens) and whether its scope is admin (true without tokens).
  std::string caller;
  bool admin = true;
};

/// A response.
struct http_response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Answers a request exactly once; callable from any thread.
using responder = std::function<void(http_response)>;

/// Handles one request (on the server's thread; must not block).
using http_handler = std::function<void(http_request, responder)>;

/// The PEM files of the server's TLS (re-read by reload_tls()).
struct http_tls_files {
  std::string cert;      ///< certificate chain
  std::string key;       ///< private key
  std::string client_ca; ///< when set: clients must present a certificate
                         ///< signed by one of these CAs (mutual TLS)
};

/// Bounds and address of the server.
struct http_server_options {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080; ///< 0: an ephemeral port
  std::size_t max_body = 1 << 20;
  std::size_t max_header = 16 << 10;
  std::size_t max_connections = 256;
  double max_requests_per_second = 1000; ///< token bucket, burst of 1 s
  std::chrono::seconds idle_timeout{75};
  /// When set, the port speaks HTTPS only.
  std::optional<http_tls_files> tls;
  /// Called for responses the server makes itself (413, 429...) and for
  /// every answered request: method, route-less path, status.
  std::function<void(const std::string& path, unsigned status)> on_response;
};

/// A JSON error body {"error": {"code", "message", "field"}}.
std::string error_body(const std::string& code, const std::string& message,
                       const std::string& field = {});

/// The HTTP server.
class http_server {
public:
  http_server(boost::asio::io_context& ioc, http_server_options options,
              http_handler handler);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Binds and starts accepting; returns the port. Throws
  /// std::runtime_error naming the address when it cannot bind, or the file
  /// when the TLS files cannot be used.
  std::uint16_t start();

  /// Re-reads the TLS files: new connections use them, open ones keep
  /// theirs. On an error (returned, naming the file) the old ones stay.
  /// Callable from any thread.
  std::string reload_tls();

  /// Stops accepting new connections (open ones finish their request).
  void stop_accepting();

  /// Closes everything (on the server's thread).
  void close();

  /// The server's state (defined in http_server.cpp; its sessions use it).
  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace outrigger::app
