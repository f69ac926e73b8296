#define CAF_SUITE connection_limits
#include "net/connection_limits.hpp"

#include <caf/test/unit_test.hpp>

using parley::net::connection_limits;
using parley::net::edge_counters;

CAF_TEST(at the cap the longest idle connection makes room and cannot start a request) {
  edge_counters counters;
  connection_limits limits(2, 10, counters);
  int closed_first = 0, closed_second = 0;
  auto first = limits.admit("10.0.0.1", [&] { ++closed_first; });
  auto second = limits.admit("10.0.0.2", [&] { ++closed_second; });
  limits.idle(second);
  limits.idle(first);  // second has been idle longer
  auto third = limits.admit("10.0.0.3", [] {});
  CAF_CHECK(third != 0);
  CAF_CHECK_EQUAL(closed_second, 1);
  CAF_CHECK_EQUAL(closed_first, 0);
  // Its bytes arriving now must not start a request: its close is on its way.
  CAF_CHECK(!limits.busy(second));
  CAF_CHECK(limits.busy(first));
  CAF_CHECK_EQUAL(counters.idle_evicted.load(), 1u);
  CAF_CHECK_EQUAL(counters.open.load(), 2u);
}

CAF_TEST(a connection with a request under way is never closed for room) {
  edge_counters counters;
  connection_limits limits(1, 10, counters);
  int closed = 0;
  auto busy = limits.admit("10.0.0.1", [&] { ++closed; });
  CAF_CHECK(limits.busy(busy));
  CAF_CHECK_EQUAL(limits.admit("10.0.0.2", [] {}), 0u);
  CAF_CHECK_EQUAL(closed, 0);
  CAF_CHECK_EQUAL(counters.refused_at_cap.load(), 1u);
  limits.release(busy);
  CAF_CHECK(limits.admit("10.0.0.2", [] {}) != 0);
}

CAF_TEST(one address holds at most its share and gets it back as it closes) {
  edge_counters counters;
  connection_limits limits(100, 2, counters);
  auto a = limits.admit("10.0.0.1", [] {});
  auto b = limits.admit("10.0.0.1", [] {});
  CAF_CHECK(a != 0 && b != 0);
  CAF_CHECK_EQUAL(limits.admit("10.0.0.1", [] {}), 0u);
  CAF_CHECK(limits.admit("10.0.0.9", [] {}) != 0);  // others are not affected
  CAF_CHECK_EQUAL(counters.refused_per_address.load(), 1u);
  limits.release(a);
  CAF_CHECK(limits.admit("10.0.0.1", [] {}) != 0);
}
