#include "protocol/resource_math.hpp"

#include <doctest/doctest.h>

#include <ostream>

using namespace outrigger::protocol;

namespace outrigger::protocol {
// Lets doctest print ranges in failure messages.
std::ostream& operator<<(std::ostream& os, const Ranges& r) {
  os << '[';
  for (auto& x : r.range)
    os << ' ' << x.begin << '-' << x.end;
  return os << " ]";
}
std::ostream& operator<<(std::ostream& os, const std::optional<Ranges>& r) {
  return r ? os << *r : os << "nullopt";
}
} // namespace outrigger::protocol

namespace {

Ranges rs(std::initializer_list<std::pair<std::uint64_t, std::uint64_t>> xs) {
  Ranges out;
  for (auto [b, e] : xs)
    out.range.push_back({b, e});
  return out;
}

Resource reserved(Resource r, std::string role) {
  ReservationInfo info;
  info.type = reservation_type::dynamic;
  info.role = std::move(role);
  r.reservations.push_back(std::move(info));
  return r;
}

Resource allocated(Resource r, std::string role) {
  r.allocation_info = AllocationInfo{std::move(role)};
  return r;
}

// The resources of the first offer recorded from a real master.
std::vector<Resource> recorded_offer() {
  auto ports = ranges_resource("ports", rs({{31000, 32000}}));
  ports.role = "*";
  auto cpus = scalar_resource("cpus", 2.0);
  cpus.role = "*";
  auto mem = scalar_resource("mem", 2048.0);
  mem.role = "*";
  auto disk = scalar_resource("disk", 4096.0);
  disk.role = "*";
  return {ports, cpus, mem, disk};
}

} // namespace

TEST_CASE("resource math: ranges normalize, merge and subtract") {
  CHECK(normalize(rs({{5, 6}, {1, 2}, {3, 3}, {10, 12}, {11, 20}})) ==
        rs({{1, 3}, {5, 6}, {10, 20}}));
  CHECK(normalize(rs({{4, 4}, {1, 3}, {5, 6}})) == rs({{1, 6}}));
  CHECK(normalize(rs({{7, 3}})) == rs({})); // begin > end is empty
  CHECK(ranges_union(rs({{1, 2}}), rs({{4, 5}})) == rs({{1, 2}, {4, 5}}));
  CHECK(ranges_union(rs({{1, 2}}), rs({{3, 5}})) == rs({{1, 5}}));
  CHECK(ranges_difference(rs({{1, 10}}), rs({{3, 4}, {8, 12}})) ==
        rs({{1, 2}, {5, 7}}));
  CHECK(ranges_difference(rs({{1, 10}}), rs({{0, 100}})) == rs({}));
  CHECK(ranges_difference(rs({{1, 3}, {7, 9}}), rs({{2, 8}})) ==
        rs({{1, 1}, {9, 9}}));
  CHECK(
    ranges_contain(rs({{31000, 32000}}), rs({{31000, 31000}, {31500, 31600}})));
  CHECK_FALSE(ranges_contain(rs({{31000, 32000}}), rs({{32000, 32001}})));
  CHECK(ranges_count(rs({{31000, 32000}})) == 1001);
  CHECK(ranges_count(rs({{1, 2}, {2, 3}})) == 3); // overlap counted once
  // The top of the value space does not overflow.
  CHECK(normalize(rs({{UINT64_MAX - 1, UINT64_MAX}, {5, 5}})) ==
        rs({{5, 5}, {UINT64_MAX - 1, UINT64_MAX}}));
}

TEST_CASE("resource math: taking port values") {
  auto avail = rs({{31000, 31002}, {31010, 31020}});
  CHECK(take_values(avail, 2) == rs({{31000, 31001}}));
  CHECK(take_values(avail, 5) == rs({{31000, 31002}, {31010, 31011}}));
  CHECK(take_values(avail, 14) == avail);
  CHECK_FALSE(take_values(avail, 15).has_value());
  CHECK(take_values(avail, 0) == rs({}));
  // Skipping spreads choices; it wraps instead of failing.
  CHECK(take_values(avail, 2, 3) == rs({{31010, 31011}}));
  CHECK(take_values(avail, 3, 12) == rs({{31000, 31000}, {31019, 31020}}));
  CHECK(take_values(avail, 2, 14) == rs({{31000, 31001}})); // skip % total
}

