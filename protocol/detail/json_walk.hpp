#pragma once
// The generic walkers behind the codec: decode_value / encode_value for every
// field type, driven by the `describe` lists in schema.hpp. Private to
// protocol/.

#include "protocol/codec.hpp"
#include "protocol/detail/schema.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace outrigger::protocol::detail {

using json = nlohmann::ordered_json;

/// Thrown inside the decoder; turned into a parse_error at the entry point.
struct decode_failure {
  std::string path;
  std::string message;
};

/// Where the decoder is: a stack of member names and array indices, rendered
/// only when something goes wrong, plus the required fields found missing.
class decode_context {
public:
  void push(const char* key) { stack_.push_back({key, 0}); }
  void push(std::size_t index) { stack_.push_back({nullptr, index}); }
  void pop() { stack_.pop_back(); }

  /// "a.b[2].c" for the current position (with `leaf` appended if given).
  std::string path(const char* leaf = nullptr) const;

  [[noreturn]] void fail(std::string message) const {
    throw decode_failure{path(), std::move(message)};
  }

  void missing(const char* key) { missing_.push_back(path(key)); }
  std::vector<std::string>& missing_fields() { return missing_; }

private:
  struct segment {
    const char* key; // nullptr: array index
    std::size_t index;
  };
  std::vector<segment> stack_;
  std::vector<std::string> missing_;
};

// -- type traits
// ----------------------------------------------------------------

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

template <class T>
concept wire_enum = std::is_enum_v<T> && requires(T e) {
  { to_string(e) } -> std::same_as<std::string_view>;
};

struct field_probe {
  template <class T>
  void operator()(const char*, T&) {}
  template <class T>
  void boxed(const char*, std::vector<T>&) {}
  void extra(RawJson&) {}
};

template <class T>
concept message = requires(field_probe& f, T& x) {
  describe(f, x);
};

// -- decoding
// -------------------------------------------------------------------

template <message T>
void decode_value(const json& j, T& out, decode_context& ctx);

/// Decodes a leaf; returns false for an enum name this version does not
/// know, so the caller keeps the member in `extra` instead.
inline bool decode_value(const json& j, std::string& out, decode_context& ctx) {
  if (!j.is_string())
    ctx.fail("expected string");
  out = j.get_ref<const std::string&>();
  return true;
}

inline bool decode_value(const json& j, bool& out, decode_context& ctx) {
  if (!j.is_boolean())
    ctx.fail("expected boolean");
  out = j.get<bool>();
  return true;
}

inline bool decode_value(const json& j, double& out, decode_context& ctx) {
  if (!j.is_number())
    ctx.fail("expected number");
  out = j.get<double>();
  return true;
}

template <std::integral T>
requires(!std::same_as<T, bool>) bool decode_value(const json& j, T& out,
                                                   decode_context& ctx) {
  using lim = std::numeric_limits<T>;
  if (j.is_number_unsigned()) {
    auto v = j.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(lim::max()))
      ctx.fail("number out of range");
    out = static_cast<T>(v);
  } else if (j.is_number_integer()) {
    auto v = j.get<std::int64_t>();
    if (v < static_cast<std::int64_t>(lim::min()) ||
        (v > 0 && static_cast<std::uint64_t>(v) > lim::max()))
      ctx.fail("number out of range");
    out = static_cast<T>(v);
  } else if (j.is_number_float()) {
    // protobuf's JSON reader accepts integral doubles such as 32.0. Check
    // the range before converting: a double outside T is undefined behaviour.
    // max() + 1.0 is exactly 2^digits for every T (for 64-bit types the cast
    // already rounds max() up to it).
    auto v = j.get<double>();
    if (v != std::trunc(v))
      ctx.fail("expected integer");
    if (v < static_cast<double>(lim::min()) ||
        v >= static_cast<double>(lim::max()) + 1.0)
      ctx.fail("number out of range");
    out = static_cast<T>(v);
  } else {
    ctx.fail("expected integer");
  }
  return true;
}

inline bool decode_value(const json& j, Bytes& out, decode_context& ctx) {
  if (!j.is_string())
    ctx.fail("expected base64 string");
  if (!base64_decode(j.get_ref<const std::string&>(), out.data))
    ctx.fail("invalid base64");
  return true;
}

inline bool decode_value(const json& j, RawJson& out, decode_context&) {
  out.text = j.dump();
  return true;
}

template <wire_enum E>
bool decode_value(const json& j, E& out, decode_context& ctx) {
  if (!j.is_string())
    ctx.fail("expected enum name");
  from_string(j.get_ref<const std::string&>(), out);
  return out != E::unrecognized;
}

template <message T>
bool decode_field_value(const json& j, T& out, decode_context& ctx) {
  decode_value(j, out, ctx);
  return true;
}

template <class T>
bool decode_field_value(const json& j, T& out, decode_context& ctx) {
  return decode_value(j, out, ctx);
}

/// Visits the described fields of one JSON object.
class object_decoder {
public:
  object_decoder(const json::object_t& obj, decode_context& ctx)
    : obj_(obj), ctx_(ctx) {
    // Objects longer than 64 members are rare enough to track in a vector.
    if (obj_.size() > 64)
      seen_big_.assign(obj_.size(), false);
  }

