#include "protocol/recordio.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace outrigger::protocol;

namespace {

// Feeds `stream` cut into pieces of `step` bytes; returns the records.
std::vector<std::string> decode_in_steps(std::string_view stream,
                                         std::size_t step,
                                         recordio_decoder& dec) {
  std::vector<std::string> out;
  for (std::size_t pos = 0; pos < stream.size(); pos += step) {
    auto ok = dec.feed(stream.substr(pos, step),
                       [&](std::string_view r) { out.emplace_back(r); });
    if (!ok)
      break;
  }
  return out;
}

} // namespace

TEST_CASE("recordio: encoder frames records back to back") {
  std::string out;
  recordio_append(out, R"({"type":"HEARTBEAT"})");
  recordio_append(out, "");
  recordio_append(out, "abc");
  CHECK(out == "20\n{\"type\":\"HEARTBEAT\"}0\n3\nabc");
  CHECK(recordio_encode("x") == "1\nx");
}

TEST_CASE("recordio: every split of a stream yields the same records") {
  std::vector<std::string> records{R"({"type":"SUBSCRIBED"})", "",
                                   std::string(300, 'x'), "\n\n12\n",
                                   R"({"type":"HEARTBEAT"})"};
  std::string stream;
  for (auto& r : records)
    recordio_append(stream, r);
  for (std::size_t step = 1; step <= stream.size(); ++step) {
    recordio_decoder dec;
    CAPTURE(step);
    CHECK(decode_in_steps(stream, step, dec) == records);
    CHECK(dec.at_boundary());
  }
  // Every two-piece cut, with the cut anywhere.
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    recordio_decoder dec;
    std::vector<std::string> got;
    auto sink = [&](std::string_view r) { got.emplace_back(r); };
    CHECK(dec.feed(std::string_view{stream}.substr(0, cut), sink));
    CHECK(dec.feed(std::string_view{stream}.substr(cut), sink));
    CHECK(got == records);
  }
}

TEST_CASE("recordio: a partial record stays buffered until complete") {
  recordio_decoder dec;
  int n = 0;
  auto sink = [&](std::string_view) { ++n; };
  CHECK(dec.feed("5\nab", sink));
  CHECK(n == 0);
  CHECK_FALSE(dec.at_boundary());
  CHECK(dec.buffered() == 2);
  CHECK(dec.feed("cde", sink));
  CHECK(n == 1);
  CHECK(dec.at_boundary());
}

TEST_CASE("recordio: malformed lengths fail with a clear error") {
  auto failure = [](std::string_view input) {
    recordio_decoder dec{1024};
    auto ok = dec.feed(input, [](std::string_view) {});
    CHECK_FALSE(ok);
    CHECK(dec.failed());
    // Once failed, it stays failed and consumes nothing more.
    CHECK_FALSE(dec.feed("1\nx", [](std::string_view) { FAIL("record"); }));
    return dec.error();
  };
  CHECK(failure("\n{}") == "recordio: empty record length");
  CHECK(failure("12a\n") ==
        "recordio: malformed record length: unexpected byte 0x61 after 2 "
        "digit(s)");
  CHECK(failure("-1\n") ==
        "recordio: malformed record length: unexpected byte 0x2d after 0 "
        "digit(s)");
  CHECK(failure(" 5\nhello") ==
        "recordio: malformed record length: unexpected byte 0x20 after 0 "
        "digit(s)");
  CHECK(failure("1025\n") ==
        "recordio: record length exceeds the maximum of 1024 bytes");
  CHECK(failure("99999999999999999999999\n") ==
        "recordio: record length exceeds the maximum of 1024 bytes");
}

TEST_CASE("recordio: the maximum itself is accepted, and nothing is "
          "allocated for a refused length") {
  recordio_decoder dec{4};
  std::vector<std::string> got;
  CHECK(dec.feed("4\nabcd", [&](std::string_view r) { got.emplace_back(r); }));
  CHECK(got == std::vector<std::string>{"abcd"});
  // A huge announced length fails on its digits, before any payload arrives.
  recordio_decoder big{1 << 20};
  CHECK_FALSE(big.feed("18446744073709551615", [](std::string_view) {}));
  CHECK(big.buffered() == 0);
}

TEST_CASE("recordio: the maximum bounds a length of max_size digits") {
  recordio_decoder dec{static_cast<std::size_t>(-1)};
  // 2^64 - 1 is accepted as a length header (21st digit is refused).
  CHECK(dec.feed("18446744073709551615", [](std::string_view) {}));
  CHECK_FALSE(dec.feed("0", [](std::string_view) {}));
}

// Found by the fuzzer: the digit count must restart after an empty record.
TEST_CASE("recordio: empty records leave the decoder between records") {
  recordio_decoder dec;
  int n = 0;
  auto sink = [&](std::string_view r) {
    CHECK(r.empty());
    ++n;
  };
  CHECK(dec.feed("0\n", sink));
  CHECK(dec.at_boundary());
  std::string many;
  for (int i = 0; i < 21; ++i)
    many += "0\n";
  CHECK(dec.feed(many, sink));
  CHECK(n == 22);
  recordio_decoder bad;
  CHECK_FALSE(bad.feed("0\n\n", [](std::string_view) {}));
  CHECK(bad.error() == "recordio: empty record length");
}
