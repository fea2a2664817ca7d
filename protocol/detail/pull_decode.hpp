#pragma once
// The fast path of from_json<T> (codec.cpp): a one-pass decoder that reads JSON
// text straight into the message structs, driven by the same `describe`
// lists as the DOM decoder in json_walk.hpp, without building an
// nlohmann::ordered_json document first.
//
// It is a fast path, not a second decoder: it either produces exactly the
// value from_json<T> would produce, or gives up, and then from_json<T> runs
// on the same text. So every error (syntax, schema, missing fields) and
// every input it does not handle itself (a BOM, a duplicate member, a
// non-integral number for an integer field, a number that under- or
// overflows, nesting deeper than 64) comes out of the DOM decoder, message
// included. Values that the DOM decoder keeps as JSON text (RawJson fields
// and `extra`) are produced by nlohmann from the original bytes, as before.
//
// The fuzz target checks the promise: whenever this decoder succeeds, the DOM
// decoder succeeds with an equal value.

#include "protocol/codec.hpp"
#include "protocol/detail/json_walk.hpp"
#include "protocol/detail/schema.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace outrigger::protocol::detail {

/// A JSON number as nlohmann classifies it.
struct pull_number {
  enum class kind : std::uint8_t { unsigned_, integer, floating };
  kind what = kind::unsigned_;
  std::uint64_t u = 0;
  std::int64_t i = 0;
  double d = 0;
};

/// A validating JSON tokenizer over one complete document. Every method
/// returns false on anything it does not accept; the caller then gives up.
class pull_reader {
public:
  static constexpr int max_depth = 64;

  explicit pull_reader(std::string_view text)
    : p_(text.data()), end_(text.data() + text.size()) {}

  const char* pos() const noexcept { return p_; }

  void skip_ws() noexcept {
    while (p_ != end_ &&
           (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t'))
      ++p_;
  }

  /// Skips whitespace, then consumes `c` if it is next.
  bool consume(char c) noexcept {
    skip_ws();
    if (p_ != end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }

  /// The next significant byte, or '\0' at the end.
  char peek() noexcept {
    skip_ws();
    return p_ != end_ ? *p_ : '\0';
  }

  bool at_end() noexcept {
    skip_ws();
    return p_ == end_;
  }

  /// Reads a string. Without escapes the result points into the input;
  /// otherwise it is unescaped into `buf` and points there.
  bool read_string(std::string_view& out, std::string& buf) {
    if (!consume('"'))
      return false;
    const char* start = p_;
    // Plain ASCII without escapes: the common case, no copy.
    while (p_ != end_) {
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out = std::string_view{start, static_cast<std::size_t>(p_ - start)};
        ++p_;
        return true;
      }
      if (c < 0x20 || c == '\\' || c >= 0x80)
        break;
      ++p_;
    }
    buf.assign(start, p_);
    while (p_ != end_) {
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        out = buf;
        return true;
      }
      if (c < 0x20)
        return false;
      if (c == '\\') {
        if (!read_escape(buf))
          return false;
      } else if (c >= 0x80) {
        if (!read_utf8(buf))
          return false;
      } else {
        buf.push_back(static_cast<char>(c));
        ++p_;
      }
    }
    return false; // unterminated
  }

  /// Reads a number with JSON's grammar and nlohmann's classification.
  bool read_number(pull_number& out) {
    skip_ws();
    const char* start = p_;
    bool negative = false;
    bool integral = true;
    if (p_ != end_ && *p_ == '-') {
      negative = true;
      ++p_;
    }
    if (p_ == end_)
      return false;
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ != end_ && is_digit(*p_))
        ++p_;
    } else {
      return false;
    }
    if (p_ != end_ && *p_ == '.') {
      integral = false;
      ++p_;
      if (p_ == end_ || !is_digit(*p_))
        return false;
      while (p_ != end_ && is_digit(*p_))
        ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integral = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-'))
        ++p_;
      if (p_ == end_ || !is_digit(*p_))
        return false;
      while (p_ != end_ && is_digit(*p_))
        ++p_;
    }
    if (integral) {
      // nlohmann: strtoull / strtoll, and a double when out of range.
      if (!negative) {
        auto [ptr, ec] = std::from_chars(start, p_, out.u);
        if (ec == std::errc{} && ptr == p_) {
          out.what = pull_number::kind::unsigned_;
          return true;
        }
      } else {
        auto [ptr, ec] = std::from_chars(start, p_, out.i);
        if (ec == std::errc{} && ptr == p_) {
          out.what = pull_number::kind::integer;
          return true;
        }
      }
    }
    // strtod and from_chars both round correctly; under- and overflow are
    // left to the DOM decoder (strtod and from_chars differ there).
    auto [ptr, ec] = std::from_chars(start, p_, out.d);
    if (ec != std::errc{} || ptr != p_ || !std::isfinite(out.d))
      return false;
    out.what = pull_number::kind::floating;
    return true;
  }

  bool read_bool(bool& out) noexcept {
    skip_ws();
    if (literal("true")) {
      out = true;
      return true;
    }
    if (literal("false")) {
      out = false;
      return true;
    }
    return false;
  }

  /// Validates one value of any type and returns its text.
  bool skip_value(std::string_view& out, int depth = 0) {
    skip_ws();
    const char* start = p_;
    if (!skip(depth))
      return false;
    out = std::string_view{start, static_cast<std::size_t>(p_ - start)};
    return true;
  }

