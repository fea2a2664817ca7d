#include "wire_files.hpp"
#include "tests/support/mesos_wire.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace outrigger::conformance {

std::optional<fs::path> wire_dir() {
  std::string why;
  auto dir = test::find_mesos_wire("transcripts", why);
  if (!dir)
    FAIL(why);
  return dir;
}

std::string read_file(const fs::path& path) {
  return test::read_binary_file(path);
}

std::string relative_name(const fs::path& dir, const fs::path& path) {
  return path.lexically_relative(dir).generic_string();
}

namespace {

// The Content-Type value of a recorded response header block.
std::string content_type(const std::string& headers) {
  std::istringstream in{headers};
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    auto colon = line.find(':');
    if (colon == std::string::npos)
      continue;
    std::string key = line.substr(0, colon);
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (key != "content-type")
      continue;
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    return value;
  }
  return {};
}

std::vector<fs::path> files_with_extension(const fs::path& dir,
                                           const std::string& ext) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return out;
  for (auto& entry : fs::directory_iterator{dir})
    if (entry.is_regular_file() && entry.path().extension() == ext)
      out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

std::vector<stream_file> stream_files(const fs::path& dir) {
  std::vector<stream_file> out;
  for (const char* sub : {"transcripts", "transcripts2"}) {
    for (auto& path : files_with_extension(dir / sub, ".recordio")) {
      stream_file s;
      s.base = fs::path{path}.replace_extension();
      s.name = relative_name(dir, s.base);
      auto headers = fs::path{s.base} += ".headers";
      s.json = content_type(read_file(headers)) == "application/json";
      out.push_back(std::move(s));
    }
  }
  return out;
}

std::vector<fs::path> body_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const char* sub : {"transcripts/bodies", "transcripts2/bodies"}) {
    auto some = files_with_extension(dir / sub, ".json");
    out.insert(out.end(), some.begin(), some.end());
  }
  return out;
}

std::vector<std::string> split_records(std::string_view stream) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < stream.size()) {
    auto nl = stream.find('\n', pos);
    if (nl == std::string_view::npos || nl == pos)
      throw std::runtime_error("recordio: no length header at byte " +
                               std::to_string(pos));
    std::size_t length = 0;
    for (auto c : stream.substr(pos, nl - pos)) {
      if (c < '0' || c > '9')
        throw std::runtime_error("recordio: bad length at byte " +
                                 std::to_string(pos));
      length = length * 10 + static_cast<std::size_t>(c - '0');
    }
    if (length > stream.size() - nl - 1)
      throw std::runtime_error("recordio: truncated record at byte " +
                               std::to_string(pos));
    out.emplace_back(stream.substr(nl + 1, length));
    pos = nl + 1 + length;
  }
  return out;
}

std::vector<std::string> stream_records(const stream_file& stream) {
  return split_records(read_file(stream.recordio()));
}

dechunked dechunk(std::string_view raw) {
  dechunked out;
  std::size_t pos = 0;
  auto fail = [&](const std::string& what) {
    out.error = what + " at byte " + std::to_string(pos);
    return out;
  };
  while (pos < raw.size()) {
    auto eol = raw.find("\r\n", pos);
    if (eol == std::string_view::npos)
      return fail("chunk size line without CRLF");
    auto size_text = raw.substr(pos, eol - pos);
    size_text = size_text.substr(0, size_text.find(';')); // extensions
    if (size_text.empty() || size_text.size() > 15)
      return fail("bad chunk size '" + std::string{size_text} + "'");
    std::size_t size = 0;
    for (auto c : size_text) {
      auto lower =
        static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::size_t digit;
      if (lower >= '0' && lower <= '9')
        digit = static_cast<std::size_t>(lower - '0');
      else if (lower >= 'a' && lower <= 'f')
        digit = static_cast<std::size_t>(lower - 'a' + 10);
      else
        return fail("bad chunk size '" + std::string{size_text} + "'");
      size = size * 16 + digit;
    }
    pos = eol + 2;
    if (size == 0) {
      // No trailers in these recordings: the last chunk is `0\r\n\r\n`.
      if (raw.substr(pos) != "\r\n")
        return fail("unexpected bytes after the terminating chunk");
      out.terminated = true;
      return out;
    }
    if (raw.size() - pos < size + 2)
      return fail("truncated chunk of " + std::to_string(size) + " bytes");
    if (raw.substr(pos + size, 2) != "\r\n")
      return fail("chunk data not followed by CRLF");
    out.chunks.emplace_back(raw.substr(pos, size));
    out.body.append(raw.substr(pos, size));
    pos += size + 2;
  }
  return out; // cut after a complete chunk: no terminating chunk
}

