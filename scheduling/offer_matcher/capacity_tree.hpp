#pragma once
// A max-segment tree over a list of offers: each node holds, per resource
// dimension, the largest amount below it. "The first offer at or after
// position p that can hold this task" then skips whole ranges of offers
// that are too small in some dimension, so a task group finds its next
// offer in about log(offers) steps instead of scanning them all.

#include "scheduling/offer_matcher/held_offer.hpp"

#include <cstdint>
#include <vector>

namespace outrigger::scheduling {

/// Per-dimension maxima over positions [0, size).
class capacity_tree {
public:
  /// Sentinel of find_first: no position fits.
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  /// Builds the tree over `leaves`.
  void assign(const std::vector<amounts>& leaves);

  /// Number of positions.
  std::size_t size() const noexcept { return size_; }

  /// Sets the amounts at `pos`.
  void update(std::size_t pos, const amounts& value);

  /// The amounts at `pos`.
  const amounts& at(std::size_t pos) const noexcept {
    return nodes_[width_ + pos];
  }

  /// The first position >= `from` whose amounts cover `need`, or npos.
  std::size_t find_first(std::size_t from, const amounts& need) const;

  /// Per-dimension maxima over all positions.
  const amounts& max() const noexcept { return nodes_[1]; }

private:
  std::size_t size_ = 0;
  std::size_t width_ = 1; // leaves start here (a power of two)
  std::vector<amounts> nodes_;
};

} // namespace outrigger::scheduling
