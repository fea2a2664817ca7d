#include "app/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <openssl/ssl.h>

namespace outrigger::app {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;

namespace {

// Writes the request and reads the answer on a connected stream.
template <class Stream>
void exchange(Stream& stream, const std::string& host,
              const std::string& method, const std::string& target,
              const std::string& body, const std::string& token,
              const std::string& content_type, client_response& out) {
  http::request<http::string_body> req{http::string_to_verb(method), target,
                                       11};
  req.set(http::field::host, host);
  req.set(http::field::user_agent, "outrigger-cli");
  if (!token.empty())
    req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) {
    req.set(http::field::content_type, content_type);
    req.body() = body;
  }
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u << 20);
  http::read(stream, buffer, parser);
  out.status = parser.get().result_int();
  out.body = parser.get().body();
  for (auto& f : parser.get())
    out.headers.emplace_back(std::string{f.name_string()},
                             std::string{f.value()});
}

std::shared_ptr<ssl::context> client_context(const client_tls& tls,
                                             const std::string& host) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                   ssl::context::no_tlsv1_1);
  if (tls.insecure) {
    ctx->set_verify_mode(ssl::verify_none);
  } else {
    ctx->set_verify_mode(ssl::verify_peer);
    if (tls.ca_file.empty())
      ctx->set_default_verify_paths();
    else
      ctx->load_verify_file(tls.ca_file);
    ctx->set_verify_callback(ssl::host_name_verification(host));
  }
  if (!tls.cert_file.empty()) {
    ctx->use_certificate_chain_file(tls.cert_file);
    ctx->use_private_key_file(
      tls.key_file.empty() ? tls.cert_file : tls.key_file, ssl::context::pem);
  }
  return ctx;
}

// What to try when TLS failed, from OpenSSL's reason.
std::string tls_hint(const std::string& what) {
  if (what.find("certificate verify failed") != std::string::npos)
    return " (the API's certificate is not trusted: give its CA with "
           "--ca-file FILE, or --insecure to skip the check)";
  if (what.find("wrong version number") != std::string::npos ||
      what.find("packet length too long") != std::string::npos)
    return " (does the API speak HTTPS? try http://)";
  if (what.find("alert") != std::string::npos ||
      what.find("stream truncated") != std::string::npos ||
      what.find("end of stream") != std::string::npos)
    return " (the API refused the TLS connection: does it need a client "
           "certificate? give --client-cert and --client-key)";
  return {};
}

} // namespace

std::string client_response::header(const std::string& name) const {
  for (auto& [k, v] : headers)
    if (beast::iequals(k, name))
      return v;
  return {};
}

client_response http_call(const std::string& base, const std::string& method,
                          const std::string& target, const std::string& body,
                          const std::string& token,
                          std::chrono::seconds timeout,
                          const std::string& content_type,
                          const client_tls& tls) {
  client_response out;
  std::string rest = base;
  bool https = false;
  if (rest.rfind("http://", 0) == 0) {
    rest = rest.substr(7);
  } else if (rest.rfind("https://", 0) == 0) {
    rest = rest.substr(8);
    https = true;
  } else if (rest.find("://") != std::string::npos) {
    out.error = "only http:// and https:// API URLs are supported: " + base;
    return out;
  }
  while (!rest.empty() && rest.back() == '/')
    rest.pop_back();
  auto colon = rest.rfind(':');
  std::string host = colon == std::string::npos ? rest : rest.substr(0, colon);
  std::string port = colon == std::string::npos ? (https ? "443" : "80")
                                                : rest.substr(colon + 1);
  try {
    asio::io_context ioc;
    asio::ip::tcp::resolver resolver{ioc};
    if (!https) {
      beast::tcp_stream stream{ioc};
      stream.expires_after(timeout);
      stream.connect(resolver.resolve(host, port));
      exchange(stream, host, method, target, body, token, content_type, out);
      beast::error_code ignored;
      stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      return out;
    }
    auto ctx = client_context(tls, host);
    ssl::stream<beast::tcp_stream> stream{ioc, *ctx};
    beast::error_code ec;
    asio::ip::make_address(host, ec);
    if (ec) // SNI for names, not for addresses
      SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
    beast::get_lowest_layer(stream).expires_after(timeout);
    beast::get_lowest_layer(stream).connect(resolver.resolve(host, port));
    stream.handshake(ssl::stream_base::client);
    exchange(stream, host, method, target, body, token, content_type, out);
    beast::error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(
      asio::ip::tcp::socket::shutdown_both, ignored);
  } catch (const std::exception& e) {
    std::string what = e.what();
    out.status = 0;
    out.error = "cannot reach the outrigger API at " + base + ": " + what +
                (https ? tls_hint(what) : "");
  }
  return out;
}

} // namespace outrigger::app
