#pragma once
// Access to the bytes recorded from a real Mesos 1.12 master
// (tests/data/mesos-wire, see its README.md) for the conformance tests: where
// the recordings are, how to list and read them, an independent HTTP chunked
// and RecordIO splitter, and a JSON comparison that names every difference.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outrigger::conformance {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

/// The recordings directory: $OUTRIGGER_MESOS_WIRE_DIR if set, else
/// tests/data/mesos-wire of the checkout. When it does not exist the current
/// test fails (doctest FAIL, which ends it).
std::optional<fs::path> wire_dir();

/// The whole file; throws std::runtime_error when it cannot be read.
std::string read_file(const fs::path& path);

/// One recorded SUBSCRIBE response stream: NAME.{raw,recordio,headers,txt}.
struct stream_file {
  fs::path base;     ///< directory/NAME without extension
  std::string name;  ///< e.g. "transcripts/10-subscribe-stream1"
  bool json = false; ///< Content-Type application/json (else protobuf)
  fs::path recordio() const { return fs::path{base} += ".recordio"; }
  fs::path raw() const { return fs::path{base} += ".raw"; }
};

/// Every stream of transcripts/ and transcripts2/, sorted by name.
std::vector<stream_file> stream_files(const fs::path& dir);

/// Every request body transcripts*/bodies/*.json, sorted by name.
std::vector<fs::path> body_files(const fs::path& dir);

/// `dir`-relative name of a path, with forward slashes.
std::string relative_name(const fs::path& dir, const fs::path& path);

/// Splits a RecordIO byte stream without using the library's decoder (a
/// reference to test it against); throws std::runtime_error when malformed.
std::vector<std::string> split_records(std::string_view stream);

/// Records of one stream, split by split_records.
std::vector<std::string> stream_records(const stream_file& stream);

/// An HTTP/1.1 chunked body taken apart.
struct dechunked {
  std::string body;                ///< concatenated chunk data
  std::vector<std::string> chunks; ///< each chunk's data
  bool terminated = false;         ///< ended with `0\r\n\r\n`
  std::string error;               ///< set when the framing is broken
};

/// Parses `<hex size>[;ext]\r\n<data>\r\n` ... `0\r\n\r\n`. A stream may end
/// right after a complete chunk without the terminating chunk (the master
/// died or the client hung up); anything else incomplete is an error.
dechunked dechunk(std::string_view raw);

/// How strictly json_diff compares.
struct diff_options {
  /// Members must appear in the same order (the master writes proto field
  /// order) and numbers must keep their kind (2.0 stays a double, 5050 an
  /// integer) — for bytes the master produced.
  bool wire_exact = true;
  /// An empty array in `expected` equals a missing member (protobuf has no
  /// way to tell them apart) — for bodies written by humans.
  bool empty_array_is_absent = false;
};

/// Every difference between `expected` and `actual`, one line each, as
/// "path: what" (path like `update.status.container_status.executor_pid`).
/// Numbers compare numerically; doubles with a relative tolerance of a few
/// ulps, since the master prints some with 17 significant digits.
std::vector<std::string> json_diff(const json& expected, const json& actual,
                                   const diff_options& options);

/// The lines of json_diff joined for a failure message.
std::string join_lines(const std::vector<std::string>& lines);

} // namespace outrigger::conformance
