#include "bench/log_times.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>

namespace outrigger::bench {

std::optional<wall::time_point> line_time(const std::string& line) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(line.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year,
                  &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
                  &ms) != 7)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return wall::from_time_t(timegm(&tm)) + std::chrono::milliseconds{ms};
}

std::optional<wall::time_point> first_after(const std::filesystem::path& log,
                                            const std::string& needle,
                                            wall::time_point from) {
  std::ifstream in(log);
  std::string line;
  auto floor = std::chrono::floor<std::chrono::milliseconds>(from);
  while (std::getline(in, line)) {
    if (line.find(needle) == std::string::npos)
      continue;
    if (auto t = line_time(line); t && *t >= floor)
      return t;
  }
  return std::nullopt;
}

std::string clock_text(wall::time_point t) {
  auto tt = wall::to_time_t(t);
  auto ms =
    std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch())
      .count() %
    1000;
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min,
                tm.tm_sec, static_cast<int>(ms));
  return buf;
}

} // namespace outrigger::bench
