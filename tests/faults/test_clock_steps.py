"""The system clock stepped an hour forward and back (libfaketime on parley
and on its PostgreSQL, the monotonic clock left alone), as when a machine's
clock is corrected. In-doubt holds, back-offs and timeouts measure durations
on the monotonic clock, and an approval's time to live on parley's steady
wall clock, so under load nothing is lost or answered twice, and a pending
approval neither expires early nor lives longer."""

import datetime
import json
import os
import pwd
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from load import Load, seconds  # noqa: E402
from test_faults import FaultCase  # noqa: E402

LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
COUNTER = "#!/bin/sh\necho ran >> runs.txt\necho counted\n"


def pg_bin(tool):
    versions = sorted(os.listdir("/usr/lib/postgresql"))
    return "/usr/lib/postgresql/%s/bin/%s" % (versions[-1], tool)


def as_postgres(cmd, env=None):
    """Runs a PostgreSQL tool as the postgres user when we are root."""
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", "env"] + \
              ["%s=%s" % kv for kv in (env or {}).items()] + cmd
        env = None
    subprocess.run(cmd, check=True, capture_output=True, cwd="/",
                   env=dict(os.environ, **env) if env else None)


@unittest.skipUnless(os.path.exists(LIBFAKETIME), "libfaketime is not installed")
class ClockSteps(FaultCase):
    def prepare(self):
        self.offset_file = os.path.join(self.data_dir, "clock-offset")
        self.set_offset("+0")
        clock = {"LD_PRELOAD": LIBFAKETIME,
                 "FAKETIME_TIMESTAMP_FILE": self.offset_file,
                 "FAKETIME_CACHE_DURATION": "1",  # the file is read again every second
                 "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
        # parley's own PostgreSQL under the same clock: the embedded one
        # starts with a clean environment, so this one is started here.
        self.cluster = tempfile.mkdtemp(dir=self.tmp)
        os.chmod(self.cluster, 0o755)
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.cluster, user.pw_uid, user.pw_gid)
        data, self.socket_dir = os.path.join(self.cluster, "data"), os.path.join(self.cluster, "run")
        as_postgres(["mkdir", "-p", self.socket_dir])
        as_postgres([pg_bin("initdb"), "-D", data, "-U", "parley", "--auth=trust"])
        as_postgres([pg_bin("pg_ctl"), "-D", data, "-w", "-l", os.path.join(self.cluster, "log"),
                     "-o", "-c listen_addresses='' -c unix_socket_directories='%s'" % self.socket_dir,
                     "start"], env=clock)
        self.addCleanup(as_postgres, [pg_bin("pg_ctl"), "-D", data, "-w", "-m", "fast", "stop"])
        self.cluster_sql("CREATE DATABASE parley", db="postgres")
        self.config_extra = dict(self.config_extra,
                                 database_url="host=%s user=parley dbname=parley" % self.socket_dir)
        self.parley_env = clock
        # An owner's shell command that needs approval.
        self.workdir = tempfile.mkdtemp(dir=self.tmp)
        os.chmod(self.workdir, 0o777)
        with open(os.path.join(self.workdir, "count.sh"), "w") as f:
            f.write(COUNTER)
        os.chmod(os.path.join(self.workdir, "count.sh"), 0o755)
        self.tenant_extra = {"policy": "act_with_approval", "approval_ttl_s": 1800,
                             "shell": {"workdir": self.workdir, "timeout_ms": 5000}}

    def cluster_sql(self, query, db="parley"):
        out = subprocess.run(["psql", "-h", self.socket_dir, "-U", "parley", "-d", db,
                              "-AtX", "-c", query], capture_output=True, text=True, check=True)
        return out.stdout.strip()

    def set_offset(self, offset):
        with open(self.offset_file + ".new", "w") as f:
            f.write(offset + "\n")
        os.replace(self.offset_file + ".new", self.offset_file)

    def parley_ahead(self):
        """Seconds parley's wall clock reads ahead of the real one (/health)."""
        status, body = self.parley.request("GET", "/health")
        stamp = json.loads(body)["time"].replace("Z", "+00:00")
        return datetime.datetime.fromisoformat(stamp).timestamp() - time.time()

    def database_ahead(self):
        return float(self.cluster_sql("SELECT extract(epoch FROM clock_timestamp())")) - time.time()

    def step(self, offset, ahead):
        """Sets the clock `ahead` seconds from the real one and waits until
        parley and PostgreSQL both read it (libfaketime reads the file again
        every second)."""
        self.set_offset(offset)
        deadline = time.monotonic() + 30
        while not (abs(self.parley_ahead() - ahead) < 120 and abs(self.database_ahead() - ahead) < 120):
            self.assertLess(time.monotonic(), deadline, "the clock did not step")
            time.sleep(0.2)

    def test_an_hour_forward_and_back_under_load_loses_nothing_and_answers_once(self):
        load = Load(self.parley, prefix="c").start()
        self.assertIsNotNone(self.graph.wait_texts(5))  # load is flowing
        self.step("+1h", 3600)
        time.sleep(seconds(3))  # load flows an hour ahead
        self.step("+0", 0)      # and back an hour
        time.sleep(seconds(3))
        load.stop()
        self.assert_exactly_once(load)

    def test_a_pending_approval_survives_the_clock_jumping_past_its_expiry(self):
        self.say("shell: ./count.sh")
        sent = self.graph.wait_messages(1)
        self.assertIsNotNone(sent, "".join(self.parley.log))
        self.assertIn("Approval needed (1)", self.graph.body(sent[-1][1]))
        # Its 30 minutes are not over because the clock says an hour passed.
        self.step("+1h", 3600)
        self.say("ja 1")
        sent = self.graph.wait_messages(2)
        self.assertIsNotNone(sent, "".join(self.parley.log))
        self.assertIn("`./count.sh` exited with 0.", self.graph.body(sent[-1][1]))
        with open(os.path.join(self.workdir, "runs.txt")) as f:
            self.assertEqual(f.read().split(), ["ran"])


if __name__ == "__main__":
    unittest.main()
