#include "app/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <map>
#include <mutex>

namespace outrigger::app {

namespace pm = prometheus;

namespace {

// A counter family fed with cumulative values: adds the growth since the
// last update.
struct counter_feed {
  pm::Family<pm::Counter>* family;
  std::map<pm::Labels, double> last;

  void set(const pm::Labels& labels, double total) {
    auto& prev = last[labels];
    auto& c = family->Add(labels);
    if (total > prev)
      c.Increment(total - prev);
    prev = total;
  }
};

// A histogram fed with cumulative bucket counts.
struct histogram_feed {
  pm::Family<pm::Histogram>* family;
  pm::Histogram* h = nullptr;
  latency_histogram last;

  void set(const latency_histogram& now) {
    if (!h) {
      h = &family->Add({}, pm::Histogram::BucketBoundaries{now.bounds});
      last = latency_histogram::with_bounds(now.bounds);
    }
    if (now.counts.size() != last.counts.size() || now.count <= last.count)
      return;
    std::vector<double> inc(now.counts.size());
    for (std::size_t i = 0; i < inc.size(); ++i)
      inc[i] = static_cast<double>(now.counts[i] - last.counts[i]);
    h->ObserveMultiple(inc, now.sum - last.sum);
    last = now;
  }
};

} // namespace

struct service_metrics::impl {
  std::shared_ptr<pm::Registry> reg = std::make_shared<pm::Registry>();
  std::mutex mtx; // update() and count_request() from different threads

  template <class T>
  pm::Family<T>& family(const std::string& name, const std::string& help);

  pm::Gauge& g(const std::string& name, const std::string& help,
               const pm::Labels& labels = {}) {
    return family<pm::Gauge>(name, help).Add(labels);
  }
  counter_feed c(const std::string& name, const std::string& help) {
    return counter_feed{&family<pm::Counter>(name, help), {}};
  }
  histogram_feed h(const std::string& name, const std::string& help) {
    return histogram_feed{&family<pm::Histogram>(name, help), nullptr, {}};
  }

  std::map<std::string, void*> families;

