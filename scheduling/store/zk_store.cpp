#include "scheduling/store/zk_store.hpp"

#include "scheduling/store/zk_frames.hpp"
#include "scheduling/store/zk_session.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

namespace outrigger::store {

using detail::zk_session;
using namespace zk_frames;

namespace {

// Per-op bytes of a multi besides its data (header, path, ACL), counted
// generously against the multi's payload budget.
constexpr std::size_t op_overhead = 96;
constexpr std::size_t max_ops_per_multi = 1000;

// Printable excerpt of foreign data for a message.
std::string excerpt(std::string_view data) {
  std::string out;
  for (char c : data.substr(0, 40))
    out.push_back(c >= 32 && c < 127 ? c : '?');
  return out;
}

} // namespace

zk_store::zk_store(const zk_store_options& options) : options_(options) {
  options_.digest.clear(); // only the session needs it
  auto root = options.root;
  while (root.size() > 1 && root.back() == '/')
    root.pop_back();
  state_path_ = (root == "/" ? "" : root) + "/state";
}

zk_store::~zk_store() = default;

std::string zk_store::node(const std::string& name) const {
  return state_path_ + "/" + name;
}

std::unique_ptr<zk_store> zk_store::open(const zk_store_options& options,
                                         recovered_state& recovered) {
  if (options.hosts.empty())
    throw store_error("zk_store: no ZooKeeper hosts given");
  if (options.root.empty() || options.root.front() != '/')
    throw store_error("zk_store: the root must be an absolute ZooKeeper path, "
                      "got '" +
                      options.root + "'");
  if (options.max_node_bytes < 256 || options.max_node_bytes > 1000 * 1024)
    throw store_error("zk_store: max_node_bytes " +
                      std::to_string(options.max_node_bytes) +
                      " is outside [256, 1024000] (jute.maxbuffer is 1 MiB)");
  std::unique_ptr<zk_store> s{new zk_store(options)};
  s->zk_ =
    std::make_unique<zk_session>(options.hosts, options.session_timeout,
                                 options.connect_timeout, options.digest);
  s->zk_->ensure_path(s->state_path_);
  s->claim();
  s->recover(recovered);
  return s;
}

void zk_store::claim() {
  auto owner = node("owner");
  int rc = zk_->create(owner, "");
  if (rc != ZOK && rc != ZNODEEXISTS)
    zk_->fail("creating", owner, rc);
  rc = zk_->set(owner, options_.owner, -1, owner_version_);
  if (rc != ZOK)
    zk_->fail("claiming the state at", owner, rc);
}

void zk_store::fenced(const std::string& detail) const {
  std::string now = "unknown";
  try {
    auto read = zk_->read_all({node("owner")});
    if (read[0].rc == ZOK)
      now = "'" + excerpt(read[0].data) + "'";
  } catch (const store_error&) {
    // the message below is what matters
  }
  throw store_error("fenced: the state was claimed by another replica (" +
                    detail + "; owner now " + now + ")");
}

void zk_store::execute(std::vector<zoo_op_t>& ops, const char* what) {
  check_outcome(ops, zk_->multi(ops, what), what);
}

void zk_store::check_outcome(const std::vector<zoo_op_t>& ops,
                             const detail::zk_multi_outcome& out,
                             const char* what) const {
  if (out.rc == ZOK)
    return;
  auto path = std::string{detail::op_path(ops[out.failed])};
  if (out.failed == 0 && (out.rc == ZBADVERSION || out.rc == ZNONODE))
    fenced(path + " is no longer at version " + std::to_string(owner_version_));
  if (out.rc == ZNODEEXISTS && ops[out.failed].type == ZOO_CREATE_OP) {
    // Only the holder of the owner version creates these names: after a
    // retry, the first create failing means the earlier attempt applied.
    if (out.retried && out.failed == 1)
      return;
    fenced(path + " exists already: another writer");
  }
  zk_->fail(what, path, out.rc);
}

void zk_store::write_nodes(const std::vector<std::string>& paths,
                           const std::vector<std::string_view>& data,
                           const char* what, std::uint64_t* advance) {
  auto owner = node("owner");
  for (std::size_t i = 0; i < paths.size();) {
    std::vector<zoo_op_t> ops(1);
    zoo_check_op_init(&ops[0], owner.c_str(), owner_version_);
    std::size_t bytes = 0;
    auto first = i;
    while (i < paths.size() && ops.size() < max_ops_per_multi) {
      auto cost = data[i].size() + paths[i].size() + op_overhead;
      if (i > first && bytes + cost > options_.max_node_bytes)
        break;
      bytes += cost;
      ops.emplace_back();
      zoo_create_op_init(&ops.back(), paths[i].c_str(), data[i].data(),
                         static_cast<int>(data[i].size()), zk_->acl(), 0,
                         nullptr, 0);
      ++i;
    }
    execute(ops, what);
    if (advance)
      *advance += i - first;
  }
}

void zk_store::delete_nodes(std::vector<std::string> paths, bool best_effort) {
  auto owner = node("owner");
  for (std::size_t start = 0; start < paths.size();) {
    std::vector<zoo_op_t> ops(1);
    zoo_check_op_init(&ops[0], owner.c_str(), owner_version_);
    std::size_t bytes = 0;
    auto end = start;
    while (end < paths.size() && ops.size() < max_ops_per_multi &&
           bytes + paths[end].size() + op_overhead <= options_.max_node_bytes) {
      bytes += paths[end].size() + op_overhead;
      ops.emplace_back();
      zoo_delete_op_init(&ops.back(), paths[end].c_str(), -1);
      ++end;
    }
    detail::zk_multi_outcome out;
    try {
      out = zk_->multi(ops, "deleting");
    } catch (const store_error&) {
      if (best_effort)
        return;
      throw;
    }
    if (out.rc == ZOK) {
      start = end;
    } else if (out.failed > 0 && out.rc == ZNONODE) {
      // Gone already (perhaps by an attempt that lost its answer): the
      // multi did nothing, so send it again without that node.
      paths.erase(paths.begin() +
                  static_cast<std::ptrdiff_t>(start + out.failed - 1));
    } else if (best_effort) {
      return; // the next recovery deletes what is left
    } else {
      check_outcome(ops, out, "deleting"); // reports fencing or the error
    }
  }
}

void zk_store::recover(recovered_state& out) {
  out = recovered_state{};
  auto head_path = node("head");
  auto head = zk_->read_all({head_path});
  if (head[0].rc == ZNONODE) {
    generation_ = 0;
    snapshot_chunks_ = 0;
    auto text = head_text(0, 0);
    write_nodes({head_path}, {text}, "creating");
  } else if (head[0].rc != ZOK) {
    zk_->fail("reading", head_path, head[0].rc);
  } else if (!parse_head(head[0].data, generation_, snapshot_chunks_)) {
    throw store_error("the head node " + head_path + " on " + zk_->where() +
                      " is corrupt: '" + excerpt(head[0].data) +
                      "' (expected 'gen <n> chunks <n>')");
  }
  out.report.generation = generation_;

  // Sort the children: this generation's log, everything else of other
  // generations (leftovers of a compaction) goes.
  std::map<std::uint64_t, std::string> log;
  std::vector<std::string> stale;
  for (auto& name : zk_->children(state_path_)) {
    std::uint64_t gen = 0, n = 0;
    bool is_log = parse_node(name, "log-", gen, n);
    bool is_snap = !is_log && parse_node(name, "snap-", gen, n);
    if (!is_log && !is_snap)
      continue; // owner, head, or not ours
    if (gen != generation_)
      stale.push_back(node(name));
    else if (is_log)
      log.emplace(n, name);
  }

  if (snapshot_chunks_ > 0) {
    std::vector<std::string> paths;
    for (std::uint64_t i = 0; i < snapshot_chunks_; ++i)
      paths.push_back(node(snap_name(generation_, i)));
    auto chunks = zk_->read_all(paths);
    std::string framed;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      if (chunks[i].rc == ZNONODE)
        throw store_error(
          "the snapshot of generation " + std::to_string(generation_) +
          " is incomplete: " + paths[i] + " is missing on " + zk_->where());
      if (chunks[i].rc != ZOK)
        zk_->fail("reading", paths[i], chunks[i].rc);
      framed += chunks[i].data;
    }
    auto scan = scan_frames(framed, options_.max_record_size);
    if (scan.payloads.size() != 1 || scan.valid != framed.size())
      throw store_error(
        "the snapshot of generation " + std::to_string(generation_) + " in " +
        state_path_ + " on " + zk_->where() + " is corrupt: " +
        (scan.problem.empty() ? "not one record" : scan.problem));
    out.snapshot = std::move(scan.payloads.front());
    out.report.snapshot_loaded = true;
  }