private:
  static bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

  bool literal(std::string_view word) noexcept {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view{p_, word.size()} != word)
      return false;
    p_ += word.size();
    return true;
  }

  bool skip(int depth) {
    if (depth > max_depth)
      return false;
    switch (peek()) {
      case '{': {
        ++p_;
        if (consume('}'))
          return true;
        std::string_view ignored;
        do {
          if (!read_string(ignored, scratch_) || !consume(':') ||
              !skip(depth + 1))
            return false;
        } while (consume(','));
        return consume('}');
      }
      case '[': {
        ++p_;
        if (consume(']'))
          return true;
        do {
          if (!skip(depth + 1))
            return false;
        } while (consume(','));
        return consume(']');
      }
      case '"': {
        std::string_view ignored;
        return read_string(ignored, scratch_);
      }
      case 't':
      case 'f': {
        bool ignored;
        return read_bool(ignored);
      }
      case 'n':
        return literal("null");
      default: {
        pull_number ignored;
        return read_number(ignored);
      }
    }
  }

  static int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  }

  bool read_hex4(std::uint32_t& out) noexcept {
    if (end_ - p_ < 4)
      return false;
    out = 0;
    for (int k = 0; k < 4; ++k) {
      int v = hex_value(*p_++);
      if (v < 0)
        return false;
      out = (out << 4) | static_cast<std::uint32_t>(v);
    }
    return true;
  }

  static void append_utf8(std::string& buf, std::uint32_t cp) {
    if (cp < 0x80) {
      buf.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      buf.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      buf.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      buf.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      buf.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      buf.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      buf.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      buf.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      buf.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      buf.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // At a backslash.
  bool read_escape(std::string& buf) {
    ++p_;
    if (p_ == end_)
      return false;
    char c = *p_++;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        buf.push_back(c);
        return true;
      case 'b':
        buf.push_back('\b');
        return true;
      case 'f':
        buf.push_back('\f');
        return true;
      case 'n':
        buf.push_back('\n');
        return true;
      case 'r':
        buf.push_back('\r');
        return true;
      case 't':
        buf.push_back('\t');
        return true;
      case 'u': {
        std::uint32_t cp;
        if (!read_hex4(cp))
          return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
          return false; // a low surrogate first
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          std::uint32_t low;
          if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
            return false;
          p_ += 2;
          if (!read_hex4(low) || low < 0xDC00 || low > 0xDFFF)
            return false;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(buf, cp);
        return true;
      }
      default:
        return false;
    }
  }

  // At a byte >= 0x80: one well-formed UTF-8 sequence (RFC 3629), as
  // nlohmann's lexer requires.
  bool read_utf8(std::string& buf) {
    auto b = [this](std::ptrdiff_t k) {
      return static_cast<unsigned char>(p_[k]);
    };
    auto in = [](unsigned char c, unsigned lo, unsigned hi) {
      return c >= lo && c <= hi;
    };
    auto left = end_ - p_;
    unsigned char c = b(0);
    std::ptrdiff_t n = 0;
    if (in(c, 0xC2, 0xDF)) {
      n = left >= 2 && in(b(1), 0x80, 0xBF) ? 2 : 0;
    } else if (c == 0xE0) {
      n = left >= 3 && in(b(1), 0xA0, 0xBF) && in(b(2), 0x80, 0xBF) ? 3 : 0;
    } else if (in(c, 0xE1, 0xEC) || in(c, 0xEE, 0xEF)) {
      n = left >= 3 && in(b(1), 0x80, 0xBF) && in(b(2), 0x80, 0xBF) ? 3 : 0;
    } else if (c == 0xED) {
      n = left >= 3 && in(b(1), 0x80, 0x9F) && in(b(2), 0x80, 0xBF) ? 3 : 0;
    } else if (c == 0xF0) {
      n = left >= 4 && in(b(1), 0x90, 0xBF) && in(b(2), 0x80, 0xBF) &&
              in(b(3), 0x80, 0xBF)
            ? 4
            : 0;
    } else if (in(c, 0xF1, 0xF3)) {
      n = left >= 4 && in(b(1), 0x80, 0xBF) && in(b(2), 0x80, 0xBF) &&
              in(b(3), 0x80, 0xBF)
            ? 4
            : 0;
    } else if (c == 0xF4) {
      n = left >= 4 && in(b(1), 0x80, 0x8F) && in(b(2), 0x80, 0xBF) &&
              in(b(3), 0x80, 0xBF)
            ? 4
            : 0;
    }
    if (n == 0)
      return false;
    buf.append(p_, static_cast<std::size_t>(n));
    p_ += n;
    return true;
  }

  const char* p_;
  const char* end_;
  std::string scratch_; // unescaped strings that are only validated
};

