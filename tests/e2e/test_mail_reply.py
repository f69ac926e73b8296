"""Mail replies through the gate: `draft: <instruction>` finds the mail in a
real IMAP server (Dovecot), has the model draft the reply, shows the owner
every word, and only after approval submits it once to a real SMTP server
(aiosmtpd, with TLS and AUTH) and keeps a copy in Sent. The model's own
send_mail_reply tool passes the same gate."""

import json
import os
import re
import sys
import time
import unittest

from harness import ParleyTestCase
from real_servers import Dovecot, Smtp

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from fakes.servers import completion, tool_call_completion  # noqa: E402

ZONE = "Europe/Amsterdam"
DRAFT = "Hoi Jan,\n\nIk betaal de factuur vrijdag.\n\nGroet"


@unittest.skipUnless(Smtp.available(), "python3-aiosmtpd is not installed")
class MailReply(ParleyTestCase):
    def prepare(self):
        self.dovecot = Dovecot()
        self.addCleanup(self.dovecot.close)
        self.smtp = Smtp(self.dovecot, password=self.dovecot.password)
        self.addCleanup(self.smtp.close)
        self.dovecot.append("INBOX", "Sara de Vries <sara@example.nl>", "owner@example.com",
                            "Planning volgende week", "Kun je dinsdag?")
        self.dovecot.append("INBOX", "Jan Jansen <jan@bouw.example>", "owner@example.com",
                            "Factuur 2026-114", "Hoi, de factuur staat nog open. Wanneer betaal je?",
                            message_id="<f114@bouw.example>")
        self.dovecot.append("INBOX", "Onbekend <refuse@bouw.example>", "owner@example.com",
                            "Offerte dakgoot", "Graag een reactie.")
        self.dovecot.append("INBOX", "Traag <hang@traag.example>", "owner@example.com",
                            "Storing", "Alles ligt stil.")
        self.tenant_extra = {"timezone": ZONE, "connectors": {"mail": {
            "provider": "imap", "host": "localhost", "port": self.dovecot.port,
            "username": "owner", "password_env": "IMAP_PASSWORD",
            "address": "owner@example.com",
            "smtp": {"host": "localhost", "port": self.smtp.port}}}}
        self.config_extra = {"connectors": {"timeout_ms": 5000}}
        self.parley_env = {"IMAP_PASSWORD": self.dovecot.password,
                           "SSL_CERT_FILE": self.dovecot.ca_file}

    def ask(self, text):
        """The reply a person reads (approval prompts come with buttons)."""
        before = len([b for p, b in self.graph.answered
                      if isinstance(b, dict) and b.get("type") in ("text", "interactive")])
        self.say(text)
        return self.graph.body(self.graph.wait_messages(before + 1)[-1][1])

    def approval_id(self, prompt):
        m = re.search(r"Approval needed \((\d+)\)", prompt)
        self.assertIsNotNone(m, prompt)
        return int(m.group(1))

    def test_draft_shows_every_word_and_sends_once_only_after_approval(self):
        self.llm.script = [(200, completion(DRAFT))]
        prompt = self.ask("draft: antwoord Jan over de factuur, zeg dat ik vrijdag betaal")
        self.assertIn("mail to jan@bouw.example\nsubject: Re: Factuur 2026-114\n\n" + DRAFT, prompt)
        self.assertEqual(self.smtp.messages(), [])  # nothing before approval
        # The model drafted from the mail itself, given as data.
        asked = self.llm.requests[0][2]["messages"]
        self.assertIn("Wanneer betaal je?", asked[-1]["content"])
        self.assertIn("zeg dat ik vrijdag betaal", asked[-1]["content"])
        self.assertNotIn("tools", self.llm.requests[0][2])

        n = self.approval_id(prompt)
        self.assertEqual(self.ask("approve %d" % n), "Sent to jan@bouw.example.")
        sent = self.smtp.messages()
        self.assertEqual(len(sent), 1)
        envelope, message = sent[0]
        self.assertEqual(envelope, {"from": "owner@example.com", "to": ["jan@bouw.example"],
                                    "login": "owner"})
        self.assertEqual(message["Subject"], "Re: Factuur 2026-114")
        self.assertEqual(message["In-Reply-To"], "<f114@bouw.example>")
        self.assertIn("<f114@bouw.example>", message["References"])
        self.assertEqual(message["Message-ID"].strip("<>").split("@")[0], "parley.ops.%d" % n)
        self.assertEqual(message.get_content().replace("\r\n", "\n").strip(), DRAFT)
        # A copy is in Sent, and the original is still unread.
        self.assertEqual(len(self.dovecot.search("Sent")), 1)
        self.assertEqual(len(self.dovecot.search("INBOX", "UNSEEN")), 4)

        self.assertIn("already decided", self.ask("approve %d" % n))
        self.assertEqual(len(self.smtp.messages()), 1)
        self.assertEqual(self.parley.sql("SELECT state FROM approvals WHERE id = %d" % n),
                         [["executed"]])

    def test_a_denied_draft_sends_nothing_and_an_unknown_mail_asks_nothing(self):
        self.llm.script = [(200, completion(DRAFT))]
        n = self.approval_id(self.ask("draft: reply to Jan about the invoice"))
        self.assertIn("Denied", self.ask("deny %d" % n))
        self.assertEqual(self.smtp.messages(), [])
        self.assertEqual(self.ask("draft: reply to Piet about the boat"),
                         "I found no mail from the last 30 days whose sender or subject matches "
                         "'piet boat'. Name the sender or a word of the subject.")
        self.assertEqual(self.ask("draft:"),
                         "Usage: *draft: <instruction>*, e.g. draft: reply to Jan about the invoice")
        self.assertEqual(self.parley.sql("SELECT count(*) FROM approvals"), [["1"]])
        self.assertEqual(len(self.llm.requests), 1)

    def test_without_the_model_there_is_no_draft_and_no_approval(self):
        self.llm.script = [(500, {"error": {"message": "overloaded"}})] * 3
        reply = self.ask("draft: reply to Jan")
        self.assertEqual(reply, "The language model did not answer, so there is no draft; "
                                "try again shortly.")
        self.assertEqual(self.parley.sql("SELECT count(*) FROM approvals"), [["0"]])

    def test_a_refused_recipient_is_reported_and_the_approval_failed(self):
        self.llm.script = [(200, completion("Dank, ik kom erop terug."))]
        n = self.approval_id(self.ask("draft: reply about the offerte"))
        done = self.ask("approve %d" % n)
        self.assertTrue(done.startswith("Not sent: the SMTP server at localhost:%d did not take "
                                        "the mail: " % self.smtp.port), done)
        self.assertIn("550", done)
        self.assertEqual(self.smtp.messages(), [])
        self.assertEqual(self.parley.sql("SELECT state FROM approvals WHERE id = %d" % n),
                         [["failed"]])
        self.assertEqual(self.dovecot.search("Sent"), [])

    def test_kill_9_while_the_mail_is_submitted_never_sends_it_a_second_time(self):
        self.llm.script = [(200, completion("We kijken ernaar."))]
        n = self.approval_id(self.ask("draft: reply to Traag about the storing"))
        self.say("approve %d" % n)
        self.parley.wait_sql("SELECT state FROM approvals WHERE id = %d" % n,
                             lambda rows: rows == [["approved"]])
        deadline = time.monotonic() + 30
        while self.smtp.stalled() == 0:  # the server has the message, unconfirmed
            self.assertLess(time.monotonic(), deadline, "the mail never reached the server")
            time.sleep(0.02)
        self.parley.kill9()
        self.parley.start()
        self.parley.wait_log("interrupted by a restart")
        self.assertEqual(self.parley.sql("SELECT state FROM approvals WHERE id = %d" % n),
                         [["failed"]])
        self.assertIn("already decided", self.ask("approve %d" % n))
        # After the restart nothing was submitted again.
        self.assertEqual(self.smtp.stalled(), 1)
        self.assertEqual(self.smtp.messages(), [])

    def test_the_send_mail_reply_tool_waits_for_the_same_approval(self):
        self.llm.script = [(200, tool_call_completion(
            "send_mail_reply", {"about": "Sara planning", "body": "Dinsdag past, tot dan!"}))]
        prompt = self.ask("zeg Sara dat dinsdag past")
        self.assertIn("mail to sara@example.nl\nsubject: Re: Planning volgende week\n\n"
                      "Dinsdag past, tot dan!", prompt)
        offered = [t["function"]["name"] for t in self.llm.requests[0][2]["tools"]]
        self.assertIn("send_mail_reply", offered)
        self.assertEqual(self.smtp.messages(), [])
        n = self.approval_id(prompt)
        self.assertEqual(self.ask("approve %d" % n), "Sent to sara@example.nl.")
        self.assertEqual(len(self.smtp.messages()), 1)
        self.assertEqual(self.smtp.messages()[0][0]["to"], ["sara@example.nl"])

    def test_someone_else_cannot_draft_from_the_owners_mail(self):
        self.say("draft: reply to Jan", sender="31699999999")
        self.parley.wait_sql("SELECT count(*) FROM runs WHERE path = 'ignored'",
                             lambda rows: rows == [["1"]])
        self.assertEqual(len(self.llm.requests), 0)
        self.assertEqual(self.parley.sql("SELECT count(*) FROM approvals"), [["0"]])


if __name__ == "__main__":
    unittest.main()