  replay_log(log, out);
  delete_nodes(std::move(stale), false);
}

void zk_store::replay_log(const std::map<std::uint64_t, std::string>& log,
                          recovered_state& out) {
  std::vector<std::string> paths;
  for (auto& [seq, name] : log)
    paths.push_back(node(name));
  auto reads = zk_->read_all(paths);

  // The contiguous run from seq 0 is the log; a gap ends it.
  std::string stream;
  std::vector<std::size_t> ends; // end offset of each node in `stream`
  std::string gap;
  std::uint64_t beyond = 0; // bytes of nodes after a gap
  std::size_t index = 0;
  for (auto& [seq, name] : log) {
    auto& read = reads[index++];
    if (read.rc != ZOK && read.rc != ZNONODE)
      zk_->fail("reading", node(name), read.rc);
    if (gap.empty() && (seq != ends.size() || read.rc == ZNONODE))
      gap = log_name(generation_, ends.size()) + " is missing";
    if (!gap.empty()) {
      beyond += read.data.size();
      continue;
    }
    stream += read.data;
    ends.push_back(stream.size());
  }

  auto scan = scan_frames(stream, options_.max_record_size);
  out.records = std::move(scan.payloads);
  out.report.records = out.records.size();
  out.report.bytes = scan.valid;
  out.report.dropped_bytes = (stream.size() - scan.valid) + beyond;
  // Nodes 0..keep-1 hold only good frames; node `keep` may hold a good
  // prefix (then it is cut back to it).
  auto keep = static_cast<std::size_t>(
    std::upper_bound(ends.begin(), ends.end(), scan.valid) - ends.begin());
  if (!scan.problem.empty()) {
    auto start = keep == 0 ? 0 : ends[keep - 1];
    out.report.dropped_reason = scan.problem + " in " +
                                log_name(generation_, keep) + " at offset " +
                                std::to_string(scan.valid - start);
  } else if (!gap.empty()) {
    out.report.dropped_reason = gap;
  }

  // Cut the log back to its good part, last node first, so that an
  // interrupted cut leaves a log that recovers the same way.
  std::vector<std::string> drop;
  for (auto it = log.rbegin(); it != log.rend(); ++it)
    if (it->first >= keep)
      drop.push_back(node(it->second));
  if (keep < ends.size()) {
    auto start = keep == 0 ? 0 : ends[keep - 1];
    if (scan.valid > start) {
      drop.pop_back(); // node `keep` stays, shortened
      auto path = node(log_name(generation_, keep));
      delete_nodes(drop, false);
      auto owner = node("owner");
      auto prefix = std::string_view{stream}.substr(start, scan.valid - start);
      std::vector<zoo_op_t> ops(2);
      zoo_check_op_init(&ops[0], owner.c_str(), owner_version_);
      zoo_set_op_init(&ops[1], path.c_str(), prefix.data(),
                      static_cast<int>(prefix.size()), -1, nullptr);
      execute(ops, "cutting back torn log node");
      drop.clear();
      ++keep;
    }
  }
  delete_nodes(std::move(drop), false);
  next_seq_ = keep;
  log_bytes_ = scan.valid;
}

