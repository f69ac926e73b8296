#define CAF_SUITE meta_rules
#include "protocol/meta_rules.hpp"

#define FAIL CAF_FAIL
#include <caf/test/unit_test.hpp>

using namespace parley;

namespace {

constexpr int64_t hour_ms = 3600 * 1000;
constexpr int64_t second_us = 1000000;

} // namespace

CAF_TEST(free text may go for 24 hours after the person last wrote and not after) {
  int64_t wrote = 1'700'000'000'000;
  CAF_CHECK(meta::window_open(wrote, wrote));
  CAF_CHECK(meta::window_open(wrote, wrote + 24 * hour_ms - 1));
  CAF_CHECK(!meta::window_open(wrote, wrote + 24 * hour_ms));
  CAF_CHECK(!meta::window_open(wrote, wrote + 30 * hour_ms));
  // Someone who never wrote has no window at all.
  CAF_CHECK(!meta::window_open(0, wrote));
}

CAF_TEST(each of the sending errors of Meta asks for its own remedy) {
  CAF_CHECK(meta::rule_of(131047) == meta::send_rule::window_closed);
  CAF_CHECK(meta::rule_of(130429) == meta::send_rule::number_throttled);
  CAF_CHECK(meta::rule_of(131056) == meta::send_rule::pair_paced);
  CAF_CHECK(meta::rule_of(131026) == meta::send_rule::none);
  CAF_CHECK(meta::rule_of(0) == meta::send_rule::none);
}

CAF_TEST(a number sends a seconds worth at once and then at its rate) {
  meta::number_rate rate;
  int64_t now = 50 * second_us;
  int went = 0;
  while (rate.reserve("n1", 80, now) == 0)
    ++went;
  CAF_CHECK_EQUAL(went, 80);
  // The next may go one interval (12.5 ms) later, not before.
  auto wait = rate.reserve("n1", 80, now);
  CAF_CHECK(wait > 0 && wait <= 12500);
  CAF_CHECK_EQUAL(rate.reserve("n1", 80, now + wait), 0);
  // Another number has its own budget.
  CAF_CHECK_EQUAL(rate.reserve("n2", 80, now), 0);
  // Over ten seconds no more than 80 a second go out (plus the first burst).
  int sent = 0;
  for (int64_t t = now; t < now + 10 * second_us; t += 1000)
    while (rate.reserve("n3", 80, t) == 0)
      ++sent;
  CAF_CHECK(sent <= 80 * 11);
  CAF_CHECK(sent >= 80 * 10);
}

CAF_TEST(a number held after 130429 sends nothing until the hold ends) {
  meta::number_rate rate;
  int64_t now = 10 * second_us;
  rate.hold("n1", now + 2 * second_us);
  CAF_CHECK_EQUAL(rate.reserve("n1", 80, now), 2 * second_us);
  CAF_CHECK_EQUAL(rate.reserve("n1", 80, now + second_us), second_us);
  CAF_CHECK_EQUAL(rate.reserve("n1", 80, now + 2 * second_us), 0);
  CAF_CHECK_EQUAL(rate.reserve("n2", 80, now), 0);
}
