"""A business on WhatsApp: customers book, see, move and cancel appointments
in parley's own calendar through the booking tools, over Meta webhooks, with
every rule enforced by parley (hours, closed days, capacity, the 5-minute
repeat, a customer's own bookings only). The fake model is scripted by the
customer's text: "tool:<name> <json arguments>" makes it call that tool, and
after a tool result it answers "RESULT <the result>", so the test reads
exactly what the booking desk said."""

import datetime
import json
import os
import sys
import threading
import unittest
from zoneinfo import ZoneInfo

from harness import OWNER, ParleyTestCase, text_webhook

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from fakes.servers import completion, tool_call_completion  # noqa: E402
from real_servers import Radicale  # noqa: E402
from test_google import GoogleSetup  # noqa: E402

ZONE = "Europe/Amsterdam"
ANNA = "31600000001"
BOB = "31600000002"


def scripted_model(body):
    """The fake model: a tool call named in the customer's text, or the last
    tool result read back."""
    last = body["messages"][-1]
    if last["role"] == "tool":
        return (200, completion("RESULT " + last["content"]))
    text = last.get("content") or ""
    if text.startswith("tool:"):
        name, _, args = text[5:].partition(" ")
        return (200, tool_call_completion(name, json.loads(args or "{}")))
    return (200, completion("Waarmee kan ik helpen?"))


STAFF = "31611111111"


class BusinessSetup(ParleyTestCase):
    """Salon Noor, open every day 09:00-18:00, one chair; no tests."""

    def prepare(self):
        today = datetime.datetime.now(ZoneInfo(ZONE)).date()
        self.day = (today + datetime.timedelta(days=2)).isoformat()
        self.closed = (today + datetime.timedelta(days=3)).isoformat()
        every_day = ["09:00-18:00"]
        self.tenant_extra = {
            "kind": "business", "timezone": ZONE, "language": "nl",
            "business": {
                "name": "Salon Noor", "tone": "vriendelijk en kort",
                "services": [{"name": "Knippen", "minutes": 30, "price": "25 EUR"},
                             {"name": "Kleuren", "minutes": 90, "price": "70 EUR"}],
                "hours": {d: every_day for d in ("mo", "tu", "we", "th", "fr", "sa", "su")},
                "closed": [self.closed], "max_concurrent": 1, "slot_minutes": 15,
                "min_notice_minutes": 60, "horizon_days": 60, "staff": [STAFF],
                "address": "Dorpsstraat 1, Utrecht",
                "handover": {"template": {"name": "handover_notice", "language": "nl"}}}}

    def setUp(self):
        super().setUp()
        self.llm.default = scripted_model

    def reply(self, text, sender):
        """What `sender` reads back after one message."""
        before = len(self.graph.texts())
        names = {ANNA: "Anna de Vries", BOB: "Bob", OWNER: "Owner", STAFF: "Sam"}
        self.post(text_webhook(text, self.next_id(), sender, name=names[sender]))
        # Notices to staff may come first: wait for the one to `sender`.
        count = before + 1
        while True:
            texts = self.graph.wait_texts(count)
            self.assertIsNotNone(texts, "no reply to %s" % sender)
            mine = [b for _, b in texts[before:] if b["to"] == sender]
            if mine:
                return mine[-1]["text"]["body"]
            count = len(texts) + 1

    def ask(self, text, sender):
        """The result the booking desk gave for one message of `sender`."""
        reply = self.reply(text, sender)
        self.assertTrue(reply.startswith("RESULT "), reply)
        return json.loads(reply[len("RESULT "):])

    def tool(self, sender, tool_name, **args):
        return self.ask("tool:%s %s" % (tool_name, json.dumps(args)), sender)

    def api(self, method, path, body=None, token="admin"):
        headers = {"Authorization": "Bearer " + token} if token else {}
        data = json.dumps(body).encode() if body is not None else b""
        if body is not None:
            headers["Content-Type"] = "application/json"
        status, raw = self.parley.request(method, path, data, headers)
        return status, json.loads(raw)

    def rows(self):
        return self.parley.sql("SELECT id, customer, service, to_char(start_at AT TIME ZONE"
                               " 'Europe/Amsterdam', 'YYYY-MM-DD HH24:MI'), status FROM bookings"
                               " ORDER BY id")



