"""Reminders: each booking gets one, `reminder.hours_before` its start
(here 72 hours, so every booking in these tests is inside that time),
exactly once, also across kill -9; none for a booking made inside that time
(its confirmation is fresher), a cancelled one, or a customer who sent
STOP; outside the customer's 24-hour window as the template with its
parameters. "Booked four days ago" is set in the database: the clock
cannot be moved, the booking's age can. The booking desk looks for due
reminders every minute and after every booking, so a booking is the signal
that the pass has run."""

import unittest

from test_bookings import ANNA, BOB, BusinessSetup

REMINDER = "Herinnering van Salon Noor: je afspraak Knippen op "


class Reminders(BusinessSetup):

    def prepare(self):
        super().prepare()
        self.tenant_extra["business"]["reminder"] = {
            "hours_before": 72, "template": {"name": "afspraak_herinnering", "language": "nl"}}

    def book(self, who, hhmm, name):
        answer = self.tool(who, "book", service="Knippen", start=self.day + " " + hhmm, name=name)
        self.assertIn("booked", answer)
        self.assertEqual(answer["booked"]["status"], "confirmed", answer)
        return answer["booked"]["booking_id"]

    def booked_days_ago(self, who, days=4):
        self.parley.sql("UPDATE bookings SET created_at = now() - interval '%d days'"
                        " WHERE customer = '%s'" % (days, who))

    def reminders_to(self, who):
        texts = [b["text"]["body"] for b in self.graph.texts()
                 if b["to"] == who and b["text"]["body"].startswith(REMINDER)]
        templates = [b for _, b in self.graph.answered if isinstance(b, dict)
                     and b.get("type") == "template" and b["to"] == who]
        return texts, templates

    def reminder_rows(self, who):
        return self.parley.sql("SELECT state, coalesce(error_title, '') FROM outbox"
                               " WHERE recipient = '%s' AND body LIKE 'Herinnering%%'"
                               " ORDER BY id" % who)

    def wait_reminder(self, who):
        self.parley.wait_sql("SELECT count(*) FROM outbox WHERE recipient = '%s'"
                             " AND body LIKE 'Herinnering%%' AND state = 'sent'" % who,
                             lambda r: r == [["1"]])

    def test_one_reminder_when_due_and_none_for_a_booking_made_inside_its_time(self):
        self.book(ANNA, "10:00", "Anna")
        self.booked_days_ago(ANNA)
        self.book(BOB, "11:00", "Bob")  # made now, two days ahead: no reminder
        self.wait_reminder(ANNA)
        texts, templates = self.reminders_to(ANNA)
        self.assertEqual(len(texts), 1)
        self.assertEqual(templates, [])  # Anna wrote just now: her window is open
        self.assertTrue(texts[0].startswith(REMINDER), texts[0])
        self.assertIn("10:00–10:30, 25 EUR", texts[0])
        self.assertEqual(self.reminder_rows(BOB), [])
        # kill -9 and a new start: the reminder is recorded, never queued again.
        self.parley.kill9()
        self.parley.start()
        self.book(BOB, "12:00", "Bob")
        self.assertEqual(len(self.reminders_to(ANNA)[0]), 1)
        self.assertEqual(self.reminder_rows(ANNA), [["sent", ""]])

    def test_outside_the_window_the_reminder_is_the_template_with_its_parameters(self):
        self.book(ANNA, "10:00", "Anna")
        self.booked_days_ago(ANNA)
        self.parley.sql("UPDATE conversations SET last_inbound_at = now() - interval '4 days'"
                        " WHERE chat = '%s'" % ANNA)
        self.book(BOB, "11:00", "Bob")
        self.wait_reminder(ANNA)
        texts, templates = self.reminders_to(ANNA)
        self.assertEqual(texts, [])
        self.assertEqual(len(templates), 1)
        template = templates[0]["template"]
        self.assertEqual((template["name"], template["language"]["code"]),
                         ("afspraak_herinnering", "nl"))
        params = [p["text"] for p in template["components"][0]["parameters"]]
        self.assertEqual(params[0], "Salon Noor")
        self.assertTrue(params[1].startswith("Knippen op ") and "10:00–10:30" in params[1], params)

    def test_no_reminder_for_a_cancelled_booking_or_after_stop(self):
        anna = self.book(ANNA, "10:00", "Anna")
        self.book(BOB, "11:00", "Bob")
        self.assertEqual(self.tool(ANNA, "cancel", booking_id=anna)["cancelled"]["status"],
                         "cancelled")
        self.assertIn("afgemeld", self.reply("STOP", BOB))
        self.booked_days_ago(ANNA)
        self.booked_days_ago(BOB)
        # A booking's answer comes after the pass it starts: by now any
        # reminder would be in the outbox.
        self.book(ANNA, "14:00", "Anna")
        self.assertEqual(self.reminder_rows(ANNA), [])
        self.assertEqual(self.reminder_rows(BOB), [])
        # START: Bob's booking is due and he gets its reminder after all.
        self.assertIn("aangemeld", self.reply("START", BOB))
        self.book(ANNA, "15:00", "Anna")
        self.wait_reminder(BOB)
        self.assertEqual(len(self.reminders_to(BOB)[0]), 1)


if __name__ == "__main__":
    unittest.main()
