#include "app/http_server.hpp"

#include "actors/log.hpp"
#include "app/http_tls.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <type_traits>

namespace outrigger::app {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

std::string error_body(const std::string& code, const std::string& message,
                       const std::string& field) {
  nlohmann::json e{{"code", code}, {"message", message}};
  if (!field.empty())
    e["field"] = field;
  return nlohmann::json{{"error", std::move(e)}}.dump();
}

namespace {

// A connection of the server (plain or TLS), closable from the server.
class session_base {
public:
  virtual ~session_base() = default;
  virtual void close() = 0;
  /// Since when the connection waits for (the rest of) a request; nullopt
  /// while one is being answered. With every slot taken, the one waiting
  /// longest gives way to a new connection: idle keep-alive connections and
  /// slow senders (slowloris) cannot lock the API out.
  std::optional<std::chrono::steady_clock::time_point> waiting_since;
};

} // namespace

/// Where answers made on other threads are posted, until the server ends:
/// an API request actor can answer after the server and its io_context are
/// gone (the actor system outlives both at shutdown), and must then drop the
/// answer instead of posting into freed memory.
struct reply_gate {
  explicit reply_gate(asio::io_context& c) : ioc(&c) {}

  std::mutex m;
  asio::io_context* ioc; // null once the server has ended

  template <class F>
  void post(F&& f) {
    std::lock_guard guard{m};
    if (ioc)
      asio::post(*ioc, std::forward<F>(f));
  }

  void close() {
    std::lock_guard guard{m};
    ioc = nullptr;
  }
};

struct http_server::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& ioc, http_server_options o, http_handler h)
    : ioc(ioc), gate(std::make_shared<reply_gate>(ioc)), opts(std::move(o)),
      handler(std::move(h)), acceptor(ioc),
      tokens(opts.max_requests_per_second),
      refill_at(std::chrono::steady_clock::now()) {
    std::random_device rd;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08x", rd());
    id_prefix = buf;
  }

  asio::io_context& ioc;
  std::shared_ptr<reply_gate> gate;
  http_server_options opts;
  http_handler handler;
  tcp::acceptor acceptor;
  std::set<std::shared_ptr<session_base>> sessions;
  bool accepting = false;
  double tokens;
  std::chrono::steady_clock::time_point refill_at;
  std::string id_prefix;          // random per process: ids of two runs differ
  std::uint64_t next_request = 0; // on the server's thread
  std::shared_ptr<ssl::context> tls; // replaced by reload_tls()

  // Token bucket over the whole server (burst: one second's worth).
  bool take_token() {
    auto now = std::chrono::steady_clock::now();
    auto rate = opts.max_requests_per_second;
    tokens = std::min(
      rate,
      tokens + rate * std::chrono::duration<double>(now - refill_at).count());
    refill_at = now;
    if (tokens < 1)
      return false;
    tokens -= 1;
    return true;
  }

  std::string request_id() {
    char buf[24];
    std::snprintf(buf, sizeof buf, "-%llu",
                  static_cast<unsigned long long>(++next_request));
    return id_prefix + buf;
  }

  void do_accept();

  // Closes the connection that has waited longest (at least a second) for
  // a request, if any.
  void evict_one_waiting() {
    auto now = std::chrono::steady_clock::now();
    std::shared_ptr<session_base> oldest;
    for (auto& s : sessions)
      if (s->waiting_since &&
          now - *s->waiting_since >= std::chrono::seconds{1} &&
          (!oldest || *s->waiting_since < *oldest->waiting_since))
        oldest = s;
    if (oldest)
      oldest->close();
  }
};

