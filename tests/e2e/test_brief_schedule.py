"""The morning brief at brief_at in the owner's time zone: exactly once a
day, also across kill -9 and restarts; a brief missed while parley was down
goes out at start-up the same morning; outside Meta's 24-hour window it is the
configured template or recorded as failed; the LLM writes it when its answer
passes the checks, the template otherwise; `parley brief` and
POST /api/tenants/{id}/brief compose it on demand."""

import datetime
import json
import subprocess
import unittest
from zoneinfo import ZoneInfo

from harness import BIN, OWNER, ParleyTestCase, completion

# A zone where it is now well inside the day, so that "a minute from now"
# and "an hour ago" are the same local date.
CANDIDATE_ZONES = ["Europe/Amsterdam", "America/New_York", "Asia/Tokyo",
                   "America/Los_Angeles", "Asia/Kolkata", "Pacific/Auckland"]
ZONE = next(z for z in CANDIDATE_ZONES
            if 2 <= datetime.datetime.now(ZoneInfo(z)).hour <= 20)

VALID_BRIEF = ("Good morning. Nothing is scheduled today and no mail is waiting.\n"
               "Priorities:\n1. Plan the week\n2. Send the invoice\n3. Call Sara")


def local(minutes=0):
    return datetime.datetime.now(ZoneInfo(ZONE)) + datetime.timedelta(minutes=minutes)


def hhmm(t):
    return t.strftime("%H:%M")


def is_brief(body):
    return isinstance(body, dict) and (
        (body.get("type") == "text" and "rities:" in body["text"]["body"])
        or body.get("type") == "template")


def briefs_sent(graph):
    return [b for p, b in graph.answered if is_brief(b)]


def wait_briefs(graph, count):
    sent = graph.wait_answered(count, where=lambda r: is_brief(r[1]))
    assert sent is not None, "no brief arrived"
    return [b for p, b in sent]


class BriefCase(ParleyTestCase):
    brief_at = None  # set by each test before parley starts
    catch_up_minutes = 120
    tenant_more = {}

    def prepare(self):
        self.tenant_extra = {"timezone": ZONE}
        if self.brief_at:
            self.tenant_extra["brief_at"] = self.brief_at
        self.tenant_extra.update(self.tenant_more)
        self.config_extra = {"brief": {"deadline_ms": 3000,
                                       "catch_up_until": hhmm(local(self.catch_up_minutes))}}

    def restart_with(self, **tenant):
        """Stops parley, changes the tenant's settings, starts it again."""
        self.parley.stop()
        with open(self.parley.config_path) as f:
            cfg = json.load(f)
        cfg["tenants"][0].update(tenant)
        with open(self.parley.config_path, "w") as f:
            json.dump(cfg, f)
        self.parley.log.clear()
        self.parley.start()

    def open_window(self):
        """The owner writes: Meta's 24-hour window is open."""
        self.say("help")
        self.graph.wait_texts(1)


class OnTime(BriefCase):
    llm_enabled = False

    def setUp(self):
        # At least 20 s ahead, so the owner's message is stored first.
        ahead = 1 if local().second < 40 else 2
        self.brief_at = hhmm(local(ahead))
        super().setUp()

    def test_the_brief_arrives_at_brief_at_once_and_not_again_after_kill_9(self):
        self.open_window()
        self.parley.wait_log("brief for ops on", timeout=150)
        sent = wait_briefs(self.graph, 1)
        text = sent[0]["text"]["body"]
        self.assertTrue(text.startswith("Good morning! Your brief for "), text)
        self.assertEqual(sent[0]["to"], OWNER)
        self.assertEqual(self.parley.sql("SELECT state, how FROM briefs"), [["queued", "template"]])
        self.parley.kill9()
        self.parley.log.clear()
        self.parley.start()
        self.parley.wait_log("already sent")
        self.say("tasks")  # a later message is still answered, and only it
        self.graph.wait_texts(3)
        self.assertEqual(len(briefs_sent(self.graph)), 1)


