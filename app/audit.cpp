#include "app/audit.hpp"

#include "actors/log.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace outrigger::app {

namespace {

std::string utc_now() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buf;
}

} // namespace

std::string audit_line(const audit_event& e) {
  nlohmann::json j{{"time", utc_now()},    {"request_id", e.request_id},
                   {"action", e.action},   {"method", e.method},
                   {"path", e.path},       {"caller", e.caller},
                   {"client", e.client},   {"status", e.status},
                   {"outcome", e.outcome}, {"task_ids", e.task_ids}};
  // Replaced, not thrown: a path is client text and may be invalid UTF-8.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

audit_log::audit_log(const std::string& path) {
  if (path.empty())
    return;
  int fd =
    ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::runtime_error("--audit-log: cannot open " + path + ": " +
                             std::strerror(errno));
  file_ = ::fdopen(fd, "a");
  if (!file_) {
    ::close(fd);
    throw std::runtime_error("--audit-log: cannot open " + path);
  }
}

audit_log::~audit_log() {
  if (file_)
    std::fclose(file_);
}

void audit_log::write(const audit_event& e) {
  auto line = audit_line(e);
  if (!file_) {
    log::info("audit", line);
    return;
  }
  std::lock_guard<std::mutex> guard{mtx_};
  line += '\n';
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() ||
      std::fflush(file_) != 0)
    log::error("audit", "cannot write the audit log",
               {{"error", std::strerror(errno)}});
}

} // namespace outrigger::app
