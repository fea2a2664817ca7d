#pragma once
// When things happened, read from outrigger's log: its lines start with a
// UTC stamp in milliseconds ("2026-12-06T02:15:46.123Z ..."). The benchmarks
// that time failovers take their events from there.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace outrigger::bench {

using wall = std::chrono::system_clock;

/// The stamp of a log line, or nullopt for a line without one.
std::optional<wall::time_point> line_time(const std::string& line);

/// The first line of `log` containing `needle` stamped at or after `from`
/// (compared at the stamps' millisecond resolution).
std::optional<wall::time_point> first_after(const std::filesystem::path& log,
                                            const std::string& needle,
                                            wall::time_point from);

/// "HH:MM:SS.mmm" (UTC).
std::string clock_text(wall::time_point t);

/// Seconds of a duration.
inline double secs(wall::duration d) {
  return std::chrono::duration<double>(d).count();
}

} // namespace outrigger::bench
