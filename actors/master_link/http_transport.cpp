// The Beast transport of master_link: the only translation unit of actors/
// that includes Beast and Asio. Everything of one transport runs on one
// strand; results go to the link with anon_send, never blocking.

#include "actors/master_link/http_transport.hpp"

#include "actors/error.hpp"
#include "actors/log.hpp"
#include "actors/master_link/detail/ack_pipeline.hpp"
#include "actors/master_link/detail/transport_core.hpp"
#include "protocol/codec.hpp"
#include "protocol/recordio.hpp"

#include <caf/send.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http.hpp>

#include <map>

namespace outrigger::link {

namespace detail {

namespace {
constexpr std::string_view component = "http_transport";
} // namespace

// -- the SUBSCRIBE stream -----------------------------------------------------

/// One SUBSCRIBE request and, after a 200, its endless chunked body.
class stream_session : public std::enable_shared_from_this<stream_session> {
public:
  stream_session(std::shared_ptr<core> c, std::uint64_t gen, master_url url,
                 std::string body)
    : core_(std::move(c)), gen_(gen), url_(std::move(url)),
      req_(core_->request(url_, std::move(body))),
      decoder_(core_->cfg.max_record_size) {
    // nop
  }

  void start() {
    conn_ = core_->new_connection(url_);
    auto self = shared_from_this();
    conn_->connect([self](error_code ec, const char* step) {
      if (self->finished_)
        return;
      if (ec)
        return self->end(false, describe(step, self->url_, ec));
      self->conn_->visit([&](auto& s) {
        http::async_write(s, self->req_, [self](error_code ec, std::size_t) {
          self->on_write(ec);
        });
      });
    });
  }

  /// Closed by the link: nothing more is reported.
  void stop() {
    finished_ = true;
    if (conn_)
      conn_->close();
  }

private:
  void on_write(error_code ec) {
    if (finished_)
      return;
    if (ec)
      return end(false, describe("write to", url_, ec));
    head_.emplace();
    auto self = shared_from_this();
    conn_->visit([&](auto& s) {
      http::async_read_header(
        s, buf_, *head_,
        [self](error_code ec, std::size_t) { self->on_header(ec); });
    });
  }

  void on_header(error_code ec) {
    if (finished_)
      return;
    if (ec)
      return end(false, describe("read response from", url_, ec));
    auto& res = head_->get();
    auto self = shared_from_this();
    if (res.result_int() != 200) {
      // 307, 503, 401...: read the (short) body, then report the head.
      error_body_.emplace(std::move(*head_));
      error_body_->body_limit(64 * 1024);
      conn_->visit([&](auto& s) {
        http::async_read(
          s, buf_, *error_body_,
          [self](error_code ec, std::size_t) { self->on_error_body(ec); });
      });
      return;
    }
    if (!head_->chunked())
      return end(false, "the SUBSCRIBE response from " + url_.origin() +
                          " is not chunked");
    stream_head head;
    head.gen = gen_;
    head.status = 200;
    head.stream_id = std::string{res["Mesos-Stream-Id"]};
    caf::anon_send(core_->sink, atom::stream_hd_v, std::move(head));
    // The body never ends while subscribed: no limit, and every chunk goes
    // straight to the RecordIO decoder instead of into a body.
    head_->body_limit(boost::none);
    on_chunk_ = [this](std::uint64_t, boost::string_view body, error_code& ec) {
      return on_chunk(body, ec);
    };
    head_->on_chunk_body(on_chunk_);
    conn_->visit([&](auto& s) {
      http::async_read(s, buf_, *head_, [self](error_code ec, std::size_t) {
        self->on_body(ec);
      });
    });
  }

  // Feeds one piece of chunk data (split anywhere) to the decoder; every
  // complete record is decoded here, on the I/O thread, and sent on.
  std::size_t on_chunk(boost::string_view body, error_code& ec) {
    if (finished_) {
      ec = asio::error::operation_aborted;
      return 0;
    }
    std::string_view data{body.data(), body.size()};
    auto ok = decoder_.feed(data, [this](std::string_view record) {
      if (!protocol_error_.empty())
        return;
      auto event = protocol::decode_event(record);
      if (!event) {
        protocol_error_ = "undecodable event: " + event.error().to_string();
        return;
      }
      caf::anon_send(
        core_->sink, atom::stream_ev_v, gen_,
        std::make_shared<const protocol::Event>(std::move(*event)));
    });
    if (!ok && protocol_error_.empty())
      protocol_error_ = "bad RecordIO framing: " + decoder_.error();
    if (!protocol_error_.empty())
      ec = http::error::bad_chunk;
    return body.size();
  }

