// Conformance of the protocol library with the bytes a real Mesos 1.12
// master sent (tests/data/mesos-wire): framing and the JSON of every event.
// Value checks of single events: mesos_wire_events_test.cpp; request bodies:
// mesos_wire_calls_test.cpp.

#include "wire_files.hpp"

#include "protocol/codec.hpp"
#include "protocol/recordio.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace outrigger::protocol;
using namespace outrigger::conformance;

namespace {

// Consumes records and compares them with the expected ones as they arrive,
// so that thousands of splits cost no allocations.
struct record_checker {
  const std::vector<std::string>& expected;
  std::size_t count = 0;
  bool ok = true;
  void operator()(std::string_view record) {
    if (count >= expected.size() || expected[count] != record)
      ok = false;
    ++count;
  }
  bool matched() const { return ok && count == expected.size(); }
};

} // namespace

// The master frames each event as `<decimal length>\n<payload>` and HTTP may
// cut the stream anywhere: the decoder must give the same records whatever
// the cut, one byte at a time included, and end between records. Protobuf
// streams are included: framing does not depend on the content type.
TEST_CASE("conformance: recorded streams decode the same for every split") {
  auto dir = wire_dir();
  if (!dir)
    return;
  auto streams = stream_files(*dir);
  REQUIRE(streams.size() >= 20);
  std::size_t total_records = 0;
  for (auto& stream : streams) {
    CAPTURE(stream.name);
    auto bytes = read_file(stream.recordio());
    auto expected = split_records(bytes);
    REQUIRE_FALSE(expected.empty());
    total_records += expected.size();
    std::string_view all{bytes};

    // Whole stream in one piece.
    {
      recordio_decoder dec;
      record_checker check{expected};
      CHECK(dec.feed(all, check));
      CHECK(check.matched());
      CHECK(dec.at_boundary());
    }
    // Every two-piece split; the first failing cut is reported.
    std::size_t bad_splits = 0;
    std::size_t first_bad = 0;
    for (std::size_t cut = 0; cut <= all.size(); ++cut) {
      recordio_decoder dec;
      record_checker check{expected};
      bool fed =
        dec.feed(all.substr(0, cut), check) && dec.feed(all.substr(cut), check);
      if (!fed || !check.matched() || !dec.at_boundary()) {
        if (bad_splits++ == 0)
          first_bad = cut;
      }
    }
    INFO("first failing cut at byte " << first_bad);
    CHECK(bad_splits == 0);
    // One byte at a time: a record is never complete before its last byte.
    {
      recordio_decoder dec;
      record_checker check{expected};
      bool fed = true;
      for (std::size_t i = 0; i < all.size() && fed; ++i) {
        auto before = check.count;
        fed = dec.feed(all.substr(i, 1), check);
        if (check.count != before)
          CHECK(dec.at_boundary());
      }
      CHECK(fed);
      CHECK(check.matched());
      CHECK(dec.at_boundary());
    }
  }
  MESSAGE(streams.size() << " streams, " << total_records << " records");
}

// Every JSON event the master sent decodes, and re-encoding it gives the
// master's JSON back: same members in the same (proto field) order, enums as
// names, bytes as base64, doubles as doubles (2.0, 15.0), integers exact.
TEST_CASE("conformance: every recorded JSON event re-encodes to the "
          "master's JSON") {
  auto dir = wire_dir();
  if (!dir)
    return;
  std::size_t checked = 0;
  std::size_t skipped_streams = 0;
  for (auto& stream : stream_files(*dir)) {
    if (!stream.json) {
      ++skipped_streams; // application/x-protobuf: not JSON
      continue;
    }
    auto records = stream_records(stream);
    for (std::size_t i = 0; i < records.size(); ++i) {
      CAPTURE(stream.name);
      CAPTURE(i);
      auto& record = records[i];
      auto recorded = json::parse(record);
      auto event = decode_event(record);
      INFO("decode_event: " << event.error().to_string());
      REQUIRE(event);
      // The type is one this version knows, and nothing fell into `extra`.
      REQUIRE(event->type.has_value());
      CHECK(event->type != event_type::unrecognized);
      CHECK(event->extra.empty());
      CHECK(to_string(*event->type) == recorded.at("type").get<std::string>());

      auto encoded = to_json(*event);
      auto diffs = json_diff(recorded, json::parse(encoded), {});
      INFO("recorded: " << record);
      INFO("encoded:  " << encoded);
      INFO("differences:" << join_lines(diffs));
      CHECK(diffs.empty());

      // Decoding our own output gives the same value again.
      auto again = decode_event(encoded);
      REQUIRE(again);
      CHECK(*again == *event);
      ++checked;
    }
  }
  CHECK(skipped_streams == 1); // 80-subscribe-protobuf-stream
  CHECK(checked >= 230);
  MESSAGE(checked << " JSON events round-tripped; " << skipped_streams
                  << " protobuf stream(s) skipped");
}

