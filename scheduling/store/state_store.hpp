#pragma once
// The durable state of the scheduler as an ordered log of opaque records plus
// an occasional snapshot that replaces the records before it. The task book
// decides what a record means; a store only keeps records safe. The embedded
// implementation is a journal in a data directory (journal.hpp); a replicated
// one (ZooKeeper) can follow behind the same interface.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace outrigger::store {

/// What recovery found and what it had to drop.
struct recovery_report {
  std::uint64_t generation = 0;    ///< snapshot generation recovered
  bool snapshot_loaded = false;    ///< a snapshot existed and was valid
  std::uint64_t records = 0;       ///< records replayed after the snapshot
  std::uint64_t bytes = 0;         ///< bytes of those records
  std::uint64_t dropped_bytes = 0; ///< torn or corrupt tail cut off
  std::string dropped_reason;      ///< why, e.g. "checksum mismatch at 4096"
};

/// The state a store hands back on start.
struct recovered_state {
  std::string snapshot;             ///< empty when there is none
  std::vector<std::string> records; ///< in append order, after the snapshot
  recovery_report report;
};

/// A durable, ordered record log with snapshots.
class state_store {
public:
  virtual ~state_store() = default;

  /// Queues a record; it is durable only after the next commit().
  virtual void append(std::string_view record) = 0;

  /// Makes every appended record durable (one fsync for the whole batch:
  /// group commit). Throws store_error on I/O failure.
  virtual void commit() = 0;

  /// Replaces everything committed so far by `snapshot` (compaction).
  virtual void compact(std::string_view snapshot) = 0;

  /// Bytes of records since the last snapshot (to decide when to compact).
  virtual std::uint64_t log_bytes() const = 0;

  /// Records queued but not yet committed.
  virtual std::size_t pending() const = 0;
};

} // namespace outrigger::store
