#include "protocol/recordio.hpp"

namespace outrigger::protocol {

namespace {

// 2^64 has 20 digits; a longer header cannot be a valid length.
constexpr std::size_t max_header_digits = 20;

} // namespace

void recordio_append(std::string& out, std::string_view payload) {
  out += std::to_string(payload.size());
  out += '\n';
  out.append(payload);
}

std::string recordio_encode(std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 8);
  recordio_append(out, payload);
  return out;
}

bool recordio_decoder::header_byte(char c) {
  if (c == '\n') {
    if (digits_ == 0) {
      error_ = "recordio: empty record length";
      return false;
    }
    state_ = state::payload;
    return true;
  }
  if (c < '0' || c > '9') {
    error_ = "recordio: malformed record length: unexpected byte 0x";
    constexpr char hex[] = "0123456789abcdef";
    error_ += hex[(static_cast<unsigned char>(c) >> 4) & 0xf];
    error_ += hex[static_cast<unsigned char>(c) & 0xf];
    error_ += " after " + std::to_string(digits_) + " digit(s)";
    return false;
  }
  if (++digits_ > max_header_digits) {
    error_ = "recordio: malformed record length: more than 20 digits";
    return false;
  }
  auto digit = static_cast<std::uint64_t>(c - '0');
  // Checked so that neither the product nor the sum can overflow.
  if (length_ > max_ / 10 || digit > max_ - length_ * 10) {
    error_ = "recordio: record length exceeds the maximum of " +
             std::to_string(max_) + " bytes";
    return false;
  }
  length_ = length_ * 10 + digit;
  return true;
}

} // namespace outrigger::protocol
