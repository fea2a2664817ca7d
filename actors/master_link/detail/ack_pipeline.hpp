#pragma once
// Fire-and-forget calls (the ACKNOWLEDGEs) on one keep-alive connection of
// their own, pipelined: requests are written back to back without waiting,
// and the answers come back in the order of the requests (HTTP/1.1; the
// master answers one connection's requests in order). One round trip then
// carries hundreds of calls instead of one, and nobody keeps a promise or a
// timer per call. For http_transport.cpp only.
//
// Every call is accounted for exactly once in an ack_outcome sent to the
// link: answered (accepted or rejected) or lost with the connection.

#include "actors/log.hpp"
#include "actors/master_link/detail/transport_core.hpp"

#include <caf/send.hpp>

#include <boost/asio/write.hpp>

#include <optional>

namespace outrigger::link::detail {

/// One pipelined connection to one master.
class ack_pipeline : public std::enable_shared_from_this<ack_pipeline> {
public:
  ack_pipeline(std::shared_ptr<core> c, master_url url)
    : core_(std::move(c)), url_(std::move(url)) {
    // nop
  }

  /// Queues `calls->bodies[first, last)` with `stream_id`; they go out as
  /// soon as the connection is up and the window allows.
  void add(const std::string& stream_id, const encoded_calls_ptr& calls,
           std::size_t first, std::size_t last) {
    for (auto i = first; i < last; ++i)
      core_->append_request(queued_, url_, stream_id, calls->bodies[i]);
    queued_n_ += last - first;
    if (!conn_)
      return open();
    if (ready_)
      write_more();
  }

  /// Everything unanswered is lost (reported); the connection closes. The
  /// next add() opens a new one.
  void fail(const std::string& why) {
    auto lost = queued_n_ + writing_n_ + unanswered_;
    report_.lost += lost;
    queued_.clear();
    out_.clear();
    queued_n_ = writing_n_ = unanswered_ = 0;
    writing_ = reading_ = ready_ = false;
    if (conn_)
      conn_->close();
    conn_.reset();
    buf_.clear();
    if (lost > 0)
      log::warn("http_transport",
                "acknowledgements lost (the agents will re-send the updates)",
                {{"count", lost}, {"error", why}});
    flush();
  }

  /// Closes without reporting: the transport is shutting down.
  void stop() {
    stopped_ = true;
    if (conn_)
      conn_->close();
  }

private:
  void open() {
    conn_ = core_->new_connection(url_);
    ready_ = false;
    auto self = shared_from_this();
    auto conn = conn_;
    conn_->connect([self, conn](error_code ec, const char* step) {
      if (self->conn_ != conn || self->stopped_)
        return;
      if (ec)
        return self->fail(describe(step, self->url_, ec));
      self->ready_ = true;
      self->write_more();
    });
  }

  void write_more() {
    if (writing_ || queued_n_ == 0 || unanswered_ >= core_->cfg.max_pipelined)
      return;
    writing_ = true;
    out_.swap(queued_);
    queued_.clear();
    writing_n_ = queued_n_;
    queued_n_ = 0;
    auto self = shared_from_this();
    auto conn = conn_;
    conn_->visit([&](auto& s) {
      asio::async_write(s, asio::buffer(out_),
                        [self, conn](error_code ec, std::size_t) {
                          if (self->conn_ != conn || self->stopped_)
                            return;
                          self->on_written(ec);
                        });
    });
  }

  void on_written(error_code ec) {
    writing_ = false;
    if (ec)
      return fail(describe("write to", url_, ec));
    unanswered_ += writing_n_;
    writing_n_ = 0;
    out_.clear();
    if (!reading_)
      read_next();
    write_more();
  }

  void read_next() {
    if (unanswered_ == 0) {
      reading_ = false;
      flush();
      return;
    }
    reading_ = true;
    parser_.emplace();
    parser_->body_limit(core_->cfg.max_call_body);
    auto self = shared_from_this();
    auto conn = conn_;
    conn_->visit([&](auto& s) {
      http::async_read(s, buf_, *parser_,
                       [self, conn](error_code ec, std::size_t) {
                         if (self->conn_ != conn || self->stopped_)
                           return;
                         self->on_answer(ec);
                       });
    });
  }

  void on_answer(error_code ec) {
    if (ec)
      return fail(describe("read response from", url_, ec));
    auto& res = parser_->get();
    auto status = static_cast<std::uint16_t>(res.result_int());
    --unanswered_;
    if (status >= 200 && status < 300) {
      ++report_.accepted;
    } else {
      if (report_.rejected++ == 0) // once per report, not per call
        log::warn("http_transport", "acknowledgement refused",
                  {{"status", status},
                   {"body", log::redact(res.body().substr(0, 512))}});
      report_.reject_status = status;
    }
    if (++answered_since_report_ >= report_every)
      flush();
    if (!res.keep_alive())
      return fail("the master closed the connection");
    write_more();
    read_next();
  }

  // Tells the link what became of the calls counted since the last report.
  void flush() {
    if (report_ == ack_outcome{})
      return;
    caf::anon_send(core_->sink, atom::acks_done_v, report_);
    report_ = {};
    answered_since_report_ = 0;
  }

  static constexpr std::size_t report_every = 512;

  std::shared_ptr<core> core_;
  master_url url_;
  std::shared_ptr<connection> conn_;
  bool ready_ = false;   // connected (and TLS handshaken)
  bool writing_ = false; // out_ is being written
  bool reading_ = false; // an answer is being read
  bool stopped_ = false;
  std::string queued_, out_; // request text not yet written / being written
  std::size_t queued_n_ = 0, writing_n_ = 0, unanswered_ = 0;
  beast::flat_buffer buf_;
  std::optional<http::response_parser<http::string_body>> parser_;
  ack_outcome report_;
  std::size_t answered_since_report_ = 0;
};

} // namespace outrigger::link::detail