namespace {

bool numbers_equal(const json& e, const json& a) {
  if (!e.is_number_float() && !a.is_number_float())
    return e == a; // integers: exact (nlohmann compares signed/unsigned)
  auto x = e.get<double>();
  auto y = a.get<double>();
  if (x == y)
    return true;
  auto scale = std::max(std::fabs(x), std::fabs(y));
  return std::fabs(x - y) <= 4 * std::numeric_limits<double>::epsilon() * scale;
}

std::string child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string shown(const json& j) {
  auto text = j.dump();
  if (text.size() > 120)
    text = text.substr(0, 117) + "...";
  return text;
}

std::string keys_of(const json& obj, const json& other) {
  std::string out = "[";
  for (auto& [key, value] : obj.items()) {
    if (!other.contains(key))
      continue;
    if (out.size() > 1)
      out += ", ";
    out += key;
  }
  return out + "]";
}

void diff_into(const json& e, const json& a, const std::string& path,
               const diff_options& o, std::vector<std::string>& out) {
  auto where = path.empty() ? std::string{"<root>"} : path;
  if (e.is_number() && a.is_number()) {
    if (!numbers_equal(e, a))
      out.push_back(where + ": expected " + e.dump() + ", got " + a.dump());
    else if (o.wire_exact && e.is_number_float() != a.is_number_float())
      out.push_back(where + ": number kind differs: expected " + e.dump() +
                    ", got " + a.dump());
    return;
  }
  if (e.type() != a.type()) {
    out.push_back(where + ": expected " + e.type_name() + " " + shown(e) +
                  ", got " + a.type_name() + " " + shown(a));
    return;
  }
  if (e.is_object()) {
    for (auto& [key, value] : e.items()) {
      if (a.contains(key))
        diff_into(value, a.at(key), child(path, key), o, out);
      else if (!(o.empty_array_is_absent && value.is_array() && value.empty()))
        out.push_back(child(path, key) + ": missing (expected " + shown(value) +
                      ")");
    }
    for (auto& [key, value] : a.items())
      if (!e.contains(key))
        out.push_back(child(path, key) + ": unexpected member " + shown(value));
    if (o.wire_exact) {
      auto expected_order = keys_of(e, a);
      auto actual_order = keys_of(a, e);
      if (expected_order != actual_order)
        out.push_back(where + ": member order differs: expected " +
                      expected_order + ", got " + actual_order);
    }
    return;
  }
  if (e.is_array()) {
    if (e.size() != a.size())
      out.push_back(where + ": expected " + std::to_string(e.size()) +
                    " elements, got " + std::to_string(a.size()));
    for (std::size_t i = 0; i < std::min(e.size(), a.size()); ++i)
      diff_into(e[i], a[i], path + "[" + std::to_string(i) + "]", o, out);
    return;
  }
  if (e != a)
    out.push_back(where + ": expected " + shown(e) + ", got " + shown(a));
}

} // namespace

std::vector<std::string> json_diff(const json& expected, const json& actual,
                                   const diff_options& options) {
  std::vector<std::string> out;
  diff_into(expected, actual, "", options, out);
  return out;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (auto& line : lines) {
    out += "\n  ";
    out += line;
  }
  return out;
}

} // namespace outrigger::conformance
