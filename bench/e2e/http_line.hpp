#pragma once
// A minimal blocking HTTP/1.1 client over one keep-alive loopback socket, for
// the end-to-end benchmark: it must cost the measured service nothing it
// would not cost a real client, and the benchmark must not pay Beast's
// compile time. Content-Length and chunked bodies are read; nothing else of
// HTTP is needed against outrigger's API.

#include <cstdint>
#include <string>

namespace outrigger::bench {

/// One answer (status 0: the connection failed, `body` says why).
struct http_answer {
  unsigned status = 0;
  std::string body;
};

/// A keep-alive connection to 127.0.0.1:`port`, reopened when it breaks.
class http_line {
public:
  explicit http_line(std::uint16_t port) : port_(port) {}
  /// Like the above; a read or write blocked longer than `timeout_ms`
  /// fails the call (status 0): for servers that may be stopped or hung.
  http_line(std::uint16_t port, int timeout_ms)
    : port_(port), timeout_ms_(timeout_ms) {}
  ~http_line();
  http_line(const http_line&) = delete;
  http_line& operator=(const http_line&) = delete;

  /// Sends one request and reads its answer; retries once on a connection
  /// the server closed while idle.
  http_answer call(const std::string& method, const std::string& target,
                   const std::string& body = {});

private:
  bool open();
  void close();
  bool read_more();
  http_answer exchange(const std::string& request);

  std::uint16_t port_;
  int timeout_ms_ = 0; // 0: block for ever
  int fd_ = -1;
  std::string in_; // bytes read but not consumed
};

} // namespace outrigger::bench
