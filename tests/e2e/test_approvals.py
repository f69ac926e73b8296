"""Read freely, write only with approval: `shell:` through a Meta webhook,
the approval asked in the chat, decided in the chat or over HTTP, run exactly
once and reported back; adversarial commands never run."""

import json
import os
import re
import stat
import subprocess
import tempfile
import threading
import unittest

from harness import BIN, ParleyTestCase, OWNER, button_reply_webhook, completion, tool_call_completion

COUNTER = """#!/bin/sh
echo ran >> runs.txt
echo "counted"
"""


class ShellWorkdir(ParleyTestCase):
    """A tenant in act_with_approval with a shell whose workdir holds
    count.sh, which records each run."""

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
        return self.reply(count)

    def reply(self, count):
        """The body of the count-th message parley sent."""
        sent = self.graph.wait_messages(count)
        self.assertIsNotNone(sent, "".join(self.parley.log))
        return self.graph.body(sent[-1][1])

    def approval_in(self, count):
        """The approval asked for in the count-th message: it names the
        command and carries Approve / Deny buttons."""
        sent = self.graph.wait_messages(count)
        self.assertIsNotNone(sent, "".join(self.parley.log))
        message = sent[-1][1]
        m = re.search(r"Approval needed \((\d+)\)", self.graph.body(message))
        self.assertIsNotNone(m, message)
        self.assertIn("./count.sh", self.graph.body(message))
        n = int(m.group(1))
        self.assertEqual(message["type"], "interactive")
        buttons = message["interactive"]["action"]["buttons"]
        self.assertEqual([(b["reply"]["id"], b["reply"]["title"]) for b in buttons],
                         [("approve:%d" % n, "Approve"), ("deny:%d" % n, "Deny")])
        return n

    def api(self, method, path, token="admin"):
        headers = {"Authorization": "Bearer " + token} if token else {}
        status, body = self.parley.request(method, path, headers=headers)
        return status, json.loads(body)


class Approvals(ShellWorkdir):
    llm_enabled = False

    def request_approval(self, count=1):
        self.say("shell: ./count.sh")
        return self.approval_in(count)

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

    def test_parley_chat_asks_approves_and_shows_the_output(self):
        out = subprocess.run([BIN, "chat", "--config", self.parley.config_path],
                             input="shell: ./count.sh\nja\nja 1\nshell: uptime; ./count.sh\n",
                             capture_output=True, text=True, timeout=120,
                             env=self.parley.environment())
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("parley> Approval needed (1): I want to run:\n```./count.sh```", out.stdout)
        self.assertIn("parley> `./count.sh` exited with 0.", out.stdout)
        self.assertIn("counted", out.stdout)
        self.assertIn("parley> Approval 1 was already decided (executed).", out.stdout)
        self.assertIn("parley> Not run: `uptime; ./count.sh`", out.stdout)
        self.assertEqual(self.runs(), 1)
        self.assertEqual(self.graph.requests, [])

    def test_the_approve_button_runs_the_command_once(self):
        n = self.request_approval()
        self.post(button_reply_webhook("approve:%d" % n, "Approve", self.next_id(),
                                       "wamid.out.1"))
        self.assertIn("counted", self.reply(2))
        self.post(button_reply_webhook("approve:%d" % n, "Approve", self.next_id(),
                                       "wamid.out.1"))
        self.assertIn("already decided (executed)", self.reply(3))
        self.assertEqual(self.runs(), 1)
        status, body = self.api("GET", "/api/approvals/%d" % n)
        self.assertEqual((body["state"], body["decided_via"]), ("executed", "button"))

    def test_the_deny_button_refuses(self):
        n = self.request_approval()
        self.post(button_reply_webhook("deny:%d" % n, "Deny", self.next_id(), "wamid.out.1"))
        self.assertIn("Denied", self.reply(2))
        self.assertEqual(self.runs(), 0)

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
        self.assertIn("counted", self.reply(2))  # the report reaches the owner's chat
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
        self.assertIn(results["http"], (200, 409))
        # HTTP first: its report goes to the chat, and the chat's "ja" hears it
        # was already decided. The chat first: its answer is the report, and
        # HTTP gets 409. Either way the prompt, then one or two messages.
        expected = 3 if results["http"] == 200 else 2
        self.assertIsNotNone(self.graph.wait_messages(expected))
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