namespace {

http_response json_error(unsigned status, const std::string& code,
                         const std::string& message) {
  return http_response{
    status, "application/json", error_body(code, message), {}};
}

// Puts the request id into an error body {"error": {...}}.
void stamp_error(http_response& res, const std::string& id) {
  if (res.status < 400 || res.content_type.rfind("application/json", 0) != 0)
    return;
  auto j = nlohmann::json::parse(res.body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("error") ||
      !j["error"].is_object())
    return;
  j["error"]["request_id"] = id;
  res.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// What a client that speaks plain HTTP to the TLS port reads.
std::string plain_to_tls_answer(const std::string& id) {
  http_response res{
    400,
    "application/json",
    error_body("invalid_argument",
               "this port speaks HTTPS: use https:// (plain HTTP was sent)"),
    {}};
  stamp_error(res, id);
  return "HTTP/1.1 400 Bad Request\r\nServer: outrigger\r\nContent-Type: "
         "application/json\r\nConnection: close\r\nX-Request-Id: " +
         id + "\r\nContent-Length: " + std::to_string(res.body.size()) +
         "\r\n\r\n" + res.body;
}

// One connection: read a request, hand it over, write the answer, repeat.
// With TLS (Stream = ssl::stream), the first bytes decide: a TLS handshake,
// or a plain HTTP request that is answered 400 and closed.
template <class Stream>
class session : public session_base,
                public std::enable_shared_from_this<session<Stream>> {
public:
  static constexpr bool tls = !std::is_same_v<Stream, tcp::socket>;

  template <class... Ts>
  session(std::shared_ptr<http_server::impl> srv, Ts&&... xs)
    : srv_(std::move(srv)), stream_(std::forward<Ts>(xs)...),
      timer_(srv_->ioc) {
    error_code ec;
    auto peer = socket().remote_endpoint(ec);
    if (!ec)
      client_ = peer.address().to_string() + ":" + std::to_string(peer.port());
  }

  void start() {
    if constexpr (tls)
      detect();
    else
      read();
  }

  void close() override {
    if (closed_)
      return;
    closed_ = true;
    error_code ignored;
    timer_.cancel(ignored);
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
    srv_->sessions.erase(this->shared_from_this());
  }

  // Answers and closes (refused connections).
  void refuse(http_response res) {
    keep_alive_ = false;
    if constexpr (tls) {
      // Nothing was said yet, not even TLS: just close.
      close();
    } else {
      write(std::move(res), "", srv_->request_id());
    }
  }

private:
  tcp::socket& socket() { return beast::get_lowest_layer(stream_); }

  void arm_idle() {
    timer_.expires_after(srv_->opts.idle_timeout);
    timer_.async_wait([self = this->shared_from_this()](error_code ec) {
      if (!ec)
        self->close();
    });
  }

  void detect() {
    waiting_since = std::chrono::steady_clock::now();
    arm_idle();
    beast::async_detect_ssl(
      socket(), buffer_,
      [self = this->shared_from_this()](error_code ec, bool is_tls) {
        if (ec || self->closed_)
          return self->close();
        if (is_tls)
          return self->handshake();
        auto answer = std::make_shared<std::string>(
          plain_to_tls_answer(self->srv_->request_id()));
        asio::async_write(self->socket(), asio::buffer(*answer),
                          [self, answer](error_code ec, std::size_t) {
                            if (ec)
                              return self->close();
                            // Closing with unread bytes would reset the
                            // connection before the client reads the
                            // answer: end our side, drain until it closes
                            // (the idle timer bounds the wait).
                            error_code ignored;
                            self->socket().shutdown(tcp::socket::shutdown_send,
                                                    ignored);
                            self->drain();
                          });
      });
  }

  void drain() {
    buffer_.consume(buffer_.size());
    socket().async_read_some(
      buffer_.prepare(4096),
      [self = this->shared_from_this()](error_code ec, std::size_t) {
        if (ec || self->closed_)
          return self->close();
        self->drain();
      });
  }

  void handshake() {
    if constexpr (tls) {
      stream_.async_handshake(
        ssl::stream_base::server, buffer_.data(),
        [self = this->shared_from_this()](error_code ec, std::size_t used) {
          if (ec || self->closed_) {
            // A failed handshake (no client certificate, untrusted one):
            // the client's TLS library reports why.
            log::debug("api", "TLS handshake failed",
                       {{"client", self->client_}, {"error", ec.message()}});
            return self->close();
          }
          self->buffer_.consume(used);
          self->read();
        });
    }
  }

  void read() {
    if (closed_)
      return;
    parser_.emplace();
    parser_->body_limit(srv_->opts.max_body);
    parser_->header_limit(static_cast<std::uint32_t>(srv_->opts.max_header));
    waiting_since = std::chrono::steady_clock::now();
    arm_idle();
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](
                       error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    error_code ignored;
    timer_.cancel(ignored);
    waiting_since.reset();
    if (closed_)
      return;
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset ||
        ec == ssl::error::stream_truncated) {
      close();
      return;
    }
    keep_alive_ = false; // errors close after the answer
    auto id = srv_->request_id();
    if (ec == http::error::body_limit) {
      write(json_error(413, "payload_too_large",
                       "the body exceeds " +
                         std::to_string(srv_->opts.max_body) + " bytes"),
            "", id);
      return;
    }
    // A header past the buffer's room is as much too large as one past
    // the parser's limit.
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      write(json_error(431, "header_too_large",
                       "the request headers exceed " +
                         std::to_string(srv_->opts.max_header) + " bytes"),
            "", id);
      return;
    }
    if (ec) {
      write(json_error(400, "invalid_argument",
                       "malformed HTTP request: " + ec.message()),
            "", id);
      return;
    }
    auto msg = parser_->release();
    keep_alive_ = msg.keep_alive();
    http_request req;
    req.request_id = id;
    req.client = client_;
    req.method = std::string{msg.method_string()};
    std::string target{msg.target()};
    auto q = target.find('?');
    req.path = url_decode(target.substr(0, q));
    if (q != std::string::npos)
      parse_query(target.substr(q + 1), req.query);
    req.content_type = std::string{msg[http::field::content_type]};
    req.authorization = std::string{msg[http::field::authorization]};
    req.if_none_match = std::string{msg[http::field::if_none_match]};
    req.body = std::move(msg.body());
    auto path = req.path;
    if (!srv_->take_token()) {
      write(json_error(429, "too_many_requests",
                       "more than " +
                         std::to_string(static_cast<long long>(
                           srv_->opts.max_requests_per_second)) +
                         " requests per second"),
            path, id);
      return;
    }
    // The handler may answer from another thread: hop back onto ours.
    auto weak = std::weak_ptr<session>(this->shared_from_this());
    srv_->handler(
      std::move(req), [weak, gate = srv_->gate, path, id](http_response res) {
        gate->post([weak, res = std::move(res), path, id]() mutable {
          if (auto self = weak.lock())
            self->write(std::move(res), path, id);
        });
      });
  }

