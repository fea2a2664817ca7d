#include "app/cli_config.hpp"

#include "app/cli_support.hpp"

#include <cctype>
#include <fstream>
#include <stdexcept>

namespace outrigger::app {

namespace {

std::string trimmed(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos)
    return {};
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// The first line of a token file, surrounding whitespace dropped.
std::optional<std::string> read_token(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return std::nullopt;
  std::string t;
  std::getline(in, t);
  return trimmed(t);
}

} // namespace

client_conf parse_client_conf(std::istream& in, const std::string& name) {
  client_conf conf;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    auto at = name + " line " + std::to_string(n) + ": ";
    auto text = trimmed(line);
    if (text.empty() || text[0] == '#')
      continue;
    auto eq = text.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument(at + "expected key = value, got \"" + text +
                                  "\"");
    auto key = trimmed(text.substr(0, eq));
    auto value = trimmed(text.substr(eq + 1));
    for (auto& ch : key)
      if (ch == '_')
        ch = '-';
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    if (value.empty())
      throw std::invalid_argument(at + key + ": empty value");
    if (key == "api") {
      conf.api = value;
    } else if (key == "token-file") {
      conf.token_file = value;
    } else if (key == "timeout") {
      std::size_t used = 0;
      int t = 0;
      try {
        t = std::stoi(value, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != value.size() || t <= 0)
        throw std::invalid_argument(at +
                                    "timeout: expected a number of "
                                    "seconds > 0, got \"" +
                                    value + "\"");
      conf.timeout = t;
    } else {
      throw std::invalid_argument(at + "unknown key \"" + key +
                                  "\" (known: api, token-file, timeout)");
    }
  }
  return conf;
}

std::string client_conf_path(const env_reader& env) {
  if (auto* x = env("XDG_CONFIG_HOME"); x && *x)
    return std::string{x} + "/outrigger/client.conf";
  if (auto* h = env("HOME"); h && *h)
    return std::string{h} + "/.config/outrigger/client.conf";
  return {};
}

std::string resolve_client(client_settings& c, const env_reader& env) {
  auto set = [&](const char* name) -> std::optional<std::string> {
    if (auto* v = env(name); v && *v)
      return std::string{v};
    return std::nullopt;
  };
  client_conf conf;
  std::string path = client_conf_path(env);
  if (!path.empty()) {
    std::ifstream in{path};
    if (in) {
      try {
        conf = parse_client_conf(in, path);
      } catch (const std::exception& e) {
        return e.what();
      }
    }
  }
  // --api > OUTRIGGER_API > api = > default.
  if (!c.api_flag.empty())
    c.api = c.api_flag;
  else if (auto e = set("OUTRIGGER_API"))
    c.api = *e;
  else if (conf.api)
    c.api = *conf.api;
  if (c.timeout_flag > 0)
    c.timeout = c.timeout_flag;
  else if (conf.timeout)
    c.timeout = *conf.timeout;
  // --token-file > OUTRIGGER_TOKEN_FILE > OUTRIGGER_TOKEN > token-file =.
  // (OUTRIGGER_API_TOKEN_FILE and OUTRIGGER_API_TOKEN: the older names.)
  std::optional<std::string> file;
  std::string source;
  if (!c.token_file_flag.empty()) {
    file = c.token_file_flag;
    source = "--token-file";
  } else if (auto e = set("OUTRIGGER_TOKEN_FILE")) {
    file = *e;
    source = "OUTRIGGER_TOKEN_FILE";
  } else if (auto e2 = set("OUTRIGGER_API_TOKEN_FILE")) {
    file = *e2;
    source = "OUTRIGGER_API_TOKEN_FILE";
  } else if (auto t = set("OUTRIGGER_TOKEN")) {
    c.token = *t;
  } else if (auto t2 = set("OUTRIGGER_API_TOKEN")) {
    c.token = *t2;
  } else if (conf.token_file) {
    file = *conf.token_file;
    source = "token-file in " + path;
  }
  if (file) {
    auto token = read_token(*file);
    if (!token)
      return source + ": cannot read the token file " + *file;
    c.token = *token;
  }
  return {};
}

} // namespace outrigger::app
