#pragma once
// A tiny scriptable Mesos master over real loopback sockets (plain or TLS),
// for the transport's and the link's socket tests until the simulator
// exists. Each request is answered by a test-supplied function: a complete
// response (307, 503, 401, 202...), a chunked stream the test feeds byte by
// byte (records split anywhere, heartbeats, a clean end, a cut), silence, or
// a closed connection. It runs its own I/O thread; every method is
// thread-safe. Only fake_master.cpp includes Beast.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace outrigger::test {

/// An io_context run by its own thread, for the transports under test; the
/// header keeps Asio out of the tests' translation units.
class io_thread {
public:
  io_thread();
  /// Stops the context and joins the thread.
  ~io_thread();
  io_thread(const io_thread&) = delete;
  io_thread& operator=(const io_thread&) = delete;
  boost::asio::io_context& context();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// A request as the fake master received it.
struct seen_request {
  std::uint64_t connection = 0; ///< which TCP connection carried it
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers; ///< names in lower case
  std::string body;

  /// A header's value, "" when absent (name in lower case).
  std::string header(const std::string& name) const {
    auto i = headers.find(name);
    return i == headers.end() ? std::string{} : i->second;
  }
  /// True for SUBSCRIBE calls.
  bool is_subscribe() const {
    return body.find(R"("type":"SUBSCRIBE")") != std::string::npos;
  }
};

/// How to answer one request.
struct fake_reply {
  enum class kind { respond, stream, silence, close };
  kind what = kind::respond;
  unsigned status = 202;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// A complete response.
  static fake_reply
  respond(unsigned status, std::string body = {},
          std::vector<std::pair<std::string, std::string>> headers = {}) {
    return {kind::respond, status, std::move(headers), std::move(body)};
  }
  /// A 200 chunked stream with `Mesos-Stream-Id: stream_id`.
  static fake_reply stream(std::string stream_id) {
    return {kind::stream, 200, {{"Mesos-Stream-Id", std::move(stream_id)}}, {}};
  }
  /// No response at all; the connection stays open.
  static fake_reply silence() { return {kind::silence, 0, {}, {}}; }
  /// The connection is closed without a response.
  static fake_reply close() { return {kind::close, 0, {}, {}}; }
};

/// One open chunked response; the test writes its body.
class fake_stream {
public:
  virtual ~fake_stream() = default;
  /// Writes `bytes` as one HTTP chunk.
  virtual void chunk(const std::string& bytes) = 0;
  /// Writes raw bytes (chunk framing included, or deliberately broken).
  virtual void raw(const std::string& bytes) = 0;
  /// Ends the body (0\r\n\r\n); the TCP connection stays open.
  virtual void end() = 0;
  /// Drops the TCP connection without ending the body.
  virtual void cut() = 0;
  /// Waits until the client closed the connection; false on timeout.
  virtual bool wait_client_close(std::chrono::milliseconds timeout) = 0;
  /// The SUBSCRIBE request that opened the stream.
  virtual const seen_request& request() const = 0;
};

/// `record` framed as RecordIO (`<length>\n<record>`).
std::string recordio(const std::string& record);

/// The fake master.
class fake_master {
public:
  using handler = std::function<fake_reply(const seen_request&)>;

  /// Listens on 127.0.0.1 on a free port; with `cert_file` and `key_file`
  /// it speaks TLS.
  explicit fake_master(std::string cert_file = {}, std::string key_file = {});
  /// Stops the I/O thread and closes every connection.
  ~fake_master();

  fake_master(const fake_master&) = delete;
  fake_master& operator=(const fake_master&) = delete;

  std::uint16_t port() const noexcept;
  /// "http://127.0.0.1:<port>" (https with TLS).
  std::string origin() const;
  /// "127.0.0.1:<port>".
  std::string host_port() const;

  /// Answers SUBSCRIBE requests (default: a stream "stream-<n>").
  void on_subscribe(handler h);
  /// Answers every other request (default: 202).
  void on_call(handler h);

  /// The n-th stream (0-based) once it is open; nullptr after `timeout`.
  std::shared_ptr<fake_stream>
  wait_stream(size_t n,
              std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// Waits until `n` requests arrived; false on timeout.
  bool
  wait_requests(size_t n,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// Every request so far.
  std::vector<seen_request> requests() const;
  /// Closes every connection and stops listening (a dead master).
  void kill();

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace outrigger::test