class Bookings(BusinessSetup):
    def test_a_customer_books_sees_moves_and_cancels_only_their_own(self):
        booked = self.tool(ANNA, "book", service="knippen", start=self.day + " 10:00",
                           name="Anna")["booked"]
        self.assertEqual(booked["status"], "confirmed")
        self.assertEqual(booked["start"], self.day + " 10:00")
        self.assertEqual(booked["end"], self.day + " 10:30")
        self.assertRegex(booked["words"],
                         r"^Knippen op (maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)"
                         r" \d+ \w+ 10:00–10:30, 25 EUR$")
        n = booked["booking_id"]
        self.assertEqual(self.rows(), [[str(n), ANNA, "Knippen", self.day + " 10:00", "confirmed"]])
        # The system prompt is the business's, never the customer's words.
        system = self.llm.requests[0][2]["messages"][0]
        self.assertEqual(system["role"], "system")
        self.assertIn("You are the WhatsApp assistant of Salon Noor", system["content"])
        self.assertIn("- Knippen, 30 min, 25 EUR", system["content"])
        self.assertIn('"Anna de"', system["content"])
        self.assertNotIn("tool:", system["content"])
        offered = sorted(t["function"]["name"] for t in self.llm.requests[0][2]["tools"])
        self.assertEqual(offered, ["book", "cancel", "find_slots", "handover", "list_services",
                                   "my_appointments", "reschedule"])

        # The same request again within 5 minutes is the first booking.
        again = self.tool(ANNA, "book", service="Knippen", start=self.day + " 10:00")
        self.assertEqual(again["booked"]["booking_id"], n)
        self.assertIn("minutes ago", again["note"])
        self.assertEqual(len(self.rows()), 1)

        # Bob sees none of it and cannot touch it.
        self.assertEqual(self.tool(BOB, "my_appointments"), {"appointments": []})
        self.assertEqual(self.tool(BOB, "cancel", booking_id=n)["refused"], "not_found")
        self.assertEqual(self.tool(BOB, "reschedule", booking_id=n,
                                   start=self.day + " 12:00")["refused"], "not_found")
        # The owner sees every booking.
        owner_view = self.tool(OWNER, "my_appointments")["appointments"]
        self.assertEqual([a["booking_id"] for a in owner_view], [n])

        mine = self.tool(ANNA, "my_appointments")["appointments"]
        self.assertEqual([a["booking_id"] for a in mine], [n])
        moved = self.tool(ANNA, "reschedule", booking_id=n, start=self.day + " 11:00")["moved"]
        self.assertEqual(moved["start"], self.day + " 11:00")
        self.assertEqual(self.rows()[0][3], self.day + " 11:00")
        cancelled = self.tool(ANNA, "cancel", booking_id=n)["cancelled"]
        self.assertEqual(cancelled["status"], "cancelled")
        self.assertEqual(self.rows()[0][4], "cancelled")
        self.assertEqual(self.tool(ANNA, "cancel", booking_id=n)["refused"], "not_found")
        customers = self.parley.sql("SELECT number, name FROM customers ORDER BY number")
        self.assertEqual(customers, [[ANNA, "Anna de Vries"], [BOB, "Bob"], [OWNER, "Owner"]])

    def test_the_owners_commands_are_not_a_customers(self):
        # "taak:" and "taken" are the owner's tasks: a customer talks to the agent.
        self.assertEqual(self.reply("taak: gratis knippen", ANNA), "Waarmee kan ik helpen?")
        self.assertEqual(self.reply("taken", BOB), "Waarmee kan ik helpen?")
        self.assertEqual(self.parley.sql("SELECT count(*) FROM tasks"), [["0"]])

    def test_the_run_records_every_round_and_tool_call(self):
        self.tool(ANNA, "find_slots", service="Knippen", from_date=self.day, to_date=self.day)
        steps = self.parley.sql("SELECT steps::text FROM runs WHERE path = 'llm'"
                                " ORDER BY id DESC LIMIT 1")[0][0]
        rounds = json.loads(steps)
        self.assertEqual(len(rounds), 2)  # the call, then the answer from its result
        self.assertEqual([c["name"] for c in rounds[0]["calls"]], ["find_slots"])
        self.assertIn('"Knippen"', rounds[0]["calls"][0]["arguments"])
        self.assertGreater(rounds[0]["calls"][0]["result_chars"], 0)
        self.assertFalse(rounds[0]["calls"][0]["error"])
        self.assertEqual(rounds[1]["calls"], [])
        # A call the desk refuses goes back to the model as a result, and is marked.
        self.tool(ANNA, "cancel")
        steps = self.parley.sql("SELECT steps::text FROM runs WHERE path = 'llm'"
                                " ORDER BY id DESC LIMIT 1")[0][0]
        self.assertEqual([c["name"] for c in json.loads(steps)[0]["calls"]], ["cancel"])

    def test_outside_hours_and_closed_days_are_refused_with_free_times(self):
        early = self.tool(ANNA, "book", service="Knippen", start=self.day + " 08:00")
        self.assertEqual(early["refused"], "outside_hours")
        self.assertEqual(early["reason"], "That time is outside the opening hours.")
        self.assertEqual(early["free"][:2], [self.day + " 09:00", self.day + " 09:15"])
        self.assertEqual(self.tool(ANNA, "book", service="Knippen",
                                   start=self.closed + " 10:00")["refused"], "closed")
        self.assertEqual(self.tool(ANNA, "book", service="Knippen",
                                   start=self.day + " 17:45")["refused"], "too_long")
        self.assertEqual(self.tool(ANNA, "book", service="Kleuren",
                                   start=self.day + " 17:00")["refused"], "too_long")
        self.assertEqual(self.tool(ANNA, "book", service="Knippen",
                                   start=self.day + " 10:10")["refused"], "not_aligned")
        unknown = self.tool(ANNA, "book", service="Föhnen", start=self.day + " 10:00")
        self.assertEqual(unknown["services"], ["Knippen", "Kleuren"])
        self.assertEqual(self.rows(), [])

    def test_free_slots_leave_out_what_is_taken(self):
        self.tool(ANNA, "book", service="Knippen", start=self.day + " 09:00")
        free = self.tool(BOB, "find_slots", service="Knippen", from_date=self.day,
                         to_date=self.day)["free"]
        self.assertEqual(free[:3], [self.day + " 09:30", self.day + " 09:45", self.day + " 10:00"])
        self.assertEqual(self.tool(BOB, "list_services")["services"][0],
                         {"name": "Knippen", "minutes": 30, "price": "25 EUR"})

    def test_the_last_place_taken_by_two_customers_at_once_goes_to_one(self):
        results = {}

        def book(who):
            results[who] = self.post(text_webhook(
                "tool:book " + json.dumps({"service": "Knippen", "start": self.day + " 14:00"}),
                "wamid.race.%s" % who, who))

        threads = [threading.Thread(target=book, args=(w,)) for w in (ANNA, BOB)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        replies = [json.loads(b["text"]["body"][len("RESULT "):])
                   for _, b in self.graph.wait_texts(2)]
        outcomes = sorted("booked" if "booked" in r else r["refused"] for r in replies)
        self.assertEqual(outcomes, ["booked", "slot_unavailable"])
        rows = self.rows()
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][3], self.day + " 14:00")

    def test_the_operator_books_lists_and_cancels_over_http_with_the_same_rules(self):
        start = datetime.datetime.fromisoformat(self.day + "T10:00").replace(tzinfo=ZoneInfo(ZONE))
        order = {"tenant": "ops", "service": "Knippen", "start": start.isoformat(),
                 "customer": {"number": ANNA, "name": "Anna"}}
        status, made = self.api("POST", "/api/bookings", order)
        self.assertEqual(status, 201, made)
        self.assertEqual(made["status"], "confirmed")
        self.assertEqual(made["customer"], {"number": ANNA, "name": "Anna"})
        self.assertEqual(datetime.datetime.fromisoformat(made["start"].replace("Z", "+00:00")), start)
        self.assertEqual(datetime.datetime.fromisoformat(made["end"].replace("Z", "+00:00")),
                         start + datetime.timedelta(minutes=30))
        # The same place for someone else is taken (max_concurrent 1).
        status, taken = self.api("POST", "/api/bookings", dict(order, customer={"number": BOB}))
        self.assertEqual((status, taken["error"]), (409, "slot_unavailable"))
        early = dict(order, start=self.day + "T07:00:00+01:00", customer={"number": BOB})
        status, refused = self.api("POST", "/api/bookings", early)
        self.assertEqual((status, refused["error"]), (409, "outside_hours"))
        status, listed = self.api("GET", "/api/bookings?tenant=ops&from=%s&to=%s" % (self.day, self.day))
        self.assertEqual(status, 200)
        self.assertEqual([b["id"] for b in listed], [made["id"]])
        status, gone = self.api("DELETE", "/api/bookings/%d" % made["id"])
        self.assertEqual((status, gone["status"]), (200, "cancelled"))
        self.assertEqual(self.api("DELETE", "/api/bookings/%d" % made["id"])[0], 404)
        status, listed = self.api("GET", "/api/bookings?tenant=ops&from=%s&to=%s" % (self.day, self.day))
        self.assertEqual(listed, [])
        status, cancelled = self.api("GET", "/api/bookings?tenant=ops&status=cancelled&from=%s&to=%s"
                                     % (self.day, self.day))
        self.assertEqual([b["id"] for b in cancelled], [made["id"]])
        self.assertEqual(self.api("GET", "/api/bookings?tenant=nope")[0], 404)
        self.assertEqual(self.api("POST", "/api/bookings", {"tenant": "ops"})[0], 400)
        self.assertEqual(self.api("GET", "/api/bookings?tenant=ops", token="wrong")[0], 401)

    def test_kill_9_after_the_booking_and_before_the_answer_books_once(self):
        order = {"service": "Knippen", "start": self.day + " 15:00"}
        self.llm.script = [(200, tool_call_completion("book", order)), ("hang", 30)]
        self.post(text_webhook("tool:book " + json.dumps(order), self.next_id(), ANNA,
                               name="Anna de Vries"))
        self.assertIsNotNone(self.llm.wait_requests(2))  # booked; the answer is in flight
        self.assertEqual(len(self.rows()), 1)
        self.parley.kill9()
        self.llm.release.set()
        self.parley.start()
        # The message is handled again after the restart: the model books
        # again, and gets the first booking back.
        reply = self.graph.wait_texts(1)[0][1]["text"]["body"]
        self.assertIn("minutes ago", reply)
        rows = self.rows()
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][1:], [ANNA, "Knippen", self.day + " 15:00", "confirmed"])


