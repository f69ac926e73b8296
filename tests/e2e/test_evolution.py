"""The Evolution API channel (WhatsApp Web bridge): webhooks checked by
apikey and stored before the 200, direct chats answered through sendText,
duplicates answered once, group messages heard and remembered but not
answered (until the relevance scorer), connection state recorded."""

import json
import os
import unittest

from harness import FIXTURES, FakeEvolution, ParleyTestCase

API_KEY = "evo-test-key"
OWN_FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "evolution")


def fixture(name):
    for folder in (os.path.join(FIXTURES, "evolution"), OWN_FIXTURES):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            with open(path) as f:
                return json.load(f)
    raise FileNotFoundError(name)


def direct_text(text, msg_id, number="5511900000001", instance="inst-test"):
    payload = fixture("text_conversation.json")
    payload["instance"] = instance
    payload["data"]["key"].update({"id": msg_id, "remoteJid": number + "@s.whatsapp.net"})
    payload["data"]["message"] = {"conversation": text}
    return payload


class Evolution(ParleyTestCase):
    llm_enabled = False
    extra_tenants = [{"id": "shop", "kind": "business", "channel": "evolution",
                      "instance": "inst-test", "language": "en",
                      "bot_name": "Parley"}]

    def prepare(self):
        self.evolution = FakeEvolution(API_KEY)
        self.config_extra = {"evolution": {"base_url": self.evolution.url,
                                           "api_key_env": "EVOLUTION_API_KEY"}}
        self.parley_env = {"EVOLUTION_API_KEY": API_KEY}

    def tearDown(self):
        super().tearDown()
        self.evolution.close()

    def post(self, payload, key=API_KEY):
        headers = {"Content-Type": "application/json"}
        if key is not None:
            headers["apikey"] = key
        status, body = self.parley.request("POST", "/webhooks/evolution",
                                           json.dumps(payload).encode(), headers)
        return status, json.loads(body)

    def test_a_direct_message_is_answered_through_send_text(self):
        status, body = self.post(direct_text("help", "3EB0DIRECT000001"))
        self.assertEqual((status, body["stored"]), (200, 1), body)
        sent = self.evolution.sent(1)
        self.assertIsNotNone(sent, "".join(self.parley.log))
        path, headers, request = self.evolution.requests[0]
        self.assertEqual(path, "/message/sendText/inst-test")
        self.assertEqual(headers["apikey"], API_KEY)
        self.assertEqual(request["number"], "5511900000001")
        self.assertIn("What I can do without AI", request["text"])
        self.assertNotIn("quoted", request)  # direct chats need no quote
        self.parley.wait_sql("SELECT state, provider_message_id FROM outbox",
                             lambda rows: rows == [["sent", "BAE5000000000001"]])
        self.assertEqual(self.graph.requests, [])

    def test_a_wrong_or_missing_apikey_is_refused_and_nothing_is_stored(self):
        for key in ("wrong", None, ""):
            status, body = self.post(direct_text("help", "3EB0DIRECT000002"), key=key)
            self.assertEqual((status, body["error"]), (401, "unauthorized"))
        status, body = self.post({"no": "event"})
        self.assertEqual((status, body["error"]), (400, "malformed"))
        self.assertEqual(self.parley.sql("SELECT count(*) FROM events"), [["0"]])

    def test_a_delivery_repeated_by_the_bridge_is_answered_once(self):
        payload = direct_text("taken", "3EB0DUPLICATE001")
        self.assertEqual(self.post(payload)[1]["stored"], 1)
        self.assertEqual(self.post(payload)[1]["duplicates"], 1)
        self.post(direct_text("help", "3EB0DUPLICATE002"))
        sent = self.evolution.sent(2)
        self.assertIn("No open tasks", sent[0]["text"])
        self.assertIn("What I can do", sent[1]["text"])
        self.assertEqual(len(self.evolution.answered), 2)

    def test_every_fixture_is_stored_and_only_readable_messages_are_answered(self):
        names = sorted(os.listdir(os.path.join(FIXTURES, "evolution")))
        for name in names:
            status, body = self.post(fixture(name))
            self.assertEqual(status, 200, (name, body))
        # text, ephemeral text and the image (without text) get an answer
        sent = self.evolution.sent(3)
        self.assertIsNotNone(sent, "".join(self.parley.log))
        reasons = self.parley.sql("SELECT reason FROM events WHERE kind = 'ignored' ORDER BY reason")
        self.assertEqual(reasons, [["protocol message (revoke or edit)"], ["reaction"], ["reaction"]])

    def test_a_group_message_is_remembered_with_its_author_but_not_answered(self):
        payload = fixture("group_mention.json")
        payload["instance"] = "inst-test"
        self.assertEqual(self.post(payload)[0], 200)
        rows = self.parley.wait_sql("SELECT role, content FROM messages", lambda rows: len(rows) == 1)
        self.assertEqual(rows, [["user", "Anna: @31600000001 wat staat er morgen op de planning?"]])
        self.assertEqual(self.parley.sql(
            "SELECT is_group, mentions, sender FROM events WHERE kind = 'message'"),
            [["t", "{31600000001@s.whatsapp.net}", "31611111111"]])
        self.assertEqual(self.parley.sql("SELECT path FROM runs"), [["silent"]])
        self.assertEqual(self.evolution.requests, [])

    def test_an_unknown_instance_is_stored_as_ignored(self):
        payload = direct_text("help", "3EB0UNKNOWN00001", instance="someone-else")
        self.assertEqual(self.post(payload)[0], 200)
        self.assertEqual(self.parley.sql("SELECT kind, reason FROM events"),
                         [["ignored", "no tenant for instance 'someone-else'"]])

    def test_connection_and_qr_events_record_the_instance_state(self):
        qr = fixture("qrcode_updated.json")
        self.assertEqual(self.post(qr)[0], 200)
        self.assertEqual(self.parley.sql("SELECT state, pairing_code FROM channel_state"),
                         [["", "WZYEH1YY"]])
        self.assertEqual(self.post(fixture("connection_open.json"))[0], 200)
        self.assertEqual(self.parley.sql(
            "SELECT state, bot_jid, coalesce(qr_code, 'none') FROM channel_state"),
            [["open", "31600000001@s.whatsapp.net", "none"]])


if __name__ == "__main__":
    unittest.main()
