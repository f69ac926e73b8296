"""What a person on WhatsApp sees: commands, LLM answers, the fallback, and
delivery through a Graph API that misbehaves."""

import json
import unittest

from harness import OWNER, PNID, ParleyTestCase, completion, status_webhook, text_webhook


class Replies(ParleyTestCase):
    llm_timeout_ms = 1000

    def test_commands_are_answered_without_the_llm(self):
        for text in ["  TAAK: bel accountant ", "taken", "klaar 1", "Tasks"]:
            self.say(text)
        texts = self.graph.wait_texts(4)
        self.assertIsNotNone(texts)
        self.assertEqual([b["text"]["body"] for _, b in texts], [
            "Task 1 added: bel accountant", "Open tasks:\n1. bel accountant",
            "Task 1 done: bel accountant", "No open tasks."])
        path, body = texts[0]
        self.assertEqual(path, "/v21.0/%s/messages" % PNID)
        self.assertEqual(body["to"], OWNER)
        self.assertEqual(body["messaging_product"], "whatsapp")
        self.assertEqual(self.graph.requests[0][1]["Authorization"], "Bearer graph-token")
        self.assertEqual(self.llm.requests, [])

    def test_free_text_goes_to_the_llm_and_markdown_becomes_whatsapp(self):
        self.say("what should I do first today?")
        texts = self.graph.wait_texts(1)
        self.assertEqual(texts[0][1]["text"]["body"], "Hello from the *model*.")
        _, headers, req = self.llm.requests[0]
        self.assertEqual(headers["Authorization"], "Bearer llm-key")
        self.assertEqual(req["model"], "fake-model")
        self.assertEqual(req["messages"][0], {"role": "system", "content": "You are terse."})
        self.assertEqual(req["messages"][-1], {"role": "user", "content": "what should I do first today?"})
        # The message was marked read with a typing indicator first.
        reads = [b for _, _, b in self.graph.requests if isinstance(b, dict) and b.get("status") == "read"]
        self.assertEqual(reads[0]["typing_indicator"], {"type": "text"})

    def test_an_llm_answering_500_gives_the_fallback_after_one_retry(self):
        self.llm.script = [(500, {"error": {"message": "boom"}}), (503, b"unavailable")]
        self.say("tell me a joke")
        texts = self.graph.wait_texts(1)
        self.assertIn("not reachable", texts[0][1]["text"]["body"])
        self.assertIn("task: <title>", texts[0][1]["text"]["body"])
        self.assertEqual(len(self.llm.requests), 2)
        rows = self.parley.sql("SELECT path FROM runs")
        self.assertEqual(rows, [["fallback"]])

    def test_an_llm_that_hangs_past_the_timeout_gives_the_fallback(self):
        self.llm.script = [("hang", 10)]
        self.say("a slow question")
        texts = self.graph.wait_texts(1, timeout=15)
        self.assertIn("not reachable", texts[0][1]["text"]["body"])
        self.llm.release.set()

    def test_a_malformed_llm_answer_gives_the_fallback(self):
        self.llm.script = [(200, b"{\"choices\": []}")]
        self.say("anything")
        texts = self.graph.wait_texts(1)
        self.assertIn("not reachable", texts[0][1]["text"]["body"])

    def test_graph_429_twice_then_200_delivers_one_reply(self):
        self.graph.script = [(429, {"error": {"code": 130429, "message": "Rate limit hit"}}),
                             (429, {"error": {"code": 130429, "message": "Rate limit hit"}})]
        self.say("help")
        texts = self.graph.wait_texts(1)
        self.assertEqual(len(texts), 1)
        rows = self.parley.wait_sql("SELECT state, attempts FROM outbox",
                                    lambda r: r and r[0][0] == "sent")
        self.assertEqual(rows, [["sent", "3"]])

    def test_graph_400_131026_marks_the_reply_failed_with_metas_code(self):
        self.graph.script = [self.graph.error(131026, "Message undeliverable")]
        self.say("help")
        rows = self.parley.wait_sql("SELECT state, error_code, error_title FROM outbox",
                                    lambda r: r and r[0][0] != "pending")
        self.assertEqual(rows, [["failed", "131026", "Message undeliverable"]])
        self.assertEqual(len(self.graph.requests), 1)

    def test_delivery_statuses_update_the_outbox_row(self):
        self.say("help")
        texts = self.graph.wait_texts(1)
        self.parley.wait_sql("SELECT state FROM outbox", lambda r: r == [["sent"]])
        wamid = "wamid.out.1"
        for st in ["delivered", "read", "delivered"]:  # a late "delivered" does not go back
            status, _ = self.parley.post_webhook(status_webhook(wamid, st))
            self.assertEqual(status, 200)
        self.assertEqual(self.parley.sql("SELECT state FROM outbox"), [["read"]])
        errors = [{"code": 131047, "title": "Re-engagement message"}]
        self.parley.post_webhook(status_webhook(wamid, "failed", errors=errors))
        self.assertEqual(self.parley.sql("SELECT state, error_code, error_title FROM outbox"),
                         [["failed", "131047", "Re-engagement message"]])

    def test_a_stranger_writing_to_a_personal_tenant_gets_no_reply(self):
        self.say("hello, who is this?", sender="31699999999")
        self.parley.wait_sql("SELECT path FROM runs", lambda r: r == [["ignored"]])
        self.assertEqual(self.graph.texts(), [])
        self.assertEqual(self.llm.requests, [])
        self.assertEqual(self.parley.sql("SELECT count(*) FROM outbox"), [["0"]])

    def test_a_repeat_of_a_message_stored_but_never_routed_is_answered_once(self):
        # The database committed the first delivery and then went away before
        # saying so: the webhook got a 503 and nothing was routed. Meta's
        # repeat is the only delivery left.
        self.post(text_webhook("taak: first", "wamid.lost.a", OWNER))
        self.assertIsNotNone(self.graph.wait_texts(1))
        self.parley.sql(
            "INSERT INTO events (provider, external_id, kind, tenant, chat, sender,"
            " sender_name, message_id, msg_type, body, state, payload, is_group)"
            " SELECT provider, replace(external_id, 'wamid.lost.a', 'wamid.lost.b'), kind,"
            " tenant, chat, sender, sender_name, 'wamid.lost.b', msg_type, 'taak: second',"
            " 'pending', payload, is_group FROM events WHERE message_id = 'wamid.lost.a'")
        repeat = text_webhook("taak: second", "wamid.lost.b", OWNER)
        self.post(repeat)
        texts = self.graph.wait_texts(2)
        self.assertRegex(texts[1][1]["text"]["body"], r"^Task \d+ added: second$")
        self.post(repeat)  # once answered, a repeat is only a duplicate
        self.parley.wait_sql("SELECT count(*) FROM events WHERE state = 'pending'",
                             lambda r: r == [["0"]])
        self.say("taken")
        self.graph.wait_texts(3)
        self.assertEqual(len([t for t in self.graph.texts()
                              if t["text"]["body"].endswith("added: second")]), 1)

    def test_metrics_count_what_was_stored_committed_and_done_with(self):
        retried = text_webhook("taken", "wamid.metrics.1", OWNER)
        self.post(retried)
        self.post(retried)  # Meta delivering the same webhook again
        self.say("taak: bel accountant")
        self.assertIsNotNone(self.graph.wait_texts(2))
        status, body = self.parley.request("GET", "/metrics")
        self.assertEqual(status, 200)
        # Prometheus values are floats (histogram sums have fractions).
        metrics = {line.split()[0]: float(line.split()[1]) for line in body.decode().splitlines()
                   if line and not line.startswith("#")}
        self.assertEqual(metrics["parley_webhook_events_total"], 2)
        self.assertEqual(metrics["parley_webhook_duplicates_total"], 1)
        self.assertEqual(metrics["parley_ingest_commits_total"], 3)  # one per POST
        self.assertEqual(metrics["parley_ingest_failures_total"], 0)
        self.assertEqual(metrics["parley_messages_completed_total"], 2)

    def test_a_long_answer_is_split_at_paragraphs(self):
        self.llm.answer = ("A" * 3000) + "\n\n" + ("B" * 3000)
        self.say("write a lot")
        texts = self.graph.wait_texts(2)
        self.assertEqual([b["text"]["body"] for _, b in texts], ["A" * 3000, "B" * 3000])


class NoLLM(ParleyTestCase):
    llm_enabled = False

    def test_without_an_llm_free_text_gets_a_plain_answer_listing_the_commands(self):
        self.say("what's on today?")
        texts = self.graph.wait_texts(1)
        body = texts[0][1]["text"]["body"]
        self.assertIn("No language model is configured", body)
        self.assertIn("tasks", body)


if __name__ == "__main__":
    unittest.main()
