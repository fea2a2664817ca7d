#include "bench/chaos/workload.hpp"

#include "bench/e2e/http_line.hpp"

#include <algorithm>

namespace outrigger::chaos {

using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

// Requests answer in milliseconds unless the service is paused or hung; a
// paused service is a fault of at most a few seconds.
constexpr int request_timeout_ms = 5000;

bool retryable(unsigned status) {
  return status == 0 || status == 429 || status == 503;
}

json task_spec(const submission& s) {
  json retry{{"max_attempts", s.max_attempts},
             {"backoff_seconds", 0.2},
             {"max_backoff_seconds", 1}};
  if (s.retry_failed)
    retry["on"] = {"LOST", "GONE", "DROPPED", "FAILED"};
  return {{"key", s.key},
          {"command", "chaos " + s.key},
          {"resources", {{"cpus", 0.1}, {"mem", 32}}},
          {"labels",
           {{"outrigger.sim/duration_ms", std::to_string(s.duration_ms)},
            {"outrigger.sim/exit_code", s.fails ? "1" : "0"}}},
          {"retry", retry}};
}

} // namespace

workload::workload(workload_options o, history& h)
  : o_(std::move(o)), history_(h) {}

workload::~workload() {
  stop();
}

void workload::start() {
  submitting_ = running_ = true;
  threads_.emplace_back([this] { submit_loop(); });
  threads_.emplace_back([this] { kill_loop(); });
  threads_.emplace_back([this] { read_loop(); });
}

void workload::stop_submitting() {
  submitting_ = false;
}

void workload::finish_kills() {
  auto until = std::chrono::steady_clock::now() + o_.give_up;
  while (std::chrono::steady_clock::now() < until) {
    {
      std::lock_guard lock{kill_mu_};
      if (planned_kills_.empty() && kills_idle_)
        return;
    }
    std::this_thread::sleep_for(100ms);
  }
}

void workload::stop() {
  submitting_ = running_ = false;
  for (auto& t : threads_)
    if (t.joinable())
      t.join();
  threads_.clear();
}

void workload::submit_loop() {
  std::mt19937_64 rng{o_.seed * 7919 + 1};
  std::uniform_real_distribution<double> u{0, 1};
  std::uniform_int_distribution<int> batch_size{2, 6};
  bench::http_line api{o_.api_port, request_timeout_ms};
  std::size_t n = 0;
  auto next = std::chrono::steady_clock::now();
  while (submitting_) {
    // Mostly single submissions, sometimes a batch.
    int count = u(rng) < 0.8 ? 1 : batch_size(rng);
    std::vector<std::size_t> idx;
    json batch = json::array();
    for (int k = 0; k < count; ++k) {
      submission s;
      s.key = "chaos-" + std::to_string(o_.seed) + "-" + std::to_string(n++);
      // Long tasks outlast a kill sent within 5 s by more than the
      // checker's kill_slack, so an unheeded kill shows; they never fail
      // (four attempts of 35 s would stretch the drain).
      bool lng = u(rng) < o_.long_share;
      s.duration_ms = lng ? 22000 + static_cast<int>(u(rng) * 13000)
                          : 100 + static_cast<int>(u(rng) * 4900);
      s.fails = !lng && u(rng) < o_.fail_share;
      s.max_attempts = 1 + static_cast<int>(u(rng) * 4); // 1..4
      s.retry_failed = u(rng) < 0.5;
      s.submitted = wall::now();
      bool kill = u(rng) < (lng ? 0.6 : o_.kill_share);
      auto kill_after = std::chrono::milliseconds{
        static_cast<long>(200 + u(rng) * (lng ? 4800 : 3000))};
      batch.push_back(task_spec(s));
      auto i = history_.add_submission(std::move(s));
      idx.push_back(i);
      if (kill) {
        std::lock_guard lock{kill_mu_};
        planned_kills_.emplace_back(wall::now() + kill_after, i);
      }
    }
    auto body = count == 1 ? batch[0].dump() : json{{"tasks", batch}}.dump();
    auto give_up = std::chrono::steady_clock::now() + o_.give_up;
    std::vector<bool> done(idx.size(), false);
    while (std::chrono::steady_clock::now() < give_up) {
      auto a = api.call("POST", "/v1/tasks", body);
      auto doc = json::parse(a.body, nullptr, false);
      if (count == 1) {
        std::optional<std::uint64_t> id;
        if ((a.status == 200 || a.status == 201) && doc.is_object())
          id = doc.value("id", std::uint64_t{0});
        history_.post_answer(idx[0], a.status, id, a.body);
        if (!retryable(a.status))
          break;
      } else {
        if (a.status != 200 || !doc.is_object() || !doc.contains("tasks")) {
          for (std::size_t k = 0; k < idx.size(); ++k)
            history_.post_answer(idx[k], a.status, std::nullopt, a.body);
          if (!retryable(a.status))
            break;
        } else {
          // Items refused with 503 are sent again (the same keys: items
          // already created answer 200).
          bool again = false;
          auto& items = doc["tasks"];
          for (std::size_t k = 0; k < idx.size() && k < items.size(); ++k) {
            auto& it = items[k];
            unsigned st = it.value("status", 0u);
            std::optional<std::uint64_t> id;
            if ((st == 200 || st == 201) && it.contains("task"))
              id = it["task"].value("id", std::uint64_t{0});
            history_.post_answer(idx[k], st, id, it.dump());
            again |= retryable(st);
          }
          if (!again)
            break;
        }
      }
      std::this_thread::sleep_for(200ms);
    }
    next += std::chrono::microseconds{
      static_cast<long>(1e6 * count / o_.tasks_per_second)};
    auto now = std::chrono::steady_clock::now();
    if (next > now)
      std::this_thread::sleep_for(next - now);
    else
      next = now; // fell behind during an outage: no burst afterwards
  }
}

