"""The operator's window over HTTP: conversations, one conversation's
messages with the path each answer took, and the runs (traces), newest
first, a page at a time, behind the admin token, with no phone number in a
trace."""

import json
import re
import unittest
import urllib.parse

from harness import OWNER, ParleyTestCase
from test_approvals import ShellWorkdir
from test_evolution import API_KEY, GROUP, group_text, score, with_evolution

STRANGER = "31699999999"


class Inspection(ParleyTestCase):
    def api(self, path, token="admin"):
        headers = {"Authorization": "Bearer " + token} if token else {}
        status, body = self.parley.request("GET", path, headers=headers)
        return status, json.loads(body)

    def scripted_mix(self):
        """A command, a model's answer, a fallback and a stranger (ignored)."""
        self.say("taak: bel de boekhouder")
        self.assertIsNotNone(self.graph.wait_texts(1))
        self.say("what should I do first?")
        self.assertIsNotNone(self.graph.wait_texts(2))
        self.llm.script = [(500, {"error": {"message": "boom"}}), (503, b"unavailable")]
        self.say("tell me a joke")
        self.assertIsNotNone(self.graph.wait_texts(3))
        self.say("hello?", sender=STRANGER)
        self.parley.wait_sql("SELECT count(*) FROM runs", lambda rows: rows[0][0] == "4")

    def test_every_endpoint_refuses_without_the_admin_token(self):
        for path in ["/api/conversations", "/api/conversations/ops/" + OWNER, "/api/runs",
                     "/api/runs/1"]:
            for token in [None, "wrong"]:
                status, body = self.api(path, token)
                self.assertEqual(status, 401, path)
                self.assertEqual(body["error"], "unauthorized")

    def test_the_conversation_shows_each_answer_with_its_path_and_run(self):
        self.scripted_mix()
        status, body = self.api("/api/conversations?tenant=ops")
        self.assertEqual(status, 200)
        mine = [c for c in body["conversations"] if c["chat"] == OWNER]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["messages"], 6)  # three exchanges
        self.assertFalse(mine[0]["paused"])
        self.assertFalse(mine[0]["group"])
        status, body = self.api("/api/conversations/ops/" + OWNER)
        self.assertEqual(status, 200)
        messages = list(reversed(body["messages"]))  # oldest first, to read
        self.assertEqual([(m["who"], m["path"]) for m in messages],
                         [("user", "command"), ("assistant", "command"),
                          ("user", "llm"), ("assistant", "llm"),
                          ("user", "fallback"), ("assistant", "fallback")])
        self.assertEqual(messages[0]["text"], "taak: bel de boekhouder")
        self.assertIn("model", messages[3]["text"])
        # Each answer links to its run, which tells the same path.
        for m in messages[1::2]:
            status, run = self.api("/api/runs/%d" % m["run_id"])
            self.assertEqual(status, 200)
            self.assertEqual(run["path"], m["path"])
            self.assertEqual([p["state"] for p in run["send"]], ["sent"])

    def test_runs_are_traces_without_phone_numbers(self):
        self.scripted_mix()
        status, body = self.api("/api/runs?tenant=ops")
        self.assertEqual(status, 200)
        self.assertEqual([r["path"] for r in body["runs"]],
                         ["ignored", "fallback", "llm", "command"])
        for r in body["runs"]:
            self.assertRegex(r["sender_hash"], r"^[0-9a-f]{16}$")
        llm = body["runs"][2]
        status, run = self.api("/api/runs/%d" % llm["id"])
        # One round with the model, timed.
        self.assertEqual([s["round"] for s in run["steps"]], [1], run)
        self.assertGreater(run["steps"][0]["model_latency_us"], 0)
        # The tokens as the server counted them (the fake: 120 in, one per word out).
        self.assertEqual(run["steps"][0]["prompt_tokens"], 120)
        self.assertGreater(run["steps"][0]["completion_tokens"], 0)
        # The wait before the handling began is its own part of the latency.
        self.assertGreaterEqual(run["queue_ms"], 0)
        self.assertGreaterEqual(run["storage_ms"], 0)
        # Only the owner's chat when asked for it.
        status, mine = self.api("/api/runs?tenant=ops&chat=" + OWNER)
        self.assertEqual([r["path"] for r in mine["runs"]], ["fallback", "llm", "command"])
        # No number anywhere in what a trace shows.
        everything = json.dumps(body) + json.dumps(run)
        for number in [OWNER, STRANGER]:
            self.assertNotIn(number, everything)
        self.assertNotIn("graph-token", everything)
        self.assertNotIn("llm-key", everything)

    def test_pages_follow_the_cursor_without_repeats_or_gaps(self):
        self.scripted_mix()
        seen, before = [], ""
        while True:
            status, body = self.api("/api/conversations/ops/%s?limit=2%s" % (OWNER, before))
            self.assertEqual(status, 200)
            self.assertLessEqual(len(body["messages"]), 2)
            seen += [m["id"] for m in body["messages"]]
            if body["next"] is None:
                break
            before = "&before=" + urllib.parse.quote(str(body["next"]))
        self.assertEqual(len(seen), 6)
        self.assertEqual(seen, sorted(seen, reverse=True))
        # The same for conversations and runs.
        chats, before = [], ""
        while True:
            status, body = self.api("/api/conversations?limit=1" + before)
            chats += [(c["tenant"], c["chat"]) for c in body["conversations"]]
            if body["next"] is None:
                break
            before = "&before=" + urllib.parse.quote(body["next"])
        # The stranger was ignored: no conversation of theirs.
        self.assertEqual(chats, [("ops", OWNER)])
        runs, before = [], ""
        while True:
            status, body = self.api("/api/runs?limit=3" + before)
            runs += [r["id"] for r in body["runs"]]
            if body["next"] is None:
                break
            before = "&before=" + body["next"]
        self.assertEqual(len(runs), 4)
        self.assertEqual(len(set(runs)), 4)

    def test_unknown_tenants_runs_and_routes_are_404(self):
        self.assertEqual(self.api("/api/conversations?tenant=nope")[0], 404)
        self.assertEqual(self.api("/api/conversations/nope/123")[0], 404)
        self.assertEqual(self.api("/api/runs/999999")[0], 404)
        self.assertEqual(self.api("/api/runs/abc")[0], 404)
        self.assertEqual(self.api("/api/runs/1'%20OR%201=1")[0], 404)
        status, body = self.api("/api/conversations/ops/" + urllib.parse.quote("x' OR '1'='1"))
        self.assertEqual((status, body["messages"]), (200, []))