/// Outcome of reading one field value.
enum class pull_status : std::uint8_t {
  ok,
  unknown_enum, ///< an enum name this version does not know: goes to extra
  give_up,
};

template <message T>
pull_status pull_value(pull_reader& r, T& out, int depth);

inline pull_status pull_value(pull_reader& r, std::string& out, int) {
  std::string_view s;
  std::string buf;
  if (!r.read_string(s, buf))
    return pull_status::give_up;
  out.assign(s);
  return pull_status::ok;
}

inline pull_status pull_value(pull_reader& r, bool& out, int) {
  return r.read_bool(out) ? pull_status::ok : pull_status::give_up;
}

inline pull_status pull_value(pull_reader& r, double& out, int) {
  pull_number n;
  if (!r.read_number(n))
    return pull_status::give_up;
  switch (n.what) {
    case pull_number::kind::unsigned_:
      out = static_cast<double>(n.u);
      break;
    case pull_number::kind::integer:
      out = static_cast<double>(n.i);
      break;
    case pull_number::kind::floating:
      out = n.d;
      break;
  }
  return pull_status::ok;
}

template <std::integral T>
requires(!std::same_as<T, bool>) pull_status
  pull_value(pull_reader& r, T& out, int) {
  using lim = std::numeric_limits<T>;
  pull_number n;
  if (!r.read_number(n))
    return pull_status::give_up;
  if (n.what == pull_number::kind::unsigned_) {
    if (n.u > static_cast<std::uint64_t>(lim::max()))
      return pull_status::give_up;
    out = static_cast<T>(n.u);
    return pull_status::ok;
  }
  if (n.what == pull_number::kind::integer) {
    if (n.i < static_cast<std::int64_t>(lim::min()) ||
        (n.i > 0 && static_cast<std::uint64_t>(n.i) > lim::max()))
      return pull_status::give_up;
    out = static_cast<T>(n.i);
    return pull_status::ok;
  }
  return pull_status::give_up; // 32.0 and friends: the DOM decoder decides
}

inline pull_status pull_value(pull_reader& r, Bytes& out, int) {
  std::string_view s;
  std::string buf;
  if (!r.read_string(s, buf) || !base64_decode(s, out.data))
    return pull_status::give_up;
  return pull_status::ok;
}

/// JSON text kept as is: nlohmann re-serializes it exactly as the DOM
/// decoder does.
inline bool pull_raw_text(std::string_view raw, std::string& out) {
  if (raw == "{}") {
    out = "{}";
    return true;
  }
  auto j = json::parse(raw, nullptr, false);
  if (j.is_discarded())
    return false;
  out = j.dump();
  return true;
}

inline pull_status pull_value(pull_reader& r, RawJson& out, int depth) {
  std::string_view raw;
  if (!r.skip_value(raw, depth) || !pull_raw_text(raw, out.text))
    return pull_status::give_up;
  return pull_status::ok;
}

template <wire_enum E>
pull_status pull_value(pull_reader& r, E& out, int) {
  std::string_view s;
  std::string buf;
  if (!r.read_string(s, buf))
    return pull_status::give_up;
  from_string(s, out);
  return out != E::unrecognized ? pull_status::ok : pull_status::unknown_enum;
}

template <class T>
pull_status pull_array(pull_reader& r, std::vector<T>& out, int depth) {
  if (!r.consume('['))
    return pull_status::give_up;
  out.clear();
  if (r.consume(']'))
    return pull_status::ok;
  do {
    auto& slot = out.emplace_back();
    auto st = pull_value(r, slot, depth + 1);
    if (st == pull_status::give_up)
      return st;
    if (st == pull_status::unknown_enum)
      out.pop_back(); // as the DOM decoder: dropped from repeated enums
  } while (r.consume(','));
  return r.consume(']') ? pull_status::ok : pull_status::give_up;
}

/// Reads the value of the member named `key` into the field of that name.
class pull_field_matcher {
public:
  pull_field_matcher(pull_reader& r, std::string_view key, int depth)
    : r_(r), key_(key), depth_(depth) {}