  // -- master connection
  pm::Gauge* connected = nullptr;
  pm::Gauge* failures = nullptr;
  pm::Gauge* budget = nullptr;
  pm::Gauge* outage = nullptr;
  pm::Gauge* outage_timeout = nullptr;
  pm::Gauge* calls_in_flight = nullptr;
  pm::Gauge* acks_in_flight = nullptr;
  counter_feed leader_changes, subscriptions, reconnects, attempts, heartbeats,
    events, calls, acks_dropped;
  histogram_feed call_latency, resubscribe_time;
  // -- offers
  pm::Gauge* offers_held = nullptr;
  pm::Gauge* pending = nullptr;
  counter_feed offers_received, offers_accepted, offers_declined,
    offers_rescinded;
  histogram_feed hold_time, pass_time;
  // -- tasks
  pm::Family<pm::Gauge>* tasks = nullptr;
  pm::Gauge* oldest = nullptr;
  pm::Gauge* results_cursor = nullptr;
  pm::Gauge* results_read = nullptr;
  pm::Gauge* store_bytes = nullptr;
  counter_feed launches, retries, results, updates, acks, kills,
    reconcile_rounds, reconcile_calls;
  histogram_feed submit_to_running, submit_to_launch, launch_to_running,
    event_latency, commit_latency;
  // -- API
  pm::Family<pm::Counter>* requests = nullptr;
  pm::Family<pm::Counter>* log_reads = nullptr;
  pm::Counter* log_bytes = nullptr;
  // -- high availability
  pm::Gauge* leader = nullptr;
  pm::Counter* leadership_changes = nullptr;
};

template <class T>
pm::Family<T>& service_metrics::impl::family(const std::string& name,
                                             const std::string& help) {
  auto i = families.find(name);
  if (i != families.end())
    return *static_cast<pm::Family<T>*>(i->second);
  pm::Family<T>* f = nullptr;
  if constexpr (std::is_same_v<T, pm::Counter>)
    f = &pm::BuildCounter().Name(name).Help(help).Register(*reg);
  else if constexpr (std::is_same_v<T, pm::Gauge>)
    f = &pm::BuildGauge().Name(name).Help(help).Register(*reg);
  else
    f = &pm::BuildHistogram().Name(name).Help(help).Register(*reg);
  families[name] = f;
  return *f;
}

service_metrics::service_metrics(const std::string& version)
  : impl_(std::make_unique<impl>()) {
  auto& m = *impl_;
  m.g("outrigger_build_info", "Build of the running service",
      {{"version", version}})
    .Set(1);
  m.leader = &m.g("outrigger_leader",
                  "1 while this replica leads (always 1 without --ha), else 0");
  m.leader->Set(1);
  m.leadership_changes =
    &m.family<pm::Counter>("outrigger_leadership_changes_total",
                           "Times this replica was elected leader (--ha); "
                           "summed over the replicas: leadership changes")
       .Add({});
  m.connected = &m.g("outrigger_master_connected",
                     "1 while subscribed to a master, else 0");
  m.failures = &m.g("outrigger_master_reconnect_failures",
                    "Consecutive failed attempts to subscribe since the last "
                    "SUBSCRIBED or new leader");
  m.budget = &m.g("outrigger_master_reconnect_budget",
                  "Deprecated --max-reconnect: failures against one leader "
                  "allowed before exiting (3); 0: no count limit");
  m.outage = &m.g("outrigger_master_outage_seconds",
                  "Seconds without a subscription so far (0 while subscribed)");
  m.outage_timeout =
    &m.g("outrigger_master_outage_timeout_seconds",
         "Seconds without a subscription before exiting (3); 0: never");
  m.attempts = m.c("outrigger_master_subscribe_attempts_total",
                   "Attempts to subscribe by outcome: subscribed, or why "
                   "not (refused, timeout, not_recovered, not_leader, "
                   "http_error, ...)");
  m.resubscribe_time =
    m.h("outrigger_master_resubscribe_seconds",
        "Working subscription lost to SUBSCRIBED again (failover time)");
  m.leader_changes = m.c("outrigger_master_leader_changes_total",
                         "Times the leading master changed");
  m.subscriptions =
    m.c("outrigger_master_subscriptions_total", "Successful SUBSCRIBEs");
  m.reconnects = m.c("outrigger_master_reconnects_total",
                     "Subscriptions lost or attempts failed, by reason");
  m.heartbeats =
    m.c("outrigger_master_heartbeats_total", "HEARTBEAT events received");
  m.events = m.c("outrigger_master_events_total",
                 "Events received from the master, by type");
  m.calls = m.c("outrigger_master_calls_total",
                "Calls sent to the master, by type and HTTP status code");
  m.call_latency = m.h("outrigger_master_call_duration_seconds",
                       "Call sent to response received");
  m.calls_in_flight = &m.g("outrigger_master_calls_in_flight",
                           "Calls sent and not answered yet (not ACKs)");
  m.acks_in_flight =
    &m.g("outrigger_acknowledgements_in_flight",
         "ACKNOWLEDGEs pipelined to the master and not answered yet");
  m.acks_dropped = m.c("outrigger_acknowledgements_dropped_total",
                       "ACKNOWLEDGEs not sent (not subscribed, or too many "
                       "in flight); the agents re-send those updates");
  m.offers_held = &m.g("outrigger_offers_held", "Offers held right now");
  m.pending = &m.g("outrigger_tasks_pending", "Tasks waiting for an offer");
  m.offers_received = m.c("outrigger_offers_received_total", "Offers received");
  m.offers_accepted = m.c("outrigger_offers_accepted_total",
                          "Offers accepted with at least one task");
  m.offers_declined = m.c("outrigger_offers_declined_total", "Offers declined");
  m.offers_rescinded =
    m.c("outrigger_offers_rescinded_total", "Offers rescinded by the master");
  m.hold_time =
    m.h("outrigger_offer_hold_seconds", "Offer received to accepted");
  m.pass_time = m.h("outrigger_matcher_pass_duration_seconds",
                    "Duration of one matching pass");
  m.tasks = &m.family<pm::Gauge>("outrigger_tasks", "Tasks by state");
  m.oldest = &m.g("outrigger_pending_oldest_seconds",
                  "Age of the oldest queued task (0: none)");
  m.results_cursor =
    &m.g("outrigger_results_cursor", "Cursor of the newest terminal result");
  m.results_read = &m.g("outrigger_results_read_cursor",
                        "Highest result cursor handed to a reader");
  m.store_bytes =
    &m.g("outrigger_store_log_bytes", "Journal bytes since the last snapshot");
  m.launches =
    m.c("outrigger_task_launches_total", "Attempts written into ACCEPTs");
  m.retries =
    m.c("outrigger_task_retries_total", "Attempts after a task's first");
  m.results =
    m.c("outrigger_task_results_total", "Terminal results by state and reason");
  m.updates = m.c("outrigger_status_updates_total", "Status updates received");
  m.acks = m.c("outrigger_acknowledgements_total",
               "Status updates acknowledged (after they were durable)");
  m.kills = m.c("outrigger_kills_sent_total", "KILL calls sent");
  m.reconcile_rounds = m.c("outrigger_reconciliation_rounds_total",
                           "Explicit reconciliations (one per subscription)");
  m.reconcile_calls =
    m.c("outrigger_reconciliation_calls_total", "RECONCILE calls sent");
  m.submit_to_running = m.h("outrigger_task_submit_to_running_seconds",
                            "Submission to first RUNNING");
  m.submit_to_launch = m.h("outrigger_task_submit_to_launch_seconds",
                           "Submission to the first launch recorded");
  m.launch_to_running = m.h("outrigger_task_launch_to_running_seconds",
                            "First launch recorded to its RUNNING");
  m.event_latency = m.h("outrigger_event_processing_seconds",
                        "Status update received to durable");
  m.commit_latency = m.h("outrigger_store_commit_seconds",
                         "Journal group commit (write + fsync)");
  m.requests = &m.family<pm::Counter>("outrigger_http_requests_total",
                                      "API requests by route and status");
  m.log_reads = &m.family<pm::Counter>(
    "outrigger_log_reads_total",
    "Reads of task output from agents (logs, files, stderr tails) by kind "
    "and outcome");
  m.log_bytes = &m.family<pm::Counter>("outrigger_log_bytes_total",
                                       "Bytes of task output served")
                   .Add({});
}

service_metrics::~service_metrics() = default;

void service_metrics::update(const link_metrics& l, unsigned budget) {
  auto& m = *impl_;
  std::lock_guard guard{m.mtx};
  m.connected->Set(l.connected ? 1 : 0);
  m.failures->Set(l.consecutive_failures);
  m.budget->Set(budget);
  m.calls_in_flight->Set(static_cast<double>(l.calls_in_flight));
  m.acks_in_flight->Set(static_cast<double>(l.acks_outstanding));
  m.acks_dropped.set({}, static_cast<double>(l.acks_dropped));
  m.leader_changes.set({}, static_cast<double>(l.leader_changes));
  m.subscriptions.set({}, static_cast<double>(l.subscriptions));
  for (auto& [reason, n] : l.reconnects)
    m.reconnects.set({{"reason", reason}}, static_cast<double>(n));
  m.attempts.set({{"reason", "subscribed"}},
                 static_cast<double>(l.subscriptions));
  for (auto& [reason, n] : l.attempts)
    m.attempts.set({{"reason", reason}}, static_cast<double>(n));
  m.outage->Set(l.outage_seconds);
  m.outage_timeout->Set(l.outage_timeout_seconds);
  if (!l.resubscribe_time.bounds.empty())
    m.resubscribe_time.set(l.resubscribe_time);
  m.heartbeats.set({}, static_cast<double>(l.heartbeats));
  for (auto& [type, n] : l.events)
    m.events.set({{"type", type}}, static_cast<double>(n));
  for (auto& [key, n] : l.calls)
    m.calls.set({{"type", key.first}, {"code", std::to_string(key.second)}},
                static_cast<double>(n));
  if (!l.call_latency.bounds.empty())
    m.call_latency.set(l.call_latency);
}

void service_metrics::update(const book_metrics& b) {
  auto& m = *impl_;
  std::lock_guard guard{m.mtx};
  for (auto& [state, n] : b.tasks)
    m.tasks->Add({{"state", state}}).Set(static_cast<double>(n));
  m.oldest->Set(b.oldest_queued_seconds);
  m.results_cursor->Set(static_cast<double>(b.results_cursor));
  m.results_read->Set(static_cast<double>(b.results_read));
  m.store_bytes->Set(static_cast<double>(b.store_bytes));
  for (auto& [key, n] : b.results)
    m.results.set({{"state", key.first}, {"reason", key.second}},
                  static_cast<double>(n));
  m.launches.set({}, static_cast<double>(b.launches));
  m.retries.set({}, static_cast<double>(b.retries));
  m.updates.set({}, static_cast<double>(b.updates));
  m.acks.set({}, static_cast<double>(b.acks));
  m.kills.set({}, static_cast<double>(b.kills_sent));
  m.reconcile_rounds.set({}, static_cast<double>(b.reconcile_rounds));
  m.reconcile_calls.set({}, static_cast<double>(b.reconcile_calls));
  m.submit_to_running.set(b.submit_to_running);
  m.submit_to_launch.set(b.submit_to_launch);
  m.launch_to_running.set(b.launch_to_running);
  m.event_latency.set(b.event_latency);
  m.commit_latency.set(b.commit_latency);
}

void service_metrics::update(const matcher_metrics& x) {
  auto& m = *impl_;
  std::lock_guard guard{m.mtx};
  m.offers_held->Set(static_cast<double>(x.offers_held));
  m.pending->Set(static_cast<double>(x.pending));
  m.offers_received.set({}, static_cast<double>(x.offers_received));
  m.offers_accepted.set({}, static_cast<double>(x.offers_accepted));
  m.offers_declined.set({}, static_cast<double>(x.offers_declined));
  m.offers_rescinded.set({}, static_cast<double>(x.offers_rescinded));
  m.hold_time.set(x.hold_time);
  m.pass_time.set(x.pass_time);
}

void service_metrics::count_request(const std::string& route, unsigned status) {
  auto& m = *impl_;
  std::lock_guard guard{m.mtx};
  m.requests->Add({{"route", route}, {"code", std::to_string(status)}})
    .Increment();
}

void service_metrics::count_log_read(const std::string& kind,
                                     const std::string& outcome,
                                     std::size_t bytes) {
  auto& m = *impl_;
  std::lock_guard guard{m.mtx};
  m.log_reads->Add({{"kind", kind}, {"outcome", outcome}}).Increment();
  m.log_bytes->Increment(static_cast<double>(bytes));
}

void service_metrics::set_leader(bool leading) {
  auto& m = *impl_;
  std::lock_guard guard{m.mtx};
  if (leading && m.leader->Value() == 0)
    m.leadership_changes->Increment();
  m.leader->Set(leading ? 1 : 0);
}

std::string service_metrics::serialize() const {
  auto families = impl_->reg->Collect();
  return pm::TextSerializer{}.Serialize(families);
}

} // namespace outrigger::app
