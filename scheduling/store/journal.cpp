#include "scheduling/store/journal.hpp"

#include <boost/crc.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace outrigger::store {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view file_magic = "ORJ1";
constexpr std::size_t frame_header = 8;

std::uint32_t crc32(std::string_view data) {
  boost::crc_32_type crc;
  crc.process_bytes(data.data(), data.size());
  return crc.checksum();
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint32_t get_u32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(p[i]))
         << (8 * i);
  return v;
}

[[noreturn]] void fail(const std::string& what, const fs::path& path) {
  throw store_error(what + " " + path.string() + ": " + std::strerror(errno));
}

void write_all(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    auto n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR)
        continue;
      fail("cannot write", path);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string read_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    fail("cannot open", path);
  std::string out;
  char buf[1 << 16];
  for (;;) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      ::close(fd);
      fail("cannot read", path);
    }
    if (n == 0)
      break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

void sync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    fail("cannot open directory", dir);
  if (::fsync(fd) != 0) {
    auto saved = errno;
    ::close(fd);
    errno = saved;
    fail("cannot sync directory", dir);
  }
  ::close(fd);
}

// Result of scanning a file of frames.
struct scan_result {
  std::vector<std::string> payloads;
  std::uint64_t valid_size = 0; // bytes up to the end of the last good frame
  std::string problem;          // why scanning stopped early, if it did
};

scan_result scan_frames(std::string_view data, std::uint32_t max_record) {
  scan_result r;
  if (data.size() < file_magic.size() ||
      data.substr(0, file_magic.size()) != file_magic) {
    r.problem = data.empty() ? "" : "bad file header";
    return r;
  }
  std::size_t pos = file_magic.size();
  r.valid_size = pos;
  while (pos < data.size()) {
    if (data.size() - pos < frame_header) {
      r.problem = "torn frame header at offset " + std::to_string(pos);
      break;
    }
    auto len = get_u32(data.data() + pos);
    auto crc = get_u32(data.data() + pos + 4);
    if (len > max_record) {
      r.problem = "record length " + std::to_string(len) + " at offset " +
                  std::to_string(pos) + " exceeds the maximum";
      break;
    }
    if (data.size() - pos - frame_header < len) {
      r.problem = "torn record at offset " + std::to_string(pos);
      break;
    }
    auto payload = data.substr(pos + frame_header, len);
    if (crc32(payload) != crc) {
      r.problem = "checksum mismatch at offset " + std::to_string(pos);
      break;
    }
    r.payloads.emplace_back(payload);
    pos += frame_header + len;
    r.valid_size = pos;
  }
  return r;
}

fs::path snapshot_path(const fs::path& dir, std::uint64_t gen) {
  return dir / ("snapshot-" + std::to_string(gen));
}

fs::path log_path(const fs::path& dir, std::uint64_t gen) {
  return dir / ("log-" + std::to_string(gen));
}

// Generation numbers of files named `<prefix><number>`.
std::vector<std::uint64_t> generations(const fs::path& dir,
                                       std::string_view prefix) {
  std::vector<std::uint64_t> out;
  for (auto& entry : fs::directory_iterator(dir)) {
    auto name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0)
      continue;
    auto digits = name.substr(prefix.size());
    std::uint64_t gen = 0;
    auto [end, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), gen);
    if (digits.empty() || ec != std::errc{} ||
        end != digits.data() + digits.size())
      continue; // not a name the journal writes (nor one past 2^64)
    out.push_back(gen);
  }
  std::sort(out.rbegin(), out.rend());
  return out;
}

} // namespace

void append_frame(std::string& out, std::string_view payload) {
  put_u32(out, static_cast<std::uint32_t>(payload.size()));
  put_u32(out, crc32(payload));
  out.append(payload);
}

journal::journal(fs::path dir, journal_options options)
  : dir_(std::move(dir)), options_(options) {
  // nop
}

journal::~journal() {
  if (log_fd_ >= 0)
    ::close(log_fd_);
  if (lock_fd_ >= 0)
    ::close(lock_fd_); // releases the flock
}

std::unique_ptr<journal> journal::open(const fs::path& dir,
                                       recovered_state& recovered,
                                       journal_options options) {
  std::error_code ec;
  // The journal holds every task's command and environment: a directory it
  // creates is the owner's only (0700), and so are its files (0600).
  bool fresh = !fs::exists(dir, ec);
  fs::create_directories(dir, ec);
  if (!ec && fresh)
    fs::permissions(dir, fs::perms::owner_all, ec);
  if (ec)
    throw store_error("cannot create data directory " + dir.string() + ": " +
                      ec.message());
  std::unique_ptr<journal> j{new journal(dir, options)};
  auto lock = dir / "lock";
  j->lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (j->lock_fd_ < 0)
    fail("cannot open lock file", lock);
  if (::flock(j->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    auto owner = read_file(lock);
    while (!owner.empty() && (owner.back() == '\n' || owner.back() == ' '))
      owner.pop_back();
    throw store_error("data directory " + dir.string() +
                      " is in use by another process" +
                      (owner.empty() ? "" : " (pid " + owner + ")"));
  }
  auto pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(j->lock_fd_, 0) == 0)
    write_all(j->lock_fd_, pid, lock);
  j->recover(recovered);
  return j;
}

