// stout's JSON::parse verdict, reproduced: a syntax-only replica of
// picojson 1.3.0 (3rdparty/picojson-1.3.0.tar.gz with Mesos' depth patch)
// so that error messages point where picojson points.

#include "sim/http_checks.hpp"

#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdlib>

namespace outrigger::sim {

namespace {

// -- picojson 1.3.0 (as patched and used by stout), syntax only ------------

// picojson's input<Iter>: one character of push-back, line counting.
class pico_input {
public:
  explicit pico_input(std::string_view s) : s_(s) {}
  int getc() {
    if (ungot_) {
      ungot_ = false;
      return last_;
    }
    if (cur_ == s_.size()) {
      last_ = -1;
      return -1;
    }
    if (last_ == '\n')
      ++line_;
    last_ = static_cast<unsigned char>(s_[cur_++]);
    return last_;
  }
  void ungetc() {
    if (last_ != -1)
      ungot_ = true;
  }
  std::size_t cur() const { return cur_; }
  int line() const { return line_; }
  void skip_ws() {
    for (;;) {
      int ch = getc();
      if (!(ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')) {
        ungetc();
        return;
      }
    }
  }
  bool expect(int c) {
    skip_ws();
    if (getc() != c) {
      ungetc();
      return false;
    }
    return true;
  }
  bool match(std::string_view pattern) {
    for (char c : pattern) {
      if (getc() != c) {
        ungetc();
        return false;
      }
    }
    return true;
  }

private:
  std::string_view s_;
  std::size_t cur_ = 0;
  int last_ = -1;
  bool ungot_ = false;
  int line_ = 1;
};

struct out_of_range {};

class pico_parser {
public:
  explicit pico_parser(pico_input& in) : in_(in) {}

  bool value(int depth) {
    in_.skip_ws();
    int ch = in_.getc();
    switch (ch) {
      case 'n':
        return in_.match("ull");
      case 'f':
        return in_.match("alse");
      case 't':
        return in_.match("rue");
      case '"':
        return string();
      case '[':
        return array(depth);
      case '{':
        return object(depth);
      default:
        if ((ch >= '0' && ch <= '9') || ch == '-') {
          in_.ungetc();
          return number();
        }
        break;
    }
    in_.ungetc();
    return false;
  }

private:
  bool quadhex(int& out) {
    out = 0;
    for (int i = 0; i < 4; ++i) {
      int h = in_.getc();
      if (h == -1)
        return false;
      if (h >= '0' && h <= '9')
        h -= '0';
      else if (h >= 'A' && h <= 'F')
        h -= 'A' - 0xa;
      else if (h >= 'a' && h <= 'f')
        h -= 'a' - 0xa;
      else {
        in_.ungetc();
        return false;
      }
      out = out * 16 + h;
    }
    return true;
  }

  bool codepoint() {
    int u = 0;
    if (!quadhex(u))
      return false;
    if (u >= 0xd800 && u <= 0xdfff) {
      if (u >= 0xdc00)
        return false;
      if (in_.getc() != '\\' || in_.getc() != 'u') {
        in_.ungetc();
        return false;
      }
      int second = 0;
      bool ok = quadhex(second);
      // picojson compares -1 from a failed read like any other value.
      if (!ok)
        second = -1;
      if (!(second >= 0xdc00 && second <= 0xdfff))
        return false;
    }
    return true;
  }

  bool string() {
    for (;;) {
      int ch = in_.getc();
      if (ch < ' ') {
        in_.ungetc();
        return false;
      }
      if (ch == '"')
        return true;
      if (ch == '\\') {
        ch = in_.getc();
        if (ch == -1)
          return false;
        switch (ch) {
          case '"':
          case '\\':
          case '/':
          case 'b':
          case 'f':
          case 'n':
          case 'r':
          case 't':
            break;
          case 'u':
            if (!codepoint())
              return false;
            break;
          default:
            return false;
        }
      }
    }
  }

  bool array(int depth) {
    if (depth <= 0)
      return false;
    if (in_.expect(']'))
      return true;
    do {
      if (!value(depth - 1))
        return false;
    } while (in_.expect(','));
    return in_.expect(']');
  }

  bool object(int depth) {
    if (depth <= 0)
      return false;
    if (in_.expect('}'))
      return true;
    do {
      if (!in_.expect('"') || !string() || !in_.expect(':'))
        return false;
      if (!value(depth - 1))
        return false;
    } while (in_.expect(','));
    return in_.expect('}');
  }

  bool number() {
    std::string num;
    for (;;) {
      int ch = in_.getc();
      if ((ch >= '0' && ch <= '9') || ch == '+' || ch == '-' || ch == 'e' ||
          ch == 'E' || ch == '.') {
        num.push_back(static_cast<char>(ch));
      } else {
        in_.ungetc();
        break;
      }
    }
    if (num.empty())
      return false;
    char* end = nullptr;
    errno = 0;
    auto ival = std::strtoimax(num.c_str(), &end, 10);
    (void)ival;
    if (errno == 0 && end == num.c_str() + num.size())
      return true;
    double f = std::strtod(num.c_str(), &end);
    if (end != num.c_str() + num.size())
      return false;
    if (std::isinf(f) || std::isnan(f))
      throw out_of_range{}; // picojson::value(double) throws overflow_error
    return true;
  }

  pico_input& in_;
};

} // namespace

std::optional<std::string> json_syntax_error(std::string_view body) {
  pico_input in{body};
  pico_parser parser{in};
  bool ok = false;
  try {
    ok = parser.value(200);
  } catch (const out_of_range&) {
    return std::string{"Value out of range"};
  }
  if (!ok) {
    std::string err =
      "syntax error at line " + std::to_string(in.line()) + " near: ";
    for (;;) {
      int ch = in.getc();
      if (ch == -1 || ch == '\n')
        break;
      if (ch >= ' ')
        err.push_back(static_cast<char>(ch));
    }
    return err;
  }
  auto last = body.find_last_not_of(" \t\n\r");
  if (last != std::string_view::npos && in.cur() != last + 1)
    return "Parsed JSON included non-whitespace trailing characters: " +
           std::string(body.substr(in.cur(), last + 1 - in.cur()));
  return std::nullopt;
}

} // namespace outrigger::sim