// The .raw files hold the body exactly as it came over the socket, HTTP
// chunk framing included. De-chunked they are the .recordio stream; every
// chunk carried exactly one record (one pipe write per event); the master
// ends the body with `0\r\n\r\n` on teardown, failover or a refused
// subscription, and the body is simply cut when the master dies.
TEST_CASE("conformance: de-chunked .raw bytes are the .recordio stream") {
  auto dir = wire_dir();
  if (!dir)
    return;
  std::size_t chunks = 0;
  std::size_t terminated = 0;
  auto streams = stream_files(*dir);
  for (auto& stream : streams) {
    CAPTURE(stream.name);
    auto raw = dechunk(read_file(stream.raw()));
    INFO("dechunk: " << raw.error);
    REQUIRE(raw.error.empty());
    CHECK(raw.body == read_file(stream.recordio()));
    for (auto& chunk : raw.chunks) {
      auto records = split_records(chunk);
      CHECK(records.size() == 1);
    }
    chunks += raw.chunks.size();
    terminated += raw.terminated ? 1 : 0;

    // Streams whose end the transcripts explain.
    auto ends = [&](std::string_view name, bool with_last_chunk) {
      if (stream.name == name)
        CHECK(raw.terminated == with_last_chunk);
    };
    ends("transcripts/10-subscribe-stream1", false); // master crashed (43)
    ends("transcripts/110-subscribe-fw5-before-master-failover", false);
    ends("transcripts/50-resubscribe-after-master-failover-stream2", true);
    ends("transcripts/61-resubscribe-after-closing-stream-stream4", true);
    ends("transcripts/68-resubscribe-after-teardown", true);
    ends("transcripts/75-resubscribe-removed-framework", true);
    ends("transcripts2/20-subscribe-f2-multi-role", true); // failed over
    ends("transcripts2/70-subscribe-f5-failover-timeout-5s", false);
    ends("transcripts2/90-subscribe-keepalive-raw-socket-then-teardown", true);
  }
  CHECK(terminated > 0);
  CHECK(terminated < streams.size());
  MESSAGE(streams.size() << " .raw files, " << chunks << " chunks, "
                         << terminated << " ended with the last chunk");
}

// The chunk parser of this test rejects broken framing rather than guessing,
// so that a damaged recording cannot pass the test above by accident.
TEST_CASE("conformance: the test's de-chunker rejects broken framing") {
  CHECK(dechunk("3\r\nabc\r\n0\r\n\r\n").terminated);
  CHECK(dechunk("3\r\nabc\r\n0\r\n\r\n").body == "abc");
  auto cut = dechunk("3\r\nabc\r\nA\r\n0123456789\r\n");
  CHECK(cut.error.empty());
  CHECK_FALSE(cut.terminated);
  CHECK(cut.chunks.size() == 2);
  CHECK_FALSE(dechunk("3\r\nab").error.empty());
  CHECK_FALSE(dechunk("3\r\nabcX\r\n").error.empty());
  CHECK_FALSE(dechunk("z\r\nabc\r\n").error.empty());
  CHECK_FALSE(dechunk("0\r\n\r\nextra").error.empty());
}

