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

namespace {

int hex(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

void put_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A JSON string starting at s[i] == '"'; moves i past it.
std::optional<std::string> json_string(std::string_view s, std::size_t& i) {
  if (i >= s.size() || s[i] != '"')
    return std::nullopt;
  std::string out;
  for (++i; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {
      ++i;
      return out;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= s.size())
      return std::nullopt;
    switch (s[i]) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        if (i + 4 >= s.size())
          return std::nullopt;
        unsigned cp = 0;
        for (int k = 1; k <= 4; ++k) {
          int h = hex(s[i + k]);
          if (h < 0)
            return std::nullopt;
          cp = cp * 16 + static_cast<unsigned>(h);
        }
        i += 4;
        if (cp < 0x100)
          out += static_cast<char>(cp); // stout's \u00XX is one byte
        else
          put_utf8(out, cp);
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

void skip_ws(std::string_view s, std::size_t& i) {
  while (i < s.size() &&
         (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
    ++i;
}

} // namespace

std::optional<std::pair<std::string, std::int64_t>>
parse_files_read(std::string_view s) {
  std::size_t i = 0;
  skip_ws(s, i);
  if (i >= s.size() || s[i++] != '{')
    return std::nullopt;
  std::optional<std::string> data;
  std::optional<std::int64_t> offset;
  for (;;) {
    skip_ws(s, i);
    auto key = json_string(s, i);
    if (!key)
      return std::nullopt;
    skip_ws(s, i);
    if (i >= s.size() || s[i++] != ':')
      return std::nullopt;
    skip_ws(s, i);
    if (*key == "data") {
      data = json_string(s, i);
      if (!data)
        return std::nullopt;
    } else if (*key == "offset") {
      bool neg = i < s.size() && s[i] == '-';
      if (neg)
        ++i;
      std::int64_t v = 0;
      std::size_t digits = 0;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        v = v * 10 + (s[i++] - '0');
        ++digits;
      }
      if (digits == 0)
        return std::nullopt;
      offset = neg ? -v : v;
    } else {
      return std::nullopt; // the agent writes only these two
    }
    skip_ws(s, i);
    if (i < s.size() && s[i] == ',') {
      ++i;
      continue;
    }
    if (i < s.size() && s[i] == '}')
      break;
    return std::nullopt;
  }
  if (!data || !offset)
    return std::nullopt;
  return std::pair{std::move(*data), *offset};
}

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80           ? 1
                    : (c >> 5) == 0x6  ? 2
                    : (c >> 4) == 0xE  ? 3
                    : (c >> 3) == 0x1E ? 4
                                       : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k)
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && n > 1) {
      // Overlong forms, surrogates and values past U+10FFFF are invalid.
      unsigned cp = c & (0x7F >> n);
      for (std::size_t k = 1; k < n; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      static const unsigned min_of[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= min_of[n] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
    }
    if (!ok) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

std::string url_encode(std::string_view text) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
        c == '~' || c == '/') {
      out += ch;
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

} // namespace outrigger::app