void journal::recover(recovered_state& out) {
  out = recovered_state{};
  // The newest snapshot is the state; without one the journal starts at
  // generation 0. Compaction renames a complete, synced file into place, so
  // a damaged snapshot is damage, not a crash: refuse it rather than fall
  // back to an older generation or to nothing, which would forget tasks.
  generation_ = 0;
  if (auto gens = generations(dir_, "snapshot-"); !gens.empty()) {
    auto path = snapshot_path(dir_, gens.front());
    auto scan = scan_frames(read_file(path), options_.max_record_size);
    if (!scan.problem.empty() || scan.payloads.size() != 1) {
      auto why = !scan.problem.empty() ? scan.problem
                 : scan.payloads.empty()
                   ? std::string{"no record"}
                   : std::to_string(scan.payloads.size()) + " records, not one";
      throw store_error("journal snapshot " + path.string() + " is damaged (" +
                        why +
                        "); the state cannot be recovered without it: restore "
                        "the data directory from a backup, or move it away to "
                        "start with no tasks");
    }
    generation_ = gens.front();
    out.snapshot = std::move(scan.payloads.front());
    out.report.snapshot_loaded = true;
  }
  out.report.generation = generation_;
  // Leftovers of older generations (a crash during compaction) go away.
  for (auto gen : generations(dir_, "snapshot-"))
    if (gen < generation_)
      fs::remove(snapshot_path(dir_, gen));
  for (auto gen : generations(dir_, "log-"))
    if (gen < generation_)
      fs::remove(log_path(dir_, gen));
  fs::remove(dir_ / "snapshot.tmp");

  auto log = log_path(dir_, generation_);
  std::uint64_t valid = 0;
  if (fs::exists(log)) {
    auto data = read_file(log);
    auto scan = scan_frames(data, options_.max_record_size);
    valid = scan.valid_size;
    out.records = std::move(scan.payloads);
    out.report.records = out.records.size();
    out.report.bytes =
      valid > file_magic.size() ? valid - file_magic.size() : 0;
    out.report.dropped_bytes = data.size() - valid;
    if (out.report.dropped_bytes > 0)
      out.report.dropped_reason = scan.problem;
  }
  open_log_for_append(valid);
}

void journal::open_log_for_append(std::uint64_t valid_size) {
  auto log = log_path(dir_, generation_);
  log_fd_ = ::open(log.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (log_fd_ < 0)
    fail("cannot open journal", log);
  if (valid_size < file_magic.size()) {
    // New, empty or headerless: start the file over.
    if (::ftruncate(log_fd_, 0) != 0)
      fail("cannot truncate journal", log);
    write_all(log_fd_, file_magic, log);
    valid_size = file_magic.size();
  } else if (::ftruncate(log_fd_, static_cast<off_t>(valid_size)) != 0) {
    fail("cannot truncate journal", log); // cuts off a torn tail
  }
  if (::lseek(log_fd_, static_cast<off_t>(valid_size), SEEK_SET) < 0)
    fail("cannot seek journal", log);
  if (options_.fsync && ::fsync(log_fd_) != 0)
    fail("cannot sync journal", log);
  sync_dir(dir_);
  log_bytes_ = valid_size - file_magic.size();
}

void journal::append(std::string_view record) {
  if (record.size() > options_.max_record_size)
    throw store_error("record of " + std::to_string(record.size()) +
                      " bytes exceeds the journal maximum");
  append_frame(buffer_, record);
  ++pending_records_;
}

int journal::sync(int fd) const {
  return options_.sync_data ? options_.sync_data(fd) : ::fdatasync(fd);
}

void journal::check_usable() const {
  if (!failed_.empty())
    throw store_error("the journal stopped after an earlier failure (" +
                      failed_ + "); restart to recover from its files");
}

void journal::commit() {
  check_usable();
  if (buffer_.empty())
    return;
  auto log = log_path(dir_, generation_);
  try {
    write_all(log_fd_, buffer_, log);
    if (options_.fsync && sync(log_fd_) != 0)
      fail("cannot sync journal", log);
  } catch (const store_error& e) {
    failed_ = e.what();
    throw;
  }
  log_bytes_ += buffer_.size();
  buffer_.clear();
  pending_records_ = 0;
}

void journal::compact(std::string_view snapshot) {
  commit(); // the snapshot supersedes them, but keep the log consistent
  try {
    write_snapshot(snapshot);
  } catch (const std::exception& e) {
    failed_ = e.what();
    throw;
  }
}

void journal::write_snapshot(std::string_view snapshot) {
  auto next = generation_ + 1;
  auto tmp = dir_ / "snapshot.tmp";
  {
    std::string data{file_magic};
    append_frame(data, snapshot);
    int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
      fail("cannot create snapshot", tmp);
    try {
      write_all(fd, data, tmp);
    } catch (const store_error&) {
      ::close(fd);
      throw;
    }
    if (options_.fsync && sync(fd) != 0) {
      auto saved = errno;
      ::close(fd);
      errno = saved;
      fail("cannot sync snapshot", tmp);
    }
    ::close(fd);
  }
  fs::rename(tmp, snapshot_path(dir_, next));
  sync_dir(dir_);
  // From here on the new generation is the durable one.
  auto old = generation_;
  ::close(log_fd_);
  log_fd_ = -1;
  generation_ = next;
  open_log_for_append(0);
  fs::remove(log_path(dir_, old));
  fs::remove(snapshot_path(dir_, old));
}

} // namespace outrigger::store
