"""Google through OAuth 2.0 with PKCE: `parley connect google` beside a
running serve, Google's redirect to parley's own callback (state checked),
the tokens sealed in the credentials table, and the calendar read with the
access token refreshed before expiry and after a 401; a revoked grant says
what to do. Google is a fake that speaks its wire format."""

import datetime
import json
import os
import subprocess
import sys
import unittest
import urllib.parse
from zoneinfo import ZoneInfo

from harness import BIN, ParleyTestCase

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from fakes.connectors import FakeGoogle  # noqa: E402

ZONE = "Europe/Amsterdam"


class GoogleSetup(ParleyTestCase):
    """A tenant on Google Calendar and Gmail, and the consent flow; no tests."""

    llm_enabled = False

    def prepare(self):
        self.start_google()
        self.tenant_extra = {"timezone": ZONE, "connectors": {
            "calendar": {"provider": "google", "calendar_id": "primary"},
            "mail": {"provider": "gmail"}}}

    def start_google(self):
        """The fake Google, and parley's google block and client pointing at it."""
        self.google = FakeGoogle()
        self.addCleanup(self.google.close)
        self.config_extra = {"google": {
            "client_id_env": "GOOGLE_CLIENT_ID", "client_secret_env": "GOOGLE_CLIENT_SECRET",
            "auth_url": self.google.url + "/o/oauth2/v2/auth",
            "token_url": self.google.url + "/token", "api_url": self.google.url}}
        self.parley_env = {"GOOGLE_CLIENT_ID": self.google.client_id,
                           "GOOGLE_CLIENT_SECRET": self.google.client_secret}

    def start_connect(self):
        """`parley connect google`, up to the URL it asks the person to open."""
        cli = subprocess.Popen([BIN, "connect", "google", "--config", self.parley.config_path,
                                "--tenant", "ops", "--timeout", "60"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=self.parley.environment())
        self.addCleanup(lambda: cli.poll() is None and cli.kill())
        for line in cli.stdout:
            if line.strip().startswith(self.google.url):
                return cli, urllib.parse.urlparse(line.strip())
        raise AssertionError("no consent URL: " + cli.stderr.read())

    def consent(self, url, state=None):
        """What the browser does: Google issues a code for the challenge and
        redirects to parley's callback."""
        query = urllib.parse.parse_qs(url.query)
        self.assertEqual(query["code_challenge_method"], ["S256"])
        self.assertEqual(query["access_type"], ["offline"])
        redirect = query["redirect_uri"][0]
        self.assertEqual(redirect, "http://127.0.0.1:%d/oauth/google/callback" % self.parley.port)
        code = self.google.expect_challenge(query["code_challenge"][0], redirect_uri=redirect)
        state = state or query["state"][0]
        return self.parley.request("GET", "/oauth/google/callback?" + urllib.parse.urlencode(
            {"state": state, "code": code}))

    def connect(self):
        cli, url = self.start_connect()
        status, page = self.consent(url)
        self.assertEqual(status, 200, page)
        self.assertIn(b"Google is connected", page)
        out, err = cli.communicate(timeout=60)
        self.assertEqual(cli.returncode, 0, err)
        self.assertIn("Google is connected for tenant ops.", out)

    def ask(self, text):
        before = len(self.graph.texts())
        self.say(text)
        return self.graph.wait_texts(before + 1)[-1][1]["text"]["body"]



class Google(GoogleSetup):
    def today_events(self):
        today = datetime.datetime.now(ZoneInfo(ZONE)).date()
        at = lambda h, m: datetime.datetime.combine(today, datetime.time(h, m), ZoneInfo(ZONE)).isoformat()
        self.google.events = [
            {"summary": "Standup", "start": at(9, 30), "end": at(9, 45)},
            {"summary": "Optional sync", "start": at(11, 0), "end": at(12, 0), "response": "declined"},
            {"summary": "Conference", "start": today.isoformat(),
             "end": (today + datetime.timedelta(days=1)).isoformat()},
        ]

    def test_connect_runs_pkce_and_the_tokens_are_sealed_at_rest(self):
        self.connect()
        exchange = [r for r in self.google.token_requests if r["grant_type"] == "authorization_code"]
        self.assertEqual(len(exchange), 1)
        self.assertGreaterEqual(len(exchange[0]["code_verifier"]), 43)
        rows = self.parley.sql("SELECT tenant, provider, key_version, encode(nonce, 'hex'),"
                               " encode(ciphertext, 'hex') FROM credentials")
        self.assertEqual([r[:3] for r in rows], [["ops", "google", "1"]])
        sealed = bytes.fromhex(rows[0][4])
        for secret in (self.google.token, self.google.refresh_token):
            self.assertNotIn(secret.encode(), sealed)
        self.assertNotIn("ya29.", "".join(self.parley.log))
        key = os.path.join(self.data_dir, "secret.key")
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)

    def test_a_wrong_or_used_state_is_refused(self):
        cli, url = self.start_connect()
        status, page = self.consent(url, state="forged-state")
        self.assertEqual(status, 400)
        self.assertIn(b"unknown, used or expired", page)
        self.assertEqual(self.google.token_requests, [])  # no code exchanged for it
        status, _ = self.consent(url)
        self.assertEqual(status, 200)
        status, page = self.consent(url)  # the same state twice
        self.assertEqual(status, 400)
        cli.communicate(timeout=60)

    def test_agenda_from_google_calendar_leaves_declined_events_out(self):
        self.connect()
        self.today_events()
        self.assertEqual(self.ask("agenda").split("\n")[1:],
                         ["• all day: Conference", "• 09:30–09:45 Standup"])
        call = self.google.calls("/calendar/v3/calendars/primary/events")[0]
        self.assertEqual(call.param("singleEvents"), "true")
        self.assertEqual(call.header("authorization"), "Bearer " + self.google.token)

    def test_an_expired_access_token_is_refreshed_once(self):
        self.connect()
        self.today_events()
        self.google.expire_access_token()
        self.assertIn("09:30–09:45 Standup", self.ask("agenda"))
        self.assertEqual(self.google.refreshes, 1)
        # Another day is another call, with the refreshed token kept.
        self.assertTrue(self.ask("agenda tomorrow").startswith("Agenda ("))
        self.assertEqual(len(self.google.calls("/calendar/v3/")), 3)  # 401, retry, tomorrow
        self.assertEqual(self.google.refreshes, 1)

    def test_a_revoked_grant_asks_to_connect_again(self):
        self.connect()
        self.google.revoked = True
        self.google.expire_access_token()
        self.assertEqual(self.ask("agenda"),
                         "That did not work right now: Google revoked parley's access "
                         "(invalid_grant): run `parley connect google --tenant ops` again")
        health = json.loads(self.parley.request("GET", "/health")[1])
        self.assertEqual(health["tenants"]["ops"]["connectors"]["calendar"]["status"], "failing")

    def test_inbox_and_followups_from_gmail(self):
        self.connect()
        now = datetime.datetime.now(datetime.timezone.utc).timestamp()
        day = 86400
        self.google.messages = [
            {"id": "m1", "thread": "t1", "from": "Alice <alice@example.com>", "to": "me@example.com",
             "subject": "Lunch?", "snippet": "It&#39;s on me", "date": now - 3600,
             "labels": ["INBOX", "UNREAD"]},
            {"id": "m2", "thread": "t2", "from": "Bob <bob@example.com>", "to": "me@example.com",
             "subject": "Old news", "snippet": "", "date": now - 7200, "labels": ["INBOX"]},
            # Sent five days ago, no answer since: a followup.
            {"id": "m3", "thread": "t3", "from": "me@example.com", "to": "Jan <jan@example.com>",
             "subject": "Factuur", "snippet": "", "date": now - 5 * day, "labels": ["SENT"]},
            # Sent five days ago and answered: not one.
            {"id": "m4", "thread": "t4", "from": "me@example.com", "to": "sara@example.com",
             "subject": "Planning", "snippet": "", "date": now - 5 * day, "labels": ["SENT"]},
            {"id": "m5", "thread": "t4", "from": "Sara <sara@example.com>", "to": "me@example.com",
             "subject": "Re: Planning", "snippet": "", "date": now - 2 * day, "labels": ["INBOX"]},
        ]
        self.assertEqual(self.ask("inbox"), "Unread mail:\n• Alice: Lunch?")
        self.assertEqual(self.ask("followups"), "Still waiting for an answer to:\n"
                                                "• Jan: Factuur (sent 5 days ago)")
        for call in self.google.calls("/gmail/v1/"):
            self.assertEqual(call.header("authorization"), "Bearer " + self.google.token)

    def test_plan_inserts_the_google_event_once_after_approval(self):
        import re
        self.connect()
        self.say("plan: overleg met Sara morgen 14:00")
        prompt = self.graph.body(self.graph.wait_messages(1)[-1][1])
        n = int(re.search(r"Approval needed \((\d+)\)", prompt).group(1))
        self.assertEqual(self.google.created, [])
        self.say("approve %d" % n)
        done = self.graph.body(self.graph.wait_messages(2)[-1][1])
        self.assertTrue(done.startswith("Planned: Overleg met Sara, "), done)
        self.assertEqual(len(self.google.created), 1)
        event = self.google.created[0]
        self.assertEqual(event["summary"], "Overleg met Sara")
        self.assertEqual(event["id"], "prl0%d" % n)
        tomorrow = datetime.datetime.now(ZoneInfo(ZONE)).date() + datetime.timedelta(days=1)
        start = datetime.datetime.fromisoformat(event["start"]["dateTime"].replace("Z", "+00:00"))
        self.assertEqual(start, datetime.datetime.combine(tomorrow, datetime.time(14, 0), ZoneInfo(ZONE)))

    def test_without_a_connection_the_agenda_says_how_to_connect(self):
        self.assertEqual(self.ask("agenda"), "That did not work right now: Google is not "
                                             "connected: run `parley connect google --tenant ops`")


