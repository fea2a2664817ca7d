#pragma once
// Internals of sim::server, shared by server.cpp and server_session.hpp.
// Private: include it from server.cpp only (it pulls in Asio and OpenSSL).

#include "sim/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <unordered_map>

namespace outrigger::sim::detail {

/// One connection, whatever its transport.
class session_base {
public:
  virtual ~session_base() = default;

  /// Starts the connection (TLS handshake, then the first read).
  virtual void start() = 0;

  /// Output for the event stream this connection carries.
  virtual void push(const stream_output& out) = 0;

  /// Closes the connection at once. When it carries a stream and `notify`
  /// is set, the endpoint learns through stream_closed().
  virtual void close(bool notify) = 0;

  /// True while the connection carries an event stream.
  virtual bool streaming() const = 0;
};

/// The listener, the registry of connections and streams, and the clock
/// pump. Shared by the sessions so that their late handlers never see it
/// destroyed; `endpoint_` is cleared at shutdown so they never reach a dead
/// endpoint either.
class server_core : public std::enable_shared_from_this<server_core> {
public:
  server_core(boost::asio::io_context& context, http_endpoint& endpoint,
              server_options options);

  std::uint16_t start();
  std::uint16_t port() const noexcept { return port_; }
  void stop_accepting();
  std::uint16_t resume_accepting();
  void cut_streams();
  void close_all();
  /// Destructor path: closes everything; the endpoint is not called again.
  void shutdown();

  /// Advances the endpoint and dispatches its output now (re-entrant calls
  /// are folded into the running one).
  void pump();
  /// pump() soon, once however often it is asked for before it runs.
  void poke();

  /// Asks the endpoint; a throwing handler becomes a 500.
  handler_reply handle(const http_request& request);
  void register_stream(stream_id id, std::shared_ptr<session_base> session);
  void unregister_stream(stream_id id);
  /// The client side of stream `id` went away: tell the endpoint.
  void stream_closed(stream_id id);
  void remove(session_base* session);

  boost::asio::io_context& context() noexcept { return context_; }
  const server_options& options() const noexcept { return options_; }
  std::chrono::milliseconds response_delay() const noexcept { return delay_; }
  void set_response_delay(std::chrono::milliseconds d) noexcept { delay_ = d; }
  std::size_t connection_count() const noexcept { return sessions_.size(); }
  std::size_t stream_count() const noexcept { return streams_.size(); }
  void log(std::string_view line) const;

private:
  void listen(std::uint16_t port);
  void do_accept();
  void on_accept(boost::system::error_code ec,
                 boost::asio::ip::tcp::socket socket);
  void arm_pump_timer();

  boost::asio::io_context& context_;
  http_endpoint* endpoint_; // null after shutdown()
  server_options options_;
  std::optional<boost::asio::ssl::context> tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_retry_;
  boost::asio::steady_timer pump_timer_;
  std::unordered_map<session_base*, std::shared_ptr<session_base>> sessions_;
  std::unordered_map<stream_id, std::weak_ptr<session_base>> streams_;
  std::atomic<std::uint16_t> port_{0};
  std::chrono::milliseconds delay_{0};
  bool pumping_ = false;
  bool pump_again_ = false;
  bool pump_posted_ = false;
};

} // namespace outrigger::sim::detail