void zk_store::check_usable() const {
  if (!failed_.empty())
    throw store_error("the ZooKeeper store failed earlier: " + failed_);
}

void zk_store::append(std::string_view record) {
  if (record.size() > options_.max_record_size)
    throw store_error("record of " + std::to_string(record.size()) +
                      " bytes exceeds the store maximum");
  append_frame(buffer_, record);
  frame_ends_.push_back(buffer_.size());
  ++pending_records_;
}

void zk_store::commit() {
  check_usable();
  if (buffer_.empty())
    return;
  // Whole frames per node; a frame larger than a node continues in the next.
  std::vector<std::string> paths;
  std::vector<std::string_view> data;
  std::string_view all{buffer_};
  for (std::size_t start = 0; start < all.size();) {
    auto end = std::min(all.size(), start + options_.max_node_bytes);
    if (end < all.size()) {
      auto it = std::upper_bound(frame_ends_.begin(), frame_ends_.end(), end);
      if (it != frame_ends_.begin() && *(it - 1) > start)
        end = *(it - 1);
    }
    paths.push_back(node(log_name(generation_, next_seq_ + paths.size())));
    data.push_back(all.substr(start, end - start));
    start = end;
  }
  try {
    write_nodes(paths, data, "committing", &next_seq_);
  } catch (const store_error& e) {
    failed_ = e.what(); // part of the batch may be in: no more writes
    throw;
  }
  log_bytes_ += buffer_.size();
  buffer_.clear();
  frame_ends_.clear();
  pending_records_ = 0;
}

void zk_store::compact(std::string_view snapshot) {
  commit(); // the snapshot supersedes them, but keep the log consistent
  if (snapshot.size() > options_.max_record_size)
    throw store_error("snapshot of " + std::to_string(snapshot.size()) +
                      " bytes exceeds the store maximum");
  auto next = generation_ + 1;
  std::string framed;
  append_frame(framed, snapshot);
  std::vector<std::string> paths;
  std::vector<std::string_view> data;
  for (std::size_t start = 0; start < framed.size();
       start += options_.max_node_bytes) {
    paths.push_back(node(snap_name(next, paths.size())));
    data.push_back(std::string_view{framed}.substr(
      start, std::min(options_.max_node_bytes, framed.size() - start)));
  }
  std::vector<std::string> old;
  for (std::uint64_t i = next_seq_; i > 0; --i)
    old.push_back(node(log_name(generation_, i - 1)));
  for (std::uint64_t i = 0; i < snapshot_chunks_; ++i)
    old.push_back(node(snap_name(generation_, i)));
  try {
    write_nodes(paths, data, "writing snapshot chunk");
    // The switch: from here on generation `next` is the state.
    auto owner = node("owner");
    auto head_path = node("head");
    auto head = head_text(next, paths.size());
    std::vector<zoo_op_t> ops(2);
    zoo_check_op_init(&ops[0], owner.c_str(), owner_version_);
    zoo_set_op_init(&ops[1], head_path.c_str(), head.data(),
                    static_cast<int>(head.size()), -1, nullptr);
    execute(ops, "switching generations in");
  } catch (const store_error& e) {
    failed_ = e.what();
    throw;
  }
  generation_ = next;
  snapshot_chunks_ = paths.size();
  next_seq_ = 0;
  log_bytes_ = 0;
  delete_nodes(std::move(old), true);
}

} // namespace outrigger::store