class GroupAndApproval(ShellWorkdir):
    """The rest of the mix: a group's silent decision and an approved command
    appear in the conversations and the runs as they happened."""

    extra_tenants = [{"id": "friends", "kind": "group", "channel": "evolution",
                      "instance": "whatsapp-agent", "language": "nl", "bot_name": "Parley",
                      "relevance_threshold": 0.7}]

    def prepare(self):
        super().prepare()
        with_evolution(self)

    def tearDown(self):
        super().tearDown()
        self.evolution.close()

    def api(self, method, path):
        status, body = self.parley.request(method, path, headers={"Authorization": "Bearer admin"})
        return status, json.loads(body)

    def test_a_group_decision_and_an_approval_show_as_they_happened(self):
        self.llm.script = [score(0.1, "chatter between friends")]
        status, _ = self.parley.request("POST", "/webhooks/evolution",
                                        json.dumps(group_text("haha ja, zaterdag!", "G1")).encode(),
                                        {"Content-Type": "application/json", "apikey": API_KEY})
        self.assertEqual(status, 200)
        self.say("shell: ./count.sh")
        n = self.approval_in(1)
        status, body = self.api("POST", "/api/approvals/%d/approve" % n)
        self.assertEqual(status, 200, body)
        self.assertIn("counted", self.reply(2))
        self.parley.wait_sql("SELECT count(*) FROM runs", lambda rows: rows == [["2"]])

        status, body = self.api("GET", "/api/conversations")
        chats = {(c["tenant"], c["chat"]): c for c in body["conversations"]}
        self.assertTrue(chats[("friends", GROUP)]["group"])
        self.assertFalse(chats[("ops", OWNER)]["group"])
        status, body = self.api("GET", "/api/conversations/friends/" + urllib.parse.quote(GROUP))
        self.assertEqual(status, 200, body)
        self.assertEqual([(m["who"], m["path"]) for m in body["messages"]], [("user", "silent")])
        status, group_runs = self.api("GET", "/api/runs?tenant=friends")
        self.assertEqual([r["path"] for r in group_runs["runs"]], ["silent"])
        status, decisions = self.api("GET", "/api/decisions?tenant=friends")
        self.assertEqual([(d["score"], d["replied"]) for d in decisions["decisions"]], [(0.1, False)])
        status, owner_runs = self.api("GET", "/api/runs?tenant=ops")
        self.assertEqual(len(owner_runs["runs"]), 1)
        status, approval = self.api("GET", "/api/approvals/%d" % n)
        self.assertEqual(approval["state"], "executed")
        # The approval's run is the message that asked for it.
        self.assertEqual(approval.get("event_id", owner_runs["runs"][0]["event_id"]),
                         owner_runs["runs"][0]["event_id"])


if __name__ == "__main__":
    unittest.main()
