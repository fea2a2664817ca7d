#pragma once
// What the sessions of one HTTP transport share, for http_transport.cpp and
// its detail headers only (Beast stays in that one translation unit).

#include "actors/master_link/detail/http_connection.hpp"
#include "actors/master_link/http_transport.hpp"

#include <boost/beast/http.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace outrigger::link::detail {

namespace http = boost::beast::http;

class stream_session;
class call_session;
class ack_pipeline;

/// What the sessions of one transport share; touched only on the strand.
struct core {
  core(asio::io_context& ioc, http_transport_config config,
       std::shared_ptr<ssl::context> tls_ctx, link_transport_sink_actor snk)
    : strand(asio::make_strand(ioc)), cfg(std::move(config)),
      tls(std::move(tls_ctx)), sink(std::move(snk)) {
    if (cfg.auth)
      authorization = cfg.auth->basic_authorization();
  }

  strand_type strand;
  http_transport_config cfg;
  std::shared_ptr<ssl::context> tls;
  link_transport_sink_actor sink;
  std::string authorization; // "Basic ..." or empty; never logged
  std::map<std::uint64_t, std::shared_ptr<stream_session>> streams;
  std::map<std::uint64_t, std::shared_ptr<call_session>> calls;
  std::multimap<std::string, std::shared_ptr<connection>> idle;
  // Fire-and-forget connections by master origin, and where the next
  // batch starts.
  std::map<std::string, std::vector<std::shared_ptr<ack_pipeline>>> acks;
  std::size_t next_ack_pipeline = 0;
  bool down = false;

  std::shared_ptr<connection> new_connection(const master_url& url) {
    return std::make_shared<connection>(strand, tls.get(), cfg.tls_verify, url);
  }

  // An idle keep-alive connection to `url`'s master that is still usable.
  std::shared_ptr<connection> take_idle(const master_url& url) {
    auto range = idle.equal_range(url.origin());
    for (auto i = range.first; i != range.second;) {
      auto conn = i->second;
      i = idle.erase(i);
      if (conn->reusable())
        return conn;
      conn->close();
    }
    return nullptr;
  }

  // Returns a connection to the idle pool (or closes it).
  void release(std::shared_ptr<connection> conn) {
    auto key = conn->url().origin();
    if (down || idle.count(key) >= cfg.max_idle_connections) {
      conn->close();
      return;
    }
    idle.emplace(std::move(key), std::move(conn));
  }

  // A POST of `body` to `url` with the headers every call needs.
  http::request<http::string_body> request(const master_url& url,
                                           std::string body) const {
    http::request<http::string_body> req{http::verb::post, url.target, 11};
    req.set(http::field::host, url.host_port());
    req.set(http::field::content_type, "application/json");
    req.set(http::field::accept, "application/json");
    req.set(http::field::user_agent, cfg.user_agent);
    if (!authorization.empty())
      req.set(http::field::authorization, authorization);
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
  }

  // The same request as text, appended to `out`: pipelined calls are
  // written hundreds at a time, and serializing each through Beast would
  // cost more than the call.
  void append_request(std::string& out, const master_url& url,
                      const std::string& stream_id,
                      const std::string& body) const {
    out += "POST ";
    out += url.target;
    out += " HTTP/1.1\r\nHost: ";
    out += url.host_port();
    out += "\r\nContent-Type: application/json\r\nAccept: "
           "application/json\r\nUser-Agent: ";
    out += cfg.user_agent;
    if (!authorization.empty()) {
      out += "\r\nAuthorization: ";
      out += authorization;
    }
    out += "\r\nMesos-Stream-Id: ";
    out += stream_id;
    out += "\r\nContent-Length: ";
    out += std::to_string(body.size());
    out += "\r\n\r\n";
    out += body;
  }
};

} // namespace outrigger::link::detail
