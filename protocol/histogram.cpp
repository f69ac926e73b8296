#include "protocol/histogram.hpp"

#include <cstdio>

namespace parley {

void latency_histogram::observe_us(int64_t micros) {
  if (micros < 0)
    micros = 0;
  double seconds = static_cast<double>(micros) / 1e6;
  size_t i = 0;
  while (i < bounds.size() && seconds > bounds[i])
    ++i;
  buckets_[i]++;
  sum_us_ += static_cast<uint64_t>(micros);
  count_++;
}

std::string latency_histogram::text(const std::string& name, const std::string& labels) const {
  std::string out;
  auto with = [&](const std::string& le) {
    return "{" + labels + (labels.empty() ? "" : ",") + "le=\"" + le + "\"}";
  };
  uint64_t cumulative = 0;
  char bound[32];
  for (size_t i = 0; i < bounds.size(); ++i) {
    cumulative += buckets_[i].load();
    std::snprintf(bound, sizeof bound, "%g", bounds[i]);
    out += name + "_bucket" + with(bound) + " " + std::to_string(cumulative) + "\n";
  }
  cumulative += buckets_[bounds.size()].load();
  out += name + "_bucket" + with("+Inf") + " " + std::to_string(cumulative) + "\n";
  auto plain = labels.empty() ? std::string() : "{" + labels + "}";
  std::snprintf(bound, sizeof bound, "%.6f", static_cast<double>(sum_us_.load()) / 1e6);
  out += name + "_sum" + plain + " " + bound + "\n";
  // The +Inf bucket's sum, so that the two agree within one scrape.
  out += name + "_count" + plain + " " + std::to_string(cumulative) + "\n";
  return out;
}

} // namespace parley
