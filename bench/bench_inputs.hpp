#pragma once
// Inputs and measuring loops shared by the protocol benchmark programs.
//
// The inputs are real master bytes (Mesos 1.12, recorded in
// tests/data/mesos-wire/transcripts/10-subscribe-stream1.recordio), embedded
// so that the programs need no data files, and varied per event (task ids,
// uuids, offer ids, ...) so that no two events of a stream are identical.
//
// Every measured decode is checked, and a failure aborts the program: the
// figure for a decoder that rejects its input would be worthless.

#include "protocol/codec.hpp"
#include "protocol/recordio.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace outrigger::bench {

using namespace outrigger::protocol;

// -- recorded master bytes ----------------------------------------------------

// Record 3 of the stream: TASK_STARTING from the executor, with a container
// status (477 bytes).
inline constexpr std::string_view update_record =
  R"json({"type":"UPDATE","update":{"status":{"task_id":{"value":"task-echo-1"},"state":"TASK_STARTING","source":"SOURCE_EXECUTOR","agent_id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-S0"},"executor_id":{"value":"task-echo-1"},"timestamp":1795308142.573653,"uuid":"a/+9w2FrR92K0/BQA7adSw==","container_status":{"container_id":{"value":"357e4425-4599-480a-8666-c5fcaef44852"},"network_infos":[{"ip_addresses":[{"protocol":"IPv4","ip_address":"127.0.0.1"}]}],"executor_pid":24654}}}})json";

// Record 2 of the stream: one offer of a whole agent (670 bytes).
inline constexpr std::string_view offers_record =
  R"json({"type":"OFFERS","offers":{"offers":[{"id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-O0"},"framework_id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-0000"},"agent_id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-S0"},"hostname":"localhost","url":{"scheme":"http","address":{"hostname":"localhost","ip":"127.0.0.1","port":5051},"path":"/slave(1)"},"resources":[{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":32000}]},"role":"*"},{"name":"cpus","type":"SCALAR","scalar":{"value":2.0},"role":"*"},{"name":"mem","type":"SCALAR","scalar":{"value":2048.0},"role":"*"},{"name":"disk","type":"SCALAR","scalar":{"value":4096.0},"role":"*"}]}]}})json";

inline constexpr std::string_view framework_id =
  "52b37399-815a-42e6-9723-a6a8a61cedbb-0000";

/// Events per stream: one benchmark iteration decodes all of them.
inline constexpr std::size_t events_per_stream = 1024;

/// What an HTTP client typically hands over per read.
inline constexpr std::size_t chunk_size = 16 * 1024;

