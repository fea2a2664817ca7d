// One process, a thousand agents, twenty thousand tasks, through the real
// wire path (JSON calls in, RecordIO events out) on simulated time. The
// scheduler here talks to master::handle directly (no harness bookkeeping)
// so that the test measures the simulator, not the test.

#include "sim_test_support.hpp"

#include "protocol/recordio.hpp"

#include <doctest/doctest.h>

#include <unordered_map>

using namespace outrigger::sim;
using namespace outrigger::sim::test;

TEST_CASE("scale: 1,000 agents, 20,000 tasks to TASK_FINISHED") {
  constexpr int agents = 1000;
  constexpr int tasks_total = 20000;
  auto cfg = harness::default_config();
  cfg.synthetic.min_duration = 10s;
  cfg.synthetic.max_duration = 60s;
  master m(cfg, t0());
  for (int i = 0; i < agents; ++i)
    m.add_agent(agent_spec{
      "localhost", "127.0.0.1", static_cast<std::uint16_t>(10000 + i),
      "cpus:2;mem:2048;disk:4096;ports:[31000-32000]", "", nullptr});
  http_request sub{"POST",
                   "/api/v1/scheduler",
                   {{"Content-Type", "application/json"}},
                   pr::to_json(pr::make_subscribe(framework_info("scale")))};
  auto reply = m.handle(sub);
  REQUIRE(reply.stream);
  auto stream = *reply.stream;
  auto stream_uuid = header(reply.response, "Mesos-Stream-Id");
  pr::FrameworkID fw;
  auto post = [&](const pr::Call& c) {
    http_request r{
      "POST",
      "/api/v1/scheduler",
      {{"Content-Type", "application/json"}, {"Mesos-Stream-Id", stream_uuid}},
      pr::to_json(c)};
    return m.handle(r).response.status;
  };

  int launched = 0;
  bool suppressed = false;
  std::unordered_map<std::string, int> last; // rank of the last state
  std::size_t finished = 0, updates = 0, bad_calls = 0, order_errors = 0;
  auto rank = [](pr::task_state st) {
    return st == pr::task_state::starting  ? 1
           : st == pr::task_state::running ? 2
                                           : 3;
  };
  auto on_event = [&](const pr::Event& e) {
    if (e.type == pr::event_type::subscribed) {
      fw = e.subscribed->framework_id;
    } else if (e.type == pr::event_type::offers) {
      for (auto& offer : e.offers->offers) {
        std::vector<pr::TaskInfo> batch;
        while (launched < tasks_total && batch.size() < 20) {
          batch.push_back(
            command_task("task-" + std::to_string(launched++), offer.agent_id));
          batch.back().command->value = "true";
        }
        auto c = batch.empty()
                   ? pr::make_decline(fw, {offer.id}, 3600)
                   : launch_call(fw, offer.id, std::move(batch), 3600);
        bad_calls += post(c) != 202;
      }
      if (launched == tasks_total && !suppressed) {
        bad_calls += post(pr::make_suppress(fw)) != 202;
        suppressed = true;
      }
    } else if (e.type == pr::event_type::update) {
      auto& st = e.update->status;
      ++updates;
      auto& seen = last[st.task_id.value];
      order_errors += rank(st.state) <= seen;
      seen = rank(st.state);
      finished += st.state == pr::task_state::finished;
      bad_calls += post(*pr::acknowledgement_for(fw, st)) != 202;
    }
  };
  // Drains the streams, including what the calls made above produce.
  auto drain = [&] {
    for (;;) {
      auto outputs = m.take_output();
      if (outputs.empty())
        return;
      for (auto& out : outputs) {
        REQUIRE(out.stream == stream);
        pr::recordio_decoder d;
        REQUIRE(d.feed(out.bytes, [&](std::string_view record) {
          auto e = pr::decode_event(record);
          REQUIRE(e);
          on_event(*e);
        }));
      }
    }
  };
  drain();
  for (int step = 0; step < 400 && finished < tasks_total; ++step) {
    m.advance(m.now() + 1s);
    drain();
  }
  CHECK(launched == tasks_total);
  CHECK(finished == tasks_total);
  CHECK(updates == 3 * tasks_total); // no duplicate, nothing lost
  CHECK(order_errors == 0);
  CHECK(bad_calls == 0);
  CHECK(m.task_count() == 0);
  CHECK(m.metric("master/tasks_finished") == tasks_total);
  CHECK(m.metric("master/slaves_active") == agents);
  CHECK(m.synthetic().live_tasks() == 0);
  CHECK(m.now() - t0() < 120s); // durations 10-60 s: done in about a minute
}
