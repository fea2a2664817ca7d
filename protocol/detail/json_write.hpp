#pragma once
// Direct JSON writing of the protocol messages: the same walk over the
// describe() lists as encode_value in json_walk.hpp, appending bytes to a
// string instead of building an nlohmann DOM first. The bytes are exactly
// those of encode_value(x).dump() (member order, escapes, number forms, the
// kept unknown members), which the codec tests check on every recorded
// message; the DOM is only built for the rare parts that need it (kept raw
// JSON, doubles' shortest form). An ACCEPT with many TaskInfos costs a
// fraction of the DOM's time (docs/BENCHMARKS.md).

#include "protocol/detail/json_walk.hpp"
#include "protocol/json_text.hpp"

#include <charconv>
#include <string>
#include <string_view>
#include <vector>

namespace outrigger::protocol::detail {

/// Appends `text` as a JSON string (protocol/json_text.hpp).
inline void write_string(std::string& out, std::string_view text) {
  append_json_string(out, text);
}

template <message T>
void write_value(std::string& out, const T& x);

inline void write_value(std::string& out, const std::string& x) {
  write_string(out, x);
}
inline void write_value(std::string& out, bool x) {
  out += x ? "true" : "false";
}
inline void write_value(std::string& out, double x) {
  out += json(x).dump(); // nlohmann's shortest round-trip form
}
template <std::integral T>
void write_value(std::string& out, T x) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, x);
  out.append(buf, r.ptr);
}
inline void write_value(std::string& out, const Bytes& x) {
  write_string(out, base64_encode(x.data));
}
inline void write_value(std::string& out, const RawJson& x) {
  out += encode_value(x).dump();
}
template <wire_enum E>
void write_value(std::string& out, E x) {
  write_string(out, to_string(x));
}

/// Writes the described fields of one message as the members of an object.
class object_writer {
public:
  explicit object_writer(std::string& out) : out_(out) {}

  template <class T>
  void operator()(const char* key, const T& field) {
    if constexpr (is_optional<T>::value) {
      if (field && !is_unrecognized(*field)) {
        member(key);
        write_value(out_, *field);
      }
    } else if constexpr (is_vector<T>::value) {
      if (field.empty())
        return;
      member(key);
      out_ += '[';
      bool first = true;
      for (auto& x : field) {
        if (!first)
          out_ += ',';
        first = false;
        write_value(out_, x);
      }
      out_ += ']';
    } else if (!is_unrecognized(field)) {
      member(key);
      write_value(out_, field);
    }
  }

  template <class T>
  void boxed(const char* key, const std::vector<T>& field) {
    if (!field.empty()) {
      member(key);
      write_value(out_, field.front());
    }
  }

  /// Writes back the members a decoder kept, unless a field had them.
  void extra(const RawJson& x) {
    if (x.empty())
      return;
    auto rest = json::parse(x.text, nullptr, false);
    if (!rest.is_object())
      return;
    for (auto& [key, value] : rest.items()) {
      bool written = false;
      for (auto* k : keys_)
        written |= key == k;
      if (written)
        continue;
      out_ += first_ ? "" : ",";
      first_ = false;
      write_string(out_, key);
      out_ += ':';
      out_ += value.dump();
    }
  }

private:
  void member(const char* key) {
    if (!first_)
      out_ += ',';
    first_ = false;
    keys_.push_back(key);
    write_string(out_, key);
    out_ += ':';
  }

  std::string& out_;
  bool first_ = true;
  std::vector<const char*> keys_; // for extra(): members already written
};

template <message T>
void write_value(std::string& out, const T& x) {
  out += '{';
  object_writer w{out};
  describe(w, const_cast<T&>(x)); // read only, see encode_value
  out += '}';
}

} // namespace outrigger::protocol::detail
