#pragma once
// RecordIO framing of the SUBSCRIBE stream: `<decimal length>\n<payload>`,
// records back to back (stout/recordio.hpp). HTTP chunk boundaries have
// nothing to do with record boundaries, so the decoder accepts bytes split
// anywhere, one byte at a time included.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace outrigger::protocol {

/// Appends one framed record to `out`.
void recordio_append(std::string& out, std::string_view payload);

/// One framed record.
std::string recordio_encode(std::string_view payload);

/// Incremental RecordIO decoder with a bound on the size of one record.
///
/// Memory stays bounded by the largest record it accepts: a length above
/// `max_record_size` fails before anything is allocated for it. After a
/// failure the decoder stays failed (the stream cannot be resynchronized).
class recordio_decoder {
public:
  /// 64 MiB by default: an OFFERS event for thousands of agents fits.
  static constexpr std::size_t default_max_record_size = 64u << 20;

  explicit recordio_decoder(
    std::size_t max_record_size = default_max_record_size)
    : max_(max_record_size) {}

  /// Consumes `data`, calling `on_record(std::string_view)` for each complete
  /// record. Returns false once the input is malformed; see error().
  template <class OnRecord>
  bool feed(std::string_view data, OnRecord&& on_record);

  /// Why the decoder failed, or "" while it is healthy.
  const std::string& error() const noexcept { return error_; }

  /// True between records: no partial header or payload is buffered.
  bool at_boundary() const noexcept {
    return !failed() && state_ == state::header && digits_ == 0;
  }

  bool failed() const noexcept { return !error_.empty(); }

  /// Bytes of the record being assembled (for metrics and tests).
  std::size_t buffered() const noexcept { return record_.size(); }

private:
  enum class state : std::uint8_t { header, payload };

  // Handles one header byte; false on malformed input.
  bool header_byte(char c);

  std::size_t max_;
  state state_ = state::header;
  std::uint64_t length_ = 0; // payload length being read or announced
  std::size_t digits_ = 0;   // digits seen in the current header
  std::string record_;       // payload bytes of a record split across feeds
  std::string error_;
};

template <class OnRecord>
bool recordio_decoder::feed(std::string_view data, OnRecord&& on_record) {
  if (failed())
    return false;
  std::size_t pos = 0;
  while (pos < data.size()) {
    if (state_ == state::header) {
      if (!header_byte(data[pos++]))
        return false;
      if (state_ == state::payload && length_ == 0) {
        on_record(std::string_view{});
        state_ = state::header;
        digits_ = 0; // the next header starts afresh
      }
      continue;
    }
    auto want = static_cast<std::size_t>(length_) - record_.size();
    auto take = std::min(want, data.size() - pos);
    if (record_.empty() && take == want) {
      // The whole payload is in this chunk: hand it out without copying.
      on_record(data.substr(pos, take));
    } else {
      if (record_.empty())
        record_.reserve(static_cast<std::size_t>(length_)); // <= max_
      record_.append(data.data() + pos, take);
      if (record_.size() < length_)
        return true; // everything consumed, record still incomplete
      on_record(std::string_view{record_});
      record_.clear();
    }
    pos += take;
    state_ = state::header;
    length_ = 0;
    digits_ = 0;
  }
  return true;
}

} // namespace outrigger::protocol
