// sim::server: the one translation unit with Beast in it.

#include "sim/server.hpp"

#include "sim/server_core.hpp"
#include "sim/server_session.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>

#include <exception>
#include <stdexcept>

namespace outrigger::sim {

namespace detail {

bool benign(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::operation_aborted ||
         ec == asio::error::broken_pipe || ec == asio::error::bad_descriptor ||
         ec == asio::error::not_connected ||
         ec == asio::ssl::error::stream_truncated ||
         ec == http::error::partial_message || ec == beast::error::timeout;
}

server_core::server_core(asio::io_context& context, http_endpoint& endpoint,
                         server_options options)
  : context_(context), endpoint_(&endpoint), options_(std::move(options)),
    acceptor_(context), accept_retry_(context), pump_timer_(context) {}

std::uint16_t server_core::start() {
  if (options_.tls) {
    tls_.emplace(asio::ssl::context::tls_server);
    tls_->set_options(asio::ssl::context::default_workarounds |
                      asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3);
    try {
      tls_->use_certificate_chain_file(options_.tls->certificate_chain);
      tls_->use_private_key_file(options_.tls->private_key,
                                 asio::ssl::context::pem);
    } catch (const std::exception& e) {
      throw std::runtime_error("sim server: cannot load TLS files " +
                               options_.tls->certificate_chain + ", " +
                               options_.tls->private_key + ": " + e.what());
    }
  }
  listen(options_.port);
  arm_pump_timer();
  return port_;
}

void server_core::listen(std::uint16_t port) {
  error_code ec;
  auto address = asio::ip::make_address(options_.address, ec);
  if (ec)
    throw std::runtime_error("sim server: bad address '" + options_.address +
                             "': " + ec.message());
  tcp::endpoint where{address, port};
  auto check = [&](const char* step) {
    if (ec) {
      error_code ignored;
      acceptor_.close(ignored);
      throw std::runtime_error("sim server: cannot " + std::string{step} + " " +
                               options_.address + ":" + std::to_string(port) +
                               ": " + ec.message());
    }
  };
  acceptor_.open(where.protocol(), ec);
  check("open");
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  check("configure");
  acceptor_.bind(where, ec);
  check("bind");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  check("listen on");
  port_ = acceptor_.local_endpoint().port();
  do_accept();
}

void server_core::do_accept() {
  acceptor_.async_accept(
    context_, [self = shared_from_this()](error_code ec, tcp::socket socket) {
      self->on_accept(ec, std::move(socket));
    });
}

void server_core::on_accept(error_code ec, tcp::socket socket) {
  if (!acceptor_.is_open())
    return; // stop_accepting() or shutdown()
  if (ec) {
    // E.g. out of file descriptors: try again shortly instead of spinning.
    log("sim server: accept: " + ec.message());
    accept_retry_.expires_after(std::chrono::milliseconds(50));
    accept_retry_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec && self->acceptor_.is_open())
        self->do_accept();
    });
    return;
  }
  if (sessions_.size() >= options_.max_connections) {
    error_code ignored;
    socket.close(ignored); // over the limit: refuse by closing at once
    return do_accept();
  }
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored); // small chunks, now
  std::shared_ptr<session_base> s;
  if (tls_)
    s = std::make_shared<session<tls_stream>>(
      shared_from_this(), tls_stream(std::move(socket), *tls_));
  else
    s = std::make_shared<session<plain_stream>>(shared_from_this(),
                                                std::move(socket));
  sessions_.emplace(s.get(), s);
  s->start();
  do_accept();
}

void server_core::stop_accepting() {
  error_code ignored;
  acceptor_.close(ignored);
  accept_retry_.cancel(ignored);
}

std::uint16_t server_core::resume_accepting() {
  if (!acceptor_.is_open())
    listen(port_);
  return port_;
}

// Closing sessions edits sessions_, hence the copies below.
void server_core::cut_streams() {
  std::vector<std::shared_ptr<session_base>> streaming;
  for (auto& [raw, s] : sessions_)
    if (s->streaming())
      streaming.push_back(s);
  for (auto& s : streaming)
    s->close(true);
}

