#include "scheduling/offer_matcher/capacity_tree.hpp"

#include <algorithm>

namespace outrigger::scheduling {

namespace {

// Padding leaves never fit anything.
amounts never() {
  amounts a;
  a.v.fill(-1);
  return a;
}

void merge(amounts& out, const amounts& a, const amounts& b) {
  for (std::size_t i = 0; i < out.v.size(); ++i)
    out.v[i] = std::max(a.v[i], b.v[i]);
}

} // namespace

void capacity_tree::assign(const std::vector<amounts>& leaves) {
  size_ = leaves.size();
  width_ = 1;
  while (width_ < size_)
    width_ *= 2;
  nodes_.assign(2 * width_, never());
  std::copy(leaves.begin(), leaves.end(),
            nodes_.begin() + static_cast<std::ptrdiff_t>(width_));
  for (auto i = width_ - 1; i >= 1; --i)
    merge(nodes_[i], nodes_[2 * i], nodes_[2 * i + 1]);
}

void capacity_tree::update(std::size_t pos, const amounts& value) {
  auto i = width_ + pos;
  nodes_[i] = value;
  // Stop as soon as a parent keeps its maxima: nothing above changes then
  // (the usual case: a placement shrinks an offer that was not the largest).
  for (i /= 2; i >= 1; i /= 2) {
    amounts merged;
    merge(merged, nodes_[2 * i], nodes_[2 * i + 1]);
    if (merged == nodes_[i])
      break;
    nodes_[i] = merged;
  }
}

std::size_t capacity_tree::find_first(std::size_t from,
                                      const amounts& need) const {
  if (from >= size_)
    return npos;
  auto i = width_ + from;
  if (nodes_[i].covers(need))
    return from;
  // Climb from the leaf to the first right sibling that may hold a fit,
  // descend to its leftmost fitting leaf; maxima are per dimension, so a
  // descent can end in a node where nothing fits: climb on from there.
  for (;;) {
    for (;;) {
      if (i == 1)
        return npos;
      if ((i & 1) == 0 && nodes_[i + 1].covers(need)) {
        ++i;
        break;
      }
      i /= 2;
    }
    while (i < width_) {
      if (nodes_[2 * i].covers(need))
        i = 2 * i;
      else if (nodes_[2 * i + 1].covers(need))
        i = 2 * i + 1;
      else
        break;
    }
    if (i >= width_)
      return i - width_;
  }
}

} // namespace outrigger::scheduling
