#include "bench/e2e/metrics_text.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <sstream>

namespace outrigger::bench {

metrics_text::metrics_text(const std::string& text) {
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#')
      continue;
    sample s;
    auto brace = line.find('{');
    auto space = line.rfind(' ');
    if (space == std::string::npos)
      continue;
    if (brace != std::string::npos && brace < space) {
      auto close = line.find('}', brace);
      s.name = line.substr(0, brace);
      s.labels = line.substr(brace + 1, close - brace - 1);
    } else {
      s.name = line.substr(0, space);
    }
    auto v = line.substr(space + 1);
    s.value = v == "+Inf" ? std::numeric_limits<double>::infinity()
                          : std::strtod(v.c_str(), nullptr);
    samples_.push_back(std::move(s));
  }
}

double metrics_text::sum(const std::string& name) const {
  double out = 0;
  for (auto& s : samples_)
    if (s.name == name)
      out += s.value;
  return out;
}

std::map<std::string, double>
metrics_text::series(const std::string& name) const {
  std::map<std::string, double> out;
  for (auto& s : samples_)
    if (s.name == name)
      out[s.labels] += s.value;
  return out;
}

histogram_view metrics_text::histogram(const std::string& name) const {
  histogram_view h;
  std::map<double, double> by_le;
  for (auto& s : samples_) {
    if (s.name == name + "_count")
      h.count += s.value;
    else if (s.name == name + "_sum")
      h.sum += s.value;
    else if (s.name == name + "_bucket") {
      auto at = s.labels.find("le=\"");
      if (at == std::string::npos)
        continue;
      auto text = s.labels.substr(at + 4, s.labels.find('"', at + 4) - at - 4);
      double le = text == "+Inf" ? std::numeric_limits<double>::infinity()
                                 : std::strtod(text.c_str(), nullptr);
      by_le[le] += s.value;
    }
  }
  h.buckets.assign(by_le.begin(), by_le.end());
  return h;
}

double histogram_view::quantile(double q) const {
  for (auto& [le, n] : buckets)
    if (n >= q * count)
      return le;
  return std::numeric_limits<double>::infinity();
}

} // namespace outrigger::bench
