// Test runs log only errors unless OUTRIGGER_TEST_LOG names a level
// (debug, info, warn, error, off).
#include "actors/log.hpp"

#include <cstdlib>

namespace {

const bool configured = [] {
  auto lvl = outrigger::log::level::error;
  if (auto* env = std::getenv("OUTRIGGER_TEST_LOG"))
    outrigger::log::parse_level(env, lvl);
  outrigger::log::set_level(lvl);
  return true;
}();

} // namespace
