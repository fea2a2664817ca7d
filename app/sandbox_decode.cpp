// The decoding of Mesos agents' /files answers and the text helpers of the
// sandbox reader: pure functions, apart from sandbox_reader.cpp (Beast) so
// that the agent_files_fuzz target takes them alone.
#include "app/sandbox_reader.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace outrigger::app {

namespace {

int hex(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

void put_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A JSON string starting at s[i] == '"'; moves i past it.
std::optional<std::string> json_string(std::string_view s, std::size_t& i) {
  if (i >= s.size() || s[i] != '"')
    return std::nullopt;
  std::string out;
  for (++i; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {
      ++i;
      return out;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= s.size())
      return std::nullopt;
    switch (s[i]) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        if (i + 4 >= s.size())
          return std::nullopt;
        unsigned cp = 0;
        for (int k = 1; k <= 4; ++k) {
          int h = hex(s[i + k]);
          if (h < 0)
            return std::nullopt;
          cp = cp * 16 + static_cast<unsigned>(h);
        }
        i += 4;
        if (cp < 0x100)
          out += static_cast<char>(cp); // stout's \u00XX is one byte
        else
          put_utf8(out, cp);
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

void skip_ws(std::string_view s, std::size_t& i) {
  while (i < s.size() &&
         (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
    ++i;
}

} // namespace

std::optional<std::pair<std::string, std::int64_t>>
parse_files_read(std::string_view s) {
  std::size_t i = 0;
  skip_ws(s, i);
  if (i >= s.size() || s[i++] != '{')
    return std::nullopt;
  std::optional<std::string> data;
  std::optional<std::int64_t> offset;
  for (;;) {
    skip_ws(s, i);
    auto key = json_string(s, i);
    if (!key)
      return std::nullopt;
    skip_ws(s, i);
    if (i >= s.size() || s[i++] != ':')
      return std::nullopt;
    skip_ws(s, i);
    if (*key == "data") {
      data = json_string(s, i);
      if (!data)
        return std::nullopt;
    } else if (*key == "offset") {
      bool neg = i < s.size() && s[i] == '-';
      if (neg)
        ++i;
      std::int64_t v = 0;
      std::size_t digits = 0;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        auto d = s[i++] - '0';
        if (v > (INT64_MAX - d) / 10)
          return std::nullopt; // no file has an offset past 2^63
        v = v * 10 + d;
        ++digits;
      }
      if (digits == 0)
        return std::nullopt;
      offset = neg ? -v : v;
    } else {
      return std::nullopt; // the agent writes only these two
    }
    skip_ws(s, i);
    if (i < s.size() && s[i] == ',') {
      ++i;
      continue;
    }
    if (i < s.size() && s[i] == '}')
      break;
    return std::nullopt;
  }
  if (!data || !offset)
    return std::nullopt;
  return std::pair{std::move(*data), *offset};
}

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80           ? 1
                    : (c >> 5) == 0x6  ? 2
                    : (c >> 4) == 0xE  ? 3
                    : (c >> 3) == 0x1E ? 4
                                       : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k)
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && n > 1) {
      // Overlong forms, surrogates and values past U+10FFFF are invalid.
      unsigned cp = c & (0x7F >> n);
      for (std::size_t k = 1; k < n; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      static const unsigned min_of[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= min_of[n] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
    }
    if (!ok) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

std::string url_encode(std::string_view text) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
        c == '~' || c == '/') {
      out += ch;
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

} // namespace outrigger::app
