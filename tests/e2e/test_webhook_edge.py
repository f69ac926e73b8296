"""The webhook endpoint's contract: signatures, malformed and oversize bodies,
verification, duplicates."""

import json
import unittest

from harness import OWNER, PNID, ParleyTestCase, sign, text_webhook


class WebhookEdge(ParleyTestCase):
    llm_enabled = False

    def count_events(self):
        return int(self.parley.sql("SELECT count(*) FROM events")[0][0])

    def test_a_wrong_signature_is_refused_and_nothing_is_stored(self):
        body = json.dumps(text_webhook("taken", "wamid.sig")).encode()
        status, data = self.parley.post_webhook(body, signature="sha256=" + "0" * 64)
        self.assertEqual(status, 401)
        self.assertEqual(json.loads(data)["error"], "invalid_signature")
        # A signature of a different body does not verify either.
        status, _ = self.parley.post_webhook(body, signature=sign(body + b" "))
        self.assertEqual(status, 401)
        self.assertEqual(self.count_events(), 0)

    def test_a_missing_signature_is_refused(self):
        status, data = self.parley.post_webhook(text_webhook("taken", "wamid.nosig"), signature=None)
        self.assertEqual(status, 401)
        self.assertIn("missing", json.loads(data)["detail"])
        self.assertEqual(self.count_events(), 0)

    def test_malformed_json_gets_400_with_a_json_error(self):
        for body in [b"{not json", b"[]", b'{"object":"page","entry":[]}', "\u00e9\u00e8".encode("latin-1")]:
            status, data = self.parley.post_webhook(body)
            self.assertEqual(status, 400, body)
            self.assertEqual(json.loads(data)["error"], "malformed")
        self.assertEqual(self.count_events(), 0)

    def test_an_oversize_body_gets_413(self):
        big = json.dumps(text_webhook("x" * 100000, "wamid.big")).encode()
        status, data = self.parley.post_webhook(big)
        self.assertEqual(status, 413)
        self.assertEqual(json.loads(data)["error"], "payload_too_large")
        self.assertEqual(self.count_events(), 0)

    def test_meta_verification_echoes_the_challenge_only_with_the_right_token(self):
        status, data = self.parley.request(
            "GET", "/webhooks/meta/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444")
        self.assertEqual((status, data), (200, b"1158201444"))
        status, _ = self.parley.request(
            "GET", "/webhooks/meta/whatsapp?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1")
        self.assertEqual(status, 403)

    def test_the_same_webhook_delivered_five_times_is_answered_once(self):
        payload = text_webhook("taken", "wamid.dup")
        answers = [self.parley.post_webhook(payload) for _ in range(5)]
        self.assertEqual([s for s, _ in answers], [200] * 5)
        self.assertEqual(sum(json.loads(b)["stored"] for _, b in answers), 1)
        self.assertEqual(sum(json.loads(b)["duplicates"] for _, b in answers), 4)
        self.assertIsNotNone(self.graph.wait_texts(1))
        # A later message is answered after the duplicates, so had any of them
        # produced a reply it would have arrived first.
        self.say("help")
        texts = self.graph.wait_texts(2)
        self.assertIsNotNone(texts)
        bodies = [b["text"]["body"] for _, b in texts]
        self.assertEqual(bodies.count("No open tasks."), 1)
        self.assertEqual(len(self.graph.texts()), 2)

    def test_a_body_with_several_messages_yields_several_events(self):
        payload = text_webhook("taak: een", "wamid.multi.1")
        payload["entry"][0]["changes"][0]["value"]["messages"].append(
            {"from": OWNER, "id": "wamid.multi.2", "timestamp": "1", "type": "text",
             "text": {"body": "taak: twee"}})
        status, data = self.parley.post_webhook(payload)
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(data)["stored"], 2)
        texts = self.graph.wait_texts(2)
        self.assertEqual([b["text"]["body"] for _, b in texts],
                         ["Task 1 added: een", "Task 2 added: twee"])

    def test_an_unknown_phone_number_id_is_stored_as_ignored(self):
        status, _ = self.parley.post_webhook(text_webhook("hi", "wamid.unknown", pnid="999"))
        self.assertEqual(status, 200)
        rows = self.parley.sql("SELECT state, reason FROM events")
        self.assertEqual(rows, [["ignored", "unknown phone_number_id 999"]])

    def test_a_nul_character_in_a_message_does_not_poison_its_batch(self):
        # jsonb refuses \u0000 and libpq cuts text at NUL: found by fuzz_meta_webhook.
        payload = text_webhook("taak: a\u0000b \U0001F600", "wamid.nul")
        payload["entry"][0]["changes"][0]["value"]["messages"].append(
            {"from": OWNER, "id": "wamid.after.nul", "timestamp": "1", "type": "text",
             "text": {"body": "taak: daarna"}})
        status, data = self.parley.post_webhook(payload)
        self.assertEqual(status, 200, data)
        self.assertEqual(json.loads(data)["stored"], 2)
        texts = self.graph.wait_texts(2)
        self.assertEqual([b["text"]["body"] for _, b in texts],
                         ["Task 1 added: a\ufffdb \U0001F600", "Task 2 added: daarna"])

    def test_unknown_routes_get_a_json_404(self):
        status, data = self.parley.request("GET", "/nope")
        self.assertEqual(status, 404)
        self.assertEqual(json.loads(data)["error"], "not_found")


if __name__ == "__main__":
    unittest.main()
