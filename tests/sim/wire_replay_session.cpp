// The replay driver of wire_replay.hpp: sends recorded requests, compares
// answers and events. REPLAY_DEBUG=1 in the environment logs every event
// received.

#include "tests/sim/sim_test_support.hpp"
#include "tests/sim/wire_replay.hpp"

#include <doctest/doctest.h>

#include <cstdlib>

namespace outrigger::test {

using json = nlohmann::ordered_json;

struct replay::stream_state {
  std::string name;
  std::vector<std::string> records; ///< recorded
  bool terminated = false;          ///< recorded: ended with `0\r\n\r\n`
  std::size_t master = 0;
  std::unique_ptr<scheduler_stream> ours;
  pr::FrameworkID framework; ///< ours
  /// OFFERS events that came while other events were expected: kept for a
  /// later expect_offers(), since when offers come is a matter of timing.
  std::deque<std::string> offers;
};

replay::replay(fs::path dir, sim::cluster& cluster,
               std::map<std::uint16_t, std::size_t> ports)
  : dir_(std::move(dir)), cluster_(cluster), ports_(std::move(ports)) {
  for (auto& [recorded, index] : ports_) {
    auto r = std::to_string(recorded);
    auto o = std::to_string(cluster_.port(index));
    for (auto* prefix : {"localhost:", "127.0.0.1:"})
      ids.add(prefix + r, prefix + o);
    ids.add("\"port\":" + r + ",", "\"port\":" + o + ",");
    ids.add("\"port\":" + r + "}", "\"port\":" + o + "}");
  }
}

replay::~replay() = default;

replay::stream_state& replay::state(const std::string& stream) {
  auto it = streams_.find(stream.empty() ? last_ : stream);
  REQUIRE_MESSAGE(it != streams_.end(), "no stream " << stream);
  return *it->second;
}

std::uint16_t replay::port_for(std::uint16_t recorded) const {
  auto it = ports_.find(recorded);
  REQUIRE_MESSAGE(it != ports_.end(), "no master for port " << recorded);
  return cluster_.port(it->second);
}

pr::FrameworkID replay::framework(const std::string& stream) const {
  return const_cast<replay*>(this)->state(stream).framework;
}

http_test_client& replay::connection(const std::string& stream) {
  return state(stream).ours->client();
}

void replay::subscribe(const std::string& name, std::vector<int> records) {
  INFO("replaying " << name);
  auto rec = read_exchange(dir_, name);
  auto s = std::make_unique<stream_state>();
  s->name = name;
  s->records = recorded_stream(dir_, name);
  auto raw = read_bytes(dir_ / (name + ".raw"));
  s->terminated =
    raw.size() >= 5 && raw.compare(raw.size() - 5, 5, "0\r\n\r\n") == 0;
  s->master = ports_.at(rec.port);
  // The master's id is learned before sending: resubscriptions carry
  // framework ids that embed it.
  auto first = json::parse(s->records.at(0));
  if (first["type"] == "SUBSCRIBED")
    ids.add(first["subscribed"]["master_info"]["id"].get<std::string>(),
            cluster_.master_id(s->master));
  header_pairs headers;
  for (auto& [k, v] : rec.headers)
    if (k != "Content-Type" && k != "Accept")
      headers.emplace_back(k, ids.to_ours(v));
  s->ours = std::make_unique<scheduler_stream>(
    cluster_.port(s->master), ids.to_ours(rec.body), headers, rec.target);
  auto& head = s->ours->head();
  CHECK(head.status == rec.status);
  std::vector<std::string> names;
  for (auto& [k, v] : rec.response_headers)
    names.push_back(k);
  CHECK(head.header_names() == names);
  for (auto& [k, v] : rec.response_headers) {
    if (k == "Mesos-Stream-Id")
      ids.add(v, head.header(k).value_or(""));
    else if (k != "Date")
      CHECK_MESSAGE(head.header(k) == v, k);
  }
  last_ = name;
  streams_[name] = std::move(s);
  expect(name, std::move(records));
}

void replay::exchange(const std::string& name, std::vector<int> records,
                      std::string stream) {
  INFO("replaying " << name);
  auto rec = read_exchange(dir_, name);
  http_test_client c(port_for(rec.port), std::nullopt, 20s);
  header_pairs headers;
  for (auto& [k, v] : rec.headers)
    headers.emplace_back(k, ids.to_ours(v));
  c.send(rec.method, ids.to_ours(rec.target), ids.to_ours(rec.body), headers);
  if (!rec.answered) {
    CHECK(c.closed_by_peer()); // no response at all
    return;
  }
  compare_response(rec, c.read_response());
  if (!records.empty())
    expect(stream.empty() ? last_ : stream, std::move(records));
}

void replay::compare_response(const recorded_exchange& rec,
                              const http_reply& ours) {
  CHECK(ours.status == rec.status);
  std::vector<std::string> names;
  for (auto& [k, v] : rec.response_headers)
    names.push_back(k);
  CHECK(ours.header_names() == names);
  for (auto& [k, v] : rec.response_headers) {
    if (k == "Date" || k == "Content-Length")
      continue;
    if (k == "Mesos-Stream-Id") {
      CHECK(ours.header(k));
      continue;
    }
    CHECK_MESSAGE(ids.to_recorded(ours.header(k).value_or("<none>")) == v, k);
  }
  if (ours.header("Content-Length"))
    CHECK(ours.header("Content-Length") == std::to_string(ours.body.size()));
  CHECK(ids.to_recorded(ours.body) == rec.response_body);
}

void replay::match(stream_state& s, const std::string& ours, int index) {
  auto recorded = json::parse(s.records.at(static_cast<std::size_t>(index)));
  auto raw = json::parse(ours);
  auto type = recorded["type"].get<std::string>();
  // Learn the ids this pair reveals, then compare with ours rewritten.
  if (type == "SUBSCRIBED") {
    s.framework.value = raw["subscribed"]["framework_id"]["value"];
    ids.add(recorded["subscribed"]["framework_id"]["value"], s.framework.value);
  } else if (type == "OFFERS") {
    // Offers in one event come in any order (the allocator shuffles
    // agents): pair them by agent, and compare in the recorded order.
    json sorted = json::array();
    for (auto& r : recorded["offers"]["offers"])
      for (auto& o : raw["offers"]["offers"])
        if (ids.to_recorded(o["agent_id"]["value"].get<std::string>()) ==
            r["agent_id"]["value"]) {
          ids.add(r["id"]["value"], o["id"]["value"]);
          sorted.push_back(o);
        }
    if (sorted.size() == raw["offers"]["offers"].size())
      raw["offers"]["offers"] = sorted;
  } else if (type == "UPDATE") {
    auto& r = recorded["update"]["status"];
    auto& o = raw["update"]["status"];
    if (r.contains("uuid") && o.contains("uuid"))
      ids.add(r["uuid"], o["uuid"]);
  }
  auto mine = json::parse(ids.to_recorded(raw.dump()));
  auto diff = sim::test::json_diff(sim::test::normalized(recorded),
                                   sim::test::normalized(mine));
  std::string lines;
  for (auto& d : diff)
    lines += d + "\n";
  CHECK_MESSAGE(diff.empty(), s.name << " record " << index
                                     << "\nrecorded: " << recorded.dump()
                                     << "\nours:     " << mine.dump() << "\n"
                                     << lines);
}

void replay::expect(const std::string& stream, std::vector<int> records) {
  auto& s = state(stream);
  INFO("events of " << s.name);
  std::vector<json> pending;
  for (auto i : records)
    pending.push_back(json::parse(s.records.at(static_cast<std::size_t>(i))));
  while (!records.empty()) {
    auto text = s.ours->next_record();
    if (std::getenv("REPLAY_DEBUG"))
      MESSAGE("expect step got " << text);
    auto e = json::parse(text);
    // What an event is about: its task (UPDATE) or offer (RESCIND, ours
    // mapped back). Each task's updates come in order; those of different
    // tasks may interleave, and RESCINDs of different offers too (the
    // master walks a hash set).
    auto task = [&](const json& j) {
      if (j["type"] == "UPDATE")
        return j["update"]["status"]["task_id"]["value"].get<std::string>();
      if (j["type"] == "RESCIND")
        return ids.to_recorded(
          j["rescind"]["offer_id"]["value"].get<std::string>());
      return std::string{};
    };
    std::size_t k = 0;
    while (k < records.size() &&
           !(pending[k]["type"] == e["type"] && task(pending[k]) == task(e)))
      ++k;
    auto floating = [](const json& j) {
      return j["type"] == "HEARTBEAT" || j["type"] == "OFFERS";
    };
    if (k == records.size()) {
      if (e["type"] == "OFFERS")
        s.offers.push_back(text); // for a later expect_offers()
      if (floating(e))
        continue; // their timing is not the recording's
      FAIL_CHECK("unexpected event on " << s.name << ": " << text);
      return;
    }
    // Order matters, except for HEARTBEAT and OFFERS (timing) and between
    // different tasks' updates.
    for (std::size_t j = 0; j < k; ++j)
      if (!floating(e) && !floating(pending[j]) &&
          !(e["type"] == pending[j]["type"] &&
            (e["type"] == "UPDATE" || e["type"] == "RESCIND"))) {
        FAIL_CHECK("out of order on " << s.name << ": " << text
                                      << " came before record " << records[j]);
        return;
      }
    match(s, text, records[k]);
    records.erase(records.begin() + static_cast<std::ptrdiff_t>(k));
    pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(k));
  }
}