class ToolCalls(ShellWorkdir):
    """The model's run_shell calls pass the same gate as `shell:`."""

    def test_an_allowlisted_call_runs_and_its_output_goes_back_to_the_model(self):
        self.llm.script = [(200, tool_call_completion("run_shell", {"command": "uptime"})),
                           (200, completion("The server has been up **a while**."))]
        reply = self.ask("how long has the server been up?", 1)
        self.assertEqual(reply, "The server has been up *a while*.")
        requests = self.llm.wait_requests(2)
        first, second = requests[0][2], requests[1][2]
        self.assertEqual([t["function"]["name"] for t in first["tools"]],
                         ["tasks", "run_shell", "context_abstracts", "context_overview",
                          "context_read", "context_search", "save_idea"])
        # The loop goes on: the result is its own tool message, tools still offered.
        self.assertEqual(second["messages"][-1]["role"], "tool")
        self.assertIn("tools", second)
        tool = [m for m in second["messages"] if m["role"] == "tool"]
        self.assertEqual(len(tool), 1)
        self.assertIn("load average", tool[0]["content"])

    def test_a_call_that_needs_approval_asks_the_owner_and_runs_once(self):
        self.llm.script = [(200, tool_call_completion("run_shell", {"command": "./count.sh"}))]
        self.say("please run the counter")
        n = self.approval_in(1)
        self.assertEqual(self.runs(), 0)
        self.post(button_reply_webhook("approve:%d" % n, "Approve", self.next_id(),
                                       "wamid.out.1"))
        self.assertIn("counted", self.reply(2))
        self.assertEqual(self.runs(), 1)

    def test_a_destructive_call_is_refused_and_nothing_runs(self):
        self.llm.script = [(200, tool_call_completion("run_shell", {"command": "rm -rf ."}))]
        reply = self.ask("clean up the workdir", 1)
        self.assertTrue(reply.startswith("Not run:"), reply)
        self.assertTrue(os.path.exists(os.path.join(self.workdir, "count.sh")))
        self.assertEqual(self.parley.sql("SELECT count(*) FROM approvals"), [["0"]])



class StrangerOnABusinessTenant(ShellWorkdir):

    def prepare(self):
        super().prepare()
        self.tenant_extra = dict(self.tenant_extra, kind="business")

    def test_a_stranger_is_never_offered_the_shell(self):
        self.say("run ./count.sh for me", sender="31699999999")
        requests = self.llm.wait_requests(1)
        self.assertNotIn("tools", requests[0][2])
        self.assertIsNotNone(self.graph.wait_messages(1))
        self.assertEqual(self.runs(), 0)


class ObserveMode(ParleyTestCase):
    llm_enabled = False
    tenant_extra = {"policy": "observe", "shell": {"workdir": "/tmp"}}

    def test_observe_runs_reads_and_records_every_reply_without_sending(self):
        self.say("shell: uptime")
        self.say("shell: touch /tmp/parley-observe-probe")
        self.say("taak: bel accountant")
        rows = self.parley.wait_sql(
            "SELECT replace(body, E'\\n', ' ') FROM outbox WHERE state = 'recorded'"
            " ORDER BY id",
            lambda rows: len(rows) == 3)
        self.assertIn("exited with 0", rows[0][0])
        self.assertIn("policy of this tenant is observe", rows[1][0])
        self.assertIn("bel accountant", rows[2][0])
        self.assertFalse(os.path.exists("/tmp/parley-observe-probe"))
        self.assertEqual(self.graph.requests, [])  # not even a read receipt
        self.assertEqual(self.parley.sql("SELECT count(*) FROM outbox WHERE state <> 'recorded'"),
                         [["0"]])


class DraftMode(ParleyTestCase):
    llm_enabled = False
    tenant_extra = {"policy": "draft"}

    def api(self, method, path, token="admin"):
        headers = {"Authorization": "Bearer " + token} if token else {}
        status, body = self.parley.request(method, path, headers=headers)
        return status, json.loads(body)

    def test_drafts_wait_for_the_owner_and_are_sent_or_discarded_once(self):
        self.say("taak: bel accountant")
        self.say("taken")
        self.parley.wait_sql("SELECT count(*) FROM outbox WHERE state = 'draft'",
                             lambda rows: rows[0][0] == "2")
        status, _ = self.api("GET", "/api/drafts", token=None)
        self.assertEqual(status, 401)
        status, body = self.api("GET", "/api/drafts?tenant=ops")
        self.assertEqual(status, 200, body)
        drafts = body["drafts"]
        self.assertEqual(len(drafts), 2)
        self.assertIn("bel accountant", drafts[0]["body"])
        self.assertEqual(drafts[0]["recipient"], OWNER)
        first, second = drafts[0]["id"], drafts[1]["id"]
        status, body = self.api("POST", "/api/drafts/%d/discard" % second)
        self.assertEqual((status, body["state"]), (200, "discarded"))
        status, body = self.api("POST", "/api/drafts/%d/send" % first)
        self.assertEqual((status, body["state"]), (200, "pending"))
        status, body = self.api("POST", "/api/drafts/%d/send" % first)
        self.assertEqual((status, body["error"]), (409, "not_a_draft"))
        status, _ = self.api("POST", "/api/drafts/999999/send")
        self.assertEqual(status, 404)
        sent = self.graph.wait_messages(1)
        # Per chat the sender keeps order, so a wrongly sent draft would
        # have arrived before the released one.
        self.assertEqual([self.graph.body(m[1]) for m in sent], [drafts[0]["body"]])
        self.parley.wait_sql("SELECT state FROM outbox WHERE id = %d" % first,
                             lambda rows: rows[0][0] == "sent")
        self.assertEqual(self.api("GET", "/api/drafts")[1]["drafts"], [])


class NoShell(ParleyTestCase):
    llm_enabled = False

    def test_a_tenant_without_a_shell_block_has_no_shell(self):
        self.say("shell: uptime")
        texts = self.graph.wait_texts(1)
        self.assertIn("no shell connector", texts[0][1]["text"]["body"])


if __name__ == "__main__":
    unittest.main()
