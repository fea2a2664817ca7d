#pragma once
// One connection of sim::server, over plain TCP or TLS. Private: included by
// server.cpp only.
//
// A connection reads one request at a time and answers in order. Answers go
// to an outbox written in FIFO order, so a stream head, its chunks, the
// terminating chunk and the answers to pipelined requests after it leave in
// exactly the order they were queued. While a stream is open the connection
// keeps one read pending: it notices the client leaving, and it accepts one
// pipelined request, answered when the stream ends (TEARDOWN over
// keep-alive, mesos-wire transcripts2 item 9).

#include "sim/http_wire.hpp"
#include "sim/server_core.hpp"

#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <deque>
#include <vector>

namespace outrigger::sim::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

using plain_stream = tcp::socket;
using tls_stream = asio::ssl::stream<tcp::socket>;

inline tcp::socket& socket_of(plain_stream& s) {
  return s;
}
inline tcp::socket& socket_of(tls_stream& s) {
  return s.next_layer();
}

/// Errors that only mean the peer went away (or we closed): no log line.
bool benign(const error_code& ec);

template <class Stream>
class session final : public session_base,
                      public std::enable_shared_from_this<session<Stream>> {
  static constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;
  using request_type = http::request<http::string_body>;

public:
  session(std::shared_ptr<server_core> core, Stream stream)
    : core_(std::move(core)), transport_(std::move(stream)),
      idle_timer_(core_->context()), write_timer_(core_->context()),
      hold_timer_(core_->context()) {}

  void start() override {
    arm_idle(); // bounds the TLS handshake too
    if constexpr (is_tls)
      transport_.async_handshake(
        asio::ssl::stream_base::server,
        [self = shared()](error_code ec) { self->on_handshake(ec); });
    else
      do_read();
  }

  void push(const stream_output& out) override {
    if (closed_ || !stream_ || out.stream != *stream_)
      return;
    if (!out.bytes.empty())
      enqueue(encode_chunk(out.bytes));
    if (out.end) {
      enqueue(std::string{http_last_chunk});
      end_stream();
    } else if (out.cut) {
      // The master died mid-stream: what it wrote before still goes out,
      // then the connection drops without the terminating chunk.
      core_->unregister_stream(*stream_);
      stream_.reset();
      pending_.reset();
      close_after_flush_ = true;
      do_write();
    }
  }

  void close(bool notify) override {
    if (closed_)
      return;
    closed_ = true;
    error_code ignored;
    idle_timer_.cancel(ignored);
    write_timer_.cancel(ignored);
    hold_timer_.cancel(ignored);
    socket_of(transport_).close(ignored);
    auto self = shared(); // keeps *this alive through remove()
    if (stream_) {
      core_->unregister_stream(*stream_);
      if (notify)
        core_->stream_closed(*stream_);
      stream_.reset();
    }
    core_->remove(this);
  }

  bool streaming() const override { return stream_.has_value(); }

private:
  std::shared_ptr<session> shared() { return this->shared_from_this(); }

  void fail(error_code ec, std::string_view what) {
    if (!benign(ec))
      core_->log(std::string{"sim server: "} + std::string{what} + ": " +
                 ec.message());
    close(true);
  }

  // -- reading -----------------------------------------------------------

  void on_handshake(error_code ec) {
    if (closed_)
      return;
    if (ec)
      return fail(ec, "handshake");
    do_read();
  }

  void do_read() {
    if (closed_ || reading_ || close_after_flush_)
      return;
    reading_ = true;
    parser_.emplace();
    parser_->body_limit(core_->options().body_limit);
    parser_->header_limit(
      static_cast<std::uint32_t>(core_->options().header_limit));
    if (!stream_)
      arm_idle();
    http::async_read_header(
      transport_, buffer_, *parser_,
      [self = shared()](error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(error_code ec) {
    if (closed_)
      return;
    if (ec)
      return on_read(ec);
    // curl and others wait for "100 Continue" before sending a large body;
    // inside a stream's body there is no place for it (they send anyway).
    auto expect = parser_->get()[http::field::expect];
    if (!stream_ && !parser_->is_done() &&
        beast::iequals(expect, "100-continue"))
      enqueue("HTTP/1.1 100 Continue\r\n\r\n");
    http::async_read(
      transport_, buffer_, *parser_,
      [self = shared()](error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    reading_ = false;
    if (closed_)
      return;
    disarm_idle();
    if (ec == http::error::end_of_stream || benign(ec))
      return close(true); // the client left, perhaps in the middle of a stream
    if (ec) {
      if (stream_)
        return fail(ec, "read during stream");
      if (ec == http::error::body_limit)
        return reject(413, "Request body is larger than " +
                             std::to_string(core_->options().body_limit) +
                             " bytes");
      if (ec == http::error::header_limit)
        return reject(431, "Request header is larger than " +
                             std::to_string(core_->options().header_limit) +
                             " bytes");
      return reject(400, "Malformed HTTP request: " + ec.message());
    }
    auto request = parser_->release();
    if (stream_) {
      pending_ = std::move(request); // answered after the stream ends
      return;
    }
    process(std::move(request));
  }

  // -- answering ---------------------------------------------------------

  void process(request_type req) {
    http_request request;
    request.method = std::string{req.method_string()};
    request.target = std::string{req.target()};
    for (auto& field : req)
      request.headers.emplace_back(std::string{field.name_string()},
                                   std::string{field.value()});
    request.body = std::move(req.body());
    keep_alive_ = req.keep_alive();

    auto reply = core_->handle(request);
    auto now = sim_clock::now();
    if (!reply.stream && reply.response.status == 0) {
      // The endpoint died answering (master.hpp: crash_on_unknown_call): the
      // connection drops with no response at all, as the real master's did
      // (mesos-wire transcripts/43). The pump delivers the cut streams.
      close(false);
      core_->pump();
      return;
    }
    if (reply.stream) {
      stream_ = *reply.stream;
      core_->register_stream(*stream_, shared());
      hold();
      enqueue(serialize_stream_head(reply.response, now));
      do_read(); // watches for the client leaving
    } else {
      hold();
      enqueue(serialize_response(reply.response, now,
                                 req.method() == http::verb::head));
      if (keep_alive_)
        do_read(); // pipelined requests are answered in order
      else
        close_after_flush_ = true;
    }
    core_->pump(); // the stream's first records, or effects of the call
  }

  void end_stream() {
    core_->unregister_stream(*stream_);
    stream_.reset();
    if (!keep_alive_) {
      close_after_flush_ = true;
      return;
    }
    if (pending_) {
      // Answer the request that arrived during the stream, but not from
      // inside the pump that delivered this end.
      asio::post(core_->context(), [self = shared()] {
        if (self->closed_ || !self->pending_)
          return;
        auto req = std::move(*self->pending_);
        self->pending_.reset();
        self->process(std::move(req));
      });
    } else if (reading_) {
      arm_idle(); // an ordinary keep-alive connection again
    } else {
      do_read();
    }
  }

  void reject(unsigned status, std::string text) {
    http_response response;
    response.status = status;
    response.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
    response.body = std::move(text);
    enqueue(serialize_response(response, sim_clock::now()));
    close_after_flush_ = true;
    linger_ = true; // the client may still be sending the request
    do_write();
  }

  // Applies the server's response delay to what is queued next (and to
  // anything not yet written).
  void hold() {
    auto delay = core_->response_delay();
    if (delay.count() <= 0)
      return;
    held_ = true;
    hold_timer_.expires_after(delay);
    hold_timer_.async_wait([self = shared()](error_code ec) {
      if (ec || self->closed_)
        return;
      self->held_ = false;
      self->do_write();
    });
  }

  // -- writing -----------------------------------------------------------

  void enqueue(std::string bytes) {
    if (closed_ || bytes.empty())
      return;
    queued_bytes_ += bytes.size();
    outbox_.push_back(std::move(bytes));
    if (queued_bytes_ > core_->options().max_queued_bytes) {
      core_->log("sim server: client does not read; connection cut");
      return close(true);
    }
    do_write();
  }

  void do_write() {
    if (closed_ || writing_ || held_)
      return;
    if (outbox_.empty()) {
      if (close_after_flush_)
        finish();
      return;
    }
    writing_ = true;
    // One gathered write for everything queued (bounded batch).
    batch_.clear();
    for (auto& bytes : outbox_) {
      batch_.push_back(asio::buffer(bytes));
      if (batch_.size() == 64)
        break;
    }
    write_timer_.expires_after(core_->options().write_timeout);
    write_timer_.async_wait([self = shared()](error_code ec) {
      if (!ec && !self->closed_ && self->writing_)
        self->fail(beast::error::timeout, "write");
    });
    asio::async_write(
      transport_, batch_,
      [self = shared()](error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(error_code ec) {
    writing_ = false;
    if (closed_)
      return;
    error_code ignored;
    write_timer_.cancel(ignored);
    if (ec)
      return fail(ec, "write");
    for (std::size_t i = 0; i < batch_.size(); ++i) {
      queued_bytes_ -= outbox_.front().size();
      outbox_.pop_front();
    }
    batch_.clear();
    do_write();
  }

  // Everything is written and the connection is to end.
  void finish() {
    if (!linger_)
      return close(false);
    // Lingering close: half-close, then discard what the client still sends
    // for a moment, so that our answer is not lost to a TCP reset.
    error_code ignored;
    socket_of(transport_).shutdown(tcp::socket::shutdown_send, ignored);
    idle_timer_.expires_after(std::chrono::seconds(2));
    idle_timer_.async_wait([self = shared()](error_code ec) {
      if (!ec)
        self->close(false);
    });
    drain();
  }

  void drain() {
    drain_buffer_.resize(16384);
    socket_of(transport_)
      .async_read_some(asio::buffer(drain_buffer_),
                       [self = shared()](error_code ec, std::size_t) {
                         if (self->closed_)
                           return;
                         if (ec)
                           return self->close(false);
                         self->drain();
                       });
  }

  // -- timers ------------------------------------------------------------

  void arm_idle() {
    ++idle_generation_;
    idle_timer_.expires_after(core_->options().idle_timeout);
    idle_timer_.async_wait(
      [self = shared(), generation = idle_generation_](error_code ec) {
        if (ec || self->closed_ || generation != self->idle_generation_)
          return;
        // Not idle while an answer waits to go out (e.g. a response delay).
        if (self->held_ || self->writing_ || !self->outbox_.empty())
          return self->arm_idle();
        self->close(true);
      });
  }

  void disarm_idle() {
    ++idle_generation_;
    error_code ignored;
    idle_timer_.cancel(ignored);
  }

  std::shared_ptr<server_core> core_;
  Stream transport_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  asio::steady_timer idle_timer_;
  asio::steady_timer write_timer_;
  asio::steady_timer hold_timer_;
  std::deque<std::string> outbox_;
  std::vector<asio::const_buffer> batch_;
  std::vector<char> drain_buffer_;
  std::size_t queued_bytes_ = 0;
  std::uint64_t idle_generation_ = 0;
  std::optional<stream_id> stream_;
  std::optional<request_type> pending_;
  bool keep_alive_ = true;
  bool reading_ = false;
  bool writing_ = false;
  bool held_ = false;
  bool closed_ = false;
  bool close_after_flush_ = false;
  bool linger_ = false;
};

} // namespace outrigger::sim::detail
