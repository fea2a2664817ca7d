// libFuzzer target for what a scheduler reads from the master: a RecordIO
// byte stream whose records are JSON events.
//
// For every input it checks that
//  - recordio_decoder (1 MiB record limit), fed the input in two pieces cut
//    at a position derived from the first byte, returns exactly the records
//    of a straightforward reference splitter, and fails exactly when the
//    reference finds the framing malformed;
//  - every record that decode_event accepts re-encodes with to_json to JSON
//    that decodes again to an equal Event and encodes to the same text;
//  - the two decoding paths agree: whenever the one-pass fast path
//    (detail::pull_decode) accepts a record, the DOM decoder accepts it too
//    and yields an equal Event (the fast path may only give up, never differ).
// Any difference aborts, so libFuzzer reports it as a crash.
//
// Seeds: recorded streams (tests/fuzz/corpus/event_stream_fuzz, copied from
// tests/data/mesos-wire). Build and run: scripts/fuzz event_stream_fuzz, or
// see tests/fuzz/README.md.
// (The protobuf stream 80-subscribe-protobuf-stream.recordio is a fine seed
// for the framing; its records simply do not parse as JSON.)

#include "protocol/codec.hpp"
#include "protocol/detail/pull_decode.hpp"
#include "protocol/json_value.hpp"
#include "protocol/recordio.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace outrigger::protocol;

namespace {

constexpr std::size_t max_record = 1u << 20;

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "event_stream_fuzz: %s\n%.*s\n", what,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// The RecordIO format written down as plainly as possible: `<decimal
// length>\n<payload>` back to back; a length has 1-20 digits and is at most
// max_record (checked digit by digit, as a bounded decoder must).
struct reference_result {
  std::vector<std::string_view> records;
  bool malformed = false;
  bool at_boundary = true; // input ended between records
};

reference_result reference_split(std::string_view in) {
  reference_result out;
  std::size_t pos = 0;
  while (pos < in.size()) {
    std::uint64_t length = 0;
    std::size_t digits = 0;
    while (pos < in.size() && in[pos] != '\n') {
      char c = in[pos++];
      if (c < '0' || c > '9' || ++digits > 20) {
        out.malformed = true;
        return out;
      }
      length = length * 10 + static_cast<std::uint64_t>(c - '0');
      if (length > max_record) {
        out.malformed = true;
        return out;
      }
    }
    if (pos == in.size()) { // input ends inside the header
      out.at_boundary = false;
      return out;
    }
    if (digits == 0) { // "\n" without a length
      out.malformed = true;
      return out;
    }
    ++pos;                          // '\n'
    if (in.size() - pos < length) { // input ends inside the payload
      out.at_boundary = false;
      return out;
    }
    out.records.push_back(in.substr(pos, length));
    pos += length;
  }
  return out;
}

// The fast path may give up, but what it accepts the DOM path must accept
// with the same value.
void check_paths_agree(std::string_view record) {
  Event fast;
  if (!detail::pull_decode(record, fast))
    return;
  auto doc = nlohmann::ordered_json::parse(record, nullptr, false);
  if (doc.is_discarded())
    fail("fast path accepted text the DOM parser rejects", record);
  auto dom = from_json_value<Event>(doc);
  if (!dom)
    fail("fast path accepted an event the DOM decoder rejects", record);
  if (!(*dom == fast))
    fail("fast path and DOM decoder disagree", record);
}

void check_event(std::string_view record) {
  check_paths_agree(record);
  auto event = decode_event(record);
  if (!event)
    return; // rejecting is fine; crashing or hanging is not
  auto encoded = to_json(*event);
  auto again = decode_event(encoded);
  if (!again)
    fail("to_json output does not decode", encoded);
  if (!(*again == *event))
    fail("decode(to_json(event)) != event", encoded);
  if (to_json(*again) != encoded)
    fail("encoding is not stable", encoded);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string_view in{reinterpret_cast<const char*>(data), size};
  // The first byte picks the cut but stays part of the stream, so that
  // recorded streams work as seeds unchanged.
  std::size_t cut = size == 0 ? 0 : data[0] * size / 256;

  std::vector<std::string> records;
  recordio_decoder dec{max_record};
  auto sink = [&](std::string_view r) { records.emplace_back(r); };
  bool ok = dec.feed(in.substr(0, cut), sink) && dec.feed(in.substr(cut), sink);

  auto expected = reference_split(in);
  if (ok == expected.malformed || dec.failed() != expected.malformed)
    fail(expected.malformed ? "decoder accepted malformed framing"
                            : "decoder rejected valid framing",
         dec.error());
  if (records.size() != expected.records.size())
    fail("record count differs from the reference", dec.error());
  for (std::size_t i = 0; i < records.size(); ++i)
    if (records[i] != expected.records[i])
      fail("record differs from the reference", records[i]);
  if (!expected.malformed && dec.at_boundary() != expected.at_boundary)
    fail("at_boundary() differs from the reference", {});

  for (auto& record : records)
    check_event(record);
  return 0;
}
