// libFuzzer target for the request target as the API reads it: the path and
// query string split at '?' and decoded (url_decode, parse_query), the
// route pattern and task id of a path below /v1/tasks/ (task_pattern,
// task_id_of) and the numbers of query parameters (unsigned_of, signed_of).
//
// For every input it checks that
//  - nothing throws or reads out of bounds;
//  - url_decode never grows its input, and text without '%' and '+' comes
//    back unchanged;
//  - an accepted number prints back to the same text (modulo the sign and
//    leading zeros that from_chars allows), and a task id is accepted
//    exactly when the id segment is 1-20 decimal digits that fit 64 bits.
// Run: see tests/fuzz/README.md.

#include "app/request_parse.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace outrigger::app;

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "query_fuzz: %s\n%.*s\n", what,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// The reference for a whole-text unsigned number: digits only, fits 64 bits.
bool reference_unsigned(std::string_view text, std::uint64_t& out) {
  if (text.empty())
    return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    auto d = static_cast<std::uint64_t>(c - '0');
    if (out > (UINT64_MAX - d) / 10)
      return false;
    out = out * 10 + d;
  }
  return true;
}

void check_number(std::string_view text) {
  std::uint64_t expected = 0;
  bool ok = reference_unsigned(text, expected);
  auto u = unsigned_of(text);
  if (u.has_value() != ok || (ok && *u != expected))
    fail("unsigned_of differs from the reference", text);
  auto s = signed_of(text);
  if (s) {
    auto digits = text.starts_with('-') ? text.substr(1) : text;
    std::uint64_t magnitude = 0;
    if (!reference_unsigned(digits, magnitude))
      fail("signed_of accepted text that is not [-]digits", text);
    auto back = *s < 0 ? 0 - static_cast<std::uint64_t>(*s)
                       : static_cast<std::uint64_t>(*s);
    if (back != magnitude)
      fail("signed_of gave another value", text);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string target{reinterpret_cast<const char*>(data), size};
  auto q = target.find('?');
  auto raw_path = target.substr(0, q);
  auto path = url_decode(raw_path);
  if (path.size() > raw_path.size())
    fail("url_decode grew its input", raw_path);
  if (raw_path.find_first_of("%+") == std::string::npos && path != raw_path)
    fail("url_decode changed plain text", raw_path);

  std::map<std::string, std::string> query;
  if (q != std::string::npos)
    parse_query(target.substr(q + 1), query);
  for (auto& [name, value] : query)
    check_number(value);

  auto pattern = task_pattern(path);
  if (!pattern.empty()) {
    bool whole = pattern.ends_with("{id}");
    auto id = task_id_of(path, whole);
    auto rest =
      std::string_view{path}.substr(std::string_view{"/v1/tasks/"}.size());
    auto segment = whole ? rest : rest.substr(0, rest.find('/'));
    std::uint64_t expected = 0;
    bool ok = reference_unsigned(segment, expected);
    if (id.has_value() != ok || (ok && *id != expected))
      fail("task_id_of differs from the reference", path);
  } else if (task_id_of(path, true) || task_id_of(path, false)) {
    fail("task_id_of accepted a path outside /v1/tasks/", path);
  }
  check_number(path);
  return 0;
}
