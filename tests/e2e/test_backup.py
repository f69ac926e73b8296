"""`parley backup FILE` and `parley restore FILE`: a conversation, a task and
a pending approval survive the round trip into a fresh data directory, where
the approval can still be approved once; a restore refuses to run under a
running service; a failed backup leaves no file and a bad dump changes
nothing."""

import json
import os
import subprocess
import tempfile
import unittest

from harness import BIN, OWNER, Parley
from test_approvals import ShellWorkdir


class BackupRestore(ShellWorkdir):
    llm_enabled = False

    def cli(self, parley, *args):
        return subprocess.run([BIN, *args, "--config", parley.config_path],
                              capture_output=True, text=True, timeout=120,
                              env=parley.environment())

    def fresh_parley(self):
        data_dir = tempfile.mkdtemp(dir=self.tmp)
        os.chmod(data_dir, 0o755)
        return Parley(data_dir, self.graph, None, tenant_extra=self.tenant_extra)

    def test_a_conversation_a_task_and_an_approval_round_trip(self):
        self.say("taak: bel de boekhouder")
        self.assertIn("bel de boekhouder", self.reply(1))
        self.say("shell: ./count.sh")
        n = self.approval_in(2)
        # The backup is taken once both replies are recorded as sent: a row
        # still in flight when pg_dump reads it is, after a restore, sent
        # again (the restored database cannot know it arrived).
        self.parley.wait_sql("SELECT count(*) FROM outbox WHERE state <> 'sent'",
                             lambda rows: rows == [["0"]])
        dump = os.path.join(self.tmp, "parley.backup")

        # A backup while the service runs.
        out = self.cli(self.parley, "backup", dump)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertTrue(os.path.getsize(dump) > 0)
        self.assertFalse(os.path.exists(dump + ".partial"))
        # A restore under a running service is refused.
        out = self.cli(self.parley, "restore", dump)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("another parley serve is running", out.stderr)
        self.parley.stop()

        other = self.fresh_parley()
        out = self.cli(other, "restore", dump)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.parley = other.start()  # tearDown stops it
        self.assertEqual(self.parley.sql("SELECT title FROM tasks WHERE chat = '%s'" % OWNER),
                         [["bel de boekhouder"]])
        self.assertEqual(self.parley.sql("SELECT count(*) FROM conversations WHERE chat = '%s'"
                                         % OWNER), [["1"]])
        status, body = self.api("GET", "/api/approvals/%d" % n)
        self.assertEqual(status, 200, body)
        self.assertEqual((body["state"], body["arguments"]), ("pending", ["./count.sh"]))
        # The restored approval is approved once, and the command runs once.
        status, body = self.api("POST", "/api/approvals/%d/approve" % n)
        self.assertEqual((status, body["state"]), (200, "executed"))
        self.assertIn("counted", self.reply(3))
        self.assertEqual(self.runs(), 1)

    def test_a_failed_backup_leaves_no_file_and_a_bad_dump_changes_nothing(self):
        self.say("taak: water de planten")
        self.reply(1)
        target = os.path.join(self.tmp, "no-such-dir", "parley.backup")
        out = self.cli(self.parley, "backup", target)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("no backup written", out.stderr)
        self.assertFalse(os.path.exists(target))
        self.assertFalse(os.path.exists(target + ".partial"))
        self.parley.stop()
        garbage = os.path.join(self.tmp, "garbage.backup")
        with open(garbage, "wb") as f:
            f.write(b"this is not a dump")
        out = self.cli(self.parley, "restore", garbage)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("the database is as it was", out.stderr)
        self.parley.start()
        self.assertEqual(self.parley.sql("SELECT title FROM tasks"), [["water de planten"]])


if __name__ == "__main__":
    unittest.main()