class HandOver(BusinessSetup):
    """STOP and START, and a person taking a chat over."""

    def runs(self, path):
        return self.parley.sql("SELECT count(*) FROM runs WHERE path = '%s'" % path)[0][0]

    def test_stop_and_start_are_confirmed_and_recorded_without_the_model(self):
        self.assertEqual(self.reply("STOP", ANNA),
                         "Je bent afgemeld: we sturen je geen herinneringen of andere berichten "
                         "meer uit onszelf. Stuur START om je weer aan te melden.")
        self.assertEqual(self.parley.sql("SELECT opted_out FROM customers WHERE number = '%s'"
                                         % ANNA), [["t"]])
        self.assertEqual(self.reply("aanmelden", ANNA),
                         "Je bent weer aangemeld: je krijgt weer herinneringen van ons.")
        self.assertEqual(self.parley.sql("SELECT opted_out FROM customers WHERE number = '%s'"
                                         % ANNA), [["f"]])
        self.assertEqual(len(self.llm.requests), 0)
        # "stop met dat gedoe" is a sentence, not the opt-out word.
        self.reply("stop met dat gedoe", ANNA)
        self.assertEqual(len(self.llm.requests), 1)

    def templates_to(self, number):
        return [b for _, b in self.graph.answered
                if isinstance(b, dict) and b.get("type") == "template" and b["to"] == number]

    def notices_to(self, number):
        return [b for b in self.graph.texts()
                if b["to"] == number and "wil een medewerker spreken" in b["text"]["body"]]

    def test_asking_for_a_person_silences_the_bot_tells_staff_and_resume_ends_it(self):
        # Staff wrote today (their 24-hour window is open): the notice is a
        # text; the owner has not: the hand-over template goes instead.
        self.reply("hoi", STAFF)
        self.reply("tool:list_services {}", ANNA)
        told = self.reply("medewerker", ANNA)
        self.assertTrue(told.startswith("Ik heb een medewerker gevraagd je te helpen"), told)
        self.graph.wait_texts(4)
        notices = self.notices_to(STAFF)
        self.assertEqual(len(notices), 1)
        self.assertIn("Anna de Vries (+%s) wil een medewerker spreken" % ANNA,
                      notices[0]["text"]["body"])
        self.assertIn("tool:list_services", notices[0]["text"]["body"])  # the last messages
        self.graph.wait_answered(1, where=lambda r: isinstance(r[1], dict)
                                 and r[1].get("type") == "template" and r[1]["to"] == OWNER)
        owner = self.templates_to(OWNER)
        self.assertEqual([(b["template"]["name"], b["template"]["language"]["code"])
                          for b in owner], [("handover_notice", "nl")])
        self.assertEqual([b for b in self.graph.texts() if b["to"] == OWNER], [])
        calls = len(self.llm.requests)
        # Handed over: the bot stays silent, and records why.
        self.post(text_webhook("hallo? is daar iemand", self.next_id(), ANNA, name="Anna de Vries"))
        self.parley.wait_sql("SELECT count(*) FROM runs WHERE path = 'silent'",
                             lambda rows: rows == [["1"]])
        self.assertEqual(len(self.llm.requests), calls)
        self.assertEqual(len([b for b in self.graph.texts() if b["to"] == ANNA]), 2)
        # STOP still works in a handed-over chat.
        self.assertIn("afgemeld", self.reply("stop", ANNA))
        # Asking again in the handed-over chat does not tell staff twice.
        self.post(text_webhook("mens", self.next_id(), ANNA, name="Anna de Vries"))
        self.parley.wait_sql("SELECT count(*) FROM runs WHERE path = 'silent'",
                             lambda rows: rows == [["2"]])
        self.assertEqual(len(self.notices_to(STAFF)), 1)
        self.assertEqual(len(self.templates_to(OWNER)), 1)
        status, body = self.api("POST", "/api/conversations/ops/%s/resume" % ANNA)
        self.assertEqual((status, body["was_paused"]), (200, True))
        self.assertEqual(self.reply("tool:list_services {}", ANNA)[:7], "RESULT ")
        self.assertEqual(self.api("POST", "/api/conversations/ops/%s/resume" % ANNA)[1]["was_paused"],
                         False)
        self.assertEqual(self.api("POST", "/api/conversations/nope/1/resume")[0], 404)

    def test_the_model_hands_over_with_the_handover_tool(self):
        self.reply("hoi", STAFF)
        told = self.reply("tool:handover " + json.dumps({"reason": "klacht over een behandeling"}),
                          BOB)
        self.assertTrue(told.startswith("Ik heb een medewerker gevraagd je te helpen"), told)
        self.graph.wait_texts(3)
        notices = self.notices_to(STAFF)
        self.assertEqual(len(notices), 1)
        self.assertIn("(klacht over een behandeling)", notices[0]["text"]["body"])
        self.post(text_webhook("nog iets", self.next_id(), BOB, name="Bob"))
        self.parley.wait_sql("SELECT count(*) FROM runs WHERE path = 'silent'",
                             lambda rows: rows == [["1"]])
        # Staff are not customers: their messages go on to the model.
        self.assertTrue(self.reply("tool:my_appointments {}", STAFF).startswith("RESULT "))


