"""The system clock stepped an hour forward and back under load (libfaketime
on parley; its embedded PostgreSQL starts with a clean environment and keeps
the real time; the monotonic clock is left alone): the
in-doubt holds, back-offs and timeouts measure durations on the monotonic
clock, so nothing acknowledged is lost and nothing is answered twice."""

import datetime
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from load import Load, seconds  # noqa: E402
from test_faults import FaultCase  # noqa: E402

LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


@unittest.skipUnless(os.path.exists(LIBFAKETIME), "libfaketime is not installed")
class ClockSteps(FaultCase):
    def prepare(self):
        self.offset_file = os.path.join(self.data_dir, "clock-offset")
        self.set_offset("+0")
        self.parley_env = {"LD_PRELOAD": LIBFAKETIME,
                           "FAKETIME_TIMESTAMP_FILE": self.offset_file,
                           "FAKETIME_CACHE_DURATION": "1",  # re-read every second
                           "FAKETIME_DONT_FAKE_MONOTONIC": "1"}

    def set_offset(self, offset):
        with open(self.offset_file + ".new", "w") as f:
            f.write(offset + "\n")
        os.replace(self.offset_file + ".new", self.offset_file)

    def clock_ahead(self):
        """How far ahead of the real clock parley reads the time (its /health
        says), in seconds."""
        status, body = self.parley.request("GET", "/health")
        stamp = json.loads(body)["time"].replace("Z", "+00:00")
        return datetime.datetime.fromisoformat(stamp).timestamp() - time.time()

    def test_an_hour_forward_and_back_under_load_loses_nothing_and_answers_once(self):
        load = Load(self.parley, prefix="c").start()
        self.assertIsNotNone(self.graph.wait_texts(5))  # load is flowing
        self.set_offset("+1h")
        time.sleep(seconds(4))  # load flows an hour ahead
        ahead = self.clock_ahead()
        self.set_offset("+0")  # and back an hour
        time.sleep(seconds(4))
        behind = self.clock_ahead()
        load.stop()
        print("\nthe clock read %.0f s ahead, then %.0f s" % (ahead, behind))
        self.assertGreater(ahead, 3500)  # the step took effect
        self.assertLess(abs(behind), 100)
        self.assert_exactly_once(load)


if __name__ == "__main__":
    unittest.main()
