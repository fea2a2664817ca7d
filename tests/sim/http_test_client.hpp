#pragma once
// A blocking HTTP/1.1 test client on Beast, plain or TLS, that can read
// responses both parsed (Beast's parser) and raw (exact bytes, chunk framing
// included). Every read is bounded by a timeout and throws on timeout or on
// a closed connection, so a broken server fails a test instead of hanging it.
// Beast stays in http_test_client.cpp.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace outrigger::test {

/// A response as received.
struct http_reply {
  unsigned status = 0;
  std::string reason;
  /// Headers in wire order, names as sent.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// The first value of `name` (case-insensitive).
  std::optional<std::string> header(std::string_view name) const;
  /// The header names in wire order.
  std::vector<std::string> header_names() const;
};

/// One connection to 127.0.0.1.
class http_test_client {
public:
  /// Connects to 127.0.0.1:`port`; with `ca_file`, speaks TLS trusting only
  /// that certificate and checking the name "localhost".
  /// @throws std::runtime_error when the connection or handshake fails.
  explicit http_test_client(
    std::uint16_t port, std::optional<std::filesystem::path> ca_file = {},
    std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~http_test_client();

  /// Writes raw bytes.
  void write(std::string_view bytes);

  /// Writes a request with Beast's serializer (Host and, with a body,
  /// Content-Length added).
  void send(std::string_view method, std::string_view target,
            std::string_view body = {},
            std::vector<std::pair<std::string, std::string>> headers = {});

  /// Reads a complete response with Beast's parser.
  http_reply read_response();

  /// Reads a response head raw (up to the blank line) and parses it;
  /// the body is left unread.
  http_reply read_head();

  /// Reads one chunk, checking its framing byte by byte: its data, or
  /// nullopt for the terminating `0\r\n\r\n`.
  std::optional<std::string> read_chunk();

  /// Raw bytes up to and including `delimiter`.
  std::string read_until(std::string_view delimiter);

  /// Exactly `n` raw bytes.
  std::string read_exact(std::size_t n);

  /// True when the server closes the connection (EOF or reset) within
  /// `timeout` without sending anything first.
  bool
  closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  /// Closes the connection from our side.
  void close();

  /// The bound of every later read and write (a read that times out closes
  /// the connection).
  void set_timeout(std::chrono::milliseconds timeout);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace outrigger::test