void replay::expect_offers(const std::string& stream,
                           std::vector<int> records) {
  auto& s = state(stream);
  INFO("offers of " << s.name);
  std::vector<json> recorded, ours;
  for (auto i : records) {
    auto record = json::parse(s.records.at(static_cast<std::size_t>(i)));
    for (auto& o : record["offers"]["offers"])
      recorded.push_back(o);
  }
  while (ours.size() < recorded.size()) {
    std::string text;
    if (!s.offers.empty()) {
      text = std::move(s.offers.front());
      s.offers.pop_front();
    } else {
      text = s.ours->next_record();
    }
    auto e = json::parse(text);
    if (std::getenv("REPLAY_DEBUG"))
      MESSAGE("offers step got " << text);
    if (e["type"] == "OFFERS") {
      for (auto& o : e["offers"]["offers"])
        ours.push_back(o);
    } else if (e["type"] != "HEARTBEAT") {
      FAIL_CHECK("unexpected event on " << s.name << ": " << text);
      return;
    }
  }
  auto role = [](const json& o) {
    return o.contains("allocation_info") ? o["allocation_info"].dump() : "";
  };
  for (auto& r : recorded) {
    auto it = std::find_if(ours.begin(), ours.end(), [&](const json& o) {
      return ids.to_recorded(o["agent_id"]["value"].get<std::string>()) ==
               r["agent_id"]["value"] &&
             role(o) == role(r);
    });
    if (it == ours.end()) {
      FAIL_CHECK("no offer like the recorded " << r.dump());
      continue;
    }
    ids.add(r["id"]["value"], (*it)["id"]["value"]);
    auto mine = json::parse(ids.to_recorded(it->dump()));
    auto diff = sim::test::json_diff(sim::test::normalized(r),
                                     sim::test::normalized(mine));
    std::string lines;
    for (auto& d : diff)
      lines += d + "\n";
    CHECK_MESSAGE(diff.empty(), "recorded: " << r.dump() << "\nours:     "
                                             << mine.dump() << "\n"
                                             << lines);
    ours.erase(it);
  }
}

