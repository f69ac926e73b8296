"""A configuration with mistakes is refused with every mistake named:
`parley check-config` lists them all and exits 1, `serve` will not start."""

import json
import os
import subprocess
import tempfile
import unittest

from harness import BIN

MISTAKES = """{
  // two typos and an impossible value
  "lisen": "127.0.0.1:0",
  "tenants": [
    { "id": "ops", "owner": "31612345678", "brief_at": "25:00" },
    { "id": "friends", "relevance_treshold": 0.5 }
  ]
}"""


class CheckConfig(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def write(self, text):
        path = os.path.join(self.dir.name, "parley.json")
        with open(path, "w") as f:
            f.write(text)
        return path

    def run_parley(self, *args):
        return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=60,
                              cwd=self.dir.name)

    def test_check_config_prints_every_problem_with_its_key_and_exits_1(self):
        path = self.write(MISTAKES)
        out = self.run_parley("check-config", "--config", path)
        self.assertEqual(out.returncode, 1)
        self.assertIn("has 3 problems", out.stderr)
        self.assertIn("lisen: unknown key; did you mean listen?", out.stderr)
        self.assertIn("tenants[0].brief_at: must be HH:MM, got '25:00'", out.stderr)
        self.assertIn("tenants[1].relevance_treshold: unknown key; did you mean relevance_threshold?",
                      out.stderr)

    def test_check_config_accepts_a_good_file(self):
        path = self.write(json.dumps({"tenants": [{"id": "ops", "owner": "31612345678",
                                                   "timezone": "Europe/Amsterdam", "brief_at": "07:00"}]}))
        out = self.run_parley("check-config", "--config", path)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("OK, 1 tenant(s)", out.stdout)

    def test_the_example_configuration_passes(self):
        example = os.path.join(os.path.dirname(__file__), "..", "..", "deploy", "parley.example.json")
        out = self.run_parley("check-config", "--config", example)
        self.assertEqual(out.returncode, 0, out.stderr)

    def test_serve_refuses_to_start_on_a_misspelt_key(self):
        path = self.write(MISTAKES)
        out = self.run_parley("serve", "--config", path)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("relevance_treshold: unknown key", out.stderr + out.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.dir.name, "var")))  # nothing was started


if __name__ == "__main__":
    unittest.main()
