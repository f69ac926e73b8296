"""The embedded PostgreSQL comes back after the machine (or container) died
under it: a postmaster.pid left behind never keeps parley from starting."""

import os
import signal
import subprocess
import time
import unittest

from harness import ParleyTestCase


class EmbeddedCluster(ParleyTestCase):
    llm_enabled = False

    def pid_file(self):
        return os.path.join(self.data_dir, "pg", "data", "postmaster.pid")

    def answered(self, text, count):
        self.say(text)
        texts = self.graph.wait_texts(count)
        self.assertIsNotNone(texts, "".join(self.parley.log))
        return texts[-1][1]["text"]["body"]

    def test_a_postmaster_pid_naming_a_live_process_that_is_not_postgres_is_replaced(self):
        self.assertIn("Task 1 added", self.answered("taak: voor de stroomstoring", 1))
        with open(self.pid_file()) as f:
            lines = f.read().split("\n")
        self.parley.stop()  # a clean stop removes the file; put it back as a crash leaves it
        self.assertFalse(os.path.exists(self.pid_file()))
        # The PID now belongs to someone else, owned by the cluster's own user
        # (postgres when the tests run as root), so PostgreSQL sees it alive.
        owner = {"user": "postgres"} if os.geteuid() == 0 else {}
        squatter = subprocess.Popen(["sleep", "600"], **owner)
        try:
            lines[0] = str(squatter.pid)
            with open(self.pid_file(), "w") as f:
                f.write("\n".join(lines))
            self.parley.start()
            self.assertIn("voor de stroomstoring", self.answered("taken", 2))
            self.assertTrue(any("stale postmaster.pid" in line for line in self.parley.log))
            self.assertIsNone(squatter.poll(), "the unrelated process is left alone")
        finally:
            squatter.kill()
            squatter.wait()

    def test_after_parley_and_postgresql_die_together_both_come_back_with_the_data(self):
        self.assertIn("Task 1 added", self.answered("taak: na de crash", 1))
        with open(self.pid_file()) as f:
            postmaster = int(f.readline())
        children = subprocess.run(["pgrep", "-P", str(postmaster)],
                                  capture_output=True, text=True).stdout.split()
        self.parley.kill9()
        for pid in [postmaster] + [int(c) for c in children]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while os.path.exists("/proc/%d" % postmaster) and time.monotonic() < deadline:
            time.sleep(0.05)  # reaped by init; no signal exists for another's child
        self.assertTrue(os.path.exists(self.pid_file()), "the crash leaves the file behind")
        self.parley.start()
        self.assertIn("na de crash", self.answered("taken", 2))


if __name__ == "__main__":
    unittest.main()
