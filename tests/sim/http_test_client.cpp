#include "tests/sim/http_test_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <stdexcept>

namespace outrigger::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

std::optional<std::string> http_reply::header(std::string_view name) const {
  for (auto& [k, v] : headers)
    if (beast::iequals(k, beast::string_view{name.data(), name.size()}))
      return v;
  return std::nullopt;
}

std::vector<std::string> http_reply::header_names() const {
  std::vector<std::string> names;
  for (auto& [k, v] : headers)
    names.push_back(k);
  return names;
}

struct http_test_client::impl {
  asio::io_context context;
  std::chrono::milliseconds timeout;
  std::optional<ssl::context> tls;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer; // received, not yet consumed

  // Runs `op(stream, done)` to completion within the timeout.
  template <class Op>
  error_code run(Op&& op) {
    error_code result;
    bool finished = false;
    auto done = [&](error_code ec, std::size_t = 0) {
      result = ec;
      finished = true;
    };
    beast::tcp_stream& lowest = plain ? *plain : secure->next_layer();
    lowest.expires_after(timeout);
    if (secure)
      op(*secure, done);
    else
      op(*plain, done);
    context.restart();
    context.run();
    if (!finished)
      throw std::runtime_error("http_test_client: operation never finished");
    return result;
  }

  // Appends what the server sends next to `buffer`.
  error_code fill() {
    return run([&](auto& stream, auto done) {
      stream.async_read_some(buffer.prepare(16384),
                             [&, done](error_code ec, std::size_t n) {
                               buffer.commit(n);
                               done(ec);
                             });
    });
  }

  std::string pending() const {
    return beast::buffers_to_string(buffer.data());
  }

  void need_more(const char* what) {
    if (auto ec = fill())
      throw std::runtime_error(std::string{"http_test_client: "} + what + ": " +
                               ec.message());
  }
};

http_test_client::http_test_client(std::uint16_t port,
                                   std::optional<std::filesystem::path> ca_file,
                                   std::chrono::milliseconds timeout)
  : impl_(std::make_unique<impl>()) {
  impl_->timeout = timeout;
  tcp::endpoint where{asio::ip::make_address("127.0.0.1"), port};
  if (ca_file) {
    impl_->tls.emplace(ssl::context::tls_client);
    impl_->tls->load_verify_file(ca_file->string());
    impl_->tls->set_verify_mode(ssl::verify_peer);
    impl_->secure.emplace(impl_->context, *impl_->tls);
    impl_->secure->set_verify_callback(
      ssl::host_name_verification("localhost"));
    SSL_set_tlsext_host_name(impl_->secure->native_handle(), "localhost");
  } else {
    impl_->plain.emplace(impl_->context);
  }
  auto ec = impl_->run([&](auto& stream, auto done) {
    beast::get_lowest_layer(stream).async_connect(where, done);
  });
  if (ec)
    throw std::runtime_error("http_test_client: connect: " + ec.message());
  if (impl_->secure) {
    ec = impl_->run([&](auto& stream, auto done) {
      if constexpr (requires { stream.next_layer(); })
        stream.async_handshake(ssl::stream_base::client, done);
    });
    if (ec)
      throw std::runtime_error("http_test_client: handshake: " + ec.message());
  }
}

http_test_client::~http_test_client() = default;

void http_test_client::write(std::string_view bytes) {
  auto ec = impl_->run([&](auto& stream, auto done) {
    asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()), done);
  });
  if (ec)
    throw std::runtime_error("http_test_client: write: " + ec.message());
}

void http_test_client::send(
  std::string_view method, std::string_view target, std::string_view body,
  std::vector<std::pair<std::string, std::string>> headers) {
  http::request<http::string_body> req;
  req.method_string(beast::string_view{method.data(), method.size()});
  req.target(beast::string_view{target.data(), target.size()});
  req.version(11);
  req.set(http::field::host, "127.0.0.1");
  for (auto& [k, v] : headers)
    req.insert(k, v);
  req.body() = std::string{body};
  if (!body.empty() || method == "POST")
    req.prepare_payload();
  auto ec = impl_->run(
    [&](auto& stream, auto done) { http::async_write(stream, req, done); });
  if (ec)
    throw std::runtime_error("http_test_client: send: " + ec.message());
}

