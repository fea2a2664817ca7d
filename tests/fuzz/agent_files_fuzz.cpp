// libFuzzer target for what an agent's /files endpoints answer: the JSON of
// /files/read ({"data": "...", "offset": N}, decoded by parse_files_read as
// the agent writes it), and the text helpers applied to sandbox data and
// paths (valid_utf8 on log bytes, url_encode on paths). /files/browse and
// /files/download answers are passed through to the client undecoded.
//
// For every input it checks that
//  - nothing throws, overflows or reads out of bounds;
//  - valid_utf8 gives valid UTF-8 (its output passes unchanged);
//  - url_encode gives only unreserved characters, '/' and %XX.
// Run: see tests/fuzz/README.md.

#include "app/sandbox_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace outrigger::app;

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "agent_files_fuzz: %s\n%.*s\n", what,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void check_utf8(std::string_view text) {
  auto once = valid_utf8(text);
  if (valid_utf8(once) != once)
    fail("valid_utf8 is not idempotent", text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string_view in{reinterpret_cast<const char*>(data), size};
  if (auto read = parse_files_read(in))
    check_utf8(read->first);
  check_utf8(in);
  auto encoded = url_encode(in);
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    char c = encoded[i];
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                 c == '~' || c == '/';
    if (c == '%') {
      if (i + 2 >= encoded.size())
        fail("url_encode: truncated escape", encoded);
      i += 2;
    } else if (!plain) {
      fail("url_encode left a reserved character", encoded);
    }
  }
  return 0;
}