  void on_body(error_code ec) {
    if (finished_)
      return;
    if (!protocol_error_.empty())
      return end(false, "protocol error from " + url_.origin() + ": " +
                          protocol_error_);
    if (ec)
      return end(false,
                 "stream from " + url_.origin() + " cut: " + ec.message());
    end(true, "the master at " + url_.origin() + " ended the stream");
  }

  void on_error_body(error_code ec) {
    if (finished_)
      return;
    auto& res = error_body_->get();
    stream_head head;
    head.gen = gen_;
    head.status = static_cast<std::uint16_t>(res.result_int());
    head.location = std::string{res[http::field::location]};
    if (!ec)
      head.body = res.body().substr(0, 4096);
    caf::anon_send(core_->sink, atom::stream_hd_v, std::move(head));
    finished_ = true; // a non-200 head ends the attempt: no stream_end
    forget();
  }

  void end(bool clean, std::string reason) {
    if (finished_)
      return;
    finished_ = true;
    caf::anon_send(core_->sink, atom::stream_end_v,
                   stream_closed{gen_, clean, std::move(reason)});
    forget();
  }

  void forget() {
    if (conn_)
      conn_->close();
    auto i = core_->streams.find(gen_);
    if (i != core_->streams.end() && i->second.get() == this)
      core_->streams.erase(i);
  }

  std::shared_ptr<core> core_;
  std::uint64_t gen_;
  master_url url_;
  http::request<http::string_body> req_;
  std::shared_ptr<connection> conn_;
  beast::flat_buffer buf_;
  std::optional<http::response_parser<http::empty_body>> head_;
  std::optional<http::response_parser<http::string_body>> error_body_;
  std::function<std::size_t(std::uint64_t, boost::string_view, error_code&)>
    on_chunk_;
  protocol::recordio_decoder decoder_;
  std::string protocol_error_;
  bool finished_ = false;
};

// -- calls --------------------------------------------------------------------

/// One call on a keep-alive call connection.
class call_session : public std::enable_shared_from_this<call_session> {
public:
  call_session(std::shared_ptr<core> c, std::uint64_t id, master_url url,
               const std::string& stream_id, std::string body)
    : core_(std::move(c)), id_(id), url_(std::move(url)),
      req_(core_->request(url_, std::move(body))) {
    req_.set("Mesos-Stream-Id", stream_id);
  }

  void start() {
    if ((conn_ = core_->take_idle(url_)))
      return send();
    conn_ = core_->new_connection(url_);
    auto self = shared_from_this();
    conn_->connect([self](error_code ec, const char* step) {
      if (self->done_)
        return;
      if (ec)
        return self->fail(describe(step, self->url_, ec));
      self->send();
    });
  }

  /// Abandoned by the link (timeout): the connection is closed.
  void cancel() {
    done_ = true;
    if (conn_)
      conn_->close();
  }

private:
  void send() {
    auto self = shared_from_this();
    conn_->visit([&](auto& s) {
      http::async_write(s, req_, [self](error_code ec, std::size_t) {
        if (self->done_)
          return;
        if (ec)
          return self->fail(describe("write to", self->url_, ec));
        self->receive();
      });
    });
  }

  void receive() {
    parser_.emplace();
    parser_->body_limit(core_->cfg.max_call_body);
    auto self = shared_from_this();
    conn_->visit([&](auto& s) {
      http::async_read(s, buf_, *parser_, [self](error_code ec, std::size_t) {
        if (self->done_)
          return;
        if (ec)
          return self->fail(describe("read response from", self->url_, ec));
        auto res = self->parser_->release();
        call_result result;
        result.id = self->id_;
        result.status = static_cast<std::uint16_t>(res.result_int());
        result.body = std::move(res.body());
        self->finish(std::move(result), res.keep_alive());
      });
    });
  }

  void fail(std::string error) {
    call_result result;
    result.id = id_;
    result.error = std::move(error);
    finish(std::move(result), false);
  }

  void finish(call_result result, bool keep) {
    if (done_)
      return;
    done_ = true;
    caf::anon_send(core_->sink, atom::call_done_v, std::move(result));
    auto i = core_->calls.find(id_);
    if (i != core_->calls.end() && i->second.get() == this)
      core_->calls.erase(i);
    if (keep && buf_.size() == 0)
      core_->release(std::move(conn_));
    else
      conn_->close();
  }

  std::shared_ptr<core> core_;
  std::uint64_t id_;
  master_url url_;
  http::request<http::string_body> req_;
  std::shared_ptr<connection> conn_;
  beast::flat_buffer buf_;
  std::optional<http::response_parser<http::string_body>> parser_;
  bool done_ = false;
};

} // namespace detail

namespace {

using namespace detail;

// -- the transport ------------------------------------------------------------

class http_transport final : public transport {
public:
  http_transport(asio::io_context& ioc, http_transport_config cfg,
                 std::shared_ptr<ssl::context> tls,
                 link_transport_sink_actor sink)
    : core_(std::make_shared<core>(ioc, std::move(cfg), std::move(tls),
                                   std::move(sink))) {
    // nop
  }