TEST_CASE("resource math: scalars are fixed point with three decimals") {
  resource_set offer{{scalar_resource("cpus", 1.0)}};
  for (int i = 0; i < 10; ++i) {
    resource_set task{{scalar_resource("cpus", 0.1)}};
    REQUIRE(offer.contains(task));
    offer -= task;
  }
  // Floating point would leave 2.7e-17 cpus behind; fixed point leaves none.
  CHECK(offer.empty());
  CHECK(round_scalar(0.1 + 0.2) == 0.3);
  CHECK(round_scalar(1.23456) == 1.235);
}

TEST_CASE("resource math: same kinds merge, different kinds stay apart") {
  resource_set s{recorded_offer()};
  CHECK(s.items().size() == 4);
  s += scalar_resource("cpus", 1.5); // role unset == "*": same kind
  CHECK(s.items().size() == 4);
  CHECK(s.scalar("cpus") == 3.5);
  s += reserved(scalar_resource("cpus", 1), "analytics");
  CHECK(s.items().size() == 5);
  CHECK(s.scalar("cpus") == 4.5);
  CHECK(s.reserved_for("analytics").scalar("cpus") == 1.0);
  CHECK(s.unreserved().scalar("cpus") == 3.5);
  CHECK(s.ranges("ports") == rs({{31000, 32000}}));
  // Empty resources are dropped, not kept as zero entries.
  s += scalar_resource("gpus", 0);
  CHECK(s.items().size() == 5);
}

TEST_CASE("resource math: contains and subtract a task from an offer") {
  resource_set offer{recorded_offer()};
  resource_set task{{scalar_resource("cpus", 0.5), scalar_resource("mem", 512),
                     ranges_resource("ports", rs({{31000, 31001}}))}};
  REQUIRE(offer.contains(task));
  offer -= task;
  CHECK(offer.scalar("cpus") == 1.5);
  CHECK(offer.scalar("mem") == 1536);
  CHECK(offer.ranges("ports") == rs({{31002, 32000}}));
  CHECK_FALSE(offer.contains(ranges_resource("ports", rs({{31000, 31000}}))));
  CHECK_FALSE(offer.contains(scalar_resource("mem", 1537)));
  CHECK(offer.contains(scalar_resource("mem", 1536)));
  CHECK_FALSE(offer.contains(scalar_resource("gpus", 1)));
  // Reserved resources do not satisfy a request for unreserved ones.
  resource_set reserved_only{{reserved(scalar_resource("cpus", 4), "a")}};
  CHECK_FALSE(reserved_only.contains(scalar_resource("cpus", 1)));
  CHECK(reserved_only.contains(reserved(scalar_resource("cpus", 1), "a")));
  // Subtracting more than there is removes the entry, never goes negative.
  offer -= scalar_resource("cpus", 10);
  CHECK(offer.scalar("cpus") == 0);
}

TEST_CASE("resource math: sets") {
  resource_set s{{set_resource("gpu_ids", {"a", "b", "b"})}};
  CHECK(s.items()[0].set->item == std::vector<std::string>{"a", "b"});
  s += set_resource("gpu_ids", {"c"});
  CHECK(s.contains(set_resource("gpu_ids", {"a", "c"})));
  CHECK_FALSE(s.contains(set_resource("gpu_ids", {"d"})));
  s -= set_resource("gpu_ids", {"a", "b", "c"});
  CHECK(s.empty());
}

TEST_CASE("resource math: per-role views of a MULTI_ROLE offer") {
  resource_set s{{allocated(scalar_resource("cpus", 2), "analytics"),
                  allocated(scalar_resource("cpus", 3), "batch"),
                  scalar_resource("mem", 100)}};
  CHECK(s.allocated_to("analytics").scalar("cpus") == 2);
  CHECK(s.allocated_to("batch").scalar("cpus") == 3);
  // No allocation info (a non-MULTI_ROLE offer) belongs to every role.
  CHECK(s.allocated_to("batch").scalar("mem") == 100);
  CHECK(s.scalar("cpus") == 5);
}

TEST_CASE("resource math: reservation role of refined and legacy forms") {
  auto legacy = scalar_resource("cpus", 1);
  legacy.role = "analytics";
  legacy.reservation = ReservationInfo{};
  CHECK(reservation_role(legacy) == "analytics");
  CHECK_FALSE(is_unreserved(legacy));
  auto refined = reserved(reserved(scalar_resource("cpus", 1), "a"), "a/b");
  CHECK(reservation_role(refined) == "a/b");
  auto star = scalar_resource("cpus", 1);
  star.role = "*";
  CHECK(is_unreserved(star));
  CHECK(same_kind(star, scalar_resource("cpus", 7)));
  CHECK_FALSE(same_kind(star, scalar_resource("mem", 1)));
}
