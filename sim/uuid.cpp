#include "sim/uuid.hpp"

namespace outrigger::sim {

uuid_bytes uuid_generator::next() {
  uuid_bytes out{};
  for (std::size_t i = 0; i < out.size(); i += 8) {
    auto word = rng_();
    for (std::size_t j = 0; j < 8; ++j)
      out[i + j] = static_cast<unsigned char>(word >> (8 * j));
  }
  out[6] = static_cast<unsigned char>((out[6] & 0x0f) | 0x40); // version 4
  out[8] = static_cast<unsigned char>((out[8] & 0x3f) | 0x80); // variant 10
  return out;
}

std::string uuid_generator::next_raw() {
  auto b = next();
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::string to_text(const uuid_bytes& bytes) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out += '-';
    out += hex[bytes[i] >> 4];
    out += hex[bytes[i] & 0x0f];
  }
  return out;
}

bool is_uuid4_text(std::string_view text) {
  if (text.size() != 36)
    return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (c == '-'))
      return false;
    if (!dash && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  }
  auto variant = text[19];
  return text[14] == '4' &&
         (variant == '8' || variant == '9' || variant == 'a' || variant == 'b');
}

bool is_uuid4_raw(std::string_view raw) {
  if (raw.size() != 16)
    return false;
  auto b6 = static_cast<unsigned char>(raw[6]);
  auto b8 = static_cast<unsigned char>(raw[8]);
  return (b6 >> 4) == 4 && (b8 >> 6) == 2;
}

} // namespace outrigger::sim
