#pragma once
// Mesos' --credentials file (src/credentials/credentials.hpp): the JSON form
// of the Credentials protobuf,
//   {"credentials":[{"principal":"outrigger","secret":"sekret"}, ...]}
// as recorded in mesos-wire transcripts2/bodies/100-master-credentials-file.

#include "sim/master_config.hpp"

#include <filesystem>
#include <string_view>
#include <vector>

namespace outrigger::sim {

/// Parses the text of a credentials file. An empty text has no credentials.
/// @throws std::invalid_argument naming what is wrong (not JSON, no
///   "credentials" array, an entry without a string "principal", a
///   "secret" that is not a string).
std::vector<credential> parse_credentials(std::string_view text);

/// Reads and parses a credentials file.
/// @throws std::invalid_argument as parse_credentials, prefixed with the
///   path, or when the file cannot be read.
std::vector<credential> read_credentials(const std::filesystem::path& path);

} // namespace outrigger::sim