class StaffReply(BusinessSetup):
    """Staff answer a customer from their own WhatsApp: `reply <number> <text>`."""

    def texts_to(self, number):
        return [b["text"]["body"] for b in self.graph.texts() if b["to"] == number]

    def test_staff_answer_a_handed_over_customer_as_the_business(self):
        self.reply("hoi", STAFF)
        self.reply("medewerker", ANNA)
        self.graph.wait_texts(3)  # the notice to staff is in before they answer
        calls = len(self.llm.requests)
        self.assertEqual(self.reply("reply +%s Hoi Anna, ik help je zo. Wat is er?" % ANNA, STAFF),
                         "Verstuurd aan +%s." % ANNA)
        self.graph.wait_answered(1, where=lambda r: isinstance(r[1], dict)
                                 and r[1].get("to") == ANNA
                                 and "ik help je zo" in r[1].get("text", {}).get("body", ""))
        self.assertEqual([t for t in self.texts_to(ANNA) if "ik help je zo" in t],
                         ["Hoi Anna, ik help je zo. Wat is er?"])
        self.assertEqual(len(self.llm.requests), calls)  # no model for either message
        # Her conversation remembers it; the audit names who sent it.
        self.assertEqual(self.parley.sql(
            "SELECT content FROM messages WHERE chat = '%s' AND role = 'assistant'"
            " ORDER BY id DESC LIMIT 1" % ANNA), [["Hoi Anna, ik help je zo. Wat is er?"]])
        self.assertEqual(self.parley.sql(
            "SELECT actor, subject FROM audit WHERE action = 'staff_reply'"), [[STAFF, ANNA]])

    def test_a_reply_to_a_stranger_or_outside_the_window_sends_nothing(self):
        self.reply("hoi", ANNA)
        self.assertIn("nog nooit geschreven", self.reply("reply 31699999999 hallo", STAFF))
        self.parley.sql("UPDATE conversations SET last_inbound_at = now() - interval '25 hours'"
                        " WHERE chat = '%s'" % ANNA)
        self.assertIn("meer dan 24 uur geleden", self.reply("reply %s hallo" % ANNA, STAFF))
        self.assertEqual(self.parley.sql("SELECT count(*) FROM outbox WHERE recipient IN"
                                         " ('31699999999', '%s') AND body = 'hallo'" % ANNA),
                         [["0"]])

    def test_a_customer_cannot_reply_as_the_business(self):
        self.reply("hoi", BOB)
        answer = self.reply("reply %s je afspraak is verzet" % BOB, ANNA)
        self.assertEqual(answer, "Waarmee kan ik helpen?")  # the model, as any message
        self.assertEqual([t for t in self.texts_to(BOB) if "verzet" in t], [])


