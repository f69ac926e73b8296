"""Observability for machines: /metrics latency histograms (acknowledgement,
reply by path, LLM, send) whose counts match what happened, and counters per
tenant; JSON log lines that carry the run id, which also reaches the LLM
server as X-Request-Id."""

import json
import re
import unittest

from harness import ParleyTestCase


def parse(text):
    """{(name, labels): value} of every sample line."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-z_]+)(\{[^}]*\})? (\S+)$', line)
        assert m, line
        out[(m.group(1), m.group(2) or "")] = float(m.group(3))
    return out


class Metrics(ParleyTestCase):

    def metrics(self):
        status, body = self.parley.request("GET", "/metrics")
        self.assertEqual(status, 200)
        return body.decode(), parse(body.decode())

    def test_the_histograms_count_what_happened(self):
        self.say("taak: bel de boekhouder")          # a command
        self.assertIsNotNone(self.graph.wait_texts(1))
        self.say("what should I do first?")          # the model answers
        self.assertIsNotNone(self.graph.wait_texts(2))
        self.llm.script = [(500, {"error": {"message": "boom"}}), (503, b"unavailable")]
        self.say("tell me a joke")                   # the model fails: the fallback
        self.assertIsNotNone(self.graph.wait_texts(3))
        # A send is observed when its answer is back, before it is marked sent.
        self.parley.wait_sql("SELECT count(*) FROM outbox WHERE state = 'sent'",
                             lambda rows: rows == [["3"]])
        text, m = self.metrics()
        self.assertIn("# TYPE parley_reply_seconds histogram", text)
        self.assertEqual(m[("parley_ack_seconds_count", "")], 3)
        for path in ["command", "llm", "fallback"]:
            self.assertEqual(m[("parley_reply_seconds_count", '{path="%s"}' % path)], 1, path)
        self.assertNotIn(("parley_reply_seconds_count", '{path="silent"}'), m)
        self.assertGreaterEqual(m[("parley_llm_seconds_count", "")], 2)
        self.assertEqual(m[("parley_send_seconds_count", "")], 3)
        # Buckets are cumulative and end at the count.
        buckets = [v for (name, labels), v in m.items()
                   if name == "parley_ack_seconds_bucket"]
        self.assertEqual(buckets, sorted(buckets))
        self.assertEqual(m[("parley_ack_seconds_bucket", '{le="+Inf"}')], 3)
        self.assertGreater(m[("parley_ack_seconds_sum", "")], 0)
        # Per tenant: three messages, three replies, one the LLM failed on.
        self.assertEqual(m[("parley_tenant_messages_total", '{tenant="ops"}')], 3)
        self.assertEqual(m[("parley_tenant_replies_total", '{tenant="ops"}')], 3)
        self.assertEqual(m[("parley_tenant_failures_total", '{tenant="ops"}')], 1)
        self.assertEqual(m[("parley_tenant_approvals_total", '{tenant="ops"}')], 0)

    def test_a_refused_webhook_is_not_an_acknowledgement(self):
        status, _ = self.parley.post_webhook({"object": "whatsapp_business_account"},
                                             signature=False)
        self.assertEqual(status, 401)
        _, m = self.metrics()
        self.assertEqual(m[("parley_ack_seconds_count", "")], 0)


class JsonLogs(ParleyTestCase):
    config_extra = {"log_format": "json", "log_text": True}

    def test_every_log_line_is_json_and_a_run_carries_its_id_to_the_llm(self):
        self.say("what should I do first?")
        self.assertIsNotNone(self.graph.wait_texts(1))
        self.parley.wait_sql("SELECT count(*) FROM runs", lambda rows: rows == [["1"]])
        status, body = self.parley.request("GET", "/api/runs",
                                           headers={"Authorization": "Bearer admin"})
        self.assertEqual(status, 200, body)
        run = json.loads(body)["runs"][0]
        self.assertEqual(run["path"], "llm")
        # The model was asked with the run's id.
        asked = [h for path, h, _ in self.llm.requests if path.endswith("/chat/completions")]
        self.assertEqual(len(asked), 1)
        self.assertEqual(asked[0].get("X-Request-Id"), str(run["id"]))
        # Every line parses; the run's line names it.
        self.parley.wait_log('"run":%d' % run["id"])
        lines = [json.loads(line) for line in self.parley.log if line.strip()]
        self.assertTrue(all({"time", "level", "message"} <= set(entry) for entry in lines))
        mine = [entry for entry in lines if entry.get("run") == run["id"]]
        self.assertEqual(len(mine), 1, mine)
        self.assertEqual(mine[0]["level"], "info")
        self.assertIn("[llm]", mine[0]["message"])
        self.assertIn("what should I do first?", mine[0]["message"])


if __name__ == "__main__":
    unittest.main()
