#include "bench/chaos/checker.hpp"

#include <ctime>
#include <set>
#include <sstream>

namespace outrigger::chaos {

using json = nlohmann::json;

namespace {

bool terminal(const std::string& s) {
  return s == "FINISHED" || s == "FAILED" || s == "KILLED" || s == "LOST" ||
         s == "GONE" || s == "DROPPED" || s == "ERROR";
}

// "2026-12-06T06:10:00.123Z" (or without fraction).
std::optional<wall::time_point> parse_time(const json& v) {
  if (!v.is_string())
    return std::nullopt;
  auto s = v.get<std::string>();
  std::tm tm{};
  double sec = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%lf", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &sec) != 6)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_sec = 0;
  auto t = wall::from_time_t(timegm(&tm));
  return t + std::chrono::duration_cast<wall::duration>(
               std::chrono::duration<double>(sec));
}

template <typename... A>
std::string text(const A&... a) {
  std::ostringstream o;
  (o << ... << a);
  return o.str();
}

} // namespace

verdict check(const history& h, const final_state& f, int removals) {
  verdict v;
  auto bad = [&](std::string s) { v.violations.push_back(std::move(s)); };
  auto subs = h.submissions();
  v.submitted = subs.size();

  std::map<std::string, const json*> by_key;
  std::map<std::uint64_t, const json*> by_id;
  for (auto& t : f.tasks) {
    by_key[t.value("key", "")] = &t;
    by_id[t.value("id", std::uint64_t{0})] = &t;
  }

  // Nothing acknowledged is lost; a key names one task.
  std::map<std::string, const submission*> sub_by_key;
  for (auto& s : subs) {
    sub_by_key[s.key] = &s;
    if (!s.acked) {
      ++v.unacked;
      continue;
    }
    ++v.acked;
    auto it = by_key.find(s.key);
    if (it == by_key.end())
      bad(text("lost: ", s.key, " (id ", *s.id,
               ") was acknowledged but outrigger no longer knows it"));
    else if ((*it->second)["id"] != *s.id)
      bad(text("key ", s.key, " answered id ", *s.id, " but is now task ",
               (*it->second)["id"]));
  }
  for (auto& t : f.tasks)
    if (sub_by_key.count(t.value("key", "")) == 0)
      bad(text("task ", t["id"], " has key ", t["key"],
               " the client never submitted"));

  // Every task ends, exactly once in the results log, as it ended.
  std::map<std::uint64_t, std::vector<const result_entry*>> results_of;
  for (auto& r : f.results)
    results_of[r.id].push_back(&r);
  for (auto& t : f.tasks) {
    auto id = t.value("id", std::uint64_t{0});
    auto key = t.value("key", "");
    auto state = t.value("state", "");
    ++v.outcomes[state];
    if (!terminal(state))
      bad(text("never ended: ", key, " (id ", id, ") is ", state));
    auto n = results_of.count(id) ? results_of[id].size() : 0;
    if (terminal(state) && n != 1)
      bad(text("results: ", key, " (id ", id, ") has ", n, " results"));
    if (n >= 1 && results_of[id][0]->state != state)
      bad(text("results: ", key, " ended ", state, " but its result says ",
               results_of[id][0]->state));
  }
  for (auto& [id, rs] : results_of)
    if (by_id.count(id) == 0)
      bad(text("results: id ", id, " (", rs[0]->key, ") is no known task"));
  // What the reader saw during the run agrees with the final log.
  std::map<std::uint64_t, std::set<std::uint64_t>> cursors_seen;
  for (auto& r : h.results()) {
    cursors_seen[r.id].insert(r.cursor);
    auto it = results_of.find(r.id);
    if (it == results_of.end() || it->second[0]->cursor != r.cursor ||
        it->second[0]->state != r.state)
      bad(text("results: ", r.key, " was read at cursor ", r.cursor, " as ",
               r.state, ", the final log disagrees"));
  }
  for (auto& [id, cs] : cursors_seen)
    if (cs.size() > 1)
      bad(text("results: id ", id, " read under ", cs.size(), " cursors"));

  // Attempts: within the retry policy, each under its own Mesos task id.
  std::map<std::string, std::string> attempt_owner;
  for (auto& t : f.tasks) {
    auto key = t.value("key", "");
    auto sit = sub_by_key.find(key);
    int started = 0;
    bool after_failed = false, failed_seen = false;
    for (auto& a : t["attempts"]) {
      ++v.attempts;
      auto mid = a.value("mesos_task_id", "");
      if (!attempt_owner.emplace(mid, key).second)
        bad(text("Mesos task id ", mid, " is an attempt of both ",
                 attempt_owner[mid], " and ", key));
      if (a.value("started", false))
        ++started;
      if (failed_seen)
        after_failed = true;
      failed_seen = a.value("state", "") == "FAILED";
    }
    if (sit == sub_by_key.end())
      continue;
    auto& s = *sit->second;
    if (started > s.max_attempts)
      bad(text("retries: ", key, " started ", started,
               " attempts, its policy allows ", s.max_attempts));
    if (after_failed && !s.retry_failed)
      bad(text("retries: ", key,
               " was tried again after FAILED, which its policy does not "
               "retry"));
  }

  // The master: every task it knows is an attempt of ours, none launched
  // twice.
  std::map<std::string, int> launched;
  std::set<std::string> framework_ids = h.framework_ids();
  for (auto* list : {"frameworks", "completed_frameworks"})
    for (auto& fw : f.master_state.value(list, json::array())) {
      framework_ids.insert(fw.value("id", ""));
      for (auto* tl : {"tasks", "completed_tasks", "unreachable_tasks"})
        for (auto& t : fw.value(tl, json::array()))
          ++launched[t.value("id", "")];
    }
  v.launches_seen = launched.size();
  for (auto& [id, n] : launched) {
    if (n > 1)
      bad(text("Mesos task id ", id, " appears ", n,
               " times in the master's state"));
    if (attempt_owner.count(id) == 0)
      bad(text("the master knows task ", id, ", which is no attempt"));
  }
  for (auto& id : f.sim_status.value("launched_twice", json::array()))
    bad(text("Mesos task id ", id.get<std::string>(),
             " was launched twice on the agents"));
  framework_ids.erase("");
  if (!f.framework_id.empty())
    framework_ids.insert(f.framework_id);
  if (framework_ids.size() > 1 + static_cast<std::size_t>(removals))
    bad(text(framework_ids.size(), " framework ids with ", removals,
             " removals injected"));

  // Every kill honoured.
  for (auto& k : h.kills()) {
    if (k.status != 200) {
      bad(text("kill of ", k.key, " was never recorded (last answer ", k.status,
               ")"));
      continue;
    }
    if (terminal(k.state_after)) {
      ++v.kills_moot; // it had ended already
      continue;
    }
    auto it = by_id.find(k.id);
    if (it == by_id.end())
      continue; // reported as lost above
    auto& t = *it->second;
    auto state = t.value("state", "");
    if (!t.value("kill_requested", false) && state != "KILLED")
      bad(text("kill of ", k.key,
               " was recorded, now kill_requested is "
               "false (the journal lost it)"));
    for (auto& a : t["attempts"]) {
      auto launched_at = parse_time(a.value("launched_at", json{}));
      if (launched_at && *launched_at > k.answered + std::chrono::seconds{1})
        bad(text("kill of ", k.key, ": attempt ", a["number"],
                 " launched after the kill was recorded"));
    }
    if (state == "KILLED") {
      ++v.kills_honoured;
      continue;
    }
    auto& last = t["attempts"].empty() ? json{} : t["attempts"].back();
    auto ended = parse_time(last.value("ended_at", json{}));
    if (state == "FINISHED" || state == "FAILED") {
      if (ended && *ended > k.answered + kill_slack)
        bad(text("kill of ", k.key, " not honoured: it ended ", state, " ",
                 std::chrono::duration<double>(*ended - k.answered).count(),
                 " s after the kill was recorded"));
      else
        ++v.kills_moot; // it ended on its own before the kill arrived
    } else {
      ++v.kills_honoured; // LOST/GONE/...: ended, not retried
    }
  }
  return v;
}

} // namespace outrigger::chaos
