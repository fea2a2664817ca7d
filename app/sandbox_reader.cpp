#include "app/sandbox_reader.hpp"

#include "actors/master_link/detail/http_connection.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http.hpp>

#include <deque>
#include <mutex>
#include <stdexcept>

namespace outrigger::app {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = boost::asio::ssl;
using link::detail::connection;
using error_code = boost::system::error_code;

struct sandbox_reader::impl : std::enable_shared_from_this<impl> {
  asio::io_context& ioc;
  sandbox_reader_config cfg;
  ssl::context tls{ssl::context::tls_client};
  std::mutex mtx;
  std::size_t active = 0;
  struct job {
    std::string url, target;
    std::function<void(agent_answer)> done;
  };
  std::deque<job> queue;

  impl(asio::io_context& c, sandbox_reader_config config)
    : ioc(c), cfg(std::move(config)) {
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                    ssl::context::no_tlsv1_1);
    error_code ec;
    if (cfg.tls_verify) {
      tls.set_verify_mode(ssl::verify_peer, ec);
      if (!cfg.ca_file.empty())
        tls.load_verify_file(cfg.ca_file, ec);
      else
        tls.set_default_verify_paths(ec);
      if (ec)
        throw std::runtime_error("cannot load the CA certificates for agent "
                                 "reads: " +
                                 ec.message());
    } else {
      tls.set_verify_mode(ssl::verify_none, ec);
    }
  }

  void submit(job j) {
    {
      std::lock_guard<std::mutex> lock{mtx};
      if (active >= cfg.max_concurrent) {
        if (queue.size() >= cfg.max_queued) {
          agent_answer a;
          a.error = "too many agent reads in progress (" +
                    std::to_string(active + queue.size()) + ")";
          asio::post(ioc, [d = std::move(j.done), a] { d(a); });
          return;
        }
        queue.push_back(std::move(j));
        return;
      }
      ++active;
    }
    start(std::move(j));
  }

  void finished() {
    job next;
    {
      std::lock_guard<std::mutex> lock{mtx};
      if (queue.empty()) {
        --active;
        return;
      }
      next = std::move(queue.front());
      queue.pop_front();
    }
    start(std::move(next));
  }

  // One exchange: connect (TLS), write, read, close; the whole of it within
  // cfg.timeout (a timer closes the socket).
  void start(job j) {
    auto self = shared_from_this();
    auto url = link::parse_master_url(j.url);
    if (!url) {
      agent_answer a;
      a.error = "bad agent address '" + j.url + "'";
      asio::post(ioc, [self, d = std::move(j.done), a] {
        d(a);
        self->finished();
      });
      return;
    }
    url->target = j.target;
    struct exchange {
      std::shared_ptr<connection> conn;
      asio::steady_timer timer;
      http::request<http::empty_body> req;
      beast::flat_buffer buffer;
      http::response_parser<http::string_body> parser;
      std::function<void(agent_answer)> done;
      std::string what; // "GET http://host:port/files/read?..."
      bool over = false;
      exchange(asio::io_context& ioc) : timer(ioc) {}
    };
    auto strand = asio::make_strand(ioc);
    auto x = std::make_shared<exchange>(ioc);
    x->conn = std::make_shared<connection>(strand, &tls, cfg.tls_verify, *url);
    x->done = std::move(j.done);
    x->what = "GET " + url->origin() + j.target;
    x->parser.body_limit(cfg.max_body);
    x->req = {http::verb::get, j.target, 11};
    x->req.set(http::field::host, url->host_port());
    x->req.set(http::field::user_agent, "outrigger");
    if (cfg.auth)
      x->req.set(http::field::authorization, cfg.auth->basic_authorization());
    auto finish = [self, x](agent_answer a) {
      if (x->over)
        return;
      x->over = true;
      x->timer.cancel();
      x->conn->close();
      x->done(std::move(a));
      self->finished();
    };
    auto fail = [finish, x](const std::string& step, const error_code& ec) {
      agent_answer a;
      a.error = step + " failed (" + x->what + "): " + ec.message();
      finish(std::move(a));
    };
    x->timer.expires_after(cfg.timeout);
    x->timer.async_wait(asio::bind_executor(
      strand, [x, finish, ms = cfg.timeout.count()](error_code ec) {
        if (ec)
          return;
        agent_answer a;
        a.error =
          "no answer within " + std::to_string(ms) + " ms (" + x->what + ")";
        finish(std::move(a));
      }));
    x->conn->connect([x, finish, fail](error_code ec, const char* step) {
      if (ec)
        return fail(step, ec);
      x->conn->visit([&](auto& stream) {
        http::async_write(
          stream, x->req, [x, finish, fail](error_code ec, std::size_t) {
            if (ec)
              return fail("write", ec);
            x->conn->visit([&](auto& s) {
              http::async_read(s, x->buffer, x->parser,
                               [x, finish, fail](error_code ec, std::size_t) {
                                 if (ec)
                                   return fail("read", ec);
                                 agent_answer a;
                                 a.status = x->parser.get().result_int();
                                 a.body = std::move(x->parser.get().body());
                                 finish(std::move(a));
                               });
            });
          });
      });
    });
  }
};

sandbox_reader::sandbox_reader(asio::io_context& ioc, sandbox_reader_config cfg)
  : impl_(std::make_shared<impl>(ioc, std::move(cfg))) {}

sandbox_reader::~sandbox_reader() = default;

void sandbox_reader::get(const std::string& agent_url,
                         const std::string& target,
                         std::function<void(agent_answer)> done) {
  impl_->submit({agent_url, target, std::move(done)});
}

void sandbox_reader::after(std::chrono::milliseconds delay,
                           std::function<void()> fn) {
  auto t = std::make_shared<asio::steady_timer>(impl_->ioc, delay);
  t->async_wait([t, fn = std::move(fn)](error_code) { fn(); });
}

} // namespace outrigger::app
