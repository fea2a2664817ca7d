#include "sim/credentials.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace outrigger::sim {

std::vector<credential> parse_credentials(std::string_view text) {
  std::vector<credential> out;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return out; // Mesos: an empty file means no credentials
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw std::invalid_argument("Invalid json format: expected an object "
                                "{\"credentials\":[...]}");
  if (!doc.contains("credentials"))
    return out; // a repeated field may be absent
  auto& list = doc["credentials"];
  if (!list.is_array())
    throw std::invalid_argument("'credentials' must be an array");
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto& entry = list[i];
    auto where = "credentials[" + std::to_string(i) + "]";
    if (!entry.is_object())
      throw std::invalid_argument(where + " must be an object");
    if (!entry.contains("principal") || !entry["principal"].is_string())
      throw std::invalid_argument("Missing required fields: " + where +
                                  ".principal");
    credential c;
    c.principal = entry["principal"].get<std::string>();
    if (entry.contains("secret")) {
      if (!entry["secret"].is_string())
        throw std::invalid_argument(where + ".secret must be a string");
      c.secret = entry["secret"].get<std::string>();
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<credential> read_credentials(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    throw std::invalid_argument("Failed to read credentials file '" +
                                path.string() + "'");
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return parse_credentials(text.str());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("credentials file '" + path.string() +
                                "': " + e.what());
  }
}

} // namespace outrigger::sim