  ~http_transport() override { shutdown(); }

  void open_stream(std::uint64_t gen, const master_url& url,
                   std::string body) override {
    asio::post(core_->strand, [c = core_, gen, url, b = std::move(body)]() {
      if (c->down)
        return;
      auto s = std::make_shared<stream_session>(c, gen, url, b);
      c->streams[gen] = s;
      s->start();
    });
  }

  void close_stream(std::uint64_t gen) override {
    asio::post(core_->strand, [c = core_, gen] {
      auto i = c->streams.find(gen);
      if (i == c->streams.end())
        return;
      auto s = i->second;
      c->streams.erase(i);
      s->stop();
      // Calls of the old subscription would only be refused (wrong
      // Mesos-Stream-Id): count them lost, free the connections.
      auto acks = std::move(c->acks);
      c->acks.clear();
      for (auto& [origin, lines] : acks)
        for (auto& p : lines)
          p->fail("the subscription ended");
    });
  }

  void send_call(std::uint64_t id, const master_url& url,
                 const std::string& stream_id, std::string body) override {
    asio::post(
      core_->strand, [c = core_, id, url, stream_id, b = std::move(body)]() {
        if (c->down)
          return;
        auto s = std::make_shared<call_session>(c, id, url, stream_id, b);
        c->calls[id] = s;
        s->start();
      });
  }

  void send_acks(const master_url& url, const std::string& stream_id,
                 encoded_calls_ptr calls) override {
    asio::post(core_->strand, [c = core_, url, stream_id, calls] {
      if (c->down || !calls || calls->bodies.empty())
        return;
      auto& lines = c->acks[url.origin()];
      while (lines.size() < std::max<std::size_t>(1, c->cfg.ack_connections))
        lines.push_back(std::make_shared<ack_pipeline>(c, url));
      // Spread the batch over the connections, starting with a different
      // one each time so that small batches spread too.
      auto n = calls->bodies.size();
      auto k = lines.size();
      auto per = (n + k - 1) / k;
      for (std::size_t i = 0, j = c->next_ack_pipeline++; i < n; i += per, ++j)
        lines[j % k]->add(stream_id, calls, i, std::min(n, i + per));
    });
  }

  void cancel_call(std::uint64_t id) override {
    asio::post(core_->strand, [c = core_, id] {
      auto i = c->calls.find(id);
      if (i == c->calls.end())
        return;
      auto s = i->second;
      c->calls.erase(i);
      s->cancel();
    });
  }

  void shutdown() override {
    asio::post(core_->strand, [c = core_] {
      if (c->down)
        return;
      c->down = true;
      auto streams = std::move(c->streams);
      auto calls = std::move(c->calls);
      c->streams.clear();
      c->calls.clear();
      for (auto& [gen, s] : streams)
        s->stop();
      for (auto& [id, s] : calls)
        s->cancel();
      for (auto& [key, conn] : c->idle)
        conn->close();
      c->idle.clear();
      for (auto& [origin, lines] : c->acks)
        for (auto& p : lines)
          p->stop();
      c->acks.clear();
    });
  }

private:
  std::shared_ptr<core> core_;
};

caf::error tls_error(const std::string& what, const error_code& ec) {
  return caf::make_error(ec::bad_config, what + ": " + ec.message());
}

} // namespace

caf::expected<transport_factory>
make_http_transport(boost::asio::io_context& ioc, http_transport_config cfg) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                   ssl::context::no_tlsv1_1);
  error_code ec;
  if (cfg.tls_verify) {
    ctx->set_verify_mode(ssl::verify_peer, ec);
    if (!cfg.ca_file.empty())
      ctx->load_verify_file(cfg.ca_file, ec);
    else
      ctx->set_default_verify_paths(ec);
    if (ec)
      return tls_error(
        "cannot load the CA certificates" +
          (cfg.ca_file.empty() ? std::string{} : " from '" + cfg.ca_file + "'"),
        ec);
    if (!cfg.ca_path.empty()) {
      ctx->add_verify_path(cfg.ca_path, ec);
      if (ec)
        return tls_error("cannot use the CA directory '" + cfg.ca_path + "'",
                         ec);
    }
  } else {
    ctx->set_verify_mode(ssl::verify_none, ec);
    log::warn(component, "TLS certificate verification is disabled by "
                         "configuration");
  }
  return transport_factory{
    [&ioc, cfg = std::move(cfg), ctx](link_transport_sink_actor sink) {
      return std::static_pointer_cast<transport>(
        std::make_shared<http_transport>(ioc, cfg, ctx, std::move(sink)));
    }};
}

} // namespace outrigger::link
