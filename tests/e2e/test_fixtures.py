"""Every shared Meta fixture becomes a message, a status, or an ignored record
with a reason; none crashes parley or disappears."""

import json
import os
import unittest

from harness import FIXTURES, PNID, ParleyTestCase

EXPECTED = {
    "text.json": ("message", "pending"),
    "text_reply_context.json": ("message", "pending"),
    "image.json": ("message", "pending"),
    "audio_voice.json": ("message", "pending"),
    "document.json": ("message", "pending"),
    "interactive_button_reply.json": ("message", "pending"),
    "interactive_list_reply.json": ("message", "pending"),
    "reaction.json": ("ignored", "reaction"),
    "reaction_removed.json": ("ignored", "reaction removed"),
    "unsupported_with_errors.json": ("ignored", "unsupported message type 'unsupported' (131051 Message type unknown)"),
    "status_sent.json": ("status", "done"),
    "status_delivered.json": ("status", "done"),
    "status_read.json": ("status", "done"),
    "status_failed.json": ("status", "done"),
}


class Fixtures(ParleyTestCase):
    llm_enabled = False

    def test_every_meta_fixture_is_stored_as_message_status_or_ignored(self):
        folder = os.path.join(FIXTURES, "meta")
        names = sorted(os.listdir(folder))
        self.assertEqual(set(names), set(EXPECTED), "a fixture without an expectation")
        for n, name in enumerate(names):
            with open(os.path.join(folder, name)) as f:
                raw = f.read()
            # Distinct ids per file: the shared fixtures reuse wamid.xyzxyz.
            raw = raw.replace("wamid.xyzxyz", "wamid.fixture.%d" % n)
            status, body = self.parley.post_webhook(raw.encode())
            self.assertEqual(status, 200, name)
            self.assertEqual(json.loads(body)["stored"], 1, name)
            kind, state_or_reason = EXPECTED[name]
            row = self.parley.sql("SELECT kind, state, coalesce(reason, '') FROM events "
                                  "ORDER BY id DESC LIMIT 1")[0]
            self.assertEqual(row[0], kind, name)
            if kind == "ignored":
                self.assertEqual(row[2], state_or_reason, name)

    def test_replaying_the_fixtures_unchanged_answers_the_shared_message_id_once(self):
        folder = os.path.join(FIXTURES, "meta")
        stored = 0
        for name in sorted(os.listdir(folder)):
            with open(os.path.join(folder, name), "rb") as f:
                status, body = self.parley.post_webhook(f.read())
            self.assertEqual(status, 200, name)
            stored += json.loads(body)["stored"]
        # Every message fixture is wamid.xyzxyz except the list reply
        # (wamid.zyzxyz): two messages, each handled once. Their sender is not
        # the personal tenant's owner, so each is recorded and left unanswered.
        messages = self.parley.sql("SELECT message_id FROM events WHERE kind = 'message' ORDER BY id")
        self.assertEqual(messages, [["wamid.xyzxyz"], ["wamid.zyzxyz"]])
        self.parley.wait_sql("SELECT count(*) FROM events WHERE state = 'pending'",
                             lambda r: r == [["0"]])
        self.assertEqual(self.parley.sql("SELECT path, count(*) FROM runs GROUP BY path"),
                         [["ignored", "2"]])
        self.assertEqual(self.graph.texts(), [])


if __name__ == "__main__":
    unittest.main()
