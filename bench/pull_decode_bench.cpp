// The two decoding paths of from_json side by side: the one-pass fast path
// (protocol/detail/pull_decode.hpp, what decode_event uses) against the DOM
// decoder it falls back to (nlohmann parse + from_json_value), on the same
// inputs and loops as protocol_bench. Figures: docs/BENCHMARKS.md.
//
//   taskset -c 1 build-bench/bench/pull_decode_bench
//     --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

#include "bench/bench_inputs.hpp"
#include "protocol/detail/pull_decode.hpp"
#include "protocol/json_value.hpp"

namespace {

using namespace outrigger::bench;

parse_result<Event> pull_event(std::string_view text) {
  Event out;
  if (outrigger::protocol::detail::pull_decode(text, out))
    return out;
  return parse_error{};
}

// The fallback path alone: a DOM document, then the walk into the structs.
parse_result<Event> dom_event(std::string_view text) {
  auto doc = nlohmann::ordered_json::parse(text, nullptr, false);
  return outrigger::protocol::from_json_value<Event>(doc);
}

// The fast path must take every input itself (a fallback to the DOM decoder
// would measure the DOM decoder) and agree with the DOM decoder.
void verify(const corpus& c) {
  for (auto& p : c.payloads) {
    Event fast;
    if (!outrigger::protocol::detail::pull_decode(p, fast))
      die("pull_decode gave up on a benchmark input", p);
    auto dom = dom_event(p);
    if (!dom || !(*dom == fast))
      die("pull_decode and decode_event disagree", p);
  }
}

void BM_UpdateStreamPull(benchmark::State& state) {
  verify(update_corpus());
  stream_decode<pull_event, check_update>(state, update_corpus());
}
void BM_OffersStreamPull(benchmark::State& state) {
  verify(offers_corpus());
  stream_decode<pull_event, check_offers>(state, offers_corpus());
}
void BM_UpdateDecodePull(benchmark::State& state) {
  verify(update_corpus());
  payload_decode<pull_event, check_update>(state, update_corpus());
}
void BM_OffersDecodePull(benchmark::State& state) {
  verify(offers_corpus());
  payload_decode<pull_event, check_offers>(state, offers_corpus());
}

// The DOM decoder in the same process, for a side-by-side comparison on a
// noisy machine.
void BM_UpdateStreamDom(benchmark::State& state) {
  stream_decode<dom_event, check_update>(state, update_corpus());
}
void BM_OffersStreamDom(benchmark::State& state) {
  stream_decode<dom_event, check_offers>(state, offers_corpus());
}
void BM_UpdateDecodeDom(benchmark::State& state) {
  payload_decode<dom_event, check_update>(state, update_corpus());
}
void BM_OffersDecodeDom(benchmark::State& state) {
  payload_decode<dom_event, check_offers>(state, offers_corpus());
}

BENCHMARK(BM_UpdateStreamDom)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_UpdateStreamPull)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OffersStreamDom)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OffersStreamPull)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_UpdateDecodeDom)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_UpdateDecodePull)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OffersDecodeDom)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OffersDecodePull)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