class MissedWhileDown(BriefCase):
    llm_enabled = True

    def test_a_brief_missed_while_parley_was_down_is_sent_at_start_up(self):
        self.open_window()
        self.llm.answer = VALID_BRIEF
        self.restart_with(brief_at=hhmm(local(-60)))
        sent = wait_briefs(self.graph, 1)
        self.assertEqual([b["text"]["body"] for b in sent], [VALID_BRIEF])
        # The model got the data as a user message under the hard rules.
        request = self.llm.requests[-1][2]
        self.assertIn("exactly three", request["messages"][0]["content"])
        self.assertIn("[Tasks]", request["messages"][1]["content"])
        self.assertEqual(self.parley.sql("SELECT how FROM briefs"), [["llm"]])
        # Restarted again the same morning: not twice.
        self.restart_with()
        self.parley.wait_log("already sent")
        self.assertEqual(len(briefs_sent(self.graph)), 1)

    def test_a_model_answer_that_breaks_the_rules_becomes_the_template(self):
        self.open_window()
        self.llm.answer = "# Brief\nToday is a good day."
        self.restart_with(brief_at=hhmm(local(-30)))
        text = wait_briefs(self.graph, 1)[0]["text"]["body"]
        self.assertTrue(text.startswith("Good morning! Your brief for "), text)
        self.assertEqual(self.parley.sql("SELECT how, error FROM briefs"),
                         [["template", "the model's brief was refused: the brief is not plain "
                                       "text (markdown headings, code or tables)"]])



class LateStart(BriefCase):
    llm_enabled = False
    catch_up_minutes = -60  # the catch-up time passed an hour ago

    def test_a_brief_after_the_catch_up_time_waits_for_tomorrow(self):
        self.open_window()
        self.restart_with(brief_at=hhmm(local(-180)))
        self.parley.wait_log("scheduler: next brief for ops")
        self.say("tasks")
        self.graph.wait_texts(2)
        self.assertEqual(briefs_sent(self.graph), [])
        self.assertEqual(self.parley.sql("SELECT count(*) FROM briefs"), [["0"]])


class OutsideTheWindow(BriefCase):
    llm_enabled = False

    def setUp(self):
        self.brief_at = hhmm(local(-10))
        super().setUp()

    def test_without_a_template_the_brief_is_recorded_as_failed(self):
        self.parley.wait_log("brief for ops on")
        self.assertEqual(self.parley.sql("SELECT state, error FROM briefs"),
                         [["failed", "outside_24h_window"]])
        self.assertEqual(briefs_sent(self.graph), [])
        out = subprocess.run([BIN, "brief", "--config", self.parley.config_path],
                             capture_output=True, text=True, timeout=60,
                             env=self.parley.environment())
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("Good morning! Your brief for ", out.stdout)
        self.assertIn("today's scheduled brief: failed (outside_24h_window)", out.stdout)
        self.assertEqual(briefs_sent(self.graph), [])  # printed, not sent



class OutsideTheWindowWithTemplate(BriefCase):
    llm_enabled = False
    tenant_more = {"brief_template": {"name": "morning_brief", "language": "en_US"}}

    def setUp(self):
        self.brief_at = hhmm(local(-10))
        super().setUp()

    def test_with_a_template_the_brief_goes_out_as_the_template(self):
        sent = wait_briefs(self.graph, 1)
        self.assertEqual(sent[0]["template"], {"name": "morning_brief",
                                               "language": {"code": "en_US"}})
        self.assertEqual(self.parley.sql("SELECT state FROM briefs"), [["queued"]])


class OnDemand(BriefCase):
    llm_enabled = False

    def test_the_api_composes_and_sends_the_brief_now(self):
        self.open_window()
        status, body = self.parley.request("POST", "/api/tenants/ops/brief", b"",
                                           {"Authorization": "Bearer admin"})
        self.assertEqual(status, 200, body)
        answer = json.loads(body)
        self.assertTrue(answer["sent"])
        self.assertEqual(answer["how"], "template")
        self.assertIsNone(answer["scheduled"])
        sent = self.graph.wait_texts(2)
        self.assertEqual(sent[-1][1]["text"]["body"], answer["text"])

    def test_the_api_refuses_strangers_and_unknown_tenants(self):
        status, _ = self.parley.request("POST", "/api/tenants/ops/brief")
        self.assertEqual(status, 401)
        status, body = self.parley.request("POST", "/api/tenants/nope/brief", b"",
                                           {"Authorization": "Bearer admin"})
        self.assertEqual(status, 404)
        self.assertEqual(json.loads(body)["error"], "not_found")
        status, _ = self.parley.request("POST", "/api/tenants/ops/brief", b'{"send": "yes"}',
                                        {"Authorization": "Bearer admin"})
        self.assertEqual(status, 400)

    def test_parley_brief_without_a_running_serve_says_so(self):
        self.parley.stop()
        out = subprocess.run([BIN, "brief", "--config", self.parley.config_path],
                             capture_output=True, text=True, timeout=60,
                             env=self.parley.environment())
        self.assertEqual(out.returncode, 1)
        self.assertIn("start `parley serve` first", out.stderr)


if __name__ == "__main__":
    unittest.main()
