"""Never a 200 without storage: while PostgreSQL is down webhooks get 503 (Meta
retries), and parley reconnects by itself when it is back."""

import json
import os
import subprocess
import unittest

from harness import ParleyTestCase, text_webhook


def pg_ctl(data_dir, *args):
    pgdata = os.path.join(data_dir, "pg", "data")
    bins = sorted(d for d in os.listdir("/usr/lib/postgresql"))
    tool = "/usr/lib/postgresql/%s/bin/pg_ctl" % bins[-1]
    cmd = [tool, "-D", pgdata, "-w"] + list(args)
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    subprocess.run(cmd, check=True, capture_output=True, cwd="/")


class StorageOutage(ParleyTestCase):
    llm_enabled = False

    def test_webhooks_get_503_while_the_database_is_down_and_200_after(self):
        self.say("taken")
        self.assertIsNotNone(self.graph.wait_texts(1))
        pg_ctl(self.data_dir, "-m", "fast", "stop")
        try:
            status, data = self.parley.post_webhook(text_webhook("help", "wamid.down"))
            self.assertEqual(status, 503)
            self.assertEqual(json.loads(data)["error"], "storage_unavailable")
            status, _ = self.parley.request("GET", "/health")
            self.assertEqual(status, 503)
        finally:
            sock = os.path.join(self.data_dir, "pg", "run")
            pg_ctl(self.data_dir, "-l", os.path.join(self.data_dir, "pg", "postgres.log"),
                   "-o", "-c listen_addresses='' -c unix_socket_directories='%s'" % sock,
                   "start")
        # Meta's retry of the same delivery is stored and answered once.
        status, data = self.parley.post_webhook(text_webhook("help", "wamid.down"))
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(data)["stored"], 1)
        texts = self.graph.wait_texts(2)
        self.assertIn("What I can do", texts[1][1]["text"]["body"])


if __name__ == "__main__":
    unittest.main()
