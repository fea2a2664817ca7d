// The matcher's max-segment tree against a brute-force search.

#include "scheduling/offer_matcher/capacity_tree.hpp"

#include <doctest/doctest.h>

#include <random>

using namespace outrigger::scheduling;

namespace {

amounts of(std::int64_t cpus, std::int64_t mem) {
  amounts a;
  a[resource_dim::cpus] = cpus;
  a[resource_dim::mem] = mem;
  return a;
}

std::size_t brute_first(const std::vector<amounts>& xs, std::size_t from,
                        const amounts& need) {
  for (auto i = from; i < xs.size(); ++i)
    if (xs[i].covers(need))
      return i;
  return capacity_tree::npos;
}

} // namespace

TEST_CASE("find_first agrees with a linear search under updates") {
  std::mt19937_64 rng{3};
  for (std::size_t n : {0u, 1u, 2u, 3u, 7u, 64u, 1000u}) {
    CAPTURE(n);
    std::vector<amounts> xs;
    for (std::size_t i = 0; i < n; ++i)
      xs.push_back(of(static_cast<std::int64_t>(rng() % 16),
                      static_cast<std::int64_t>(rng() % 16)));
    capacity_tree t;
    t.assign(xs);
    CHECK(t.size() == n);
    for (int step = 0; step < 2000; ++step) {
      auto need = of(static_cast<std::int64_t>(rng() % 16),
                     static_cast<std::int64_t>(rng() % 16));
      auto from = n == 0 ? 0 : rng() % (n + 1);
      REQUIRE(t.find_first(from, need) == brute_first(xs, from, need));
      if (n > 0 && step % 3 == 0) {
        // Shrink or grow one entry, as placements (and tests) do.
        auto pos = rng() % n;
        xs[pos] = of(static_cast<std::int64_t>(rng() % 16),
                     static_cast<std::int64_t>(rng() % 16));
        t.update(pos, xs[pos]);
        REQUIRE(t.at(pos) == xs[pos]);
      }
    }
  }
}

TEST_CASE("per-dimension maxima do not fool the search") {
  // Neither offer alone has 4 cpus and 4 GB, though the maxima do.
  capacity_tree t;
  t.assign({of(8, 1), of(1, 8), of(2, 2), of(4, 4)});
  CHECK(t.find_first(0, of(4, 4)) == 3);
  CHECK(t.find_first(0, of(5, 5)) == capacity_tree::npos);
  CHECK(t.max() == of(8, 8));
  t.update(3, of(0, 0));
  CHECK(t.find_first(0, of(4, 4)) == capacity_tree::npos);
  CHECK(t.max() == of(8, 8));
}