class HeldBookings(BusinessSetup):
    """approve_bookings: a booking waits for the owner, who decides in the chat."""

    def prepare(self):
        super().prepare()
        self.tenant_extra["business"]["approve_bookings"] = True

    def hold(self, who, hhmm, name):
        answer = self.tool(who, "book", service="Knippen", start=self.day + " " + hhmm, name=name)
        self.assertEqual(answer["booked"]["status"], "pending", answer)
        self.assertIn("not confirmed yet", answer["note"])
        return answer["booked"]["booking_id"]

    def approval_of(self, booking):
        rows = self.parley.sql("SELECT approval_id FROM bookings WHERE id = %d" % booking)
        return int(rows[0][0])

    def said_to(self, number):
        return [self.graph.body(b) for _, b in self.graph.answered if isinstance(b, dict)
                and b.get("to") == number and b.get("type") in ("text", "interactive")]

    def status(self, booking):
        return self.parley.sql("SELECT status FROM bookings WHERE id = %d" % booking)[0][0]

    def test_the_owner_confirms_a_held_booking_once_and_the_customer_hears_it(self):
        self.reply("hoi", OWNER)  # the owner's 24-hour window is open
        n = self.hold(ANNA, "10:00", "Anna")
        a = self.approval_of(n)
        self.graph.wait_answered(1, where=lambda r: isinstance(r[1], dict)
                                 and r[1].get("type") == "interactive" and r[1]["to"] == OWNER)
        prompt = [t for t in self.said_to(OWNER) if "Knippen op" in t]
        self.assertEqual(len(prompt), 1)
        self.assertIn("voor Anna (+%s)" % ANNA, prompt[0])
        self.assertIn(str(a), prompt[0])
        # Held, it takes its place: Bob cannot have the same time.
        self.assertEqual(self.tool(BOB, "book", service="Knippen",
                                   start=self.day + " 10:00")["refused"], "slot_unavailable")
        told = self.reply("ja %d" % a, OWNER)
        self.assertTrue(told.startswith("Bevestigd: Knippen op "), told)
        self.graph.wait_answered(1, where=lambda r: isinstance(r[1], dict) and r[1].get("to") == ANNA
                                 and "bevestigd" in r[1].get("text", {}).get("body", ""))
        self.assertEqual(self.status(n), "confirmed")
        confirmed = [t for t in self.said_to(ANNA) if "heeft je afspraak bevestigd" in t]
        self.assertEqual(len(confirmed), 1)
        self.assertTrue(confirmed[0].startswith("Salon Noor heeft je afspraak bevestigd: Knippen op"))
        # Deciding again changes nothing and tells nobody twice.
        self.assertIn("al beslist", self.reply("ja %d" % a, OWNER))
        self.assertEqual(len([t for t in self.said_to(ANNA) if "bevestigd" in t]), 1)

    def test_staff_decide_a_held_booking_and_a_customer_cannot(self):
        self.reply("hoi", OWNER)
        n = self.hold(ANNA, "10:00", "Anna")
        a = self.approval_of(n)
        # A customer's "ja 12" is conversation with the agent, never a decision.
        self.assertEqual(self.reply("ja %d" % a, BOB), "Waarmee kan ik helpen?")
        self.assertEqual(self.status(n), "pending")
        told = self.reply("ja %d" % a, STAFF)
        self.assertTrue(told.startswith("Bevestigd: Knippen op "), told)
        self.assertEqual(self.status(n), "confirmed")
        self.graph.wait_answered(1, where=lambda r: isinstance(r[1], dict) and r[1].get("to") == ANNA
                                 and "bevestigd" in r[1].get("text", {}).get("body", ""))
        by = self.parley.sql("SELECT decided_by FROM approvals WHERE id = %d" % a)
        self.assertEqual(by, [[STAFF]])

    def test_a_declined_booking_frees_its_place_and_the_customer_hears_why(self):
        self.reply("hoi", OWNER)
        n = self.hold(BOB, "11:00", "Bob")
        self.assertTrue(self.reply("nee %d" % self.approval_of(n), OWNER).startswith("Afgewezen: "))
        self.assertEqual(self.status(n), "cancelled")
        self.graph.wait_answered(1, where=lambda r: isinstance(r[1], dict) and r[1].get("to") == BOB
                                 and "Het spijt ons" in r[1].get("text", {}).get("body", ""))
        self.hold(ANNA, "11:00", "Anna")  # the time is free again

    def test_a_hold_nobody_decides_in_time_lapses_and_the_customer_is_told(self):
        self.reply("hoi", OWNER)
        n = self.hold(ANNA, "10:00", "Anna")
        a = self.approval_of(n)
        # The owner's time to decide has passed (the approval's age is set).
        self.parley.sql("UPDATE approvals SET expires_at = now() - interval '1 second'"
                        " WHERE id = %d" % a)
        self.hold(BOB, "12:00", "Bob")  # a booking: the desk's pass runs
        self.assertEqual(self.status(n), "cancelled")
        self.graph.wait_answered(1, where=lambda r: isinstance(r[1], dict) and r[1].get("to") == ANNA
                                 and "niet op tijd bevestigd" in r[1].get("text", {}).get("body", ""))
        self.assertIn("verlopen", self.reply("ja %d" % a, OWNER))
        self.assertEqual(self.status(n), "cancelled")


