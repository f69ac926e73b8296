"""Meta's rules for a business number, over real webhooks and the fake Graph
API: free-form text only within 24 hours of the person's last message (the
hand-over notice goes as its template outside it, or not at all), and the
sending errors 131047 (window closed), 130429 (the number's rate) and
131056 (too many to one person), each delivering the message exactly once."""

import unittest

from harness import OWNER, text_webhook
from test_bookings import ANNA, BOB, STAFF, BusinessSetup

WINDOW_CLOSED = (131047, "Re-engagement message")
NUMBER_RATE = (130429, "Rate limit hit")
PAIR_RATE = (131056, "(Business Account, Consumer Account) pair rate limit hit")


class MetaRules(BusinessSetup):

    def sends_to(self, number, kind):
        return [b for _, b in self.graph.answered
                if isinstance(b, dict) and b.get("to") == number and b.get("type") == kind]

    def outbox_to(self, number):
        return self.parley.sql("SELECT state, attempts, coalesce(error_title, '')"
                               " FROM outbox WHERE recipient = '%s' ORDER BY id" % number)

    def refuse_first_text(self, error):
        """Meta refuses the first text message (not a read receipt) with `error`."""
        refused = []

        def respond(path, headers, body):
            if body.get("type") == "text" and not refused:
                refused.append(body["to"])
                return error
            return self.graph.default(body)
        self.graph.respond = respond
        return refused

    def ask_for_a_person(self):
        told = self.reply("medewerker", ANNA)
        self.assertTrue(told.startswith("Ik heb een medewerker gevraagd je te helpen"), told)

    def wait_settled(self, number, rows):
        return self.parley.wait_sql(
            "SELECT count(*) FROM outbox WHERE recipient = '%s' AND state IN"
            " ('sent', 'delivered', 'read', 'failed')" % number,
            lambda r: r == [[str(rows)]])

    def test_the_window_closes_24_hours_after_the_last_message(self):
        self.reply("hoi", STAFF)
        # Staff last wrote 25 hours ago: the notice goes as the template.
        self.parley.sql("UPDATE conversations SET last_inbound_at = now() - interval '25 hours'"
                        " WHERE chat = '%s'" % STAFF)
        self.ask_for_a_person()
        self.wait_settled(STAFF, 2)
        templates = self.sends_to(STAFF, "template")
        self.assertEqual([t["template"]["name"] for t in templates], ["handover_notice"])
        self.assertEqual(len(self.sends_to(STAFF, "text")), 1)  # only the answer to "hoi"

    def test_metas_131047_sends_the_template_instead(self):
        self.reply("hoi", STAFF)

        def window_closed_for_staff(path, headers, body):
            # Meta's clock disagrees with parley's: the text to staff is refused.
            if body.get("to") == STAFF and body.get("type") == "text":
                return self.graph.error(*WINDOW_CLOSED)
            return self.graph.default(body)
        self.graph.respond = window_closed_for_staff
        self.ask_for_a_person()
        self.wait_settled(STAFF, 2)
        self.assertEqual([t["template"]["name"] for t in self.sends_to(STAFF, "template")],
                         ["handover_notice"])
        self.assertEqual(self.outbox_to(STAFF)[-1][0], "sent")

    def test_130429_holds_the_number_and_each_reply_arrives_once(self):
        refused = self.refuse_first_text(self.graph.error(*NUMBER_RATE, status=429))
        self.post(text_webhook("tool:list_services {}", self.next_id(), ANNA, name="Anna"))
        self.post(text_webhook("tool:list_services {}", self.next_id(), BOB, name="Bob"))
        self.wait_settled(ANNA, 1)
        self.wait_settled(BOB, 1)
        self.assertEqual(len(self.sends_to(ANNA, "text")), 1)
        self.assertEqual(len(self.sends_to(BOB, "text")), 1)
        states = self.outbox_to(ANNA) + self.outbox_to(BOB)
        self.assertEqual(sorted(s[0] for s in states), ["sent", "sent"])
        # The one refused was sent again; the other waited for the number.
        self.assertEqual(len(refused), 1)
        self.assertEqual(self.outbox_to(refused[0])[0][1], "2")

    def test_131056_paces_the_pair_and_the_reply_arrives_once(self):
        # A 400, which for any other code fails the message for good.
        self.refuse_first_text(self.graph.error(*PAIR_RATE, status=400))
        self.reply("tool:list_services {}", ANNA)
        self.wait_settled(ANNA, 1)
        self.assertEqual(self.outbox_to(ANNA), [["sent", "2", ""]])
        self.assertEqual(len(self.sends_to(ANNA, "text")), 1)


class NoTemplate(BusinessSetup):
    """The hand-over without a template: outside the window, nothing goes."""

    def prepare(self):
        super().prepare()
        del self.tenant_extra["business"]["handover"]

    def test_a_notice_outside_the_window_without_a_template_is_never_sent(self):
        told = self.reply("medewerker", ANNA)
        self.assertTrue(told.startswith("Ik heb een medewerker gevraagd je te helpen"), told)
        rows = self.parley.wait_sql(
            "SELECT recipient, state, attempts, error_title FROM outbox"
            " WHERE recipient <> '%s' ORDER BY recipient" % ANNA,
            lambda r: len(r) == 2 and all(row[1] == "failed" for row in r))
        self.assertEqual(rows, sorted([[OWNER, "failed", "0", "outside_24h_window"],
                                       [STAFF, "failed", "0", "outside_24h_window"]]))
        self.assertEqual([b for _, _, b in self.graph.requests
                          if isinstance(b, dict) and b.get("to") in (STAFF, OWNER)], [])


if __name__ == "__main__":
    unittest.main()


class PacedNumber(BusinessSetup):
    """A number allowed 2 messages a second (one second's worth at once)."""

    def prepare(self):
        super().prepare()
        self.tenant_extra["messages_per_second"] = 2

    def test_chats_waiting_for_the_numbers_rate_are_each_answered_once(self):
        # Eight customers write at once: beyond the first second's two, the
        # replies wait in line for the number's next slot, each woken in turn.
        customers = ["3161234560%d" % i for i in range(8)]
        for number in customers:
            self.post(text_webhook("Wat kost knippen?", self.next_id(), number, name="Klant"))
        texts = self.graph.wait_texts(len(customers))
        self.assertIsNotNone(texts, "not every customer was answered")
        self.assertEqual(sorted(b["to"] for _, b in texts), sorted(customers))
        rows = self.parley.wait_sql(
            "SELECT count(*) FROM outbox WHERE state = 'sent' AND recipient LIKE '3161234560%'",
            lambda r: r == [["8"]])
        self.assertEqual(rows, [["8"]])
