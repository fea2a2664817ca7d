#pragma once
// Reads Prometheus text exposition (0.0.4) as scraped from /metrics: sums of
// a family's samples and histogram quantiles, for the end-to-end benchmark.

#include <map>
#include <string>
#include <vector>

namespace outrigger::bench {

/// A histogram summed over its label sets.
struct histogram_view {
  std::vector<std::pair<double, double>> buckets; ///< (le, cumulative count)
  double count = 0;
  double sum = 0;
  /// The upper bound of the bucket holding quantile `q`.
  double quantile(double q) const;
};

/// A parsed scrape.
class metrics_text {
public:
  explicit metrics_text(const std::string& text);

  /// Sum of every sample named exactly `name` (all label sets).
  double sum(const std::string& name) const;

  /// The samples named `name` by their label text ("{...}" without braces).
  std::map<std::string, double> series(const std::string& name) const;

  /// The histogram family `name` (its _bucket, _sum and _count samples).
  histogram_view histogram(const std::string& name) const;

private:
  struct sample {
    std::string name, labels;
    double value = 0;
  };
  std::vector<sample> samples_;
};

} // namespace outrigger::bench
