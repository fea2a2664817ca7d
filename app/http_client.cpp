#include "app/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace outrigger::app {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

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
                          const std::string& content_type) {
  client_response out;
  std::string rest = base;
  if (rest.rfind("http://", 0) == 0)
    rest = rest.substr(7);
  else if (rest.find("://") != std::string::npos) {
    out.error = "only http:// API URLs are supported: " + base;
    return out;
  }
  while (!rest.empty() && rest.back() == '/')
    rest.pop_back();
  auto colon = rest.rfind(':');
  std::string host = colon == std::string::npos ? rest : rest.substr(0, colon);
  std::string port = colon == std::string::npos ? "80" : rest.substr(colon + 1);
  try {
    asio::io_context ioc;
    asio::ip::tcp::resolver resolver{ioc};
    beast::tcp_stream stream{ioc};
    stream.expires_after(timeout);
    stream.connect(resolver.resolve(host, port));
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
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  } catch (const std::exception& e) {
    out.error = "cannot reach the outrigger API at " + base + ": " + e.what();
  }
  return out;
}

} // namespace outrigger::app