void server_core::close_all() {
  stop_accepting();
  std::vector<std::shared_ptr<session_base>> all;
  for (auto& [raw, s] : sessions_)
    all.push_back(s);
  for (auto& s : all)
    s->close(false);
}

void server_core::shutdown() {
  endpoint_ = nullptr;
  close_all();
  error_code ignored;
  pump_timer_.cancel(ignored);
}

void server_core::pump() {
  if (!endpoint_)
    return;
  if (pumping_) {
    pump_again_ = true; // the running pump loops once more
    return;
  }
  pumping_ = true;
  try {
    do {
      pump_again_ = false;
      endpoint_->advance(sim_clock::now());
      for (auto& out : endpoint_->take_output()) {
        auto it = streams_.find(out.stream);
        if (it == streams_.end())
          continue; // the stream is gone; its bytes have nowhere to go
        if (auto s = it->second.lock())
          s->push(out);
      }
    } while (pump_again_ && endpoint_);
  } catch (const std::exception& e) {
    log(std::string{"sim server: endpoint failed: "} + e.what());
  }
  pumping_ = false;
  arm_pump_timer();
}

void server_core::poke() {
  if (pump_posted_)
    return;
  pump_posted_ = true;
  asio::post(context_, [self = shared_from_this()] {
    self->pump_posted_ = false;
    self->pump();
  });
}

void server_core::arm_pump_timer() {
  if (!endpoint_)
    return;
  auto wait = options_.tick;
  if (auto due = endpoint_->next_deadline()) {
    auto until = std::chrono::duration_cast<std::chrono::milliseconds>(
      *due - sim_clock::now());
    if (until < wait)
      wait = std::max(until, std::chrono::milliseconds(0));
  }
  pump_timer_.expires_after(wait);
  pump_timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (!ec)
      self->pump();
  });
}

handler_reply server_core::handle(const http_request& request) {
  if (endpoint_) {
    try {
      return endpoint_->handle(request);
    } catch (const std::exception& e) {
      log(std::string{"sim server: handler failed: "} + e.what());
    }
  }
  handler_reply reply;
  reply.response.status = endpoint_ ? 500 : 503;
  reply.response.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
  return reply;
}

void server_core::register_stream(stream_id id,
                                  std::shared_ptr<session_base> session) {
  streams_[id] = session;
}

void server_core::unregister_stream(stream_id id) {
  streams_.erase(id);
}

void server_core::stream_closed(stream_id id) {
  if (!endpoint_)
    return;
  try {
    endpoint_->stream_closed(id);
  } catch (const std::exception& e) {
    log(std::string{"sim server: stream_closed failed: "} + e.what());
  }
  if (pumping_)
    pump_again_ = true;
  else
    poke();
}

void server_core::remove(session_base* session) {
  sessions_.erase(session);
}

void server_core::log(std::string_view line) const {
  if (options_.log)
    options_.log(line);
}

} // namespace detail

// -- the facade ---------------------------------------------------------------

server::server(boost::asio::io_context& context, http_endpoint& endpoint,
               server_options options)
  : core_(std::make_shared<detail::server_core>(context, endpoint,
                                                std::move(options))) {}

server::~server() {
  core_->shutdown();
}

std::uint16_t server::start() {
  return core_->start();
}

std::uint16_t server::port() const noexcept {
  return core_->port();
}

void server::post(std::function<void()> fn) {
  boost::asio::post(core_->context(), [core = core_, fn = std::move(fn)] {
    fn();
    core->pump();
  });
}

void server::poke() {
  core_->poke();
}

void server::set_response_delay(std::chrono::milliseconds delay) {
  core_->set_response_delay(delay);
}

void server::stop_accepting() {
  core_->stop_accepting();
}

std::uint16_t server::resume_accepting() {
  return core_->resume_accepting();
}

void server::cut_streams() {
  core_->cut_streams();
}

void server::close_all() {
  core_->close_all();
}

std::size_t server::connection_count() const noexcept {
  return core_->connection_count();
}

std::size_t server::stream_count() const noexcept {
  return core_->stream_count();
}

} // namespace outrigger::sim
