#pragma once
// One client connection, plain TCP or TLS, for http_transport.cpp only (the
// single translation unit of actors/ that includes Beast and Asio). Every
// socket of a transport runs on the transport's one strand, so the
// transport's bookkeeping needs no locks.

#include "actors/master_link/master_address.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <sys/socket.h>

namespace outrigger::link::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;
using strand_type = asio::strand<asio::io_context::executor_type>;

/// A TCP or TLS client connection to one master.
class connection : public std::enable_shared_from_this<connection> {
public:
  /// `tls_ctx` is null for plain HTTP.
  connection(strand_type strand, ssl::context* tls_ctx, bool verify,
             master_url url)
    : strand_(strand), resolver_(strand), url_(std::move(url)) {
    if (url_.tls() && tls_ctx) {
      tls_.emplace(strand, *tls_ctx);
      verify_ = verify;
    } else {
      plain_.emplace(strand);
    }
  }

  /// Resolves, connects and (for https) handshakes; `done(ec, step)` names
  /// the step that failed.
  void connect(std::function<void(error_code, const char*)> done) {
    auto self = shared_from_this();
    resolver_.async_resolve(
      url_.host, std::to_string(url_.port),
      [self, done](error_code ec, tcp::resolver::results_type results) {
        if (ec)
          return done(ec, "resolve");
        self->tcp().async_connect(
          results, [self, done](error_code ec, const tcp::endpoint&) {
            if (ec)
              return done(ec, "connect");
            error_code ignored;
            self->tcp().socket().set_option(tcp::no_delay{true}, ignored);
            self->tcp().socket().set_option(asio::socket_base::keep_alive{true},
                                            ignored);
            if (!self->tls_)
              return done({}, "");
            self->handshake(done);
          });
      });
  }

  /// Runs `f(stream)` with the stream to read and write: the TLS stream or
  /// the plain TCP stream.
  template <class F>
  void visit(F&& f) {
    if (tls_)
      f(*tls_);
    else
      f(*plain_);
  }

  /// The TCP layer.
  beast::tcp_stream& tcp() { return tls_ ? tls_->next_layer() : *plain_; }

  /// Closes the socket; pending operations complete with operation_aborted.
  void close() {
    error_code ignored;
    resolver_.cancel();
    tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp().socket().close(ignored);
  }

  /// True when an idle keep-alive connection can still be used: open, and
  /// the server has neither closed it nor sent anything unasked.
  bool reusable() {
    auto& sock = tcp().socket();
    if (!sock.is_open())
      return false;
    char c;
    auto n = ::recv(sock.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  const master_url& url() const noexcept { return url_; }

private:
  void handshake(std::function<void(error_code, const char*)> done) {
    auto& host = url_.host;
    error_code ec;
    asio::ip::make_address(host, ec);
    if (ec) // SNI for names only, never for addresses
      SSL_set_tlsext_host_name(tls_->native_handle(), host.c_str());
    if (verify_)
      tls_->set_verify_callback(ssl::host_name_verification(host));
    auto self = shared_from_this();
    tls_->async_handshake(
      ssl::stream_base::client,
      [self, done](error_code ec) { done(ec, ec ? "TLS handshake" : ""); });
  }

  strand_type strand_;
  tcp::resolver resolver_;
  master_url url_;
  bool verify_ = false;
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
};

/// "connect to host:port: Connection refused".
inline std::string describe(const char* step, const master_url& url,
                            const error_code& ec) {
  std::string out = step;
  out += " ";
  out += url.host_port();
  out += ": ";
  out += ec.message();
  return out;
}

} // namespace outrigger::link::detail
