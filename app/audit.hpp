#pragma once
// The audit trail of the API: one JSON line per mutating request (submit,
// batch submit, kill, teardown), accepted or refused, with the caller's
// token name (never the token), the client address, the task ids and the
// outcome. To a file of its own (appended, created 0600) or, without one,
// to the service log.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace outrigger::app {

/// One audited request.
struct audit_event {
  std::string request_id;
  std::string action; ///< "submit", "kill", "teardown"
  std::string method;
  std::string path;
  std::string caller; ///< the token's name; "" without authentication
  std::string client; ///< "address:port" of the peer
  unsigned status = 0;
  std::string outcome; ///< "ok" or the error code
  std::vector<std::uint64_t> task_ids;
};

/// The JSON line of an event (without the newline), with a UTC "time".
std::string audit_line(const audit_event& e);

/// Where audit lines go; thread-safe.
class audit_log {
public:
  /// Appends to `path` (created 0600); an empty path writes to the log.
  /// Throws std::runtime_error naming the file when it cannot be opened.
  explicit audit_log(const std::string& path);
  ~audit_log();
  audit_log(const audit_log&) = delete;
  audit_log& operator=(const audit_log&) = delete;

  /// Writes one line (flushed: a crash loses no line that was written).
  void write(const audit_event& e);

private:
  std::mutex mtx_;
  std::FILE* file_ = nullptr;
};

} // namespace outrigger::app