// The comparison above must not pass vacuously: it names wrong values, lost
// and extra members, member order and 2 written for 2.0.
TEST_CASE("conformance: json_diff reports every kind of difference") {
  auto recorded = json::parse(R"({"a":{"v":2.0,"n":5050},"b":[1,2],"c":"x"})");
  CHECK(json_diff(recorded, recorded, {}).empty());
  auto check = [&](const char* actual, const char* line) {
    auto diffs = json_diff(recorded, json::parse(actual), {});
    INFO(join_lines(diffs));
    REQUIRE(diffs.size() == 1);
    CHECK(diffs[0] == line);
  };
  check(R"({"a":{"v":2,"n":5050},"b":[1,2],"c":"x"})",
        "a.v: number kind differs: expected 2.0, got 2");
  check(R"({"a":{"v":2.5,"n":5050},"b":[1,2],"c":"x"})",
        "a.v: expected 2.0, got 2.5");
  check(R"({"a":{"n":5050,"v":2.0},"b":[1,2],"c":"x"})",
        "a: member order differs: expected [v, n], got [n, v]");
  check(R"({"a":{"v":2.0,"n":5050},"b":[1,2]})",
        R"(c: missing (expected "x"))");
  check(R"({"a":{"v":2.0,"n":5050},"b":[1,2],"c":"x","d":1})",
        "d: unexpected member 1");
  check(R"({"a":{"v":2.0,"n":5050},"b":[1,3],"c":"x"})",
        "b[1]: expected 2, got 3");
  // Human-written bodies: order and number kinds are free, [] is absent.
  diff_options body{false, true};
  CHECK(json_diff(json::parse(R"({"x":[],"y":32,"z":1})"),
                  json::parse(R"({"z":1,"y":32.0})"), body)
          .empty());
  // 17 significant digits as the master prints them, shortest form as ours.
  CHECK(json_diff(json::parse("1795309303.2510904"),
                  json::parse("1795309303.2510905"), {})
          .empty());
}

namespace {

// Every string member of `j` that looks like an enum name, as JSON pointers.
void enum_names(const json& j, const json::json_pointer& at,
                std::vector<json::json_pointer>& out) {
  if (j.is_object()) {
    for (auto& [key, value] : j.items())
      enum_names(value, at / key, out);
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i)
      enum_names(j[i], at / i, out);
  } else if (j.is_string()) {
    auto& s = j.get_ref<const std::string&>();
    bool upper = !s.empty() &&
                 s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
                   std::string::npos;
    if (upper && s.front() >= 'A' && s.front() <= 'Z')
      out.push_back(at);
  }
}

} // namespace

// A newer master may send enum names this version does not know (a new task
// state, value type, capability...). Each recorded event with any one of its
// enum names replaced must still decode, and re-encoding must be stable:
// what to_json writes decodes to the same value.
TEST_CASE("conformance: recorded events with an unknown enum name still "
          "round-trip") {
  auto dir = wire_dir();
  if (!dir)
    return;
  std::size_t mutations = 0;
  for (auto& stream : stream_files(*dir)) {
    if (!stream.json)
      continue;
    auto records = stream_records(stream);
    for (std::size_t i = 0; i < records.size(); ++i) {
      auto recorded = json::parse(records[i]);
      std::vector<json::json_pointer> names;
      enum_names(recorded, json::json_pointer{}, names);
      for (auto& at : names) {
        auto mutated = recorded;
        mutated[at] = "FUTURE_" + mutated[at].get<std::string>();
        auto text = mutated.dump();
        CAPTURE(stream.name);
        CAPTURE(i);
        CAPTURE(text);
        auto event = decode_event(text);
        INFO("decode_event: " << event.error().to_string());
        REQUIRE(event);
        auto encoded = to_json(*event);
        auto again = decode_event(encoded);
        INFO("encoded: " << encoded);
        INFO("decode_event(encoded): " << again.error().to_string());
        REQUIRE(again);
        CHECK(*again == *event);
        ++mutations;
      }
    }
  }
  CHECK(mutations >= 700);
  MESSAGE(mutations << " events with one unknown enum name round-tripped");
}
