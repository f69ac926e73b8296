// The workflow runner's questions to storage, against a real PostgreSQL:
// when it must look again for due events, and that it is told "never" when
// nothing is open (it then sleeps until a trigger wakes it).
#define CAF_SUITE workflow_store
#include <caf/test/unit_test.hpp>

#include "pg_cluster.hpp"

#include "storage/store.hpp"

using namespace parley;
using namespace parley::storage;

namespace {

struct fixture {
  fixture() : db(testing::shared_pg_cluster().pg->conninfo()), s(db_info()) {
    db.exec("TRUNCATE workflow_events CASCADE");
  }
  static std::string db_info() { return testing::shared_pg_cluster().pg->conninfo(); }
  connection db;
  store s;
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(workflow_store_tests, fixture)

// An idle parley must not poll: before, min(next_at) of no rows went through
// greatest(0, NULL), which is 0, and the runner looked again every 5 ms.
CAF_TEST(with no open event there is no next look) {
  CAF_CHECK(!s.next_workflow_due_ms({}).has_value());
  auto [id, fresh] = s.store_trigger("hook", "form", "notify", "", "{}");
  CAF_REQUIRE(fresh);
  // The only open event is under way: nothing else to wait for.
  CAF_CHECK(!s.next_workflow_due_ms({id}).has_value());
  db.exec("UPDATE workflow_events SET status = 'completed' WHERE id = $1", {num(id)});
  CAF_CHECK(!s.next_workflow_due_ms({}).has_value());
}

CAF_TEST(an open event is due now or after its wait) {
  auto [id, fresh] = s.store_trigger("hook", "form", "notify", "", "{}");
  CAF_REQUIRE(fresh);
  CAF_CHECK_EQUAL(s.next_workflow_due_ms({}).value_or(-1), 0);
  s.snooze_workflow_event(id, 60'000);
  auto wait = s.next_workflow_due_ms({}).value_or(-1);
  CAF_CHECK(wait > 0 && wait <= 60'000);
}

CAF_TEST_FIXTURE_SCOPE_END()