class CalendarBookings:
    """A business whose bookings also live in its own calendar; the mixin's
    tests run on Google Calendar (a fake of its API) and on CalDAV (Radicale)."""

    def booked(self, who, hhmm, name):
        answer = self.tool(who, "book", service="Knippen", start=self.day + " " + hhmm, name=name)
        self.assertIn("booked", answer)
        return answer["booked"]["booking_id"]

    def mirrored(self, booking):
        """Waits until the calendar has seen the booking's latest change."""
        self.parley.wait_sql("SELECT calendar_synced = calendar_version FROM bookings"
                             " WHERE id = %d" % booking, lambda r: r == [["t"]])

    def local(self, hhmm):
        return datetime.datetime.combine(datetime.date.fromisoformat(self.day),
                                         datetime.time.fromisoformat(hhmm), ZoneInfo(ZONE))

    def test_a_booking_is_written_moved_and_removed_in_the_calendar(self):
        n = self.booked(ANNA, "10:00", "Anna")
        self.mirrored(n)
        entry = self.entry(n)
        self.assertEqual(entry["summary"], "Knippen: Anna")
        self.assertEqual(entry["start"], self.local("10:00"))
        self.assertEqual(entry["end"], self.local("10:30"))
        self.assertIn("+" + ANNA, entry["description"])
        # Moved to overlap its own old time: its entry is not busy time.
        self.assertIn("moved", self.tool(ANNA, "reschedule", booking_id=n, start=self.day + " 10:15"))
        self.mirrored(n)
        self.assertEqual(self.entry(n)["start"], self.local("10:15"))
        self.assertIn("cancelled", self.tool(ANNA, "cancel", booking_id=n))
        self.mirrored(n)
        self.assertIsNone(self.entry(n))

    def test_the_owners_own_events_block_their_time(self):
        self.owner_event("Tandarts", "10:00", "11:00")
        self.owner_event("Verjaardag Noor", "11:00", "12:00", free=True)
        free = self.tool(BOB, "find_slots", service="Knippen", from_date=self.day,
                         to_date=self.day)["free"]
        day = lambda hhmm: self.day + " " + hhmm
        for taken in ("09:45", "10:00", "10:30"):
            self.assertNotIn(day(taken), free)
        for open_ in ("09:30", "11:00", "11:15"):
            self.assertIn(day(open_), free)
        refused = self.tool(BOB, "book", service="Knippen", start=day("10:15"))
        self.assertEqual(refused["refused"], "slot_unavailable")
        self.assertEqual(self.rows(), [])


