#pragma once
// The screen of `outrigger top`, as a pure function of what the API said
// (tested in tests/app/cli_unit_test.cpp); cli_top.cpp does the terminal.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace outrigger::app {

/// What one refresh of `top` knows.
struct top_view {
  std::string api;
  std::string clock;        ///< "10:04:05 UTC"
  nlohmann::json framework; ///< GET /v1/framework (null: unreachable)
  std::string error;        ///< why the framework is null
  std::optional<double> launch_rate, finish_rate; ///< tasks per second
  nlohmann::json oldest_pending; ///< GET /v1/tasks/{id} (null: none)
  std::string oldest_age;        ///< "3m"
};

/// The lines of the screen, each at most `width` columns (0: not cut).
std::vector<std::string> top_lines(const top_view& v, unsigned width);

} // namespace outrigger::app
