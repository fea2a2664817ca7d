#include "app/cli_progress.hpp"

#include "app/cli_output.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <vector>

namespace outrigger::app {

void wait_counts::add(const std::string& state, std::uint64_t n) {
  if (n == 0)
    return;
  by_state[state] += n;
  total += n;
  if (terminal_state(state)) {
    ended += n;
    if (state != "FINISHED")
      failed += n;
  } else if (state == "QUEUED") {
    queued += n;
  } else {
    running += n;
  }
}

wait_counts counts_of_framework(const nlohmann::json& tasks_by_state) {
  wait_counts c;
  if (!tasks_by_state.is_object())
    return c;
  for (auto& [state, n] : tasks_by_state.items())
    if (n.is_number_unsigned() || n.is_number_integer())
      c.add(state, n.get<std::uint64_t>());
  return c;
}

void rate_meter::sample(clock::time_point now, std::uint64_t ended) {
  samples_.emplace_back(now, ended);
  // Keep the window, and at most a bounded number of samples.
  while (samples_.size() > 2 &&
         (now - samples_.front().first > window_ || samples_.size() > 1000))
    samples_.pop_front();
}

std::optional<double> rate_meter::rate() const {
  if (samples_.size() < 2)
    return std::nullopt;
  auto& [t0, n0] = samples_.front();
  auto& [t1, n1] = samples_.back();
  auto dt = std::chrono::duration<double>(t1 - t0).count();
  if (dt < 1.0)
    return std::nullopt;
  return n1 >= n0 ? static_cast<double>(n1 - n0) / dt : 0.0;
}

std::optional<double> rate_meter::eta(std::uint64_t remaining) const {
  auto r = rate();
  if (!r || *r <= 0.0)
    return std::nullopt;
  return static_cast<double>(remaining) / *r;
}

std::string short_duration(double seconds) {
  auto s = static_cast<long long>(std::llround(std::max(seconds, 0.0)));
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%llds", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
  return buf;
}

namespace {

std::string rate_text(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, r >= 100 ? "%.0f/s" : "%.1f/s", r);
  return buf;
}

// Cuts at `n` bytes without splitting a UTF-8 sequence.
std::string cut_bytes(std::string s, std::size_t n) {
  if (s.size() <= n)
    return s;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
    --n;
  return s.substr(0, n);
}

} // namespace

std::string status_line(const wait_counts& c, std::optional<double> rate,
                        std::optional<double> eta,
                        const std::string& pending_reason, unsigned width) {
  std::string line =
    std::to_string(c.ended) + "/" + std::to_string(c.total) + " done";
  auto part = [&](std::uint64_t n, const char* what) {
    if (n > 0)
      line += "  " + std::to_string(n) + " " + what;
  };
  part(c.failed, "failed");
  part(c.running, "running");
  part(c.queued, "queued");
  if (rate)
    line += "  " + rate_text(*rate);
  if (eta && c.ended < c.total)
    line += "  ETA " + short_duration(*eta);
  if (c.queued > 0 && !pending_reason.empty())
    line += "  waiting: " + pending_reason;
  if (width > 1) {
    // Columns ~ code points; cut by code points.
    std::size_t cols = 0, i = 0;
    for (; i < line.size(); ++i)
      if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80 &&
          ++cols > width - 1)
        break;
    line = cut_bytes(line, i);
  }
  return line;
}

std::string most_common(const std::vector<std::string>& reasons) {
  std::vector<std::pair<std::string, std::size_t>> seen;
  for (auto& r : reasons) {
    if (r.empty())
      continue;
    auto it = std::find_if(seen.begin(), seen.end(),
                           [&](auto& p) { return p.first == r; });
    if (it == seen.end())
      seen.emplace_back(r, 1);
    else
      ++it->second;
  }
  std::string best;
  std::size_t most = 0;
  for (auto& [r, n] : seen)
    if (n > most) {
      most = n;
      best = r;
    }
  return best;
}

std::string summary_text(const wait_counts& c, double seconds,
                         const std::vector<nlohmann::json>& failures,
                         std::size_t max_listed, bool colour) {
  std::ostringstream out;
  out << c.total << (c.total == 1 ? " task" : " tasks");
  std::string sep = ": ";
  // FINISHED first, then the others in name order.
  auto paint = [&](const std::string& state, const std::string& text) {
    auto col = colour ? state_colour(state) : std::string{};
    return col.empty() ? text : col + text + "\x1b[0m";
  };
  if (auto it = c.by_state.find("FINISHED"); it != c.by_state.end()) {
    out << sep << paint("FINISHED", std::to_string(it->second) + " FINISHED");
    sep = ", ";
  }
  for (auto& [state, n] : c.by_state)
    if (state != "FINISHED") {
      out << sep << paint(state, std::to_string(n) + " " + state);
      sep = ", ";
    }
  out << " in " << short_duration(seconds) << "\n";
  if (failures.empty())
    return out.str();
  out << "Did not finish:\n";
  std::size_t listed = 0;
  for (auto& f : failures) {
    if (listed == max_listed)
      break;
    ++listed;
    auto id = f.contains("id") ? f["id"].dump() : std::string{"?"};
    out << "  " << id << "  " << f.value("key", "") << "  "
        << paint(f.value("state", ""), f.value("state", ""));
    if (auto o = outcome_of(f); !o.empty())
      out << "  " << o;
    out << "\n" << indented_tail(f, 5);
  }
  if (failures.size() > listed)
    out << "  ... and " << failures.size() - listed
        << " more (outrigger results -o wide)\n";
  return out.str();
}

} // namespace outrigger::app
