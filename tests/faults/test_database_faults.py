"""The database failing under parley while Meta-like load flows: its
backends killed, a pool of one connection, an immediate (crash) restart and
a long outage. The invariant after each is the one a kill -9 must leave:
every acknowledged message answered exactly once.

Short form in the test suite; tests/faults/run-long.sh runs these too, each
PARLEY_FAULT_SECONDS long."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from load import Load, seconds  # noqa: E402
from test_faults import FaultCase  # noqa: E402
from test_storage_outage import pg_ctl  # noqa: E402


def start_options(data_dir):
    sock = os.path.join(data_dir, "pg", "run")
    return ["-l", os.path.join(data_dir, "pg", "postgres.log"),
            "-o", "-c listen_addresses='' -c unix_socket_directories='%s'" % sock]


def cpu_seconds(pid):
    """User and system CPU time a process has used, from /proc."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class KilledBackends(FaultCase):
    def test_every_parley_backend_terminated_under_load(self):
        load = Load(self.parley, prefix="t").start()
        self.assertIsNotNone(self.graph.wait_texts(5))  # load is flowing
        rounds = killed = 0
        deadline = time.monotonic() + seconds(8)
        while time.monotonic() < deadline:
            rows = self.parley.sql(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'")
            killed += int(rows[0][0])
            rounds += 1
            time.sleep(1)  # load flows between the kills
        load.stop()
        print("\nbackends terminated: %d in %d rounds" % (killed, rounds))
        self.assertGreater(killed, rounds)  # parley's connections, every time
        self.assert_exactly_once(load)


class PoolOfOne(FaultCase):
    config_extra = dict(FaultCase.config_extra, db_pool=1, senders=1)

    def test_one_connection_serves_fifty_concurrent_webhooks(self):
        load = Load(self.parley, workers=50, rate=250, prefix="o").start()
        time.sleep(seconds(8))  # the length of the load
        load.stop()
        self.assertGreater(len(load.acked), 100)
        self.assert_exactly_once(load)


class CrashRestart(FaultCase):
    def test_postgresql_restarted_immediately_under_load(self):
        load = Load(self.parley, prefix="i").start()
        self.assertIsNotNone(self.graph.wait_texts(5))
        restarts = 0
        deadline = time.monotonic() + seconds(8)
        while time.monotonic() < deadline:
            # -m immediate: the server quits without a checkpoint, as in a
            # crash, and recovers from its WAL at the start.
            pg_ctl(self.data_dir, "-m", "immediate", *start_options(self.data_dir), "restart")
            restarts += 1
            time.sleep(2)
        load.stop()
        print("\nPostgreSQL restarted immediately %d times" % restarts)
        self.assert_exactly_once(load)


class LongOutage(FaultCase):
    def test_a_long_outage_is_503_throughout_without_a_busy_loop_then_recovers(self):
        load = Load(self.parley, prefix="l").start()
        self.assertIsNotNone(self.graph.wait_texts(5))
        pg_ctl(self.data_dir, "-m", "fast", "stop")
        down_from = time.monotonic()
        cpu_before = cpu_seconds(self.parley.proc.pid)
        time.sleep(seconds(10))  # the outage (PARLEY_FAULT_SECONDS in the long form)
        cpu_used = cpu_seconds(self.parley.proc.pid) - cpu_before
        down_until = time.monotonic()
        pg_ctl(self.data_dir, *start_options(self.data_dir), "start")
        load.stop()
        during = load.statuses_between(down_from, down_until)
        print("\noutage of %.0f s: %d webhooks refused, parley used %.2f s of CPU"
              % (down_until - down_from, len(during), cpu_used))
        self.assertIsNone(self.parley.proc.poll(), "parley stopped during the outage")
        self.assertIn(503, during)
        self.assertNotIn(200, during, "a webhook was acknowledged without storage")
        # Waiting, not spinning: well under half a core while refusing the
        # load's retries and reconnecting with back-off.
        self.assertLess(cpu_used, 0.5 * (down_until - down_from))
        self.assert_exactly_once(load)
        status, _ = self.parley.request("GET", "/health")
        self.assertEqual(status, 200)


if __name__ == "__main__":
    unittest.main()
