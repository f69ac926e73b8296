"""Read freely, write only with approval: `shell:` through a Meta webhook,
the approval asked in the chat, decided in the chat or over HTTP, run exactly
once and reported back; adversarial commands never run."""

import json
import os
import re
import stat
import tempfile
import threading
import unittest

from harness import ParleyTestCase, OWNER

COUNTER = """#!/bin/sh
echo ran >> runs.txt
echo "counted"
"""


class Approvals(ParleyTestCase):
    llm_enabled = False

    def prepare(self):
        self.workdir = tempfile.mkdtemp(dir=self.tmp)
        os.chmod(self.workdir, 0o777)
        script = os.path.join(self.workdir, "count.sh")
        with open(script, "w") as f:
            f.write(COUNTER)
        os.chmod(script, 0o755)
        self.tenant_extra = {"policy": "act_with_approval",
                             "shell": {"workdir": self.workdir, "timeout_ms": 5000}}

    def runs(self):
        path = os.path.join(self.workdir, "runs.txt")
        if not os.path.exists(path):
            return 0
        with open(path) as f:
            return len(f.read().split())

    def ask(self, text, count):
        self.say(text)
        texts = self.graph.wait_texts(count)
        self.assertIsNotNone(texts, "".join(self.parley.log))
        return texts[-1][1]["text"]["body"]

    def request_approval(self, count=1):
        reply = self.ask("shell: ./count.sh", count)
        m = re.search(r"Approval needed \((\d+)\)", reply)
        self.assertIsNotNone(m, reply)
        self.assertIn("./count.sh", reply)
        return int(m.group(1))

    def api(self, method, path, token="admin"):
        headers = {"Authorization": "Bearer " + token} if token else {}
        status, body = self.parley.request(method, path, headers=headers)
        return status, json.loads(body)

    def test_an_allowlisted_command_runs_at_once_and_its_output_comes_back(self):
        reply = self.ask("shell: uptime", 1)
        self.assertTrue(reply.startswith("`uptime` exited with 0."), reply)
        self.assertIn("load average", reply)

    def test_approval_in_the_chat_runs_the_command_once_and_reports_its_output(self):
        n = self.request_approval()
        self.assertEqual(self.runs(), 0, "nothing runs before the approval")
        reply = self.ask("ja %d" % n, 2)
        self.assertIn("`./count.sh` exited with 0.", reply)
        self.assertIn("counted", reply)
        again = self.ask("approve %d" % n, 3)
        self.assertIn("already decided (executed)", again)
        self.assertEqual(self.runs(), 1)
        audit = self.parley.sql("SELECT action, decision FROM audit ORDER BY id")
        self.assertIn(["request", "pending"], audit)
        self.assertIn(["approve", "approved"], audit)
        self.assertIn(["run", "executed"], audit)
        self.assertIn(["approve", "conflict"], audit)

    def test_a_bare_ja_approves_the_only_pending_request(self):
        self.request_approval()
        reply = self.ask("ja", 2)
        self.assertIn("counted", reply)
        self.assertEqual(self.runs(), 1)

    def test_denied_in_the_chat_never_runs(self):
        n = self.request_approval()
        reply = self.ask("nee %d" % n, 2)
        self.assertIn("Denied", reply)
        self.assertEqual(self.runs(), 0)

    def test_the_http_api_lists_decides_and_the_outcome_is_reported_in_the_chat(self):
        n = self.request_approval()
        status, _ = self.api("GET", "/api/approvals", token=None)
        self.assertEqual(status, 401)
        status, _ = self.api("GET", "/api/approvals", token="wrong")
        self.assertEqual(status, 401)
        status, body = self.api("GET", "/api/approvals?state=pending")
        self.assertEqual(status, 200)
        self.assertEqual([a["id"] for a in body["approvals"]], [n])
        self.assertEqual(body["approvals"][0]["arguments"], ["./count.sh"])
        self.assertEqual(body["approvals"][0]["requested_by"], OWNER)
        status, _ = self.api("GET", "/api/approvals/999999")
        self.assertEqual(status, 404)
        status, body = self.api("POST", "/api/approvals/%d/approve" % n)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["state"], "executed")
        texts = self.graph.wait_texts(2)  # the report reaches the owner's chat
        self.assertIn("counted", texts[1][1]["text"]["body"])
        status, body = self.api("POST", "/api/approvals/%d/deny" % n)
        self.assertEqual(status, 409)
        self.assertEqual(body["error"], "already_decided")
        status, body = self.api("GET", "/api/approvals/%d" % n)
        self.assertEqual((body["state"], body["decided_via"]), ("executed", "http"))
        self.assertEqual(self.runs(), 1)

    def test_approvals_arriving_at_once_through_the_chat_and_http_run_once(self):
        n = self.request_approval()
        results = {}
        http = threading.Thread(target=lambda: results.update(
            http=self.api("POST", "/api/approvals/%d/approve" % n)[0]))
        http.start()
        self.say("ja %d" % n)
        http.join(60)
        self.assertIsNotNone(self.graph.wait_texts(3))  # chat answer + one report
        self.assertIn(results["http"], (200, 409))
        self.assertEqual(self.runs(), 1)

    def test_a_strangers_ja_changes_nothing(self):
        n = self.request_approval()
        self.say("ja %d" % n, sender="31699999999")
        self.parley.wait_sql("SELECT count(*) FROM runs WHERE path = 'ignored'",
                             lambda rows: rows[0][0] == "1")
        status, body = self.api("GET", "/api/approvals/%d" % n)
        self.assertEqual(body["state"], "pending")
        self.assertEqual(self.runs(), 0)

    def test_an_expired_approval_never_runs(self):
        n = self.request_approval()
        self.parley.sql("UPDATE approvals SET expires_at = now() - interval '1 second'"
                        " WHERE id = %d" % n)
        reply = self.ask("ja %d" % n, 2)
        self.assertIn("has expired; nothing was run", reply)
        status, body = self.api("POST", "/api/approvals/%d/approve" % n)
        self.assertEqual((status, body["error"]), (409, "expired"))
        self.assertEqual(self.runs(), 0)

    def test_adversarial_commands_are_refused_and_nothing_runs(self):
        cases = ["git status; ./count.sh", "uptime && ./count.sh", "$(./count.sh)",
                 "uptime `./count.sh`", "uptime\n./count.sh", "rm  -r'f' /",
                 "/bin/rm -rf /", "sudo ./count.sh", "sh -c ./count.sh",
                 "upt\u0456me"]
        for i, line in enumerate(cases, start=1):
            reply = self.ask("shell: " + line, i)
            self.assertTrue(reply.startswith("Not run:"), (line, reply))
        self.assertEqual(self.runs(), 0)
        self.assertEqual(self.parley.sql("SELECT count(*) FROM approvals"), [["0"]])


class ObserveMode(ParleyTestCase):
    llm_enabled = False
    tenant_extra = {"policy": "observe", "shell": {"workdir": "/tmp"}}

    def test_observe_runs_reads_but_never_asks_to_write(self):
        self.say("shell: uptime")
        self.say("shell: touch /tmp/parley-observe-probe")
        texts = self.graph.wait_texts(2)
        self.assertIn("exited with 0", texts[0][1]["text"]["body"])
        self.assertIn("policy of this tenant is observe", texts[1][1]["text"]["body"])
        self.assertFalse(os.path.exists("/tmp/parley-observe-probe"))


class NoShell(ParleyTestCase):
    llm_enabled = False

    def test_a_tenant_without_a_shell_block_has_no_shell(self):
        self.say("shell: uptime")
        texts = self.graph.wait_texts(1)
        self.assertIn("no shell connector", texts[0][1]["text"]["body"])


if __name__ == "__main__":
    unittest.main()
