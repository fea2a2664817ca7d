#include "sim/zk_relay.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace outrigger::sim {

namespace {

// One relayed connection: the client's socket and the server's.
struct pair_fds {
  int client = -1;
  int server = -1;
};

void close_fd(int& fd) {
  if (fd >= 0)
    ::close(fd);
  fd = -1;
}

// Connects to the first of "host:port[,host:port...]" that accepts.
int connect_any(const std::string& servers) {
  std::size_t from = 0;
  while (from <= servers.size()) {
    auto comma = servers.find(',', from);
    auto one = servers.substr(from, comma - from);
    from = comma == std::string::npos ? servers.size() + 1 : comma + 1;
    auto colon = one.rfind(':');
    if (colon == std::string::npos)
      continue;
    auto host = one.substr(0, colon);
    auto port = one.substr(colon + 1);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0)
      continue;
    for (auto* a = found; a != nullptr; a = a->ai_next) {
      int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0);
      if (fd < 0)
        continue;
      if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
        int one_flag = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one_flag, sizeof one_flag);
        ::freeaddrinfo(found);
        return fd;
      }
      ::close(fd);
    }
    ::freeaddrinfo(found);
  }
  return -1;
}

// Writes all of `data` (blocking); false when the peer is gone.
bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    auto n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

} // namespace

class zk_relay::impl {
public:
  explicit impl(std::string servers) : servers_(std::move(servers)) {
    listen_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listen_ < 0 ||
        ::bind(listen_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_, 16) != 0 ||
        ::getsockname(listen_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        ::pipe2(wake_, O_CLOEXEC) != 0) {
      auto why = std::string{std::strerror(errno)};
      close_fd(listen_);
      throw std::runtime_error("zk_relay: cannot listen: " + why);
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
  }

  ~impl() {
    cut();
    thread_.join();
    close_fd(wake_[0]);
    close_fd(wake_[1]);
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  void cut() {
    std::unique_lock lock{mutex_};
    if (!cut_requested_) {
      cut_requested_ = true;
      char x = 0;
      [[maybe_unused]] auto n = ::write(wake_[1], &x, 1);
    }
    cv_.wait(lock, [&] { return cut_done_; });
  }

private:
  void run() {
    std::vector<pair_fds> pairs;
    std::vector<char> buffer(64 * 1024);
    for (;;) {
      std::vector<pollfd> fds{{wake_[0], POLLIN, 0}, {listen_, POLLIN, 0}};
      for (auto& p : pairs) {
        fds.push_back({p.client, POLLIN, 0});
        fds.push_back({p.server, POLLIN, 0});
      }
      // Only the pairs polled this round have entries in fds: a pair
      // accepted below waits for the next round.
      const std::size_t polled = pairs.size();
      if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR)
        break;
      if (fds[0].revents != 0)
        break; // cut
      if (fds[1].revents & POLLIN) {
        int client = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client >= 0) {
          int server = connect_any(servers_);
          if (server < 0)
            ::close(client); // no server: the client tries again later
          else
            pairs.push_back({client, server});
        }
      }
      std::vector<bool> dead(pairs.size(), false);
      for (std::size_t i = 0; i < polled; ++i) {
        for (int side = 0; side < 2 && !dead[i]; ++side) {
          auto& pfd = fds[2 + 2 * i + side];
          if (pfd.revents == 0)
            continue;
          int to = side == 0 ? pairs[i].server : pairs[i].client;
          auto n = ::read(pfd.fd, buffer.data(), buffer.size());
          if (n <= 0 ||
              !write_all(to, buffer.data(), static_cast<std::size_t>(n)))
            dead[i] = true;
        }
      }
      for (std::size_t i = pairs.size(); i-- > 0;) {
        if (!dead[i])
          continue;
        close_fd(pairs[i].client);
        close_fd(pairs[i].server);
        pairs.erase(pairs.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
    for (auto& p : pairs) {
      close_fd(p.client);
      close_fd(p.server);
    }
    close_fd(listen_);
    std::lock_guard lock{mutex_};
    cut_done_ = true;
    cv_.notify_all();
  }

  std::string servers_;
  int listen_ = -1;
  int wake_[2] = {-1, -1};
  std::uint16_t port_ = 0;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool cut_requested_ = false;
  bool cut_done_ = false;
  std::thread thread_; // last: starts once everything above exists
};

zk_relay::zk_relay(const std::string& servers)
  : impl_(std::make_unique<impl>(servers)) {}

zk_relay::~zk_relay() = default;

std::string zk_relay::address() const {
  return impl_->address();
}

void zk_relay::cut() {
  impl_->cut();
}

} // namespace outrigger::sim
