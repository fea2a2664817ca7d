#include "scheduling/store/zk_frames.hpp"

#include <boost/crc.hpp>

#include <charconv>
#include <cstdio>

namespace outrigger::store::zk_frames {

namespace {

constexpr std::size_t frame_header = 8;

std::uint32_t crc32(std::string_view data) {
  boost::crc_32_type crc;
  crc.process_bytes(data.data(), data.size());
  return crc.checksum();
}

std::uint32_t get_u32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(p[i]))
         << (8 * i);
  return v;
}

bool parse_number(std::string_view text, std::uint64_t& out) {
  if (text.empty())
    return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

} // namespace

std::string log_name(std::uint64_t gen, std::uint64_t seq) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "log-%llu-%010llu",
                static_cast<unsigned long long>(gen),
                static_cast<unsigned long long>(seq));
  return buf;
}

std::string snap_name(std::uint64_t gen, std::uint64_t index) {
  return "snap-" + std::to_string(gen) + "-" + std::to_string(index);
}

// "<prefix><gen>-<n>" (log-3-0000000012, snap-3-0).
bool parse_node(std::string_view name, std::string_view prefix,
                std::uint64_t& gen, std::uint64_t& n) {
  if (name.substr(0, prefix.size()) != prefix)
    return false;
  name.remove_prefix(prefix.size());
  auto dash = name.find('-');
  return dash != std::string_view::npos &&
         parse_number(name.substr(0, dash), gen) &&
         parse_number(name.substr(dash + 1), n);
}

std::string head_text(std::uint64_t gen, std::uint64_t chunks) {
  return "gen " + std::to_string(gen) + " chunks " + std::to_string(chunks);
}

bool parse_head(std::string_view text, std::uint64_t& gen,
                std::uint64_t& chunks) {
  if (text.substr(0, 4) != "gen ")
    return false;
  text.remove_prefix(4);
  auto sp = text.find(" chunks ");
  return sp != std::string_view::npos &&
         parse_number(text.substr(0, sp), gen) &&
         parse_number(text.substr(sp + 8), chunks);
}

// The journal's frames, without its file header.
frame_scan scan_frames(std::string_view data, std::uint32_t max_record) {
  frame_scan r;
  std::size_t pos = 0;
  while (pos < data.size()) {
    if (data.size() - pos < frame_header) {
      r.problem = "torn frame header";
      break;
    }
    auto len = get_u32(data.data() + pos);
    auto crc = get_u32(data.data() + pos + 4);
    if (len > max_record) {
      r.problem =
        "record length " + std::to_string(len) + " exceeds the maximum";
      break;
    }
    if (data.size() - pos - frame_header < len) {
      r.problem = "torn record";
      break;
    }
    auto payload = data.substr(pos + frame_header, len);
    if (crc32(payload) != crc) {
      r.problem = "checksum mismatch";
      break;
    }
    r.payloads.emplace_back(payload);
    pos += frame_header + len;
    r.valid = pos;
  }
  return r;
}

} // namespace outrigger::store::zk_frames
