#include "bench/e2e/http_line.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace outrigger::bench {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return s;
}

} // namespace

http_line::~http_line() {
  close();
}

bool http_line::open() {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0)
    return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close();
    return false;
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (timeout_ms_ > 0) {
    timeval tv{timeout_ms_ / 1000, (timeout_ms_ % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  return true;
}

void http_line::close() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
  in_.clear();
}

bool http_line::read_more() {
  char buf[65536];
  for (;;) {
    auto n = ::read(fd_, buf, sizeof buf);
    if (n > 0) {
      in_.append(buf, static_cast<std::size_t>(n));
      return true;
    }
    if (n < 0 && errno == EINTR)
      continue;
    return false;
  }
}

http_answer http_line::exchange(const std::string& request) {
  std::size_t sent = 0;
  while (sent < request.size()) {
    auto n = ::write(fd_, request.data() + sent, request.size() - sent);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return {0, "write failed"};
    sent += static_cast<std::size_t>(n);
  }
  std::size_t head_end;
  while ((head_end = in_.find("\r\n\r\n")) == std::string::npos)
    if (!read_more())
      return {0, "connection closed before the answer"};
  http_answer out;
  auto head = in_.substr(0, head_end + 2);
  in_.erase(0, head_end + 4);
  auto sp = head.find(' ');
  out.status = sp == std::string::npos
                 ? 0
                 : static_cast<unsigned>(std::atoi(head.c_str() + sp + 1));
  std::size_t length = 0;
  bool chunked = false;
  for (std::size_t pos = head.find("\r\n") + 2; pos < head.size();) {
    auto eol = head.find("\r\n", pos);
    auto line = head.substr(pos, eol - pos);
    pos = eol + 2;
    auto colon = line.find(':');
    if (colon == std::string::npos)
      continue;
    auto name = lower(line.substr(0, colon));
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    if (name == "content-length")
      length = std::stoull(value);
    else if (name == "transfer-encoding" &&
             lower(value).find("chunked") != std::string::npos)
      chunked = true;
  }
  if (!chunked) {
    while (in_.size() < length)
      if (!read_more())
        return {0, "connection closed in the body"};
    out.body = in_.substr(0, length);
    in_.erase(0, length);
    return out;
  }
  for (;;) {
    std::size_t eol;
    while ((eol = in_.find("\r\n")) == std::string::npos)
      if (!read_more())
        return {0, "connection closed in a chunk"};
    auto size = std::stoull(in_.substr(0, eol), nullptr, 16);
    while (in_.size() < eol + 2 + size + 2)
      if (!read_more())
        return {0, "connection closed in a chunk"};
    out.body.append(in_, eol + 2, size);
    in_.erase(0, eol + 2 + size + 2);
    if (size == 0)
      return out;
  }
}

http_answer http_line::call(const std::string& method,
                            const std::string& target,
                            const std::string& body) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!body.empty())
    req += "Content-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n";
  req += "\r\n";
  req += body;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fd_ < 0 && !open())
      return {0, std::string{"connect: "} + std::strerror(errno)};
    auto a = exchange(req);
    if (a.status != 0)
      return a;
    close(); // an idle keep-alive the server closed: once more, afresh
  }
  return {0, "no answer"};
}

} // namespace outrigger::bench
