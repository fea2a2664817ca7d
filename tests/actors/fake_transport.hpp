#pragma once
// A transport that records what master_link asks of it; tests play the
// master by sending the transport's messages to the link themselves.

#include "actors/master_link/transport.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace outrigger::test {

/// Records every request of the link.
struct fake_transport : link::transport {
  struct opened {
    std::uint64_t gen;
    link::master_url url;
    std::string body;
  };
  struct sent {
    std::uint64_t id;
    link::master_url url;
    std::string stream_id;
    std::string body;
  };

  link_transport_sink_actor sink; ///< the link, to inject results
  std::vector<opened> opens;
  std::vector<std::uint64_t> closes;
  std::vector<sent> calls;
  std::vector<std::uint64_t> cancels;
  std::vector<sent> acks; ///< fire-and-forget calls (id 0)
  int shutdowns = 0;

  void open_stream(std::uint64_t gen, const link::master_url& url,
                   std::string body) override {
    opens.push_back({gen, url, std::move(body)});
  }
  void close_stream(std::uint64_t gen) override { closes.push_back(gen); }
  void send_call(std::uint64_t id, const link::master_url& url,
                 const std::string& stream_id, std::string body) override {
    calls.push_back({id, url, stream_id, std::move(body)});
  }
  void send_acks(const link::master_url& url, const std::string& stream_id,
                 encoded_calls_ptr batch) override {
    for (auto& body : batch->bodies)
      acks.push_back({0, url, stream_id, body});
  }
  void cancel_call(std::uint64_t id) override { cancels.push_back(id); }
  void shutdown() override { ++shutdowns; }
};

/// A factory handing out `t` (and telling it where its sink is).
inline link::transport_factory
factory_of(const std::shared_ptr<fake_transport>& t) {
  return [t](link_transport_sink_actor sink) -> link::transport_ptr {
    t->sink = sink;
    return t;
  };
}

} // namespace outrigger::test