class GoogleCalendarBookings(CalendarBookings, BusinessSetup, GoogleSetup):
    """Salon Noor's bookings in its Google Calendar (connected with `parley
    connect google`, GoogleSetup's consent flow), under ids parley derives
    from each booking."""

    llm_enabled = True  # the booking agent (GoogleSetup's commands need none)

    def prepare(self):
        super().prepare()
        self.start_google()
        self.tenant_extra["business"]["calendar"] = {"provider": "google",
                                                     "calendar_id": "primary"}

    def setUp(self):
        super().setUp()
        self.connect()

    def entry(self, booking):
        for ev in self.google.events:
            if ev["id"] == "prlb%d" % booking and ev.get("status") != "cancelled":
                parse = lambda w: datetime.datetime.fromisoformat(
                    w["dateTime"].replace("Z", "+00:00"))
                return {"summary": ev["summary"], "description": ev["description"],
                        "start": parse(ev["start"]), "end": parse(ev["end"])}
        return None

    def owner_event(self, summary, start, end, free=False):
        ev = {"summary": summary, "start": self.local(start).isoformat(),
              "end": self.local(end).isoformat()}
        if free:
            ev["transparency"] = "transparent"
        self.google.events.append(ev)

    def test_a_calendar_that_fails_keeps_the_booking_and_catches_up(self):
        # Reads work; writes fail: the booking stands, the entry follows later.
        self.google.fail_on = {"/calendar/v3/calendars/primary/events/": (
            503, {"error": {"code": 503, "message": "Backend Error"}})}
        n = self.booked(ANNA, "10:00", "Anna")
        self.google.wait_calls(1, "/calendar/v3/calendars/primary/events/", "PUT")
        self.assertEqual([r[4] for r in self.rows()], ["confirmed"])
        self.assertIsNone(self.entry(n))
        self.google.fail_on = {}
        m = self.booked(BOB, "11:00", "Bob")  # a change: the desk writes again
        self.mirrored(n)
        self.mirrored(m)
        self.assertEqual(self.entry(n)["start"], self.local("10:00"))
        inserted = [c for c in self.google.calls("/calendar/v3/calendars/primary/events", "POST")]
        self.assertEqual(sorted(c.body["id"] for c in inserted), sorted(["prlb%d" % n, "prlb%d" % m]))

    def test_an_unreadable_calendar_books_nothing(self):
        self.google.fail_with = (500, {"error": {"code": 500, "message": "Backend Error"}})
        answer = self.tool(ANNA, "book", service="Knippen", start=self.day + " 10:00", name="Anna")
        self.assertIn("cannot be read right now", answer["error"])
        self.assertEqual(self.rows(), [])


