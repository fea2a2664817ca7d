#pragma once
// Where the recorded Mesos wire transcripts (tests/data/mesos-wire) are: one
// lookup for every suite that reads them (conformance, simulator replay).

#include <filesystem>
#include <optional>
#include <string>

namespace outrigger::test {

/// The mesos-wire directory: $OUTRIGGER_MESOS_WIRE_DIR if set, else
/// tests/data/mesos-wire of the checkout (compiled in). Nullopt when it lacks
/// `subdir`; then `why_missing` says where it looked. Callers fail the test:
/// the recordings are part of the repository, never optional.
std::optional<std::filesystem::path> find_mesos_wire(const std::string& subdir,
                                                     std::string& why_missing);

/// The whole content of a file; throws std::runtime_error naming the path.
std::string read_binary_file(const std::filesystem::path& path);

} // namespace outrigger::test