  template <class T>
  void operator()(const char* key, T& field) {
    auto i = find(key);
    if (i == npos) {
      if constexpr (!is_optional<T>::value && !is_vector<T>::value)
        ctx_.missing(key);
      return;
    }
    const json& j = item(i).second;
    ctx_.push(key);
    bool known = true;
    if constexpr (is_optional<T>::value) {
      known = decode_field_value(j, field.emplace(), ctx_);
      if (!known)
        field.reset(); // protobuf drops unknown enum names
    } else if constexpr (is_vector<T>::value) {
      decode_array(j, field);
    } else {
      known = decode_field_value(j, field, ctx_);
    }
    ctx_.pop();
    if (known)
      mark(i);
  }

  /// A recursive optional message kept as a vector of zero or one element.
  template <class T>
  void boxed(const char* key, std::vector<T>& field) {
    auto i = find(key);
    if (i == npos)
      return;
    ctx_.push(key);
    field.resize(1);
    decode_value(item(i).second, field[0], ctx_);
    ctx_.pop();
    mark(i);
  }

  /// Collects the members no field claimed.
  void extra(RawJson& out) {
    if (matched_ == obj_.size())
      return;
    json rest = json::object();
    for (std::size_t i = 0; i < obj_.size(); ++i)
      if (!seen(i))
        rest[item(i).first] = item(i).second;
    out.text = rest.dump();
  }

private:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  // ordered_map is a vector of members; its operator[] takes keys, not
  // positions, so index the vector directly.
  const json::object_t::value_type& item(std::size_t i) const {
    return obj_.data()[i];
  }

  std::size_t find(const char* key) const {
    for (std::size_t i = 0; i < obj_.size(); ++i)
      if (item(i).first == key)
        return i;
    return npos;
  }

  void mark(std::size_t i) {
    ++matched_;
    if (seen_big_.empty())
      seen_small_ |= std::uint64_t{1} << i;
    else
      seen_big_[i] = true;
  }

  bool seen(std::size_t i) const {
    return seen_big_.empty() ? (seen_small_ >> i) & 1u : seen_big_[i];
  }

  template <class T>
  void decode_array(const json& j, std::vector<T>& out) {
    if (!j.is_array())
      ctx_.fail("expected array");
    out.clear();
    out.reserve(j.size());
    std::size_t index = 0;
    for (auto& element : j) {
      ctx_.push(index++);
      auto& slot = out.emplace_back();
      if (!decode_field_value(element, slot, ctx_))
        out.pop_back(); // unknown enum name inside a repeated enum
      ctx_.pop();
    }
  }

  const json::object_t& obj_;
  decode_context& ctx_;
  std::size_t matched_ = 0;
  std::uint64_t seen_small_ = 0;
  std::vector<bool> seen_big_;
};

template <message T>
void decode_value(const json& j, T& out, decode_context& ctx) {
  if (!j.is_object())
    ctx.fail("expected object");
  object_decoder dec{j.get_ref<const json::object_t&>(), ctx};
  describe(dec, out);
}

// -- encoding
// -------------------------------------------------------------------

template <message T>
json encode_value(const T& x);

inline json encode_value(const std::string& x) {
  return x;
}
inline json encode_value(bool x) {
  return x;
}
inline json encode_value(double x) {
  return x;
}
template <std::integral T>
json encode_value(T x) {
  return x;
}
inline json encode_value(const Bytes& x) {
  return base64_encode(x.data);
}
inline json encode_value(const RawJson& x) {
  return x.empty() ? json::object() : json::parse(x.text);
}
template <wire_enum E>
json encode_value(E x) {
  return std::string{to_string(x)};
}

template <class T>
bool is_unrecognized(const T& x) {
  if constexpr (wire_enum<T>)
    return x == T::unrecognized;
  else
    return false;
}

/// Writes the described fields of one message into a JSON object.
class object_encoder {
public:
  explicit object_encoder(json& out) : out_(out) {}

  template <class T>
  void operator()(const char* key, const T& field) {
    if constexpr (is_optional<T>::value) {
      if (field && !is_unrecognized(*field))
        out_[key] = encode_value(*field);
    } else if constexpr (is_vector<T>::value) {
      if (field.empty())
        return;
      json arr = json::array();
      for (auto& x : field)
        arr.push_back(encode_value(x));
      out_[key] = std::move(arr);
    } else if (!is_unrecognized(field)) {
      out_[key] = encode_value(field);
    }
  }

  template <class T>
  void boxed(const char* key, const std::vector<T>& field) {
    if (!field.empty())
      out_[key] = encode_value(field.front());
  }

  /// Writes back the members a decoder kept, unless a field now has them.
  void extra(const RawJson& x) {
    if (x.empty())
      return;
    auto rest = json::parse(x.text, nullptr, false);
    if (!rest.is_object())
      return;
    for (auto& [key, value] : rest.items())
      if (!out_.contains(key))
        out_[key] = value;
  }

private:
  json& out_;
};

template <message T>
json encode_value(const T& x) {
  json out = json::object();
  object_encoder enc{out};
  // describe() takes a mutable reference so one list serves both directions;
  // the encoder only reads.
  describe(enc, const_cast<T&>(x));
  return out;
}

} // namespace outrigger::protocol::detail
