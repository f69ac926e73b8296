#define CAF_SUITE connector
#include "actors/connectors/connector.hpp"

#define FAIL CAF_FAIL
#include <caf/test/dsl.hpp>

using namespace parley;

namespace {

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<int> reads = std::make_shared<int>(0);
  std::shared_ptr<bool> failing = std::make_shared<bool>(false);
  std::shared_ptr<connector_board> board = std::make_shared<connector_board>();

  connector_actor start(std::chrono::seconds cache) {
    auto reads = this->reads;
    auto failing = this->failing;
    source_factory make = [=] {
      return [=](const std::string& topic, const std::string& date) {
        ++*reads;
        connector_report r;
        r.status = *failing ? "failing" : "ok";
        r.error = *failing ? "the server failed (HTTP 503)" : "";
        r.lines = {topic + " " + date};
        return r;
      };
    };
    return sys.spawn(connector, std::string("ops"), std::string("weather"), make, cache, board);
  }

  connector_report ask(const connector_actor& c, const std::string& date) {
    connector_report out;
    auto rh = self->request(c, caf::infinite, atom::summary_v, std::string("weather"), date);
    run();
    rh.receive([&](const connector_report& r) { out = r; },
               [&](caf::error& err) { CAF_FAIL("unexpected error: " << err); });
    return out;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(connector_tests, fixture)

CAF_TEST(a burst of the same question reads the source once) {
  auto c = start(std::chrono::seconds(60));
  for (int i = 0; i < 10; ++i) {
    auto r = ask(c, "2026-12-01");
    CAF_CHECK_EQUAL(r.lines.at(0), "weather 2026-12-01");
  }
  CAF_CHECK_EQUAL(*reads, 1);
  ask(c, "2026-12-02");  // another day is another question
  CAF_CHECK_EQUAL(*reads, 2);
  auto all = board->snapshot();
  auto health = all["ops"]["weather"];
  CAF_CHECK_EQUAL(health.status, "ok");
  CAF_CHECK(health.last_success_ms > 0);
}

CAF_TEST(a failure is remembered briefly so a burst does not hammer the server) {
  *failing = true;
  auto c = start(std::chrono::seconds(60));
  for (int i = 0; i < 5; ++i) {
    auto r = ask(c, "2026-12-01");
    CAF_CHECK_EQUAL(r.status, "failing");
  }
  CAF_CHECK_EQUAL(*reads, 1);
  auto all = board->snapshot();
  auto health = all["ops"]["weather"];
  CAF_CHECK_EQUAL(health.status, "failing");
  CAF_CHECK_EQUAL(health.error, "the server failed (HTTP 503)");
  CAF_CHECK_EQUAL(health.last_success_ms, 0);
}

CAF_TEST(without a cache every question reads the source) {
  auto c = start(std::chrono::seconds(0));
  ask(c, "2026-12-01");
  ask(c, "2026-12-01");
  CAF_CHECK_EQUAL(*reads, 2);
}

CAF_TEST_FIXTURE_SCOPE_END()
