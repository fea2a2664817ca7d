#pragma once
// The names and data of the ZooKeeper state store's nodes (zk_store.hpp),
// as pure functions: the zk_node_fuzz target reads them without a server.
//   head            "gen <G> chunks <N>"
//   snap-<G>-<i>    chunks of the snapshot, one journal frame in all
//   log-<G>-<n>     frames of the log (u32 length | u32 crc32 | payload,
//                   little endian, as in the journal, without its header)

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace outrigger::store::zk_frames {

/// The name of log node `seq` of generation `gen` (log-3-0000000012).
std::string log_name(std::uint64_t gen, std::uint64_t seq);

/// The name of snapshot chunk `index` of generation `gen` (snap-3-0).
std::string snap_name(std::uint64_t gen, std::uint64_t index);

/// Reads "<prefix><gen>-<n>" (prefix "log-" or "snap-"); false for other
/// names or numbers that do not fit 64 bits.
bool parse_node(std::string_view name, std::string_view prefix,
                std::uint64_t& gen, std::uint64_t& n);

/// The head node's text for a generation and its snapshot chunk count.
std::string head_text(std::uint64_t gen, std::uint64_t chunks);

/// Reads head_text(); false when it does not parse.
bool parse_head(std::string_view text, std::uint64_t& gen,
                std::uint64_t& chunks);

/// What a scan of frames found.
struct frame_scan {
  std::vector<std::string> payloads; ///< the good frames' payloads, in order
  std::size_t valid = 0;             ///< end of the last good frame
  std::string problem; ///< why scanning stopped early, "" when it did not
};

/// The journal's frames in `data` (no file header), up to the first torn,
/// oversized (> max_record) or corrupt one.
frame_scan scan_frames(std::string_view data, std::uint32_t max_record);

} // namespace outrigger::store::zk_frames
