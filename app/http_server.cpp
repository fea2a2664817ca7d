#include "app/http_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <nlohmann/json.hpp>

#include <set>
#include <stdexcept>

namespace outrigger::app {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

std::string error_body(const std::string& code, const std::string& message,
                       const std::string& field) {
  nlohmann::json e{{"code", code}, {"message", message}};
  if (!field.empty())
    e["field"] = field;
  return nlohmann::json{{"error", std::move(e)}}.dump();
}

std::string url_decode(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() &&
               std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

class session;

} // namespace

struct http_server::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& ioc, http_server_options o, http_handler h)
    : ioc(ioc), opts(std::move(o)), handler(std::move(h)), acceptor(ioc),
      tokens(opts.max_requests_per_second),
      refill_at(std::chrono::steady_clock::now()) {}

  asio::io_context& ioc;
  http_server_options opts;
  http_handler handler;
  tcp::acceptor acceptor;
  std::set<std::shared_ptr<session>> sessions;
  bool accepting = false;
  double tokens;
  std::chrono::steady_clock::time_point refill_at;

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

  void do_accept();
};

namespace {

http_response json_error(unsigned status, const std::string& code,
                         const std::string& message) {
  return http_response{
    status, "application/json", error_body(code, message), {}};
}

// One connection: read a request, hand it over, write the answer, repeat.
class session : public std::enable_shared_from_this<session> {
public:
  session(std::shared_ptr<http_server::impl> srv, tcp::socket socket)
    : srv_(std::move(srv)), socket_(std::move(socket)), timer_(srv_->ioc) {}

  void start() { read(); }

  void close() {
    if (closed_)
      return;
    closed_ = true;
    error_code ignored;
    timer_.cancel(ignored);
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    srv_->sessions.erase(shared_from_this());
  }

  // Answers and closes (refused connections).
  void refuse(http_response res) {
    keep_alive_ = false;
    write(std::move(res), "");
  }

private:
  void arm_idle() {
    timer_.expires_after(srv_->opts.idle_timeout);
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec)
        self->close();
    });
  }

  void read() {
    if (closed_)
      return;
    parser_.emplace();
    parser_->body_limit(srv_->opts.max_body);
    parser_->header_limit(static_cast<std::uint32_t>(srv_->opts.max_header));
    arm_idle();
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](error_code ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(error_code ec) {
    error_code ignored;
    timer_.cancel(ignored);
    if (closed_)
      return;
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset) {
      close();
      return;
    }
    keep_alive_ = false; // errors close after the answer
    if (ec == http::error::body_limit) {
      write(json_error(413, "payload_too_large",
                       "the body exceeds " +
                         std::to_string(srv_->opts.max_body) + " bytes"),
            "");
      return;
    }
    if (ec == http::error::header_limit) {
      write(json_error(431, "header_too_large",
                       "the request headers exceed " +
                         std::to_string(srv_->opts.max_header) + " bytes"),
            "");
      return;
    }
    if (ec) {
      write(json_error(400, "invalid_argument",
                       "malformed HTTP request: " + ec.message()),
            "");
      return;
    }
    auto msg = parser_->release();
    keep_alive_ = msg.keep_alive();
    http_request req;
    req.method = std::string{msg.method_string()};
    std::string target{msg.target()};
    auto q = target.find('?');
    req.path = url_decode(target.substr(0, q));
    if (q != std::string::npos) {
      auto rest = target.substr(q + 1);
      std::size_t pos = 0;
      while (pos <= rest.size()) {
        auto amp = rest.find('&', pos);
        auto part = rest.substr(
          pos, amp == std::string::npos ? std::string::npos : amp - pos);
        if (!part.empty()) {
          auto eq = part.find('=');
          req.query[url_decode(part.substr(0, eq))] =
            eq == std::string::npos ? "" : url_decode(part.substr(eq + 1));
        }
        if (amp == std::string::npos)
          break;
        pos = amp + 1;
      }
    }
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
            path);
      return;
    }
    // The handler may answer from another thread: hop back onto ours.
    auto weak = std::weak_ptr<session>(shared_from_this());
    auto& ioc = srv_->ioc;
    srv_->handler(std::move(req), [weak, &ioc, path](http_response res) {
      asio::post(ioc, [weak, res = std::move(res), path]() mutable {
        if (auto self = weak.lock())
          self->write(std::move(res), path);
      });
    });
  }

  void write(http_response res, const std::string& path) {
    if (closed_)
      return;
    if (srv_->opts.on_response)
      srv_->opts.on_response(path, res.status);
    auto msg = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(res.status), 11);
    msg->set(http::field::server, "outrigger");
    msg->set(http::field::content_type, res.content_type);
    for (auto& [k, v] : res.headers)
      msg->set(k, v);
    msg->body() = std::move(res.body);
    msg->keep_alive(keep_alive_);
    msg->prepare_payload();
    http::async_write(
      socket_, *msg,
      [self = shared_from_this(), msg](error_code ec, std::size_t) {
        if (ec || !self->keep_alive_)
          self->close();
        else
          self->read();
      });
  }

  std::shared_ptr<http_server::impl> srv_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_{8192};
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  bool closed_ = false;
};

} // namespace

void http_server::impl::do_accept() {
  if (!accepting)
    return;
  acceptor.async_accept(
    [self = shared_from_this()](error_code ec, tcp::socket socket) {
      if (!self->accepting)
        return;
      if (!ec) {
        auto s = std::make_shared<session>(self, std::move(socket));
        self->sessions.insert(s);
        if (self->sessions.size() > self->opts.max_connections)
          s->refuse(json_error(503, "unavailable",
                               "too many open connections (" +
                                 std::to_string(self->opts.max_connections) +
                                 ")"));
        else
          s->start();
      }
      self->do_accept();
    });
}

http_server::http_server(asio::io_context& ioc, http_server_options options,
                         http_handler handler)
  : impl_(std::make_shared<impl>(ioc, std::move(options), std::move(handler))) {
}

http_server::~http_server() = default;

std::uint16_t http_server::start() {
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
