"""The command line a person uses: `parley chat` beside a running serve, and
`parley replay` posting signed payload files."""

import json
import os
import subprocess
import unittest

from harness import BIN, FIXTURES, ParleyTestCase


class Cli(ParleyTestCase):
    llm_enabled = False

    def test_chat_answers_commands_in_the_terminal_without_sending_to_meta(self):
        out = subprocess.run([BIN, "chat", "--config", self.parley.config_path],
                             input="help\ntaak: bel accountant\ntaken\nklaar 1\nwhat now?\n",
                             capture_output=True, text=True, timeout=120, env=self.parley.environment())
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("parley> What I can do without AI", out.stdout)
        self.assertIn("parley> Task 1 added: bel accountant", out.stdout)
        self.assertIn("parley> Open tasks:\n1. bel accountant", out.stdout)
        self.assertIn("parley> Task 1 done: bel accountant", out.stdout)
        self.assertIn("No language model is configured", out.stdout)
        self.assertEqual(self.graph.requests, [])
        # The running serve kept its database: it still answers.
        self.say("taken")
        self.assertIsNotNone(self.graph.wait_texts(1))

    def test_replay_signs_and_posts_payload_files(self):
        path = os.path.join(FIXTURES, "meta", "status_read.json")
        out = subprocess.run([BIN, "replay", "--config", self.parley.config_path, path, "/nonexistent.json"],
                             capture_output=True, text=True, timeout=60, env=self.parley.environment())
        self.assertEqual(out.returncode, 1)  # the missing file is reported
        self.assertIn("status_read.json: 200", out.stdout)
        self.assertIn("cannot read /nonexistent.json", out.stderr)
        self.assertEqual(self.parley.sql("SELECT kind FROM events"), [["status"]])


if __name__ == "__main__":
    unittest.main()
