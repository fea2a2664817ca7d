// libFuzzer target for recovery from the journal's data directory: the
// input becomes `snapshot-<gen>` and `log-<gen>` files in a fresh directory
// (under /dev/shm when there is one), then journal::open recovers them and
// the task book reads what it recovered (task_book_state::recover: the
// snapshot's JSON lines and each record).
//
// Input layout: byte 0 flags, bytes 1-2 the length of the snapshot part A
// (little endian; the log part B is the rest), byte 3 a tail cut; then A
// and B.
//   flags & 1  write snapshot-1 (the log is then log-1, else log-0)
//   flags & 2  write the log
//   flags & 4  framed: A becomes one valid frame, B's records (separated by
//              0x1E) valid frames, each file with its header "ORJ1"; the log
//              then loses its last (byte 3 % 16) bytes (a torn write)
//   else raw:  the files hold A and B as they are, "ORJ1" first when
//              flags & 8 (snapshot) and flags & 16 (log)
//
// For every input it checks that
//  - journal::open either throws store_error or recovers, and then every
//    dropped byte has a reason (recovery_report.dropped_*);
//  - a snapshot on disk is loaded or refused: never silently skipped;
//  - framed input recovers exactly the records whose frames are whole after
//    the cut, and reports the bytes after them as dropped;
//  - the task book takes the recovered state or throws book_error; any
//    other exception escaping is a crash.
// Run: see tests/fuzz/README.md.

#include "scheduling/store/journal.hpp"
#include "scheduling/task_book/task_book_state.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

using namespace outrigger;
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "journal_fuzz: %s\n%.*s\n", what,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

fs::path work_dir() {
  static const fs::path dir = [] {
    fs::path base =
      fs::exists("/dev/shm") ? "/dev/shm" : fs::temp_directory_path();
    return base / ("journal_fuzz-" + std::to_string(::getpid()));
  }();
  return dir;
}

void write_file(const fs::path& p, std::string_view bytes) {
  std::ofstream out{p, std::ios::binary | std::ios::trunc};
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::string_view> split_records(std::string_view b) {
  std::vector<std::string_view> out;
  if (b.empty())
    return out;
  std::size_t pos = 0;
  for (;;) {
    auto sep = b.find('\x1e', pos);
    out.push_back(
      b.substr(pos, sep == std::string_view::npos ? sep : sep - pos));
    if (sep == std::string_view::npos)
      return out;
    pos = sep + 1;
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  if (size < 4)
    return 0;
  unsigned flags = data[0];
  std::string_view rest{reinterpret_cast<const char*>(data) + 4, size - 4};
  std::size_t split =
    std::min<std::size_t>(data[1] | data[2] << 8, rest.size());
  auto a = rest.substr(0, split);
  auto b = rest.substr(split);
  bool has_snapshot = flags & 1, has_log = flags & 2, framed = flags & 4;
  std::size_t cut = framed ? data[3] % 16 : 0;

  auto dir = work_dir();
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::uint64_t gen = has_snapshot ? 1 : 0;
  std::vector<std::string_view> written;
  std::string log_text;
  if (framed) {
    if (has_snapshot) {
      std::string snap{"ORJ1"};
      store::append_frame(snap, a);
      write_file(dir / "snapshot-1", snap);
    }
    if (has_log) {
      log_text = "ORJ1";
      written = split_records(b);
      for (auto r : written)
        store::append_frame(log_text, r);
      log_text.resize(log_text.size() - std::min(cut, log_text.size()));
    }
  } else {
    if (has_snapshot)
      write_file(dir / "snapshot-1",
                 (flags & 8 ? "ORJ1" : "") + std::string{a});
    if (has_log)
      log_text = (flags & 16 ? "ORJ1" : "") + std::string{b};
  }
  if (has_log)
    write_file(dir / ("log-" + std::to_string(gen)), log_text);

  store::recovered_state rec;
  std::unique_ptr<store::journal> journal;
  store::journal_options options;
  options.fsync = false;
  options.max_record_size = 1u << 20;
  try {
    journal = store::journal::open(dir, rec, options);
  } catch (const store::store_error& e) {
    if (std::string_view{e.what()}.empty())
      fail("store_error without a message", {});
    return 0;
  }
  auto& report = rec.report;
  if (report.dropped_bytes > 0 && report.dropped_reason.empty())
    fail("bytes dropped without a reason",
         std::to_string(report.dropped_bytes));
  if (has_snapshot && !report.snapshot_loaded)
    fail("a snapshot on disk was neither loaded nor refused", a);
  if (framed) {
    if (has_snapshot && rec.snapshot != a)
      fail("the snapshot differs from what was written", rec.snapshot);
    if (rec.records.size() > written.size())
      fail("more records recovered than written", {});
    for (std::size_t i = 0; i < rec.records.size(); ++i)
      if (rec.records[i] != written[i])
        fail("a recovered record differs from what was written",
             rec.records[i]);
    // The whole frames left after the cut come back; the rest is reported.
    std::size_t whole = 0, end = log_text.size() >= 4 ? 4 : 0;
    while (has_log && end > 0 && whole < written.size() &&
           end + 8 + written[whole].size() <= log_text.size())
      end += 8 + written[whole++].size();
    if (has_log && rec.records.size() != whole)
      fail("recovery did not keep exactly the whole frames",
           report.dropped_reason);
    if (has_log && report.dropped_bytes != log_text.size() - end)
      fail("the torn tail is not reported exactly", report.dropped_reason);
  }

  scheduling::task_book_config cfg;
  scheduling::task_book_state book{cfg, *journal};
  try {
    book.recover(rec);
  } catch (const scheduling::book_error& e) {
    if (std::string_view{e.what()}.empty())
      fail("book_error without a message", {});
  }
  journal.reset();
  return 0;
}
