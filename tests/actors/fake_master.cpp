#include "fake_master.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <deque>
#include <future>
#include <thread>

namespace outrigger::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

struct io_thread::impl {
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work{
    ioc.get_executor()};
  std::thread thread{[this] { ioc.run(); }};
};

io_thread::io_thread() : impl_(std::make_unique<impl>()) {}

io_thread::~io_thread() {
  impl_->work.reset();
  impl_->ioc.stop();
  impl_->thread.join();
}

asio::io_context& io_thread::context() {
  return impl_->ioc;
}

std::string recordio(const std::string& record) {
  return std::to_string(record.size()) + "\n" + record;
}

namespace {

class session;

} // namespace

struct fake_master::impl : std::enable_shared_from_this<fake_master::impl> {
  asio::io_context ioc;
  // Keeps run() going after kill() closed everything.
  asio::executor_work_guard<asio::io_context::executor_type> work{
    ioc.get_executor()};
  tcp::acceptor acceptor{ioc};
  std::optional<ssl::context> tls;
  std::thread thread;

  mutable std::mutex mtx;
  std::condition_variable cv;
  handler subscribe_handler;
  handler call_handler;
  std::vector<seen_request> seen;
  std::vector<std::shared_ptr<fake_stream>> streams;
  std::vector<std::weak_ptr<session>> sessions;
  std::uint64_t next_connection = 1;
  std::uint16_t port = 0;

  void accept();
};

namespace {

/// One accepted connection.
class session : public fake_stream,
                public std::enable_shared_from_this<session> {
public:
  session(std::shared_ptr<fake_master::impl> m, tcp::socket sock,
          std::uint64_t id)
    : master_(std::move(m)), id_(id) {
    if (master_->tls)
      tls_.emplace(std::move(sock), *master_->tls);
    else
      plain_.emplace(std::move(sock));
  }

  void start() {
    auto self = shared_from_this();
    if (tls_)
      tls_->async_handshake(ssl::stream_base::server, [self](error_code ec) {
        if (!ec)
          self->read();
        else
          self->closed();
      });
    else
      read();
  }

  // -- fake_stream (called from the test thread) ---------------------------

  void chunk(const std::string& bytes) override {
    char size[32];
    std::snprintf(size, sizeof(size), "%zx\r\n", bytes.size());
    raw(size + bytes + "\r\n");
  }
  void raw(const std::string& bytes) override {
    auto self = shared_from_this();
    asio::post(master_->ioc, [self, bytes] { self->write(bytes); });
  }
  void end() override { raw("0\r\n\r\n"); }
  void cut() override {
    auto self = shared_from_this();
    asio::post(master_->ioc, [self] { self->close_socket(); });
  }
  bool wait_client_close(std::chrono::milliseconds timeout) override {
    std::unique_lock lock{master_->mtx};
    return master_->cv.wait_for(lock, timeout, [&] { return closed_; });
  }
  const seen_request& request() const override { return stream_request_; }

  // -- I/O thread ------------------------------------------------------------

  void close_socket() {
    error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

private:
  tcp::socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }

  template <class F>
  void visit(F&& f) {
    if (tls_)
      f(*tls_);
    else
      f(*plain_);
  }

  void read() {
    parser_.emplace();
    parser_->body_limit(1 << 20);
    auto self = shared_from_this();
    visit([&](auto& s) {
      http::async_read(s, buf_, *parser_, [self](error_code ec, std::size_t) {
        self->on_request(ec);
      });
    });
  }

  void on_request(error_code ec) {
    if (ec)
      return closed();
    auto msg = parser_->release();
    seen_request req;
    req.connection = id_;
    req.method = std::string{msg.method_string()};
    req.target = std::string{msg.target()};
    for (auto& f : msg) {
      std::string name{f.name_string()};
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[name] = std::string{f.value()};
    }
    req.body = msg.body();
    fake_master::handler h;
    {
      std::lock_guard guard{master_->mtx};
      master_->seen.push_back(req);
      h =
        req.is_subscribe() ? master_->subscribe_handler : master_->call_handler;
    }
    master_->cv.notify_all();
    auto reply = h(req);
    switch (reply.what) {
      case fake_reply::kind::respond: {
        std::string out =
          "HTTP/1.1 " + std::to_string(reply.status) + " " +
          http::obsolete_reason(static_cast<http::status>(reply.status))
            .to_string() +
          "\r\n";
        for (auto& [k, v] : reply.headers)
          out += k + ": " + v + "\r\n";
        out += "Content-Length: " + std::to_string(reply.body.size()) +
               "\r\n\r\n" + reply.body;
        write(out);
        read(); // keep-alive
        break;
      }
      case fake_reply::kind::stream: {
        std::string out = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n";
        for (auto& [k, v] : reply.headers)
          out += k + ": " + v + "\r\n";
        out += "Content-Type: application/json\r\n\r\n";
        write(out);
        stream_request_ = req;
        {
          std::lock_guard guard{master_->mtx};
          master_->streams.push_back(shared_from_this());
        }
        master_->cv.notify_all();
        watch_close();
        break;
      }
      case fake_reply::kind::silence:
        watch_close();
        break;
      case fake_reply::kind::close:
        close_socket();
        closed();
        break;
    }
  }

  // While streaming, reads only to notice the client going away.
  void watch_close() {
    auto self = shared_from_this();
    visit([&](auto& s) {
      s.async_read_some(asio::buffer(sink_),
                        [self](error_code ec, std::size_t) {
                          if (ec)
                            self->closed();
                          else
                            self->watch_close();
                        });
    });
  }

  void write(std::string bytes) {
    queue_.push_back(std::move(bytes));
    if (queue_.size() == 1)
      write_next();
  }

  void write_next() {
    auto self = shared_from_this();
    visit([&](auto& s) {
      asio::async_write(s, asio::buffer(queue_.front()),
                        [self](error_code ec, std::size_t) {
                          self->queue_.pop_front();
                          if (!ec && !self->queue_.empty())
                            self->write_next();
                        });
    });
  }

  void closed() {
    {
      std::lock_guard guard{master_->mtx};
      closed_ = true;
    }
    master_->cv.notify_all();
  }

  std::shared_ptr<fake_master::impl> master_;
  std::uint64_t id_;
  std::optional<tcp::socket> plain_;
  std::optional<ssl::stream<tcp::socket>> tls_;
  beast::flat_buffer buf_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::deque<std::string> queue_;
  char sink_[512];
  seen_request stream_request_;
  bool closed_ = false;
};

} // namespace