class GmailReply(GoogleSetup):
    """A reply drafted by the model, approved, and sent once through Gmail's
    messages.send in the original's thread."""

    llm_enabled = True

    def test_draft_is_sent_once_in_the_thread_after_approval(self):
        import re
        from fakes.servers import completion
        self.connect()
        now = datetime.datetime.now(datetime.timezone.utc).timestamp()
        self.google.messages = [
            {"id": "m1", "thread": "t1", "from": "Jan Jansen <jan@bouw.example>",
             "to": "me@example.com", "subject": "Factuur 2026-114", "date": now - 3600,
             "body": "De factuur staat nog open.", "message_id": "<f114@bouw.example>",
             "labels": ["INBOX", "UNREAD"]},
            {"id": "m2", "thread": "t2", "from": "Sara <sara@example.com>", "to": "me@example.com",
             "subject": "Lunch", "date": now - 60, "body": "Morgen?", "labels": ["INBOX"]}]
        self.llm.script = [(200, completion("Hoi Jan, ik betaal vrijdag."))]
        self.say("draft: antwoord Jan over de factuur")
        prompt = self.graph.body(self.graph.wait_messages(1)[-1][1])
        self.assertIn("mail to jan@bouw.example\nsubject: Re: Factuur 2026-114\n\n"
                      "Hoi Jan, ik betaal vrijdag.", prompt)
        self.assertIn("De factuur staat nog open.", self.llm.requests[0][2]["messages"][-1]["content"])
        self.assertEqual(self.google.sent, [])
        n = int(re.search(r"Approval needed \((\d+)\)", prompt).group(1))
        self.say("approve %d" % n)
        self.assertEqual(self.graph.body(self.graph.wait_messages(2)[-1][1]),
                         "Sent to jan@bouw.example.")
        self.assertEqual(len(self.google.sent), 1)
        sent = self.google.sent[0]
        self.assertEqual(sent["requested_thread"], "t1")
        self.assertEqual(sent["threadId"], "t1")
        self.assertEqual(sent["recipients"], ["jan@bouw.example"])
        self.assertEqual(sent["in_reply_to"], "<f114@bouw.example>")
        self.assertEqual(sent["body"].strip(), "Hoi Jan, ik betaal vrijdag.")
        self.say("approve %d" % n)
        self.assertIn("already decided", self.graph.body(self.graph.wait_messages(3)[-1][1]))
        self.assertEqual(len(self.google.sent), 1)


if __name__ == "__main__":
    unittest.main()