void workload::kill_loop() {
  bench::http_line api{o_.api_port, request_timeout_ms};
  while (running_) {
    std::optional<std::size_t> due;
    {
      std::lock_guard lock{kill_mu_};
      auto now = wall::now();
      auto it = std::min_element(planned_kills_.begin(), planned_kills_.end());
      if (it != planned_kills_.end() && it->first <= now) {
        due = it->second;
        planned_kills_.erase(it);
        kills_idle_ = false;
      }
    }
    if (!due) {
      std::this_thread::sleep_for(20ms);
      continue;
    }
    auto s = history_.find(*due);
    // Not acknowledged (yet): wait a little for the submitter.
    for (int i = 0; i < 100 && s && !s->id && running_; ++i) {
      std::this_thread::sleep_for(100ms);
      s = history_.find(*due);
    }
    if (s && s->id) {
      kill_request k;
      k.key = s->key;
      k.id = *s->id;
      k.sent = wall::now();
      auto give_up = std::chrono::steady_clock::now() + o_.give_up;
      while (std::chrono::steady_clock::now() < give_up) {
        auto a = api.call("DELETE", "/v1/tasks/" + std::to_string(k.id));
        k.status = a.status;
        if (!retryable(a.status)) {
          auto doc = json::parse(a.body, nullptr, false);
          if (doc.is_object())
            k.state_after = doc.value("state", "");
          break;
        }
        std::this_thread::sleep_for(200ms);
      }
      k.answered = wall::now();
      history_.add_kill(k);
    }
    kills_idle_ = true;
  }
}

void workload::read_loop() {
  bench::http_line api{o_.api_port, request_timeout_ms};
  auto last_framework = std::chrono::steady_clock::now() - 1h;
  while (running_) {
    auto a =
      api.call("GET", "/v1/results?after=" + std::to_string(cursor_.load()) +
                        "&limit=500");
    if (a.status == 200) {
      auto doc = json::parse(a.body, nullptr, false);
      if (doc.is_object() && doc["results"].is_array()) {
        if (doc.value("truncated", false))
          history_.note("results truncated", {{"after", cursor_.load()}});
        for (auto& r : doc["results"]) {
          result_entry e;
          e.cursor = r.value("cursor", std::uint64_t{0});
          e.id = r.value("id", std::uint64_t{0});
          e.key = r.value("key", "");
          e.state = r.value("state", "");
          e.reason = r.value("reason", "");
          e.message = r.value("message", "");
          e.attempts = r.value("attempts", 0);
          history_.add_result(e);
          cursor_ = std::max(cursor_.load(), e.cursor);
        }
        if (!doc["results"].empty())
          continue; // more may be waiting
      }
    }
    if (std::chrono::steady_clock::now() - last_framework > 2s) {
      auto f = api.call("GET", "/v1/framework");
      auto doc = json::parse(f.body, nullptr, false);
      if (f.status == 200 && doc.is_object() &&
          !doc.value("framework_id", "").empty())
        history_.add_framework_id(doc["framework_id"]);
      last_framework = std::chrono::steady_clock::now();
    }
    std::this_thread::sleep_for(200ms);
  }
}

} // namespace outrigger::chaos
