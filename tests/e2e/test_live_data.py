"""Live data on WhatsApp: `agenda`, `inbox`, `followups`, `weather`, `github`
and `brief` answered without an LLM from a real CalDAV server (Radicale), a
real IMAP server (Dovecot) and fakes of Open-Meteo and GitHub that speak their
wire formats, errors included; each connector's health in GET /health."""

import datetime
import json
import os
import sys
import unittest
from zoneinfo import ZoneInfo

from harness import OWNER, ParleyTestCase
from real_servers import Dovecot, Radicale

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from fakes.connectors import FakeGitHub, FakeOpenMeteo  # noqa: E402
from fakes.servers import FakeServer  # noqa: E402

ZONE = "Europe/Amsterdam"
GITHUB_TOKEN = "ghp_fake0123456789"


def local_now():
    return datetime.datetime.now(ZoneInfo(ZONE))


def ics(uid, summary, start, end, extra=""):
    """A VCALENDAR with one VEVENT; start/end are 'TZID=...:...' or 'VALUE=DATE:...'."""
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
            "UID:%s\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:%s\r\nDTSTART;%s\r\nDTEND;%s\r\n%s"
            "END:VEVENT\r\nEND:VCALENDAR\r\n") % (uid, summary, start, end, extra)


def at(day, hhmm):
    return "TZID=%s:%sT%s00" % (ZONE, day.strftime("%Y%m%d"), hhmm.replace(":", ""))


