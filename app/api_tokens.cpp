#include "app/api_tokens.hpp"

#include "actors/log.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <fstream>
#include <sstream>

namespace outrigger::app {

std::string_view to_string(scope s) noexcept {
  switch (s) {
    case scope::read:
      return "read";
    case scope::submit:
      return "submit";
    case scope::admin:
      return "admin";
  }
  return "read";
}

std::optional<scope> parse_scope(std::string_view text) noexcept {
  for (auto s : {scope::read, scope::submit, scope::admin})
    if (text == to_string(s))
      return s;
  return std::nullopt;
}

token_set::digest token_set::hash_of(std::string_view token) {
  digest d{};
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(),
         d.data());
  return d;
}

bool token_set::add(std::string name, scope granted, std::string_view token) {
  auto h = hash_of(token);
  for (auto& e : entries_)
    if (e.caller.name == name || e.hash == h)
      return false;
  entries_.push_back(entry{api_caller{std::move(name), granted}, h});
  return true;
}

std::optional<api_caller> token_set::find(std::string_view presented) const {
  auto h = hash_of(presented);
  const entry* found = nullptr;
  // Every entry is compared, each in constant time: neither the position
  // of a match nor the length of a common prefix shows in the timing.
  for (auto& e : entries_)
    if (CRYPTO_memcmp(e.hash.data(), h.data(), h.size()) == 0)
      found = &e;
  if (!found)
    return std::nullopt;
  return found->caller;
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

// The next whitespace-separated word of `line` (consumed).
std::string_view word(std::string_view& line) {
  line = trim(line);
  auto end = line.find_first_of(" \t");
  auto w = line.substr(0, end);
  line = end == std::string_view::npos ? std::string_view{} : line.substr(end);
  return w;
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return false;
  std::ostringstream buf;
  buf << in.rdbuf();
  out = buf.str();
  return true;
}

} // namespace

std::string parse_tokens_file(std::string_view text, const std::string& origin,
                              token_set& out) {
  std::size_t n = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = trim(text.substr(0, nl));
    text =
      nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++n;
    if (line.empty() || line.front() == '#')
      continue;
    auto where = origin + " line " + std::to_string(n) + ": ";
    auto name = word(line);
    auto scope_text = word(line);
    auto token = word(line);
    if (token.empty() || !trim(line).empty())
      return where + "expected `name scope token`";
    log::add_secret(std::string{token});
    auto s = parse_scope(scope_text);
    if (!s)
      return where + "unknown scope \"" + std::string{scope_text} +
             "\" (read, submit or admin)";
    if (token.size() < 16)
      return where + "the token of \"" + std::string{name} +
             "\" is shorter than 16 characters";
    if (!out.add(std::string{name}, *s, token))
      return where + "the name \"" + std::string{name} +
             "\" or its token is already in the file";
  }
  return {};
}

std::optional<token_set> load_tokens(const token_sources& src,
                                     std::string& error) {
  token_set out;
  std::string single = src.env_token;
  if (!src.token_file.empty()) {
    std::string text;
    if (!read_file(src.token_file, text)) {
      error = "--api-token-file: cannot read " + src.token_file;
      return std::nullopt;
    }
    single = std::string{trim(text)};
    if (single.empty()) {
      error = "--api-token-file: " + src.token_file + " is empty";
      return std::nullopt;
    }
  }
  if (!single.empty()) {
    log::add_secret(single);
    out.add("admin", scope::admin, single);
  }
  if (!src.tokens_file.empty()) {
    std::string text;
    if (!read_file(src.tokens_file, text)) {
      error = "--api-tokens-file: cannot read " + src.tokens_file;
      return std::nullopt;
    }
    error =
      parse_tokens_file(text, "--api-tokens-file " + src.tokens_file, out);
    if (!error.empty())
      return std::nullopt;
    if (out.empty()) {
      error = "--api-tokens-file: " + src.tokens_file + " has no token";
      return std::nullopt;
    }
  }
  return out;
}

} // namespace outrigger::app