  template <class T>
  void operator()(const char* name, T& field) {
    auto index = next_++;
    if (matched_ || !is_key(name))
      return;
    matched_ = true;
    index_ = index;
    value_start_ = r_.pos();
    if constexpr (is_optional<T>::value) {
      status_ = pull_value(r_, field.emplace(), depth_ + 1);
      if (status_ == pull_status::unknown_enum)
        field.reset();
    } else if constexpr (is_vector<T>::value) {
      status_ = pull_array(r_, field, depth_ + 1);
    } else {
      status_ = pull_value(r_, field, depth_ + 1);
    }
  }

  template <class T>
  void boxed(const char* name, std::vector<T>& field) {
    auto index = next_++;
    if (matched_ || !is_key(name))
      return;
    matched_ = true;
    index_ = index;
    field.resize(1);
    status_ = pull_value(r_, field[0], depth_ + 1);
  }

  void extra(RawJson&) {}

  bool matched() const noexcept { return matched_; }
  std::size_t index() const noexcept { return index_; }
  pull_status status() const noexcept { return status_; }
  const char* value_start() const noexcept { return value_start_; }

private:
  // The first byte rules out most fields without a strlen.
  bool is_key(const char* name) const noexcept {
    return !key_.empty() && key_.front() == *name && key_ == name;
  }

  pull_reader& r_;
  std::string_view key_;
  int depth_;
  std::size_t next_ = 0;
  bool matched_ = false;
  std::size_t index_ = 0;
  pull_status status_ = pull_status::ok;
  const char* value_start_ = nullptr;
};

/// Members no field claimed, in document order (keys unescaped).
using pull_unclaimed = std::vector<std::pair<std::string, std::string_view>>;

/// After the object: checks required fields and writes `extra`.
class pull_finisher {
public:
  pull_finisher(std::uint64_t present, const pull_unclaimed& unclaimed)
    : present_(present), unclaimed_(unclaimed) {}

  template <class T>
  void operator()(const char*, T&) {
    auto index = next_++;
    if constexpr (!is_optional<T>::value && !is_vector<T>::value)
      if (((present_ >> index) & 1u) == 0)
        ok_ = false; // missing: the DOM decoder names it
  }

  template <class T>
  void boxed(const char*, std::vector<T>&) {
    ++next_;
  }

  void extra(RawJson& out) {
    if (unclaimed_.empty() || !ok_)
      return;
    // As object_decoder::extra: the unclaimed members, re-serialized.
    json rest = json::object();
    for (auto& [key, raw] : unclaimed_) {
      auto value = json::parse(raw, nullptr, false);
      if (value.is_discarded()) {
        ok_ = false;
        return;
      }
      rest[key] = std::move(value);
    }
    out.text = rest.dump();
  }

  bool ok() const noexcept { return ok_; }

private:
  std::uint64_t present_;
  const pull_unclaimed& unclaimed_;
  std::size_t next_ = 0;
  bool ok_ = true;
};

template <message T>
pull_status pull_value(pull_reader& r, T& out, int depth) {
  if (depth > pull_reader::max_depth || !r.consume('{'))
    return pull_status::give_up;
  std::uint64_t present = 0; // described fields seen, by position
  pull_unclaimed unclaimed;
  if (!r.consume('}')) {
    std::string key_buf;
    do {
      std::string_view key;
      if (!r.read_string(key, key_buf) || !r.consume(':'))
        return pull_status::give_up;
      pull_field_matcher m{r, key, depth};
      describe(m, out);
      if (!m.matched()) {
        std::string_view raw;
        if (!r.skip_value(raw, depth + 1))
          return pull_status::give_up;
        unclaimed.emplace_back(std::string{key}, raw);
        continue;
      }
      if (m.status() == pull_status::give_up || m.index() >= 64)
        return pull_status::give_up;
      auto bit = std::uint64_t{1} << m.index();
      if (present & bit)
        return pull_status::give_up; // duplicate member: left to nlohmann
      present |= bit;
      if (m.status() == pull_status::unknown_enum) {
        unclaimed.emplace_back(
          std::string{key},
          std::string_view{m.value_start(), static_cast<std::size_t>(
                                              r.pos() - m.value_start())});
      }
    } while (r.consume(','));
    if (!r.consume('}'))
      return pull_status::give_up;
  }
  pull_finisher fin{present, unclaimed};
  describe(fin, out);
  return fin.ok() ? pull_status::ok : pull_status::give_up;
}

/// Decodes a whole document; false when the DOM decoder must decide.
template <message T>
bool pull_decode(std::string_view text, T& out) {
  if (!text.empty() && static_cast<unsigned char>(text.front()) == 0xEF)
    return false; // a UTF-8 BOM, which nlohmann skips
  pull_reader r{text};
  return pull_value(r, out, 0) == pull_status::ok && r.at_end();
}

} // namespace outrigger::protocol::detail
