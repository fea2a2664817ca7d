#pragma once
// Helpers of the event value checks: the decoded events of one recorded
// stream and short checks of the fields that matter to a scheduler. They use
// doctest assertions, so call them from test cases only.

#include "wire_files.hpp"

#include "protocol/codec.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace outrigger::conformance {

/// The master ids of the two recorded clusters.
inline constexpr const char* master1 = "52b37399-815a-42e6-9723-a6a8a61cedbb";
inline constexpr const char* master2 = "74d5754f-8aac-406b-9aac-388ad6fed9db";

/// `<master id><suffix>`, e.g. id(master1, "-S0") for the agent id.
inline std::string id(const char* master, const char* suffix) {
  return std::string{master} + suffix;
}

/// Every event of one stream, e.g. "transcripts/10-subscribe-stream1".
inline std::vector<protocol::Event> events_of(const fs::path& dir,
                                              const std::string& name) {
  stream_file stream;
  stream.base = dir / name;
  stream.name = name;
  std::vector<protocol::Event> out;
  for (auto& record : stream_records(stream)) {
    auto event = protocol::decode_event(record);
    INFO(name << " record " << out.size() << ": " << event.error().to_string());
    REQUIRE(event);
    out.push_back(std::move(*event));
  }
  return out;
}

/// The status of an UPDATE event.
inline const protocol::TaskStatus& status_of(const protocol::Event& e) {
  REQUIRE(e.type == protocol::event_type::update);
  REQUIRE(e.update.has_value());
  return e.update->status;
}

/// An update the master generated itself: no uuid (must not be ACKed).
inline void check_master_update(const protocol::Event& e, const char* task,
                                protocol::task_state state,
                                protocol::status_reason reason,
                                const std::string& message) {
  auto& s = status_of(e);
  CHECK(s.task_id.value == task);
  CHECK(s.state == state);
  CHECK(s.source == protocol::status_source::master);
  CHECK(s.reason == reason);
  CHECK(s.message == message);
  CHECK_FALSE(s.uuid.has_value());
  CHECK_FALSE(s.executor_id.has_value());
  CHECK(s.timestamp.has_value());
}

/// An update from an executor: carries a 16-byte uuid to acknowledge.
inline void check_executor_update(const protocol::Event& e, const char* task,
                                  protocol::task_state state,
                                  const char* executor) {
  auto& s = status_of(e);
  CHECK(s.task_id.value == task);
  CHECK(s.state == state);
  CHECK(s.source == protocol::status_source::executor);
  CHECK_FALSE(s.reason.has_value());
  REQUIRE(s.uuid.has_value());
  CHECK(s.uuid->data.size() == 16);
  REQUIRE(s.executor_id.has_value());
  CHECK(s.executor_id->value == executor);
  CHECK(s.container_status.has_value());
}

/// The offers of an OFFERS event, in order.
inline const std::vector<protocol::Offer>& offers_of(const protocol::Event& e) {
  REQUIRE(e.type == protocol::event_type::offers);
  REQUIRE(e.offers.has_value());
  return e.offers->offers;
}

/// The ids of an OFFERS event's offers, in order.
inline std::vector<std::string> offer_ids(const protocol::Event& e) {
  std::vector<std::string> out;
  for (auto& offer : offers_of(e))
    out.push_back(offer.id.value);
  return out;
}

/// The resource named `name` of an offer.
inline const protocol::Resource& resource(const protocol::Offer& offer,
                                          const char* name) {
  const protocol::Resource* found = nullptr;
  for (auto& r : offer.resources)
    if (r.name == name)
      found = &r;
  INFO("offer " << offer.id.value << " resource " << name);
  REQUIRE(found != nullptr);
  return *found;
}

/// The value of a scalar resource.
inline double scalar(const protocol::Offer& offer, const char* name) {
  auto& r = resource(offer, name);
  CHECK(r.type == protocol::value_type::scalar);
  REQUIRE(r.scalar.has_value());
  return r.scalar->value;
}

using port_ranges = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

/// The `ports` resource as (begin, end) pairs.
inline port_ranges ports(const protocol::Offer& offer) {
  auto& r = resource(offer, "ports");
  CHECK(r.type == protocol::value_type::ranges);
  REQUIRE(r.ranges.has_value());
  port_ranges out;
  for (auto& range : r.ranges->range)
    out.emplace_back(range.begin, range.end);
  return out;
}

/// An agent's attributes as name=value text pairs.
inline std::vector<std::string> text_attributes(const protocol::Offer& offer) {
  std::vector<std::string> out;
  for (auto& a : offer.attributes) {
    CHECK(a.type == protocol::value_type::text);
    REQUIRE(a.text.has_value());
    out.push_back(a.name + "=" + a.text->value);
  }
  return out;
}

} // namespace outrigger::conformance
