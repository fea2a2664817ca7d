#pragma once
// The replicated state store: the same record log with snapshots as the
// journal (journal.hpp), kept in ZooKeeper so that whichever replica is
// elected leader can take the state over. Only the leader opens it; the
// election happens elsewhere.
//
// Layout under <root>/state:
//   owner              the claiming replica's `owner` string; its version is
//                      the fencing token (below)
//   head               "gen <G> chunks <N>": the current generation and how
//                      many snapshot chunks it has (0 = no snapshot)
//   snap-<G>-<i>       the snapshot of generation G as one journal frame
//                      (`u32 len | u32 crc32 | payload`), cut into chunks of
//                      at most max_node_bytes, i = 0..N-1
//   log-<G>-<seq>      records committed since that snapshot, seq zero-padded
//                      to 10 digits and contiguous from 0
//
// The log nodes of a generation, concatenated in seq order, are exactly a
// journal log: a stream of frames. A commit packs whole frames into nodes of
// at most max_node_bytes; a frame bigger than that continues into the next
// node(s), and its length prefix says how many bytes follow (no flag
// needed). A commit never appends to an existing node, so every node starts
// with a frame or with the continuation of the previous node's last frame.
//
// Writes are zoo_multi requests whose payload stays within max_node_bytes
// (ZooKeeper refuses requests above jute.maxbuffer, 1 MiB): a commit of
// thousands of small records is one node in one multi; a big one is several
// multis, in order. A crash between them leaves a prefix of the commit, and
// at worst a torn last frame, which recovery cuts off as the journal does.
//
// Fencing: open() does setData(owner) with any version and keeps the version
// V it returns. Every later multi starts with check(owner, V), so once
// another replica has claimed the state (V changed), a deposed leader's late
// write fails as a whole with ZBADVERSION and commit() throws store_error
// "fenced: ...". Nodes have explicit names, so a writer also cannot create a
// node that exists (ZNODEEXISTS).
//
// Connection loss: a multi that got ZCONNECTIONLOSS may or may not have been
// applied. The store waits for the session to reconnect and sends the same
// multi again: three attempts at most, all within one session timeout of
// the first loss. A retried
// multi that fails with ZNODEEXISTS on its first create while the owner
// check passed was applied by the earlier attempt (only the holder of V can
// create these names after the claim), so it counts as done; a retried
// setData of head is idempotent. An expired session, or a connection that
// does not come back, is a store_error: the process restarts and recovers.
// After a failed write the store takes no more writes (part of a commit may
// be in ZooKeeper; only a recovery knows what).
//
// Credentials: with a digest, the session authenticates before anything
// else and the nodes it creates (root included, when missing) carry
// ZOO_CREATOR_ALL_ACL; without, ZOO_OPEN_ACL_UNSAFE. The digest appears in
// no message. The C client's own log lines are dropped: failures surface as
// store_error with the hosts and the path.
//
// Compaction writes snap-<G+1>-* (multis with the check), then switches head
// to G+1 in one multi (check + setData), then deletes generation G's nodes
// (best effort: leftovers are deleted by the next recovery). A crash at any
// point leaves one complete generation, the one head names.
//
// Node count: a log node per commit (more for big ones), so the number of
// log nodes is about the commits since the last compaction; the task book
// compacts by log bytes. Listing them is one getChildren whose answer may
// exceed 1 MiB: the C client and the 3.8 server accept that (tried with
// 100,000 children).
//
// Recovery (open): reads head (missing: generation 0, no snapshot) and the
// snapshot chunks, lists the children and reads the log nodes pipelined
// (a bounded window of zoo_aget, not one round trip each), then replays the
// frames with their checksums. A corrupt or torn frame, or a missing node,
// ends the replay there: what follows is reported as dropped bytes and
// deleted (a torn node is cut back to its valid part), so new commits
// follow the last good record. Nodes of other generations are deleted. A
// head that does not parse, or a snapshot that is incomplete or corrupt,
// is a store_error: head only moves once a snapshot is complete, so that is
// damage, and starting empty would forget every task.

#include "scheduling/store/journal.hpp" // store_error, append_frame
#include "scheduling/store/state_store.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

struct zoo_op;

namespace outrigger::store {

namespace detail {
class zk_session;
struct zk_multi_outcome;
} // namespace detail

/// Where the ZooKeeper store lives and how it talks to it.
struct zk_store_options {
  std::string hosts; ///< "h1:2181,h2:2181" (zookeeper_init connect string)
  std::string
    root; ///< e.g. "/outrigger"; the state lives under root + "/state"
  std::chrono::milliseconds session_timeout{10000};
  std::string digest; ///< "user:password" for digest auth; "" = none. A secret:
                      ///< never log it.
  std::string owner;  ///< who claims the state (e.g. "http://10.0.0.5:8080 pid
                      ///< 42"), written to the owner node
  std::chrono::milliseconds connect_timeout{
    30000}; ///< open() gives up (store_error) when not connected by then
  std::size_t max_node_bytes =
    900 * 1024; ///< one znode's data and one multi-op's payload stay below
                ///< jute.maxbuffer (1 MiB)
  std::uint32_t max_record_size = 64u << 20; ///< larger is corruption
};

/// The state store in ZooKeeper (layout and fencing above).
class zk_store final : public state_store {
public:
  /// Connects, creates root/state if missing, claims ownership (fencing),
  /// recovers into `recovered`. Throws store_error with a clear message
  /// (which host, what failed), never containing the digest.
  static std::unique_ptr<zk_store> open(const zk_store_options& options,
                                        recovered_state& recovered);

  /// Closes the session.
  ~zk_store() override;
  zk_store(const zk_store&) = delete;
  zk_store& operator=(const zk_store&) = delete;

  void append(std::string_view record) override;
  /// Throws store_error; "fenced: ..." when another owner took over.
  void commit() override;
  void compact(std::string_view snapshot) override;
  std::uint64_t log_bytes() const override { return log_bytes_; }
  std::size_t pending() const override { return pending_records_; }

private:
  explicit zk_store(const zk_store_options& options);
  void claim();
  void recover(recovered_state& out);
  void replay_log(const std::map<std::uint64_t, std::string>& log,
                  recovered_state& out);
  void execute(std::vector<zoo_op>& ops, const char* what);
  void check_outcome(const std::vector<zoo_op>& ops,
                     const detail::zk_multi_outcome& out,
                     const char* what) const;
  void write_nodes(const std::vector<std::string>& paths,
                   const std::vector<std::string_view>& data, const char* what,
                   std::uint64_t* advance = nullptr);
  void delete_nodes(std::vector<std::string> paths, bool best_effort);
  void check_usable() const;
  [[noreturn]] void fenced(const std::string& detail) const;
  std::string node(const std::string& name) const;

  std::unique_ptr<detail::zk_session> zk_;
  zk_store_options options_; // without the digest
  std::string state_path_;
  int owner_version_ = -1; // the fencing token V
  std::uint64_t generation_ = 0;
  std::uint64_t snapshot_chunks_ = 0;
  std::uint64_t next_seq_ = 0; // the next log node of this generation
  std::uint64_t log_bytes_ = 0;
  std::string buffer_;                  // framed records waiting for commit()
  std::vector<std::size_t> frame_ends_; // end offset of each frame in buffer_
  std::size_t pending_records_ = 0;
  std::string failed_; // why a write failed; the store takes no more
};

} // namespace outrigger::store
