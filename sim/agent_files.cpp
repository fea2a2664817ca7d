#include "sim/agent_files.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace outrigger::sim {

namespace fs = std::filesystem;

namespace {

// Mesos caps a read at 16 pages (src/files/files.cpp, `os::pagesize() * 16`).
constexpr std::int64_t max_read = 16 * 4096;

handler_reply reply(unsigned status, std::string content_type,
                    std::string body) {
  handler_reply r;
  r.response.status = status;
  r.response.headers.emplace_back("Content-Type", std::move(content_type));
  r.response.body = std::move(body);
  return r;
}

// libprocess' NotFound() and BadRequest(msg): text/plain, the message as is.
handler_reply not_found() {
  return reply(404, "text/plain; charset=utf-8", "");
}
handler_reply bad_request(std::string message) {
  return reply(400, "text/plain; charset=utf-8", std::move(message));
}
handler_reply ok_json(std::string body) {
  return reply(200, "application/json", std::move(body));
}

int hex(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::string decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 &&
               hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// stout's numify<long>: a whole decimal integer, sign allowed.
std::optional<std::int64_t> integer(const std::string& text) {
  std::int64_t v = 0;
  auto* b = text.data();
  auto* e = b + text.size();
  auto [end, ec] = std::from_chars(b, e, v);
  if (text.empty() || ec != std::errc{} || end != e)
    return std::nullopt;
  return v;
}

// stout's number writer for a double: "%#.15g" without trailing zeros, and
// a "0" after a bare decimal point ("1795309267.0").
std::string json_double(double v) {
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%#.*g", 15, v);
  int back = n - 1;
  for (; back > 0 && buf[back] == '0'; --back)
    buf[back] = '\0';
  std::string out = buf;
  if (!out.empty() && out.back() == '.')
    out += '0';
  return out;
}

// The listing mode like `ls -l` (stout's os::Permissions / files.cpp).
std::string mode_text(mode_t m) {
  std::string s(10, '-');
  if (S_ISDIR(m))
    s[0] = 'd';
  else if (S_ISLNK(m))
    s[0] = 'l';
  const char* rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i)
    if (m & (1 << (8 - i)))
      s[1 + i] = rwx[i];
  return s;
}

std::string user_name(uid_t uid) {
  passwd pw{};
  passwd* found = nullptr;
  char buf[1024];
  if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found)
    return found->pw_name;
  return std::to_string(uid);
}

std::string group_name(gid_t gid) {
  group gr{};
  group* found = nullptr;
  char buf[1024];
  if (getgrgid_r(gid, &gr, buf, sizeof buf, &found) == 0 && found)
    return found->gr_name;
  return std::to_string(gid);
}

// files.cpp jsonFileInfo: keys in std::map order.
std::string file_info(const std::string& path, const struct stat& s) {
  std::string o = "{\"gid\":" + stout_json_string(group_name(s.st_gid));
  o += ",\"mode\":" + stout_json_string(mode_text(s.st_mode));
  o += ",\"mtime\":" + json_double(static_cast<double>(s.st_mtime));
  o += ",\"nlink\":" + std::to_string(s.st_nlink);
  o += ",\"path\":" + stout_json_string(path);
  o += ",\"size\":" + std::to_string(s.st_size);
  o += ",\"uid\":" + stout_json_string(user_name(s.st_uid)) + "}";
  return o;
}

std::string read_json(std::int64_t offset, std::string_view data) {
  return "{\"data\":" + stout_json_string(data) +
         ",\"offset\":" + std::to_string(offset) + "}";
}

std::vector<std::string> split(std::string_view path) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from <= path.size()) {
    auto slash = path.find('/', from);
    auto part = path.substr(from, slash - from);
    if (!part.empty())
      out.emplace_back(part);
    if (slash == std::string_view::npos)
      break;
    from = slash + 1;
  }
  return out;
}

// What a path resolves to: a real path, or a synthetic directory / file.
struct resolved {
  fs::path real;
  const virtual_sandbox* dir = nullptr; ///< synthetic sandbox (a directory)
  const std::string* file = nullptr;    ///< a synthetic file's content
  bool is_dir() const {
    if (file)
      return false;
    if (dir)
      return true;
    std::error_code ec;
    return fs::is_directory(real, ec);
  }
};

} // namespace

