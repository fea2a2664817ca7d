// Throughput of the protocol library on the SUBSCRIBE event stream: RecordIO
// framing plus JSON decoding of UPDATE and OFFERS events, and the encoding of
// the ACKNOWLEDGE call the scheduler answers each update with. Inputs and
// loops: bench_inputs.hpp. Figures: docs/BENCHMARKS.md.
//
// Run pinned to one core:
//   taskset -c 1 build-bench/bench/protocol_bench
//     --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

#include "bench/bench_inputs.hpp"

namespace {

using namespace outrigger::bench;

// (1), (2): RecordIO stream in 16 KiB chunks, each record decoded.
void BM_UpdateStream(benchmark::State& state) {
  stream_decode<decode_event, check_update>(state, update_corpus());
}
void BM_OffersStream(benchmark::State& state) {
  stream_decode<decode_event, check_offers>(state, offers_corpus());
}

// (3): decoding alone, from complete payloads.
void BM_UpdateDecode(benchmark::State& state) {
  payload_decode<decode_event, check_update>(state, update_corpus());
}
void BM_OffersDecode(benchmark::State& state) {
  payload_decode<decode_event, check_offers>(state, offers_corpus());
}

// (4): the ACKNOWLEDGE answering each update, built from the decoded updates.
void BM_AcknowledgeEncode(benchmark::State& state) {
  std::vector<Call> calls;
  for (auto& p : update_corpus().payloads) {
    auto ev = decode_event(p);
    check_update(ev);
    auto& status = ev->update->status;
    Call call;
    call.framework_id = FrameworkID{std::string{framework_id}};
    call.type = call_type::acknowledge;
    call.acknowledge =
      Acknowledge{*status.agent_id, status.task_id, *status.uuid};
    calls.push_back(std::move(call));
  }
  // The encoding must read back as the call it came from.
  for (auto& call : calls) {
    auto back = decode_call(to_json(call));
    if (!back || *back != call)
      die("ACKNOWLEDGE does not round-trip");
  }
  std::int64_t bytes = 0;
  for (auto _ : state) {
    for (auto& call : calls) {
      auto body = to_json(call);
      if (body.size() < 100 || body.front() != '{')
        die("ACKNOWLEDGE encoded wrongly", body);
      bytes += static_cast<std::int64_t>(body.size());
      benchmark::DoNotOptimize(body);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(calls.size()));
  state.SetBytesProcessed(bytes);
}

// (5): RecordIO framing alone over the UPDATE stream, in chunks of range(0)
// bytes.
void BM_RecordioFraming(benchmark::State& state) {
  const auto& c = update_corpus();
  auto size = static_cast<std::size_t>(state.range(0));
  std::vector<std::string> chunks;
  for (std::size_t pos = 0; pos < c.stream.size(); pos += size)
    chunks.emplace_back(c.stream.substr(pos, size));
  std::int64_t records = 0;
  for (auto _ : state) {
    recordio_decoder decoder;
    std::size_t n = 0;
    std::size_t payload_bytes = 0;
    for (auto& chunk : chunks) {
      bool ok = decoder.feed(chunk, [&](std::string_view record) {
        benchmark::DoNotOptimize(record.data());
        payload_bytes += record.size();
        ++n;
      });
      if (!ok)
        die("recordio failed", decoder.error());
    }
    if (n != c.payloads.size() || payload_bytes != c.payload_bytes ||
        !decoder.at_boundary())
      die("recordio lost records");
    records += static_cast<std::int64_t>(n);
  }
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(c.stream.size()));
}

BENCHMARK(BM_UpdateStream)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OffersStream)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_UpdateDecode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OffersDecode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AcknowledgeEncode)->Unit(benchmark::kMillisecond);
// 16 KiB reads, and one TCP segment's worth: records then straddle chunks
// and are reassembled in the decoder's buffer.
BENCHMARK(BM_RecordioFraming)->Arg(16 * 1024)->Arg(1448);

} // namespace

BENCHMARK_MAIN();