void fake_master::impl::accept() {
  auto self = shared_from_this();
  acceptor.async_accept([self](error_code ec, tcp::socket sock) {
    if (ec)
      return;
    std::shared_ptr<session> s;
    {
      std::lock_guard guard{self->mtx};
      s = std::make_shared<session>(self, std::move(sock),
                                    self->next_connection++);
      self->sessions.push_back(s);
    }
    s->start();
    self->accept();
  });
}

fake_master::fake_master(std::string cert_file, std::string key_file)
  : impl_(std::make_shared<impl>()) {
  if (!cert_file.empty()) {
    impl_->tls.emplace(ssl::context::tls_server);
    impl_->tls->use_certificate_chain_file(cert_file);
    impl_->tls->use_private_key_file(key_file, ssl::context::pem);
  }
  tcp::endpoint ep{asio::ip::make_address("127.0.0.1"), 0};
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  auto count = std::make_shared<int>(0);
  impl_->subscribe_handler = [count](const seen_request&) {
    return fake_reply::stream("stream-" + std::to_string(++*count));
  };
  impl_->call_handler = [](const seen_request&) {
    return fake_reply::respond(202);
  };
  impl_->accept();
  impl_->thread = std::thread{[i = impl_] { i->ioc.run(); }};
}

fake_master::~fake_master() {
  kill();
  impl_->work.reset();
  impl_->ioc.stop();
  impl_->thread.join();
  {
    std::lock_guard guard{impl_->mtx};
    impl_->streams.clear(); // sessions hold the impl: break the cycle
  }
  // The sockets are closed: their pending operations complete at once and
  // release the sessions.
  impl_->ioc.restart();
  impl_->ioc.poll();
}

std::uint16_t fake_master::port() const noexcept {
  return impl_->port;
}

std::string fake_master::origin() const {
  return std::string{impl_->tls ? "https://" : "http://"} + host_port();
}

std::string fake_master::host_port() const {
  return "127.0.0.1:" + std::to_string(impl_->port);
}

void fake_master::on_subscribe(handler h) {
  std::lock_guard guard{impl_->mtx};
  impl_->subscribe_handler = std::move(h);
}

void fake_master::on_call(handler h) {
  std::lock_guard guard{impl_->mtx};
  impl_->call_handler = std::move(h);
}

std::shared_ptr<fake_stream>
fake_master::wait_stream(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock{impl_->mtx};
  if (!impl_->cv.wait_for(lock, timeout,
                          [&] { return impl_->streams.size() > n; }))
    return nullptr;
  return impl_->streams[n];
}

bool fake_master::wait_requests(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock{impl_->mtx};
  return impl_->cv.wait_for(lock, timeout,
                            [&] { return impl_->seen.size() >= n; });
}

std::vector<seen_request> fake_master::requests() const {
  std::lock_guard guard{impl_->mtx};
  return impl_->seen;
}

void fake_master::kill() {
  std::promise<void> done;
  auto fut = done.get_future();
  asio::post(impl_->ioc, [i = impl_, &done] {
    error_code ignored;
    i->acceptor.close(ignored);
    std::vector<std::shared_ptr<session>> live;
    {
      std::lock_guard guard{i->mtx};
      for (auto& w : i->sessions)
        if (auto s = w.lock())
          live.push_back(s);
    }
    for (auto& s : live)
      s->close_socket();
    done.set_value();
  });
  if (fut.wait_for(std::chrono::seconds(10)) != std::future_status::ready)
    throw std::runtime_error("fake_master: I/O thread does not respond");
}

} // namespace outrigger::test