  void write(http_response res, const std::string& path,
             const std::string& id) {
    if (closed_)
      return;
    if (srv_->opts.on_response)
      srv_->opts.on_response(path, res.status);
    stamp_error(res, id);
    if (res.status >= 500)
      log::warn("api", "request failed",
                {{"request_id", id}, {"path", path}, {"status", res.status}});
    auto msg = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(res.status), 11);
    msg->set(http::field::server, "outrigger");
    msg->set(http::field::content_type, res.content_type);
    msg->set("X-Request-Id", id);
    for (auto& [k, v] : res.headers)
      msg->set(k, v);
    msg->body() = std::move(res.body);
    msg->keep_alive(keep_alive_);
    msg->prepare_payload();
    http::async_write(
      stream_, *msg,
      [self = this->shared_from_this(), msg](error_code ec, std::size_t) {
        if (ec || !self->keep_alive_)
          self->close();
        else
          self->read();
      });
  }

  std::shared_ptr<http_server::impl> srv_;
  Stream stream_;
  asio::steady_timer timer_;
  // Room for the largest header allowed, so that the header limit (431)
  // and not the buffer (400) decides.
  beast::flat_buffer buffer_{srv_->opts.max_header + 8192};
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string client_;
  bool keep_alive_ = true;
  bool closed_ = false;
};

using plain_session = session<tcp::socket>;
using tls_session = session<ssl::stream<tcp::socket>>;

} // namespace

void http_server::impl::do_accept() {
  if (!accepting)
    return;
  acceptor.async_accept([self = shared_from_this()](error_code ec,
                                                    tcp::socket socket) {
    if (!self->accepting)
      return;
    if (!ec) {
      auto go = [&](auto s) {
        if (self->sessions.size() >= self->opts.max_connections)
          self->evict_one_waiting();
        self->sessions.insert(s);
        if (self->sessions.size() > self->opts.max_connections)
          s->refuse(json_error(503, "unavailable",
                               "too many open connections (" +
                                 std::to_string(self->opts.max_connections) +
                                 ")"));
        else
          s->start();
      };
      if (self->tls)
        go(std::make_shared<tls_session>(self, std::move(socket), *self->tls));
      else
        go(std::make_shared<plain_session>(self, std::move(socket)));
    }
    self->do_accept();
  });
}

http_server::http_server(asio::io_context& ioc, http_server_options options,
                         http_handler handler)
  : impl_(std::make_shared<impl>(ioc, std::move(options), std::move(handler))) {
}

http_server::~http_server() {
  impl_->gate->close(); // before the io_context goes (see reply_gate)
}

std::uint16_t http_server::start() {
  if (impl_->opts.tls)
    impl_->tls = make_server_tls_context(*impl_->opts.tls);
  auto& a = impl_->acceptor;
  error_code ec;
  auto addr = asio::ip::make_address(impl_->opts.address, ec);
  if (ec)
    throw std::runtime_error("--listen: bad address \"" + impl_->opts.address +
                             "\"");
  tcp::endpoint ep{addr, impl_->opts.port};
  a.open(ep.protocol(), ec);
  if (!ec)
    a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    a.bind(ep, ec);
  if (!ec)
    a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error(
      "--listen: cannot listen on " + impl_->opts.address + ":" +
      std::to_string(impl_->opts.port) + ": " + ec.message());
  impl_->accepting = true;
  impl_->do_accept();
  return a.local_endpoint().port();
}

std::string http_server::reload_tls() {
  if (!impl_->opts.tls)
    return {};
  std::shared_ptr<ssl::context> next;
  try {
    next = make_server_tls_context(*impl_->opts.tls);
  } catch (const std::exception& e) {
    return e.what();
  }
  asio::post(impl_->ioc, [i = impl_, next] { i->tls = next; });
  return {};
}

void http_server::stop_accepting() {
  asio::post(impl_->ioc, [i = impl_] {
    i->accepting = false;
    error_code ignored;
    i->acceptor.close(ignored);
  });
}

void http_server::close() {
  asio::post(impl_->ioc, [i = impl_] {
    i->accepting = false;
    error_code ignored;
    i->acceptor.close(ignored);
    auto sessions = i->sessions;
    for (auto& s : sessions)
      s->close();
  });
}

} // namespace outrigger::app
