#pragma once
// The embedded state store: a journal in a data directory.
//
// Files: `lock` (flock, holds the owner's pid), `snapshot-<gen>` (one framed
// record: the state at compaction), `log-<gen>` (framed records appended
// since that snapshot). A frame is `u32 length | u32 crc32 | payload` (little
// endian) after a file header `ORJ1`. Compaction writes snapshot-<gen+1> via a
// temporary file, fsync and rename, starts log-<gen+1>, then deletes the
// previous generation; a crash at any point leaves one complete generation.

#include "scheduling/store/state_store.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>

namespace outrigger::store {

/// An I/O or format failure of the store, with the path involved.
class store_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Tunables of the journal.
struct journal_options {
  /// Largest record accepted (bigger ones are a bug or a corrupt length).
  std::uint32_t max_record_size = 64u << 20;
  /// fsync on commit; off only for tests and benchmarks that measure without.
  bool fsync = true;
  /// Makes a file's data durable: fdatasync(2) when unset. Tests set a
  /// failing one: no file system available to them fails fsync on demand.
  std::function<int(int fd)> sync_data;
};

/// The embedded journal store.
class journal final : public state_store {
public:
  /// Opens (creating if needed) the journal in `dir`, takes its lock and
  /// recovers. Throws store_error when the directory is locked by another
  /// process ("... is in use by process 1234"), cannot be read, or its
  /// newest snapshot is damaged (a torn log tail is only cut off and
  /// reported in `recovered.report`).
  static std::unique_ptr<journal> open(const std::filesystem::path& dir,
                                       recovered_state& recovered,
                                       journal_options options = {});

  ~journal() override;
  journal(const journal&) = delete;
  journal& operator=(const journal&) = delete;

  void append(std::string_view record) override;
  /// Writes and syncs the appended records. After a failed write or sync
  /// the journal refuses every further commit and compaction: a failed
  /// fsync may have dropped the dirty pages it was syncing, so a retry that
  /// succeeds would prove nothing ("fsyncgate"); only a restart, which
  /// recovers from what the files hold, is safe.
  void commit() override;
  void compact(std::string_view snapshot) override;
  std::uint64_t log_bytes() const override { return log_bytes_; }
  std::size_t pending() const override { return pending_records_; }

  /// The directory this journal owns.
  const std::filesystem::path& directory() const { return dir_; }

private:
  journal(std::filesystem::path dir, journal_options options);
  void recover(recovered_state& out);
  void open_log_for_append(std::uint64_t valid_size);
  void write_snapshot(std::string_view snapshot);
  int sync(int fd) const;
  void check_usable() const;

  std::filesystem::path dir_;
  journal_options options_;
  int lock_fd_ = -1;
  int log_fd_ = -1;
  std::uint64_t generation_ = 0;
  std::uint64_t log_bytes_ = 0;
  std::string buffer_; // framed records waiting for commit()
  std::size_t pending_records_ = 0;
  std::string failed_; // why the journal stopped accepting commits
};

/// Appends one frame (header + payload) to `out`.
void append_frame(std::string& out, std::string_view payload);

} // namespace outrigger::store
