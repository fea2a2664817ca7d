#pragma once
// Reads Mesos agents' `/files/*` endpoints for task logs (GET /v1/tasks/
// {id}/logs and /files, and the stderr tails of results): asynchronous GETs
// on the service's io_context, at most `max_concurrent` at once (more wait
// in a bounded queue, beyond it fail at once), each bounded by a timeout.
// HTTP basic authentication and TLS as for the master (the master link's
// connection class). Beast stays in sandbox_reader.cpp.

#include "actors/credentials.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace outrigger::app {

/// Settings of the agent reads.
struct sandbox_reader_config {
  std::optional<credentials> auth; ///< basic auth (the Mesos credentials)
  bool tls_verify = true;          ///< verify agents' certificates (https)
  std::string ca_file;             ///< trusted CAs; empty: system default
  std::chrono::milliseconds timeout{10000}; ///< per request, all of it
  std::size_t max_concurrent = 16;          ///< requests in flight
  std::size_t max_queued = 256;             ///< waiting beyond those
  std::size_t max_body = 4u << 20;          ///< largest answer accepted
};

/// An agent's answer (status 0: none; `error` says what was tried and why
/// it failed, never credentials).
struct agent_answer {
  unsigned status = 0;
  std::string body;
  std::string error;
};

/// The reader; thread-safe.
class sandbox_reader {
public:
  /// Fails (std::runtime_error) when the CA file cannot be loaded.
  sandbox_reader(boost::asio::io_context& ioc, sandbox_reader_config cfg);
  ~sandbox_reader();
  sandbox_reader(const sandbox_reader&) = delete;
  sandbox_reader& operator=(const sandbox_reader&) = delete;

  /// GET `target` from the agent at `agent_url` ("http://host:port");
  /// `done` runs once, on an io thread.
  void get(const std::string& agent_url, const std::string& target,
           std::function<void(agent_answer)> done);

  /// Runs `fn` on an io thread after `delay` (follow=true polling).
  void after(std::chrono::milliseconds delay, std::function<void()> fn);

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

/// Decodes the JSON of `/files/read` ({"data":"...","offset":N}) as the
/// agent writes it: raw bytes in the string are kept as they are (stout
/// does not escape bytes >= 0x80, so the data need not be UTF-8), escapes
/// decoded (\u00XX to that byte). nullopt when malformed.
std::optional<std::pair<std::string, std::int64_t>>
parse_files_read(std::string_view body);

/// `text` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

/// Percent-encodes a query component.
std::string url_encode(std::string_view text);

} // namespace outrigger::app