std::string stout_json_string(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c & 0xff);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view target) {
  std::map<std::string, std::string> out;
  auto q = target.find('?');
  if (q == std::string_view::npos)
    return out;
  auto rest = target.substr(q + 1);
  std::size_t from = 0;
  while (from <= rest.size()) {
    auto amp = rest.find('&', from);
    auto pair = rest.substr(from, amp - from);
    if (!pair.empty()) {
      auto eq = pair.find('=');
      out[decode(pair.substr(0, eq))] =
        eq == std::string_view::npos ? "" : decode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos)
      break;
    from = amp + 1;
  }
  return out;
}

agent_files::agent_files(agent_files_options options)
  : options_(std::move(options)) {}

handler_reply agent_files::handle(const http_request& request) {
  auto route = request.path();
  if (route.ends_with(".json")) // the deprecated aliases files.cpp keeps
    route.remove_suffix(5);
  if (route != "/files/browse" && route != "/files/read" &&
      route != "/files/download" && route != "/files/debug")
    return not_found();
  auto query = parse_query(request.target);

  // Sandboxes: `<slaves>/<agent>/frameworks/F/executors/E/runs/R` (R a run
  // id or `latest`) and the virtual `/frameworks/F/executors/E/runs/latest`.
  fs::path agent_root = options_.work_dir.empty() || agent_id_.empty()
                          ? fs::path{}
                          : options_.work_dir / "slaves" / agent_id_;
  std::optional<virtual_sandbox> synthetic; // keeps the resolved one alive

  auto resolve = [&](const std::string& path) -> std::optional<resolved> {
    auto parts = split(path);
    // The attached prefix: 7 components after the root.
    std::vector<std::string> rest;
    std::string framework, executor;
    bool is_virtual = path.starts_with("/frameworks/");
    auto root_parts = split(agent_root.string());
    std::size_t skip = 0;
    if (is_virtual) {
      if (parts.size() < 6 || parts[0] != "frameworks" ||
          parts[2] != "executors" || parts[4] != "runs" || parts[5] != "latest")
        return std::nullopt;
      framework = parts[1];
      executor = parts[3];
      skip = 6;
    } else {
      if (agent_root.empty() || parts.size() < root_parts.size() + 6 ||
          !std::equal(root_parts.begin(), root_parts.end(), parts.begin()))
        return std::nullopt;
      auto at = root_parts.size();
      if (parts[at] != "frameworks" || parts[at + 2] != "executors" ||
          parts[at + 4] != "runs")
        return std::nullopt;
      framework = parts[at + 1];
      executor = parts[at + 3];
      skip = at + 6;
    }
    for (std::size_t i = skip; i < parts.size(); ++i)
      rest.push_back(parts[i]);
    for (auto& p : rest)
      if (p == "." || p == "..")
        return std::nullopt; // realpath would leave the sandbox: Mesos 400s
                             // or 404s; never serve outside
    if (options_.work_dir.empty()) {
      if (!options_.synthetic || !is_virtual || agent_id_.empty())
        return std::nullopt;
      synthetic = options_.synthetic(agent_id_, framework, executor);
      if (!synthetic || rest.size() > 1)
        return std::nullopt;
      resolved r;
      if (rest.empty()) {
        r.dir = &*synthetic;
        return r;
      }
      auto f = synthetic->files.find(rest[0]);
      if (f == synthetic->files.end())
        return std::nullopt;
      r.file = &f->second;
      return r;
    }
    if (agent_root.empty())
      return std::nullopt;
    fs::path run =
      agent_root / "frameworks" / framework / "executors" / executor / "runs" /
      (is_virtual ? std::string{"latest"} : parts[root_parts.size() + 5]);
    std::error_code ec;
    auto base = fs::canonical(run, ec);
    if (ec)
      return std::nullopt;
    fs::path full = base;
    for (auto& p : rest)
      full /= p;
    auto real = fs::canonical(full, ec);
    if (ec)
      return std::nullopt;
    auto b = base.string(), r = real.string();
    if (r != b && !r.starts_with(b + "/"))
      return std::nullopt;
    resolved out;
    out.real = real;
    return out;
  };

  if (route == "/files/debug") {
    // Attached paths: listed for exec sandboxes only (synthetic ones are
    // generated on demand and have no real path).
    std::map<std::string, std::string> attached;
    std::error_code ec;
    auto frameworks =
      agent_root.empty() ? fs::path{} : agent_root / "frameworks";
    if (!frameworks.empty() && fs::is_directory(frameworks, ec))
      for (auto& fw : fs::directory_iterator(frameworks, ec))
        for (auto& ex : fs::directory_iterator(fw.path() / "executors", ec)) {
          auto runs = ex.path() / "runs";
          auto latest = fs::canonical(runs / "latest", ec);
          if (ec)
            continue;
          attached["/frameworks/" + fw.path().filename().string() +
                   "/executors/" + ex.path().filename().string() +
                   "/runs/latest"] = latest.string();
          attached[latest.string()] = latest.string();
          attached[(runs / "latest").string()] = latest.string();
        }
    std::string body = "{";
    for (auto& [k, v] : attached)
      body += (body.size() > 1 ? "," : "") + stout_json_string(k) + ":" +
              stout_json_string(v);
    return ok_json(body + "}");
  }

  auto p = query.find("path");
  if (p == query.end() || p->second.empty())
    return bad_request("Expecting 'path=value' in query.\n");
  std::string path = p->second;

  if (route == "/files/browse") {
    auto r = resolve(path);
    if (!r || !r->is_dir())
      return not_found();
    std::string shown = path;
    while (shown.size() > 1 && shown.back() == '/')
      shown.pop_back();
    std::map<std::string, std::string> entries; // sorted by full path
    if (r->dir) {
      for (auto& [name, content] : r->dir->files) {
        struct stat s {};
        s.st_mode = S_IFREG | 0644;
        s.st_nlink = 1;
        s.st_size = static_cast<off_t>(content.size());
        s.st_mtime = static_cast<time_t>(r->dir->mtime);
        s.st_uid = ::getuid();
        s.st_gid = ::getgid();
        entries[name] = file_info(shown + "/" + name, s);
      }
    } else {
      std::error_code ec;
      for (auto& e : fs::directory_iterator(r->real, ec)) {
        struct stat s {};
        if (::stat(e.path().c_str(), &s) != 0)
          continue;
        auto name = e.path().filename().string();
        entries[e.path().string()] = file_info(shown + "/" + name, s);
      }
    }
    std::string body = "[";
    for (auto& [_, v] : entries)
      body += (body.size() > 1 ? "," : "") + v;
    return ok_json(body + "]");
  }

  if (route == "/files/download") {
    auto r = resolve(path);
    if (!r)
      return not_found();
    if (r->is_dir())
      return bad_request("Cannot download a directory.\n");
    std::string content;
    std::string name;
    if (r->file) {
      content = *r->file;
      name = split(path).back();
    } else {
      std::ifstream in(r->real, std::ios::binary);
      content.assign(std::istreambuf_iterator<char>(in), {});
      name = r->real.filename().string();
    }
    auto out = reply(200, "application/octet-stream", std::move(content));
    out.response.headers.emplace_back("Content-Disposition",
                                      "attachment; filename=" + name);
    return out;
  }

  // /files/read
  std::int64_t offset = -1, length = -1;
  if (auto o = query.find("offset"); o != query.end()) {
    auto v = integer(o->second);
    if (!v)
      return bad_request("Failed to parse offset: Failed to convert '" +
                         o->second + "' to number.\n");
    offset = *v;
  }
  if (auto l = query.find("length"); l != query.end()) {
    auto v = integer(l->second);
    if (!v)
      return bad_request("Failed to parse length: Failed to convert '" +
                         l->second + "' to number.\n");
    length = *v;
  }
  auto r = resolve(path);
  if (!r)
    return not_found();
  if (r->is_dir())
    return bad_request("Cannot read a directory.\n");
  if (offset < -1)
    return bad_request("Negative offset provided: " + std::to_string(offset) +
                       ".\n");
  std::string content;
  std::int64_t size = 0;
  std::ifstream in;
  if (r->file) {
    size = static_cast<std::int64_t>(r->file->size());
  } else {
    in.open(r->real, std::ios::binary);
    if (!in)
      return reply(500, "text/plain; charset=utf-8",
                   "Failed to open file at '" + r->real.string() + "'.\n");
    in.seekg(0, std::ios::end);
    size = static_cast<std::int64_t>(in.tellg());
  }
  if (offset == -1)
    offset = size;
  if (length == -1)
    length = size - offset;
  length = std::min(length, max_read);
  // 1.12 echoes the requested offset past the end (recording 83).
  if (offset >= size || length <= 0)
    return ok_json(read_json(offset, ""));
  auto n = std::min(length, size - offset);
  if (r->file) {
    content = r->file->substr(static_cast<std::size_t>(offset),
                              static_cast<std::size_t>(n));
  } else {
    content.resize(static_cast<std::size_t>(n));
    in.seekg(offset);
    in.read(content.data(), n);
    content.resize(static_cast<std::size_t>(in.gcount()));
  }
  return ok_json(read_json(offset, content));
}

} // namespace outrigger::sim