[[noreturn]] inline void die(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "protocol bench: %s%s%.*s\n", what,
               detail.empty() ? "" : ": ", static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

// -- input generation
// -------------------------------------------------------------

/// Replaces every occurrence of `from` (which must occur).
inline std::string replace_all(std::string text, std::string_view from,
                               std::string_view to) {
  std::size_t pos = text.find(from);
  if (pos == std::string::npos)
    die("generator: pattern not in record", from);
  for (; pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
  return text;
}

inline std::string random_uuid_base64(std::mt19937_64& rng) {
  std::string raw(16, '\0');
  for (auto& c : raw)
    c = static_cast<char>(rng() & 0xff);
  return base64_encode(raw);
}

inline std::string hex_digits(std::mt19937_64& rng, std::size_t n) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(n, '0');
  for (auto& c : out)
    c = hex[rng() & 0xf];
  return out;
}

/// The payloads of one stream and the stream itself, framed.
struct corpus {
  std::vector<std::string> payloads;
  std::size_t payload_bytes = 0;
  std::string stream;              ///< all payloads, RecordIO framed
  std::vector<std::string> chunks; ///< the stream cut into chunk_size pieces
};

inline corpus make_corpus(std::vector<std::string> payloads) {
  corpus c;
  c.payloads = std::move(payloads);
  for (auto& p : c.payloads) {
    c.payload_bytes += p.size();
    recordio_append(c.stream, p);
  }
  // Separate allocations, like buffers filled by successive reads.
  for (std::size_t pos = 0; pos < c.stream.size(); pos += chunk_size)
    c.chunks.emplace_back(c.stream.substr(pos, chunk_size));
  return c;
}

/// UPDATE events with distinct task ids, states, timestamps, uuids,
/// container ids and pids, as a busy framework receives them.
inline const corpus& update_corpus() {
  static const corpus c = [] {
    std::mt19937_64 rng{42};
    constexpr std::string_view states[] = {"TASK_STARTING", "TASK_RUNNING",
                                           "TASK_FINISHED"};
    std::vector<std::string> out;
    for (std::size_t i = 0; i < events_per_stream; ++i) {
      auto task = "task-" + std::to_string(100000 + i / 3);
      std::string s{update_record};
      s = replace_all(std::move(s), "task-echo-1", task);
      s = replace_all(std::move(s), "TASK_STARTING", states[i % 3]);
      s = replace_all(std::move(s), "1795308142.573653",
                      std::to_string(1795308142 + i) + "." +
                        std::to_string(100000 + rng() % 900000));
      s = replace_all(std::move(s),
                      "a/+9w2FrR92K0/BQA7adSw==", random_uuid_base64(rng));
      s = replace_all(std::move(s), "c5fcaef44852", hex_digits(rng, 12));
      s = replace_all(std::move(s), "24654",
                      std::to_string(1000 + rng() % 60000));
      out.push_back(std::move(s));
    }
    return make_corpus(std::move(out));
  }();
  return c;
}

/// One-offer OFFERS events from 64 agents, each offer with its own id.
inline const corpus& offers_corpus() {
  static const corpus c = [] {
    std::mt19937_64 rng{7};
    std::vector<std::string> out;
    for (std::size_t i = 0; i < events_per_stream; ++i) {
      auto agent = std::to_string(i % 64);
      std::string s{offers_record};
      s = replace_all(std::move(s), "-O0\"", "-O" + std::to_string(i) + "\"");
      s = replace_all(std::move(s), "-S0\"", "-S" + agent + "\"");
      s = replace_all(std::move(s), "\"localhost\"",
                      "\"agent-" + agent + ".example.org\"");
      s = replace_all(std::move(s), "127.0.0.1", "10.0." + agent + ".1");
      s =
        replace_all(std::move(s), "\"value\":2048.0",
                    "\"value\":" + std::to_string(1024 + rng() % 4096) + ".0");
      out.push_back(std::move(s));
    }
    return make_corpus(std::move(out));
  }();
  return c;
}

// -- checks
// -------------------------------------------------------------------------

inline void check_update(const parse_result<Event>& ev) {
  if (!ev)
    die("UPDATE did not decode", ev.error().to_string());
  if (ev->type != event_type::update || !ev->update ||
      !ev->update->status.uuid || !ev->update->status.container_status ||
      ev->update->status.task_id.value.empty())
    die("UPDATE decoded to the wrong value");
}

inline void check_offers(const parse_result<Event>& ev) {
  if (!ev)
    die("OFFERS did not decode", ev.error().to_string());
  if (ev->type != event_type::offers || !ev->offers ||
      ev->offers->offers.size() != 1 ||
      ev->offers->offers[0].resources.size() != 4)
    die("OFFERS decoded to the wrong value");
}

// -- measuring loops
// ------------------------------------------------------------

using event_decoder = parse_result<Event> (*)(std::string_view);
using event_check = void (*)(const parse_result<Event>&);

/// The SUBSCRIBE stream as the scheduler sees it: 16 KiB chunks in, events
/// out. Items are events, bytes are stream bytes (framing included).
template <event_decoder Decode, event_check Check>
void stream_decode(benchmark::State& state, const corpus& c) {
  std::int64_t events = 0;
  for (auto _ : state) {
    recordio_decoder decoder;
    std::size_t n = 0;
    for (auto& chunk : c.chunks) {
      bool ok = decoder.feed(chunk, [&](std::string_view record) {
        auto ev = Decode(record);
        Check(ev);
        benchmark::DoNotOptimize(ev);
        ++n;
      });
      if (!ok)
        die("recordio failed", decoder.error());
    }
    if (n != c.payloads.size() || !decoder.at_boundary())
      die("recordio lost records");
    events += static_cast<std::int64_t>(n);
  }
  state.SetItemsProcessed(events);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(c.stream.size()));
}

/// JSON decoding alone, from complete payloads.
template <event_decoder Decode, event_check Check>
void payload_decode(benchmark::State& state, const corpus& c) {
  for (auto _ : state) {
    for (auto& p : c.payloads) {
      auto ev = Decode(p);
      Check(ev);
      benchmark::DoNotOptimize(ev);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(c.payloads.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(c.payload_bytes));
}

} // namespace outrigger::bench