@unittest.skipUnless(Radicale.available(), "radicale is not installed")
class CalDAVBookings(CalendarBookings, BusinessSetup):
    """Salon Noor's bookings in a CalDAV calendar on a real server (Radicale)."""

    def prepare(self):
        super().prepare()
        self.radicale = Radicale()
        self.addCleanup(self.radicale.close)
        self.tenant_extra["business"]["calendar"] = {
            "provider": "caldav", "url": self.radicale.calendar_url("salon"),
            "username": "owner", "password_env": "CALDAV_PASSWORD"}
        self.parley_env = {"CALDAV_PASSWORD": self.radicale.password}

    def entry(self, booking):
        uid = "parley-booking-%d" % booking
        for text in self.radicale.events("salon"):
            if "UID:" + uid in text:
                unfolded = text.replace("\r\n ", "").replace("\r\n", "\n")
                fields = dict(line.split(":", 1) for line in unfolded.split("\n") if ":" in line)
                stamp = lambda v: datetime.datetime.strptime(v, "%Y%m%dT%H%M%SZ").replace(
                    tzinfo=datetime.timezone.utc)
                return {"summary": fields["SUMMARY"],
                        "description": fields["DESCRIPTION"].replace("\\n", "\n"),
                        "start": stamp(fields["DTSTART"]), "end": stamp(fields["DTEND"])}
        return None

    def owner_event(self, summary, start, end, free=False):
        at = lambda hhmm: "TZID=%s:%sT%s00" % (ZONE, self.day.replace("-", ""),
                                               hhmm.replace(":", ""))
        self.radicale.put_event("salon", summary.lower().replace(" ", "-"), (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
            "UID:%s\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:%s\r\nDTSTART;%s\r\nDTEND;%s\r\n"
            "%sEND:VEVENT\r\nEND:VCALENDAR\r\n") % (
            summary.lower().replace(" ", "-"), summary, at(start), at(end),
            "TRANSP:TRANSPARENT\r\n" if free else ""))


if __name__ == "__main__":
    unittest.main()
