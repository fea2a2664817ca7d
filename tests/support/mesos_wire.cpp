#include "tests/support/mesos_wire.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#ifndef OUTRIGGER_MESOS_WIRE_DIR
#define OUTRIGGER_MESOS_WIRE_DIR ""
#endif

namespace outrigger::test {

namespace fs = std::filesystem;

std::optional<fs::path> find_mesos_wire(const std::string& subdir,
                                        std::string& why_missing) {
  fs::path dir = OUTRIGGER_MESOS_WIRE_DIR;
  std::string from = "build's default, tests/data/mesos-wire";
  if (const char* env = std::getenv("OUTRIGGER_MESOS_WIRE_DIR");
      env != nullptr && *env != '\0') {
    dir = env;
    from = "environment variable OUTRIGGER_MESOS_WIRE_DIR";
  }
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir / subdir, ec)) {
    why_missing = "recorded Mesos wire transcripts not found at '" +
                  dir.string() + "' (from the " + from +
                  "); they belong to the checkout (tests/data/mesos-wire)";
    return std::nullopt;
  }
  return dir;
}

std::string read_binary_file(const fs::path& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return std::move(out).str();
}

} // namespace outrigger::test
