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
