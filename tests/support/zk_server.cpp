#include "tests/support/zk_server.hpp"

#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace outrigger::test {

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string{v} : fallback;
}

// A loopback socket address.
sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

} // namespace

// A port the kernel considers free right now (there is a small window in
// which another process could take it; launch() retries on a new one).
std::uint16_t free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto addr = loopback(0);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0)
      ::close(fd);
    throw std::runtime_error("zk_server: no free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

namespace {

// waitpid without blocking longer than `limit`; true once the child is gone.
bool reap_within(pid_t pid, std::chrono::milliseconds limit) {
  auto deadline = steady::now() + limit;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD))
      return true;
    if (steady::now() >= deadline)
      return false;
    std::this_thread::sleep_for(10ms);
  }
}

// The path execvp would run, resolved before fork (PATH search allocates).
std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos)
    return ::access(name.c_str(), X_OK) == 0 ? name : std::string{};
  std::string path = env_or("PATH", "/usr/local/bin:/usr/bin:/bin");
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find(':', start);
    if (end == std::string::npos)
      end = path.size();
    std::string dir = path.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return {};
}

} // namespace

zk_server::zk_server(zk_server_options options)
  : options_(std::move(options)), dir_("outrigger-zk") {
  std::filesystem::create_directories(dir_.path() / "data");
  if (options_.myid > 0) {
    // An ensemble member: zk_ensemble chose the ports and waits for all.
    std::ofstream(dir_.path() / "data" / "myid") << options_.myid << "\n";
    port_ = options_.client_port;
    write_config();
    launch();
    return;
  }
  // A port can be taken between free_loopback_port() and the JVM binding it:
  // then the server exits at once and another port is tried.
  for (int attempt = 0;; ++attempt) {
    port_ = free_loopback_port();
    write_config();
    launch();
    if (wait_until_serving())
      return;
    bool exited = reap_within(pid_, 0ms);
    std::string tail = log_tail();
    stop(false);
    if (!exited || attempt == 2)
      throw std::runtime_error("zk_server: ZooKeeper did not start on port " +
                               std::to_string(port_) + "; log:\n" + tail);
  }
}

zk_server::~zk_server() {
  stop();
}

void zk_server::write_config() const {
  std::ofstream cfg(dir_.path() / "zoo.cfg", std::ios::trunc);
  cfg << "tickTime=" << options_.tick.count() << "\n"
      << "dataDir=" << (dir_.path() / "data").string() << "\n"
      << "clientPort=" << port_ << "\n"
      << "clientPortAddress=127.0.0.1\n"
      << "minSessionTimeout=1000\n"
      << "maxSessionTimeout=60000\n"
      << "admin.enableServer=false\n"
      << "4lw.commands.whitelist=ruok,srvr,cons\n";
  if (!options_.durable) // tests: no fsync, no 64 MiB log preallocation
    cfg << "forceSync=no\n"
        << "preAllocSize=1024\n";
  if (options_.myid > 0)
    cfg << "initLimit=50\n"
        << "syncLimit=25\n"
        << options_.quorum_config;
  if (!cfg)
    throw std::runtime_error("zk_server: cannot write zoo.cfg");
}

void zk_server::launch() {
  std::string java = env_or("OUTRIGGER_JAVA", options_.java);
  std::string classpath = env_or("OUTRIGGER_ZK_CLASSPATH", options_.classpath);
  std::string cfg = (dir_.path() / "zoo.cfg").string();
  std::string log = (dir_.path() / "zookeeper.log").string();
  // Small, quick-starting JVM: tests start many of these on 2 cores.
  std::vector<std::string> args{
    java,
    "-Xmx" + options_.heap,
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Djava.net.preferIPv4Stack=true",
    "-cp",
    classpath,
    "org.apache.zookeeper.server.quorum.QuorumPeerMain",
    cfg};
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string program = find_program(java);
  if (program.empty())
    throw std::runtime_error("zk_server: cannot find " + java +
                             " (is the zookeeper package installed?)");

  // fork + exec rather than posix_spawn for one reason: PR_SET_PDEATHSIG,
  // so that a crashing test binary does not leave a JVM holding its port.
  // Between fork and exec only async-signal-safe system calls run.
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0)
    throw std::runtime_error(std::string{"zk_server: fork: "} +
                             std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0); // a Ctrl-C on the tests is ours to forward, not its
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
      ::_exit(127); // the parent died before prctl took effect
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || out < 0)
      ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::syscall(SYS_close_range, 3U, ~0U, 0U);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig)
      ::sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(program.c_str(), argv.data(), environ);
    ::_exit(127);
  }
  pid_ = pid;
}

