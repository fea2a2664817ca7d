#pragma once
// Where the recorded Mesos wire transcripts (shared/mesos-wire) are: one
// lookup for every suite that reads them (conformance, simulator replay).

#include <filesystem>
#include <optional>
#include <string>

namespace outrigger::test {

/// The mesos-wire directory: $OUTRIGGER_MESOS_WIRE_DIR if set, else the
/// CMake cache variable of that name. Nullopt when it lacks `subdir`; then
/// `why_missing` says where it looked and how to point it elsewhere.
std::optional<std::filesystem::path> find_mesos_wire(const std::string& subdir,
                                                     std::string& why_missing);

/// The whole content of a file; throws std::runtime_error naming the path.
std::string read_binary_file(const std::filesystem::path& path);

} // namespace outrigger::test