class LiveData(ParleyTestCase):
    """Every source configured; the LLM is absent, so these are commands."""

    llm_enabled = False

    def prepare(self):
        self.radicale = Radicale()
        self.dovecot = Dovecot()
        self.weather = FakeOpenMeteo()
        self.github = FakeGitHub(token=GITHUB_TOKEN)
        for s in (self.radicale, self.dovecot, self.weather, self.github):
            self.addCleanup(s.close)
        self.calendar = self.radicale.calendar_url("work")
        self.tenant_extra = {
            "timezone": ZONE,
            "connectors": {
                "calendar": {"provider": "caldav", "url": self.calendar,
                             "username": "owner", "password_env": "CALDAV_PASSWORD"},
                "mail": {"provider": "imap", "host": "localhost", "port": self.dovecot.port,
                         "username": "owner", "password_env": "IMAP_PASSWORD"},
                "github": {"token_env": "GITHUB_TOKEN", "repos": ["acme/app"]},
                "weather": {"latitude": 52.37, "longitude": 4.89, "place": "Amsterdam"},
            },
        }
        self.config_extra = {"weather": {"base_url": self.weather.url},
                             "github": {"api_url": self.github.url},
                             "connectors": {"timeout_ms": 3000, "cache_s": 60}}
        self.parley_env = {"CALDAV_PASSWORD": self.radicale.password,
                           "IMAP_PASSWORD": self.dovecot.password,
                           "GITHUB_TOKEN": GITHUB_TOKEN,
                           "SSL_CERT_FILE": self.dovecot.ca_file}

    def ask(self, text):
        before = len(self.graph.texts())
        self.say(text)
        return self.graph.wait_texts(before + 1)[-1][1]["text"]["body"]

    def test_agenda_lists_today_from_caldav_with_recurring_and_all_day_events(self):
        today = local_now().date()
        tomorrow = today + datetime.timedelta(days=1)
        two_weeks_ago = today - datetime.timedelta(days=14)
        self.radicale.put_event("work", "standup", ics(
            "standup", "Standup", at(two_weeks_ago, "09:30"), at(two_weeks_ago, "09:45"),
            "RRULE:FREQ=WEEKLY\r\n"))
        self.radicale.put_event("work", "sara", ics(
            "sara", "Call with Sara", at(today, "14:00"), at(today, "15:00")))
        self.radicale.put_event("work", "fair", ics(
            "fair", "Trade fair", "VALUE=DATE:" + today.strftime("%Y%m%d"),
            "VALUE=DATE:" + tomorrow.strftime("%Y%m%d")))
        self.radicale.put_event("work", "dentist", ics(
            "dentist", "Dentist", at(tomorrow, "08:00"), at(tomorrow, "08:30")))
        reply = self.ask("agenda")
        self.assertIn("Agenda (", reply)
        lines = reply.split("\n")[1:]
        self.assertEqual(lines, ["• all day: Trade fair", "• 09:30–09:45 Standup",
                                 "• 14:00–15:00 Call with Sara"], reply)
        self.assertEqual(self.ask("agenda tomorrow").split("\n")[1:],
                         ["• 08:00–08:30 Dentist"])

    def test_inbox_lists_unread_mail_newest_first_and_leaves_it_unread(self):
        now = local_now()
        self.dovecot.append("INBOX", "Alice <alice@example.com>", "owner@example.com",
                            "Lunch tomorrow?", "Shall we?", date=now - datetime.timedelta(hours=2))
        self.dovecot.append("INBOX", "=?UTF-8?B?QmrDtnJu?= <bjorn@example.com>", "owner@example.com",
                            "Invoice 42", "Attached.", date=now - datetime.timedelta(hours=1))
        self.dovecot.append("INBOX", "Old <old@example.com>", "owner@example.com",
                            "Already read", "x", seen=True)
        reply = self.ask("inbox")
        self.assertEqual(reply, "Unread mail:\n• Björn: Invoice 42\n• Alice: Lunch tomorrow?")
        # Reading the inbox marked nothing read.
        self.assertEqual(len(self.dovecot.search("INBOX", "UNSEEN")), 2)

    def test_followups_are_sent_threads_nobody_answered(self):
        now = local_now()
        five_days = now - datetime.timedelta(days=5)
        self.dovecot.append("Sent", "owner@example.com", "Jan <jan@example.com>",
                            "Factuur november", "Zie bijlage.", date=five_days, seen=True)
        self.dovecot.append("Sent", "owner@example.com", "sara@example.com",
                            "Planning", "Vrijdag?", date=five_days, seen=True)
        self.dovecot.append("INBOX", "Sara <sara@example.com>", "owner@example.com",
                            "Re: Planning", "Prima.", date=now - datetime.timedelta(days=2), seen=True)
        self.dovecot.append("Sent", "owner@example.com", "piet@example.com",
                            "Gisteren", "x", date=now - datetime.timedelta(days=1), seen=True)
        reply = self.ask("followups")
        self.assertEqual(reply, "Still waiting for an answer to:\n"
                                "• Jan: Factuur november (sent 5 days ago)")

    def test_weather_is_todays_forecast_in_words_and_read_once_per_minute(self):
        today = local_now().date()
        self.weather.days = [
            {"date": today.isoformat(), "code": 61, "tmax": 8.4, "tmin": 3.2, "rain": 60, "wind": 22.3},
            {"date": (today + datetime.timedelta(days=1)).isoformat(), "code": 0, "tmax": 5,
             "tmin": -1, "rain": 0, "wind": 8}]
        self.assertEqual(self.ask("weather").split("\n")[1],
                         "• Amsterdam, today: light rain, 3 to 8 °C, 60% chance of rain, wind 22 km/h")
        self.ask("weather")
        self.ask("weather")
        self.assertEqual(len(self.weather.calls("/v1/forecast")), 1)  # cached
        self.assertIn("tomorrow: clear sky", self.ask("weather tomorrow"))

    def test_github_lists_reviews_failing_checks_and_assigned_work(self):
        self.github.items = [
            {"repo": "acme/app", "number": 12, "title": "Fix the parser", "kind": "pr",
             "author": "sara", "review_requested": True, "head_sha": "a1"},
            {"repo": "acme/app", "number": 7, "title": "New login", "kind": "pr",
             "author": "octocat", "head_sha": "b2", "checks": [("build", "success"), ("lint", "failure")]},
            {"repo": "acme/app", "number": 3, "title": "Crash on start", "kind": "issue",
             "author": "jan", "assignees": ["octocat"]},
            {"repo": "other/repo", "number": 9, "title": "Elsewhere", "kind": "issue",
             "author": "jan", "assignees": ["octocat"]},
        ]
        reply = self.ask("github")
        self.assertEqual(reply.split("\n")[1:], [
            "• Review requested: acme/app#12 Fix the parser",
            "• Failing checks: acme/app#7 New login (lint)",
            "• Assigned: acme/app#3 Crash on start"])
        for call in self.github.calls("/search/issues"):
            self.assertEqual(call.header("authorization"), "Bearer " + GITHUB_TOKEN)

    def test_a_failing_connector_says_what_failed_and_health_is_degraded(self):
        self.github.fail_with = FakeGitHub.BAD_CREDENTIALS
        reply = self.ask("github")
        self.assertEqual(reply, "That did not work right now: GitHub refused the credentials "
                                "(401 Bad credentials): check tenants[].connectors.github.token_env")
        self.weather.days = [{"date": local_now().date().isoformat(), "code": 1, "tmax": 1,
                              "tmin": 0, "rain": 0, "wind": 1}]
        self.ask("weer")
        status, body = self.parley.request("GET", "/health")
        self.assertEqual(status, 200)
        health = json.loads(body)
        self.assertEqual(health["status"], "degraded")
        connectors = health["tenants"]["ops"]["connectors"]
        self.assertEqual(connectors["github"]["status"], "failing")
        self.assertIn("Bad credentials", connectors["github"]["error"])
        self.assertIsNone(connectors["github"]["last_success"])
        self.assertEqual(connectors["weather"]["status"], "ok")
        self.assertRegex(connectors["weather"]["last_success"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(connectors["shell"]["status"], "not_configured")

    def test_an_unreachable_server_is_one_sentence(self):
        self.dovecot.close()
        reply = self.ask("inbox")
        self.assertTrue(reply.startswith("That did not work right now: the IMAP server at localhost:"),
                        reply)
        self.assertNotIn("\n", reply)

    def test_the_brief_without_an_llm_is_the_template_and_a_dead_source_does_not_stop_it(self):
        today = local_now().date()
        self.radicale.put_event("work", "sara", ics(
            "sara", "Call with Sara", at(today, "14:00"), at(today, "15:00")))
        self.github.fail_with = (500, {"message": "Server Error"})
        self.weather.days = [{"date": today.isoformat(), "code": 3, "tmax": 7, "tmin": 2,
                              "rain": 10, "wind": 12}]
        self.say("task: send the invoice")
        self.graph.wait_texts(1)
        brief = self.ask("brief")
        self.assertTrue(brief.startswith("Good morning! Your brief for "), brief)
        self.assertIn("*Agenda*\n- 14:00–15:00 Call with Sara", brief)
        self.assertIn("*Unread mail*: nothing", brief)
        self.assertIn("*GitHub*: unavailable: GitHub failed (HTTP 500 Server Error)", brief)
        self.assertIn("*Weather*\n- Amsterdam, today: overcast", brief)
        self.assertIn("*Tasks*\n- send the invoice", brief)
        self.assertIn("Priorities:\n1. 14:00 Call with Sara\n2. send the invoice\n3. ", brief)


class IcsFeed(ParleyTestCase):
    """A read-only ICS feed as the calendar: the same agenda, no writes."""

    llm_enabled = False

    def prepare(self):
        today = local_now().date()
        feed = ics("review", "Design review", at(today, "11:00"), at(today, "12:00"))

        class Feed(FakeServer):
            def respond(self, path, headers, body):
                return (200, feed.encode())

        self.feed = Feed()
        self.addCleanup(self.feed.close)
        self.tenant_extra = {"timezone": ZONE, "connectors": {"calendar": {
            "provider": "ics", "url": self.feed.url + "/calendar.ics"}}}

    def test_agenda_reads_an_ics_feed_and_plan_is_refused_for_it(self):
        self.say("agenda")
        reply = self.graph.wait_texts(1)[0][1]["text"]["body"]
        self.assertEqual(reply.split("\n")[1:], ["• 11:00–12:00 Design review"])
        self.say("plan: lunch tomorrow 12:00")
        refusal = self.graph.wait_texts(2)[1][1]["text"]["body"]
        self.assertIn("the ics calendar cannot be written to", refusal)
        self.assertEqual(self.feed.requests[0][0], "/calendar.ics")


class Planning(ParleyTestCase):
    """plan: <what> <when> creates a CalDAV event once, only after approval."""

    llm_enabled = False

    def prepare(self):
        self.radicale = Radicale()
        self.addCleanup(self.radicale.close)
        self.calendar = self.radicale.calendar_url("work")
        self.tenant_extra = {"timezone": ZONE, "connectors": {"calendar": {
            "provider": "caldav", "url": self.calendar, "username": "owner",
            "password_env": "CALDAV_PASSWORD"}}}
        self.parley_env = {"CALDAV_PASSWORD": self.radicale.password}

    def ask(self, text):
        """The reply a person reads (approval prompts come with buttons)."""
        before = len([b for p, b in self.graph.answered
                      if isinstance(b, dict) and b.get("type") in ("text", "interactive")])
        self.say(text)
        return self.graph.body(self.graph.wait_messages(before + 1)[-1][1])

    def approval_id(self, prompt):
        import re
        return int(re.search(r"Approval needed \((\d+)\)", prompt).group(1))

    def test_plan_creates_the_exact_event_once_after_approval_and_never_without(self):
        tomorrow = local_now().date() + datetime.timedelta(days=1)
        prompt = self.ask("plan: overleg met Sara morgen 14:00")
        self.assertIn("create event: Overleg met Sara, ", prompt)
        self.assertIn(" 14:00–15:00", prompt)
        self.assertEqual(self.radicale.events("work"), [])  # nothing before approval
        n = self.approval_id(prompt)
        done = self.ask("approve %d" % n)
        self.assertTrue(done.startswith("Planned: Overleg met Sara, "), done)
        events = self.radicale.events("work")
        self.assertEqual(len(events), 1)
        self.assertIn("SUMMARY:Overleg met Sara", events[0])
        start = datetime.datetime.combine(tomorrow, datetime.time(14, 0), ZoneInfo(ZONE))
        self.assertIn("DTSTART:" + start.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
                      events[0])
        self.assertIn("already decided", self.ask("approve %d" % n))
        self.assertEqual(len(self.radicale.events("work")), 1)
        # The agenda shows it.
        self.assertIn("14:00–15:00 Overleg met Sara", self.ask("agenda tomorrow"))

    def test_a_denied_plan_creates_nothing_and_a_vague_one_says_what_is_missing(self):
        n = self.approval_id(self.ask("plan: lunch friday 12u30"))
        self.assertIn("Denied", self.ask("deny %d" % n))
        self.assertEqual(self.radicale.events("work"), [])
        self.assertEqual(self.ask("plan: lunch with Jan"),
                         "I could not plan that: no day: add one, e.g. vrijdag, morgen or 2026-12-14")
        self.assertEqual(self.parley.sql("SELECT count(*) FROM approvals"), [["1"]])


def tool_calls(*calls):
    """A chat-completions answer asking for several function calls at once."""
    return {"id": "chatcmpl-fake", "object": "chat.completion", "model": "fake",
            "choices": [{"index": 0, "finish_reason": "tool_calls",
                         "message": {"role": "assistant", "content": None, "tool_calls": [
                             {"id": "call_%d" % i, "type": "function",
                              "function": {"name": name, "arguments": json.dumps(args)}}
                             for i, (name, args) in enumerate(calls)]}}]}


class ToolLoop(ParleyTestCase):
    """Free questions: the model reads the same live data through tools."""

    def prepare(self):
        self.weather = FakeOpenMeteo()
        self.github = FakeGitHub(token=GITHUB_TOKEN)
        self.addCleanup(self.weather.close)
        self.addCleanup(self.github.close)
        self.tenant_extra = {"timezone": ZONE, "connectors": {
            "github": {"token_env": "GITHUB_TOKEN"},
            "weather": {"latitude": 52.37, "longitude": 4.89, "place": "Amsterdam"}}}
        self.config_extra = {"weather": {"base_url": self.weather.url},
                             "github": {"api_url": self.github.url}}
        self.parley_env = {"GITHUB_TOKEN": GITHUB_TOKEN}

    def test_two_tools_asked_in_one_round_both_run_and_the_model_answers_from_them(self):
        today = local_now().date().isoformat()
        self.weather.days = [{"date": today, "code": 63, "tmax": 9, "tmin": 4, "rain": 80, "wind": 30}]
        self.github.items = [{"repo": "acme/app", "number": 12, "title": "Fix the parser",
                              "kind": "pr", "author": "sara", "review_requested": True}]
        self.llm.script = [(200, tool_calls(("weather", {"date": "today"}), ("github_summary", {}))),
                           (200, completion_text("Rain today; review PR 12."))]
        self.say("anything I should know before I leave?")
        reply = self.graph.wait_texts(1)[0][1]["text"]["body"]
        self.assertEqual(reply, "Rain today; review PR 12.")
        first, second = self.llm.requests[0][2], self.llm.requests[1][2]
        # The connectors' tools (the context hub's are offered too, see
        # test_context_hub).
        names = sorted(t["function"]["name"] for t in first["tools"]
                       if not t["function"]["name"].startswith("context_")
                       and t["function"]["name"] != "save_idea")
        self.assertEqual(names, ["github_summary", "run_shell", "tasks", "weather"]
                         if any(t["function"]["name"] == "run_shell" for t in first["tools"])
                         else ["github_summary", "tasks", "weather"])
        # The data reached the model only as tool output.
        self.assertEqual(first["messages"][0], {"role": "system", "content": "You are terse."})
        tool_messages = [m for m in second["messages"] if m["role"] == "tool"]
        self.assertEqual([m["tool_call_id"] for m in tool_messages], ["call_0", "call_1"])
        self.assertIn("Amsterdam, today: rain, 4 to 9 °C, 80% chance of rain", tool_messages[0]["content"])
        self.assertEqual(tool_messages[1]["content"], "Review requested: acme/app#12 Fix the parser")


def completion_text(text):
    return {"id": "chatcmpl-fake", "object": "chat.completion", "model": "fake",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}]}


class NothingConfigured(ParleyTestCase):
    llm_enabled = False

    def test_a_command_for_a_missing_connector_names_the_key_to_set(self):
        self.say("inbox")
        reply = self.graph.wait_texts(1)[0][1]["text"]["body"]
        self.assertEqual(reply, "No mail connector is configured; set "
                                "tenants[].connectors.mail in the configuration.")
        status, body = self.parley.request("GET", "/health")
        health = json.loads(body)
        self.assertEqual(health["status"], "ok")
        self.assertEqual(health["tenants"]["ops"]["connectors"]["calendar"],
                         {"status": "not_configured", "last_success": None, "error": None})


if __name__ == "__main__":
    unittest.main()
