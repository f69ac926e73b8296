"""Fault injection under load: nothing acknowledged is lost and nothing is
answered twice, through kill -9, a PostgreSQL outage and a failing Graph API.

Short form in the test suite; the long form is tests/faults/run-long.sh
(PARLEY_FAULT_SECONDS per scenario)."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from harness import ParleyTestCase  # noqa: E402
from load import Load, seconds, wait_for_replies  # noqa: E402
from test_storage_outage import pg_ctl  # noqa: E402


class FaultCase(ParleyTestCase):
    """Parley under a Meta-like load, with the fake Graph API calling back with
    status webhooks as Meta does."""
    llm_enabled = False
    # Meta's status webhooks arrive within this after a restart (the fake
    # posts them every 50 ms until parley answers).
    config_extra = {"send_in_doubt_ms": 10000, "send_max_attempts": 50}

    def setUp(self):
        super().setUp()
        self.graph.send_statuses(lambda payload: self.parley.post_webhook(payload)[0])

    def assert_exactly_once(self, load):
        counts = wait_for_replies(self.graph, load.acked, stall=180)
        missing = sorted(load.acked - set(counts))
        twice = sorted(t for t, n in counts.items() if n > 1)
        print("\n%s: %d acknowledged, %d answered, missing %d, twice %d"
              % (self.id().split(".")[-1], len(load.acked), len(counts), len(missing), len(twice)))
        if missing or twice:  # what parley said, to find out why
            print("".join(line for line in self.parley.log if " INFO " not in line)[-6000:])
        self.assertEqual(missing, [], "acknowledged but never answered")
        self.assertEqual(twice, [], "answered more than once")
        # Every message is retried until acknowledged, so every reply has one.
        self.assertEqual(set(counts), load.acked)


class Crashes(FaultCase):
    def test_kill_9_under_load_loses_nothing_and_answers_once(self):
        load = Load(self.parley, prefix="k").start()
        kills = 0
        deadline = time.monotonic() + seconds(8)
        while time.monotonic() < deadline:
            time.sleep(2)  # the period between crashes
            self.parley.kill9()
            kills += 1
            self.parley.start()
        load.stop()
        print("\nkill -9: %d times" % kills)
        self.assertGreaterEqual(kills, 3)
        self.assertGreater(len(load.acked), 20)
        self.assert_exactly_once(load)

    def test_postgresql_down_under_load_gets_503_never_200_and_loses_nothing(self):
        load = Load(self.parley, prefix="p").start()
        self.assertIsNotNone(self.graph.wait_texts(5))  # load is flowing
        outages = 0
        deadline = time.monotonic() + seconds(8)
        while time.monotonic() < deadline:
            pg_ctl(self.data_dir, "-m", "fast", "stop")
            down_from = time.monotonic()
            time.sleep(2)  # the outage itself
            down_until = time.monotonic()
            sock = os.path.join(self.data_dir, "pg", "run")
            pg_ctl(self.data_dir, "-l", os.path.join(self.data_dir, "pg", "postgres.log"),
                   "-o", "-c listen_addresses='' -c unix_socket_directories='%s'" % sock,
                   "start")
            outages += 1
            during = load.statuses_between(down_from, down_until)
            self.assertIn(503, during, "no webhook was refused while the database was down")
            self.assertNotIn(200, during, "a webhook was acknowledged without storage")
            time.sleep(1)  # load flows between outages
        load.stop()
        print("\nPostgreSQL stopped %d times" % outages)
        self.assert_exactly_once(load)
        status, _ = self.parley.request("GET", "/health")
        self.assertEqual(status, 200)


class FailingGraph(FaultCase):
    graph_options = {"fail_ratio": 0.3}
    # A reset after the request went out leaves the reply in doubt and holds
    # its chat (all of the load is one chat) until the hold ends; parley is
    # up, so a status would arrive within milliseconds.
    config_extra = dict(FaultCase.config_extra, send_in_doubt_ms=500)

    def test_30_percent_failed_sends_still_deliver_every_reply_once(self):
        load = Load(self.parley, prefix="g").start()
        time.sleep(seconds(8))  # the length of the load
        load.stop()
        self.assert_exactly_once(load)
        failures = list(self.graph.failures)
        print("\nGraph failures: %d (%s)" % (len(failures), ", ".join(
            "%s %d" % (k, failures.count(k)) for k in sorted(set(failures)))))
        self.assertGreater(len(failures), 10)
        self.assertEqual(set(failures), {"429", "500", "503", "reset"})


if __name__ == "__main__":
    unittest.main()
