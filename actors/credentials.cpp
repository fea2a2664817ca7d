#include "actors/credentials.hpp"

#include "actors/error.hpp"
#include "actors/log.hpp"
#include "protocol/codec.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace outrigger {

namespace {

caf::error bad(std::string_view origin, std::string_view what) {
  return caf::make_error(ec::bad_credentials,
                         std::string{origin} + ": " + std::string{what});
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

caf::expected<credentials> checked(credentials c, std::string_view origin) {
  if (c.principal.empty())
    return bad(origin, "the principal is empty");
  if (c.secret.empty())
    return bad(origin, "the secret is empty");
  if (c.principal.find(':') != std::string::npos)
    return bad(origin, "the principal must not contain ':'");
  log::add_secret(c.principal);
  log::add_secret(c.secret);
  return c;
}

} // namespace

std::string credentials::basic_authorization() const {
  return "Basic " + protocol::base64_encode(principal + ":" + secret);
}

caf::expected<credentials> parse_credentials(std::string_view text,
                                             std::string_view origin) {
  auto in = trim(text);
  if (in.empty())
    return bad(origin, "no credentials found (empty)");
  if (in.front() == '{') {
    auto doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
      return bad(origin, "not a valid JSON object");
    auto* obj = &doc;
    if (auto it = doc.find("credentials"); it != doc.end()) {
      if (!it->is_array() || it->empty() || !(*it)[0].is_object())
        return bad(origin, "'credentials' must be a non-empty array of "
                           "objects");
      obj = &(*it)[0];
    }
    auto p = obj->find("principal");
    auto s = obj->find("secret");
    if (p == obj->end() || !p->is_string())
      return bad(origin, "missing string member 'principal'");
    if (s == obj->end() || !s->is_string())
      return bad(origin, "missing string member 'secret'");
    return checked({p->get<std::string>(), s->get<std::string>()}, origin);
  }
  if (in.find('\n') != std::string_view::npos)
    return bad(origin, "expected one line 'principal secret'");
  auto sep = in.find_first_of(" \t");
  if (sep == std::string_view::npos)
    sep = in.find(':');
  if (sep == std::string_view::npos)
    return bad(origin, "expected 'principal secret' or 'principal:secret'");
  return checked({std::string{trim(in.substr(0, sep))},
                  std::string{trim(in.substr(sep + 1))}},
                 origin);
}

caf::expected<credentials> load_credentials_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return bad("credentials file '" + path + "'", "cannot be read");
  // A secret every user of the machine can read is no secret.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & S_IROTH)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o",
                  static_cast<unsigned>(st.st_mode & 07777));
    return bad("credentials file '" + path + "'",
               std::string{"is readable by every user (mode "} + mode +
                 "): run chmod 600 " + path);
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_credentials(buf.str(), "credentials file '" + path + "'");
}

caf::expected<credentials> load_credentials_env(const char* principal_var,
                                                const char* secret_var) {
  auto* p = std::getenv(principal_var);
  auto* s = std::getenv(secret_var);
  std::string origin = "environment ";
  origin += principal_var;
  origin += "/";
  origin += secret_var;
  if (!p || !*p)
    return bad(origin, std::string{principal_var} + " is not set");
  if (!s || !*s)
    return bad(origin, std::string{secret_var} + " is not set");
  return checked({p, s}, origin);
}

} // namespace outrigger
