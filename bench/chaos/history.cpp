#include "bench/chaos/history.hpp"

namespace outrigger::chaos {

namespace {

double stamp(wall::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

} // namespace

history::history(const std::filesystem::path& jsonl)
  : out_(jsonl, std::ios::trunc) {}

void history::write(nlohmann::json event) {
  event["t"] = stamp(wall::now());
  out_ << event.dump() << '\n';
  out_.flush(); // a run that dies leaves its history behind
}

std::size_t history::add_submission(submission s) {
  std::lock_guard lock{mu_};
  write({{"ev", "submit"},
         {"key", s.key},
         {"duration_ms", s.duration_ms},
         {"fails", s.fails},
         {"max_attempts", s.max_attempts},
         {"retry_failed", s.retry_failed}});
  subs_.push_back(std::move(s));
  return subs_.size() - 1;
}

void history::post_answer(std::size_t i, unsigned status,
                          std::optional<std::uint64_t> id,
                          const std::string& body) {
  std::lock_guard lock{mu_};
  auto& s = subs_.at(i);
  ++s.posts;
  s.last_status = status;
  nlohmann::json ev{{"ev", "post"}, {"key", s.key}, {"status", status}};
  if (id) {
    ev["id"] = *id;
    if (s.id && *s.id != *id)
      ev["conflict_with"] = *s.id; // the checker reports it
    if (!s.id)
      s.id = id;
    s.acked = true;
  } else if (status != 200 && status != 201) {
    ev["body"] = body.substr(0, 300);
  }
  write(std::move(ev));
}

void history::add_kill(const kill_request& k) {
  std::lock_guard lock{mu_};
  write({{"ev", "kill"},
         {"key", k.key},
         {"id", k.id},
         {"status", k.status},
         {"state_after", k.state_after},
         {"sent", stamp(k.sent)},
         {"answered", stamp(k.answered)}});
  kills_.push_back(k);
}

void history::add_result(const result_entry& r) {
  std::lock_guard lock{mu_};
  write({{"ev", "result"},
         {"cursor", r.cursor},
         {"id", r.id},
         {"key", r.key},
         {"state", r.state},
         {"attempts", r.attempts},
         {"reason", r.reason}});
  results_.push_back(r);
}

void history::add_framework_id(const std::string& id) {
  std::lock_guard lock{mu_};
  if (framework_ids_.insert(id).second)
    write({{"ev", "framework_id"}, {"id", id}});
}

void history::add_exit(const serve_exit& e) {
  std::lock_guard lock{mu_};
  write({{"ev", "serve_exit"}, {"status", e.status}, {"expected", e.expected}});
  exits_.push_back(e);
}

void history::note(const std::string& what, const nlohmann::json& detail) {
  std::lock_guard lock{mu_};
  write({{"ev", "note"}, {"what", what}, {"detail", detail}});
}

std::vector<submission> history::submissions() const {
  std::lock_guard lock{mu_};
  return subs_;
}

std::vector<kill_request> history::kills() const {
  std::lock_guard lock{mu_};
  return kills_;
}

std::vector<result_entry> history::results() const {
  std::lock_guard lock{mu_};
  return results_;
}

std::set<std::string> history::framework_ids() const {
  std::lock_guard lock{mu_};
  return framework_ids_;
}

std::vector<serve_exit> history::exits() const {
  std::lock_guard lock{mu_};
  return exits_;
}

std::optional<submission> history::find(std::size_t i) const {
  std::lock_guard lock{mu_};
  if (i >= subs_.size())
    return std::nullopt;
  return subs_[i];
}

} // namespace outrigger::chaos