bool zk_server::serving() const {
  // "srvr" (unlike "ruok") says whether the server actually serves.
  return four_letter("srvr").find("Mode:") != std::string::npos;
}

bool zk_server::wait_until_serving() {
  auto deadline = steady::now() + options_.start_timeout;
  while (steady::now() < deadline) {
    if (serving())
      return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1; // exited (e.g. the port was taken)
      return false;
    }
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

void zk_server::stop(bool graceful) {
  if (pid_ <= 0)
    return;
  ::kill(pid_, graceful ? SIGTERM : SIGKILL);
  if (!reap_within(pid_, graceful ? 10s : 5s)) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
}

void zk_server::start() {
  if (pid_ > 0)
    return;
  launch();
  if (!wait_until_serving()) {
    std::string tail = log_tail();
    stop(false);
    throw std::runtime_error("zk_server: ZooKeeper did not restart on port " +
                             std::to_string(port_) + "; log:\n" + tail);
  }
}

std::string zk_server::connect_string() const {
  return "127.0.0.1:" + std::to_string(port_);
}

std::string zk_server::four_letter(std::string_view command) const {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return {};
  auto addr = loopback(port_);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, command.data(), command.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(command.size())) {
    // The server answers and closes; bound the wait in case it does not.
    auto deadline = steady::now() + 2s;
    char buf[4096];
    while (steady::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0)
        continue;
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0)
        break;
      answer.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return answer;
}

bool zk_server::expire_session(std::int64_t session_id,
                               std::string_view password,
                               std::chrono::milliseconds timeout) const {
  clientid_t id{};
  id.client_id = session_id;
  std::memcpy(id.passwd, password.data(),
              std::min(password.size(), sizeof id.passwd));
  // Join and close until a join finds the session expired: the first owner
  // may reconnect between our join and our close and take the session back,
  // so that our close ends nothing (a test then waited in vain for the
  // expiry). A join that finds it expired is the proof.
  auto deadline = steady::now() + timeout;
  bool joined = false;
  while (steady::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - steady::now());
    // Silent: closing a session from here makes the client log an "error".
    zhandle_t* zh =
      zookeeper_init2(connect_string().c_str(), nullptr,
                      static_cast<int>(std::max<std::int64_t>(left.count(), 1)),
                      &id, nullptr, 0, [](const char*) {});
    if (!zh)
      return false;
    int state = 0;
    while (steady::now() < deadline) {
      state = zoo_state(zh);
      if (state == ZOO_CONNECTED_STATE || state == ZOO_EXPIRED_SESSION_STATE)
        break;
      std::this_thread::sleep_for(10ms);
    }
    zookeeper_close(zh); // closes the session for its first owner as well
    if (state == ZOO_EXPIRED_SESSION_STATE)
      return joined; // false: it had expired before we came
    if (state != ZOO_CONNECTED_STATE)
      return false; // could not reach the server in time
    joined = true;
  }
  return false;
}

std::string zk_server::log_tail() const {
  std::ifstream in(dir_.path() / "zookeeper.log");
  std::string all{std::istreambuf_iterator<char>(in), {}};
  return all.size() > 4000 ? all.substr(all.size() - 4000) : all;
}

zk_ensemble::zk_ensemble(std::size_t size, zk_server_options options) {
  // Client, peer and election port of every member, all distinct.
  std::vector<std::uint16_t> ports;
  while (ports.size() < 3 * size) {
    auto p = free_loopback_port();
    if (std::find(ports.begin(), ports.end(), p) == ports.end())
      ports.push_back(p);
  }
  std::string quorum;
  for (std::size_t i = 0; i < size; ++i)
    quorum += "server." + std::to_string(i + 1) +
              "=127.0.0.1:" + std::to_string(ports[3 * i + 1]) + ":" +
              std::to_string(ports[3 * i + 2]) + "\n";
  for (std::size_t i = 0; i < size; ++i) {
    auto member = options;
    member.myid = static_cast<int>(i + 1);
    member.client_port = ports[3 * i];
    member.quorum_config = quorum;
    members_.push_back(std::make_unique<zk_server>(std::move(member)));
  }
  auto deadline = steady::now() + options.start_timeout;
  for (auto& m : members_)
    while (!m->serving()) {
      if (steady::now() > deadline)
        throw std::runtime_error("zk_ensemble: member on port " +
                                 std::to_string(m->port()) +
                                 " does not serve; log:\n" + m->log_tail());
      std::this_thread::sleep_for(100ms);
    }
}

std::string zk_ensemble::connect_string() const {
  std::string out;
  for (auto& m : members_)
    out += (out.empty() ? "" : ",") + m->connect_string();
  return out;
}

} // namespace outrigger::test