http_reply http_test_client::read_response() {
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u << 20);
  auto ec = impl_->run([&](auto& stream, auto done) {
    http::async_read(stream, impl_->buffer, parser, done);
  });
  if (ec)
    throw std::runtime_error("http_test_client: read_response: " +
                             ec.message());
  auto res = parser.release();
  http_reply reply;
  reply.status = res.result_int();
  reply.reason = std::string{res.reason()};
  for (auto& field : res)
    reply.headers.emplace_back(std::string{field.name_string()},
                               std::string{field.value()});
  reply.body = std::move(res.body());
  return reply;
}

http_reply http_test_client::read_head() {
  std::string head = read_until("\r\n\r\n");
  http_reply reply;
  auto line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  // "HTTP/1.1 200 OK"
  if (status_line.rfind("HTTP/1.1 ", 0) != 0 || status_line.size() < 12)
    throw std::runtime_error("http_test_client: bad status line: " +
                             status_line);
  reply.status = static_cast<unsigned>(std::stoi(status_line.substr(9, 3)));
  reply.reason = status_line.size() > 13 ? status_line.substr(13) : "";
  std::size_t pos = line_end + 2;
  while (pos < head.size() - 2) {
    auto end = head.find("\r\n", pos);
    auto line = head.substr(pos, end - pos);
    auto colon = line.find(": ");
    if (colon == std::string::npos)
      throw std::runtime_error("http_test_client: bad header line: " + line);
    reply.headers.emplace_back(line.substr(0, colon), line.substr(colon + 2));
    pos = end + 2;
  }
  return reply;
}

std::optional<std::string> http_test_client::read_chunk() {
  std::string size_line = read_until("\r\n");
  size_line.resize(size_line.size() - 2);
  if (size_line.empty() ||
      size_line.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw std::runtime_error("http_test_client: bad chunk size line '" +
                             size_line + "'");
  auto size = std::stoul(size_line, nullptr, 16);
  std::string data = read_exact(size);
  if (read_exact(2) != "\r\n")
    throw std::runtime_error("http_test_client: chunk without CRLF");
  if (size == 0)
    return std::nullopt; // "0\r\n\r\n": no trailers from a Mesos master
  return data;
}

std::string http_test_client::read_until(std::string_view delimiter) {
  for (;;) {
    auto data = impl_->pending();
    auto at = data.find(delimiter);
    if (at != std::string::npos) {
      impl_->buffer.consume(at + delimiter.size());
      return data.substr(0, at + delimiter.size());
    }
    impl_->need_more("read_until");
  }
}

std::string http_test_client::read_exact(std::size_t n) {
  while (impl_->buffer.size() < n)
    impl_->need_more("read_exact");
  auto data = impl_->pending().substr(0, n);
  impl_->buffer.consume(n);
  return data;
}

bool http_test_client::closed_by_peer(std::chrono::milliseconds timeout) {
  if (impl_->buffer.size() > 0)
    return false;
  auto saved = impl_->timeout;
  impl_->timeout = timeout;
  auto ec = impl_->fill();
  impl_->timeout = saved;
  if (!ec)
    return false; // bytes arrived
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == ssl::error::stream_truncated || ec == http::error::end_of_stream;
}

void http_test_client::close() {
  error_code ignored;
  if (impl_->plain)
    impl_->plain->socket().close(ignored);
  else
    impl_->secure->next_layer().socket().close(ignored);
}

void http_test_client::set_timeout(std::chrono::milliseconds timeout) {
  impl_->timeout = timeout;
}

} // namespace outrigger::test