void replay::expect_end(const std::string& stream) {
  auto& s = state(stream);
  INFO("end of " << s.name);
  bool terminated = s.ours->read_to_end();
  CHECK(terminated == s.terminated);
  for (auto& text : s.ours->take_records()) {
    auto type = json::parse(text)["type"];
    CHECK_MESSAGE((type == "HEARTBEAT" || type == "OFFERS"),
                  "unexpected event before the end: " << text);
  }
}

void replay::close(const std::string& stream) {
  auto& s = state(stream);
  s.ours->client().close();
  auto id = s.framework.value;
  // The master notices the closed connection: the framework disconnects.
  CHECK(eventually([&] {
    auto status = status_of(cluster_); // (a temporary would dangle)
    for (auto& f : status["frameworks"]["connected"])
      if (f == id)
        return false;
    return true;
  }));
}

void replay::wait_for_task(const std::string& stream, const std::string& task,
                           pr::task_state wanted) {
  auto& s = state(stream);
  auto framework = s.framework;
  CHECK_MESSAGE(eventually([&] {
                  std::optional<pr::task_state> now;
                  cluster_.with_master(s.master, [&](sim::master& m) {
                    now = m.agent_task_state(framework, pr::TaskID{task});
                  });
                  return now == wanted;
                }),
                task << " never reached " << pr::to_string(wanted));
}

void replay::extra_call(const pr::Call& call, const std::string& stream) {
  auto& s = state(stream);
  CHECK(post_call(cluster_.port(s.master), call, s.ours->stream_id()).status ==
        202);
}

} // namespace outrigger::test
