#include "tests/sim/wire_replay.hpp"
#include "tests/support/mesos_wire.hpp"

#include "tests/sim/sim_test_support.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace outrigger::test {

using json = nlohmann::ordered_json;

std::optional<fs::path> mesos_wire_dir() {
  std::string why;
  auto dir = find_mesos_wire("transcripts2", why);
  if (!dir)
    FAIL(why);
  return dir;
}

std::string read_bytes(const fs::path& path) {
  return read_binary_file(path);
}

namespace {

// The line starting at `pos` (without CR/LF); `pos` moves past it.
std::string next_line(const std::string& text, std::size_t& pos) {
  auto end = text.find('\n', pos);
  if (end == std::string::npos)
    end = text.size();
  auto line = text.substr(pos, end - pos);
  pos = std::min(end + 1, text.size());
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  return line;
}

// "Name: value" lines into pairs.
header_pairs parse_headers(const std::vector<std::string>& lines) {
  header_pairs out;
  for (auto& l : lines) {
    auto colon = l.find(':');
    if (colon == std::string::npos)
      continue;
    auto value = l.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    out.emplace_back(l.substr(0, colon), value);
  }
  return out;
}

} // namespace

std::vector<std::string> recorded_stream(const fs::path& dir,
                                         const std::string& name) {
  auto file = dir / (name + ".recordio");
  std::vector<std::string> out;
  pr::recordio_decoder d;
  if (!d.feed(read_bytes(file),
              [&](std::string_view r) { out.emplace_back(r); }))
    throw std::runtime_error("bad RecordIO in " + file.string());
  return out;
}

recorded_exchange read_exchange(const fs::path& dir, const std::string& name) {
  auto text = read_bytes(dir / (name + ".txt"));
  recorded_exchange x;
  x.name = name;
  auto pos = text.find("### REQUEST");
  REQUIRE(pos != std::string::npos);
  next_line(text, pos);
  std::vector<std::string> lines;
  for (;;) {
    auto at = pos;
    auto l = next_line(text, pos);
    if (l.rfind("### REQUEST BODY", 0) == 0) {
      break;
    }
    if (l.empty()) {
      if (text.compare(pos, 16, "### REQUEST BODY") == 0)
        next_line(text, pos);
      break;
    }
    lines.push_back(l);
    REQUIRE(at < text.size());
  }
  // The raw-socket capture prints CRLF as ".." across wrapped lines.
  if (!lines.empty() && lines[0].find("HTTP/1.1..") != std::string::npos) {
    std::string joined;
    for (auto& l : lines)
      joined += l;
    lines.clear();
    for (std::size_t from = 0; from < joined.size();) {
      auto dots = joined.find("..", from);
      if (dots == std::string::npos)
        dots = joined.size();
      if (dots > from)
        lines.push_back(joined.substr(from, dots - from));
      from = dots + 2;
    }
  }
  REQUIRE_FALSE(lines.empty());
  std::istringstream request_line{lines[0]};
  request_line >> x.method >> x.target;
  std::size_t length = 0;
  for (auto& [k, v] : parse_headers({lines.begin() + 1, lines.end()})) {
    if (k == "Host")
      x.port =
        static_cast<std::uint16_t>(std::stoul(v.substr(v.rfind(':') + 1)));
    else if (k == "Content-Length")
      length = std::stoul(v);
    else if (k != "User-Agent")
      x.headers.emplace_back(k, v);
  }
  x.body = text.substr(pos, length);
  pos += length;

  if (fs::exists(dir / (name + ".headers"))) { // a stream
    auto head = read_bytes(dir / (name + ".headers"));
    std::size_t p = 0;
    auto status = next_line(head, p);
    x.status = static_cast<unsigned>(std::stoul(status.substr(9, 3)));
    std::vector<std::string> hl;
    for (auto l = next_line(head, p); !l.empty(); l = next_line(head, p))
      hl.push_back(l);
    x.response_headers = parse_headers(hl);
    return x;
  }
  pos = text.find("### RESPONSE (", pos);
  REQUIRE(pos != std::string::npos);
  next_line(text, pos);
  auto status = next_line(text, pos);
  if (status.rfind("HTTP/1.1 ", 0) != 0) {
    x.answered = false; // the master died (43)
    return x;
  }
  x.status = static_cast<unsigned>(std::stoul(status.substr(9, 3)));
  std::vector<std::string> hl;
  for (auto l = next_line(text, pos); !l.empty(); l = next_line(text, pos))
    hl.push_back(l);
  x.response_headers = parse_headers(hl);
  auto body_line = next_line(text, pos);
  REQUIRE(body_line.rfind("### RESPONSE BODY (", 0) == 0);
  auto n = std::stoul(body_line.substr(19));
  x.response_body = text.substr(pos, n);
  return x;
}

// -- id_map
// ------------------------------------------------------------------------

void id_map::add(const std::string& recorded, const std::string& ours) {
  if (recorded.empty() || ours.empty())
    return;
  forward_[recorded] = ours;
  backward_[ours] = recorded;
}

namespace {

std::string replace_all(std::string text,
                        const std::map<std::string, std::string>& pairs) {
  // Longest first, so that an offer id wins over its master id prefix.
  std::vector<const std::pair<const std::string, std::string>*> order;
  for (auto& p : pairs)
    order.push_back(&p);
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) {
    return a->first.size() > b->first.size();
  });
  // Marks keep a replaced id from being replaced again by a shorter key.
  std::vector<std::pair<std::string, std::string>> marks;
  for (auto* p : order) {
    auto mark = "\x01" + std::to_string(marks.size()) + "\x02";
    bool used = false;
    for (auto at = text.find(p->first); at != std::string::npos;
         at = text.find(p->first, at + mark.size())) {
      text.replace(at, p->first.size(), mark);
      used = true;
    }
    if (used)
      marks.emplace_back(mark, p->second);
  }
  for (auto& [mark, value] : marks)
    for (auto at = text.find(mark); at != std::string::npos;
         at = text.find(mark, at + value.size()))
      text.replace(at, mark.size(), value);
  return text;
}

} // namespace

std::string id_map::to_ours(std::string text) const {
  return replace_all(std::move(text), forward_);
}

std::string id_map::to_recorded(std::string text) const {
  return replace_all(std::move(text), backward_);
}

} // namespace outrigger::test
