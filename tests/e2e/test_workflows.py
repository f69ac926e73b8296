"""Trigger hooks and workflows end to end: a signed form post runs a two-step
workflow (the model summarises, the owner gets the summary on WhatsApp) once;
wrong signatures, unknown hooks, bodies that are not JSON and repeated
Idempotency-Keys; a step that fails twice and then succeeds; a failed event
retried over the API; kill -9 between two steps, after which the event goes
on and its send is not repeated; schedules that fire once, also across a
restart, and catch up a firing missed while parley was down."""

import calendar
import hashlib
import hmac
import json
import os
import re
import time
import unittest

from harness import OWNER, ParleyTestCase, completion
from fakes.servers import FakeServer
from test_storage_outage import pg_ctl
from test_approvals import ShellWorkdir

SECRET = "form-hook-secret-0123456789"
BEARER = "bearer-hook-secret-9876543210"


def signed(body):
    return "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


class WorkflowCase(ParleyTestCase):
    parley_env = {"FORM_HOOK_SECRET": SECRET, "BEARER_HOOK_SECRET": BEARER}
    workflows = [
        {"name": "notify_owner", "tenant": "ops", "steps": [
            {"llm": "Vat dit formulier samen in twee zinnen: {{payload}}",
             "fallback": "Nieuw formulier: {{payload.name}}"},
            {"send": {"to": "owner"}}]},
        {"name": "fragile", "tenant": "ops", "steps": [
            {"llm": "Zeg iets over {{payload.name}}"}]},
        {"name": "task_then_think", "tenant": "ops", "steps": [
            {"send": {"to": "owner", "text": "Bezig met {{payload.name}}"}},
            {"task": {"title": "Bel {{payload.name}} ({{payload.phone}})"}},
            {"llm": "Plan een gesprek met {{payload.name}}"},
            {"note": "Gesprek met {{payload.name}}: {{steps.3.output}}"}]},
    ]
    hooks = [
        {"name": "form", "secret_env": "FORM_HOOK_SECRET", "workflow": "notify_owner"},
        {"name": "fragile", "secret_env": "FORM_HOOK_SECRET", "workflow": "fragile"},
        {"name": "lead", "secret_env": "BEARER_HOOK_SECRET", "auth": "bearer",
         "workflow": "task_then_think", "id_pointer": "/lead/id"},
    ]
    schedules = []

    def prepare(self):
        self.config_extra = {"hooks": self.hooks, "workflows": self.workflows,
                             "schedules": self.schedules, "workflow_backoff_ms": 50,
                             "workflow_max_attempts": 3}

    def trigger(self, hook, payload, headers=None, sign=True, raw=None):
        body = raw if raw is not None else json.dumps(payload).encode()
        h = {"Content-Type": "application/json"}
        if sign:
            h["X-Signature-256"] = signed(body)
        h.update(headers or {})
        status, answer = self.parley.request("POST", "/hooks/" + hook, body, h)
        return status, json.loads(answer) if answer else None

    def api(self, method, path):
        status, body = self.parley.request(method, path, headers={"Authorization": "Bearer admin"})
        return status, json.loads(body)

    def wait_event(self, event, status):
        self.parley.wait_sql("SELECT status FROM workflow_events WHERE id = %d" % event,
                             lambda rows: rows == [[status]])
        return self.api("GET", "/api/events/%d" % event)[1]

    def open_window(self):
        """The owner wrote today: free-form WhatsApp messages may go out."""
        self.say("taken")
        self.assertIsNotNone(self.graph.wait_texts(1))


class Hooks(WorkflowCase):
    def test_a_signed_form_runs_its_workflow_and_the_owner_gets_the_summary_once(self):
        self.open_window()
        self.llm.script = [(200, completion("Anna de Vries vraagt een offerte voor 3 fietsen."))]
        status, body = self.trigger("form", {"name": "Anna de Vries", "bikes": 3},
                                    {"Idempotency-Key": "form-1"})
        self.assertEqual(status, 202, body)
        event = body["event"]
        shown = self.wait_event(event, "completed")
        self.assertEqual((shown["kind"], shown["name"], shown["workflow"]),
                         ("hook", "form", "notify_owner"))
        self.assertEqual(shown["payload"], {"name": "Anna de Vries", "bikes": 3})
        self.assertEqual([(s["n"], s["kind"], s["status"]) for s in shown["steps"]],
                         [(1, "llm", "completed"), (2, "send", "completed")])
        self.assertEqual(shown["steps"][0]["output"], "Anna de Vries vraagt een offerte voor 3 fietsen.")
        # The model was asked with the form in the prompt.
        asked = [b for p, _, b in self.llm.requests if p.endswith("/chat/completions")][-1]
        self.assertIn('"name":"Anna de Vries"', asked["messages"][-1]["content"])
        texts = [body for _, body in self.graph.wait_texts(2)]
        self.assertEqual(texts[1]["to"], OWNER)
        self.assertEqual(texts[1]["text"]["body"], "Anna de Vries vraagt een offerte voor 3 fietsen.")
        # The same delivery again: the first event, nothing new.
        status, again = self.trigger("form", {"name": "Anna de Vries", "bikes": 3},
                                     {"Idempotency-Key": "form-1"})
        self.assertEqual((status, again["event"]), (200, event))
        status, page = self.api("GET", "/api/events?kind=hook")
        self.assertEqual([e["id"] for e in page["events"]], [event])
        self.parley.wait_sql("SELECT count(*) FROM outbox WHERE state = 'pending'",
                             lambda rows: rows == [["0"]])
        self.assertEqual(len(self.graph.texts()), 2)
        print("\n/api/events/%d: %s" % (event, json.dumps(shown, indent=1)))

    def test_the_fallback_answers_when_the_model_fails(self):
        self.open_window()
        self.llm.script = [(400, {"error": {"message": "bad request"}})]
        status, body = self.trigger("form", {"name": "Bram"})
        self.assertEqual(status, 202)
        shown = self.wait_event(body["event"], "completed")
        self.assertEqual(shown["steps"][0]["output"], "Nieuw formulier: Bram")
        self.assertEqual(self.graph.wait_texts(2)[1][1]["text"]["body"], "Nieuw formulier: Bram")

    def test_bad_deliveries_are_refused_and_store_nothing(self):
        status, body = self.trigger("form", {"name": "x"}, {"X-Signature-256": "sha256=" + "0" * 64})
        self.assertEqual((status, body["error"]), (401, "unauthorized"))
        status, body = self.trigger("form", {"name": "x"}, sign=False)
        self.assertEqual(status, 401)
        status, body = self.trigger("nope", {"name": "x"})
        self.assertEqual((status, body["error"]), (404, "unknown_hook"))
        status, body = self.trigger("form", None, raw=b"name=x&bikes=3")
        self.assertEqual((status, body["error"]), (400, "malformed"))
        status, body = self.trigger("lead", {"lead": {"id": 1}},
                                    {"Authorization": "Bearer wrong-secret-0000000000"}, sign=False)
        self.assertEqual(status, 401)
        status, body = self.trigger("form", None, raw=b"{" + b" " * 70000 + b"}")
        self.assertEqual(status, 413)
        self.assertEqual(self.parley.sql("SELECT count(*) FROM workflow_events"), [["0"]])
        status, body = self.parley.request("POST", "/hooks/form", b"{}")
        self.assertEqual(status, 401)

    def test_a_trigger_while_the_database_is_down_is_503_and_stored_when_sent_again(self):
        pg_ctl(self.data_dir, "-m", "fast", "stop")
        try:
            status, body = self.trigger("fragile", {"name": "Gijs"}, {"Idempotency-Key": "g-1"})
            self.assertEqual((status, body["error"]), (503, "unavailable"))
        finally:
            sock = os.path.join(self.data_dir, "pg", "run")
            pg_ctl(self.data_dir, "-l", os.path.join(self.data_dir, "pg", "postgres.log"),
                   "-o", "-c listen_addresses='' -c unix_socket_directories='%s'" % sock,
                   "start")
        # The sender's retry of the same delivery is stored and run once.
        self.llm.script = [(200, completion("Gijs is terug."))]
        status, body = self.trigger("fragile", {"name": "Gijs"}, {"Idempotency-Key": "g-1"})
        self.assertEqual(status, 202, body)
        self.wait_event(body["event"], "completed")
        self.assertEqual(self.parley.sql("SELECT count(*) FROM workflow_events"), [["1"]])

    def test_a_step_that_fails_twice_then_succeeds(self):
        self.llm.script = [(400, {"error": {"message": "one"}}), (400, {"error": {"message": "two"}}),
                           (200, completion("Carla is een vaste klant."))]
        status, body = self.trigger("fragile", {"name": "Carla"})
        self.assertEqual(status, 202)
        shown = self.wait_event(body["event"], "completed")
        self.assertEqual(shown["steps"][0]["attempts"], 3)
        self.assertEqual(shown["steps"][0]["output"], "Carla is een vaste klant.")

    def test_a_failed_event_says_why_and_runs_again_on_retry(self):
        self.llm.script = [(400, {"error": {"message": "no"}})] * 3
        status, body = self.trigger("fragile", {"name": "Dirk"})
        event = body["event"]
        shown = self.wait_event(event, "failed")
        self.assertIn("step 1 (llm) failed", shown["error"])
        self.assertEqual(shown["steps"][0]["status"], "failed")
        status, page = self.api("GET", "/api/events?status=failed")
        self.assertEqual([e["id"] for e in page["events"]], [event])
        self.llm.script = [(200, completion("Dirk belt morgen terug."))]
        status, again = self.api("POST", "/api/events/%d/retry" % event)
        self.assertEqual(status, 200, again)
        shown = self.wait_event(event, "completed")
        self.assertEqual(shown["steps"][0]["output"], "Dirk belt morgen terug.")
        status, body = self.api("POST", "/api/events/%d/retry" % event)
        self.assertEqual((status, body["error"]), (409, "not_failed"))
        self.assertEqual(self.api("GET", "/api/events/999999")[0], 404)
        status, _ = self.parley.request("GET", "/api/events")
        self.assertEqual(status, 401)


class Crash(WorkflowCase):
    def test_kill_9_between_steps_goes_on_without_repeating_the_send_or_the_task(self):
        self.open_window()
        self.llm.script = [("hang", 60)]  # step 3 waits for the model: parley dies there
        status, body = self.parley.request(
            "POST", "/hooks/lead", json.dumps({"lead": {"id": 77}, "name": "Eva", "phone": "31600000077"}).encode(),
            {"Authorization": "Bearer " + BEARER, "Content-Type": "application/json"})
        self.assertEqual(status, 202, body)
        event = json.loads(body)["event"]
        self.parley.wait_sql("SELECT count(*) FROM workflow_steps WHERE event_id = %d"
                             " AND status = 'completed'" % event, lambda rows: rows == [["2"]])
        self.assertIsNotNone(self.llm.wait_requests(1))  # step 3 is with the model
        # Its message has gone out and is recorded as sent (a row still in
        # flight at a crash is another test's matter).
        self.parley.wait_sql("SELECT count(*) FROM outbox WHERE body = 'Bezig met Eva'"
                             " AND state = 'sent'", lambda rows: rows == [["1"]])
        self.parley.kill9()
        self.llm.release.set()
        self.llm.script = [(200, completion("Dinsdag om 10:00 bellen."))]
        self.parley.start()
        shown = self.wait_event(event, "completed")
        self.assertEqual([s["status"] for s in shown["steps"]], ["completed"] * 4)
        self.assertEqual(shown["steps"][3]["output"].split("/")[0], "inbox")
        # The send and the task, each once; the note holds the model's plan.
        self.parley.wait_sql("SELECT count(*) FROM outbox WHERE state = 'pending'",
                             lambda rows: rows == [["0"]])
        self.assertEqual(sum(t["text"]["body"] == "Bezig met Eva" for t in self.graph.texts()), 1)
        self.assertEqual(self.parley.sql("SELECT title FROM tasks WHERE title LIKE 'Bel Eva%'"),
                         [["Bel Eva (31600000077)"]])
        with open(os.path.join(self.data_dir, "context", shown["steps"][3]["output"])) as f:
            self.assertIn("Gesprek met Eva: Dinsdag om 10:00 bellen.", f.read())
        # The same lead again (its id in the body): the first event.
        status, body = self.parley.request(
            "POST", "/hooks/lead", json.dumps({"lead": {"id": 77}, "name": "Eva"}).encode(),
            {"Authorization": "Bearer " + BEARER})
        self.assertEqual((status, json.loads(body)["event"]), (200, event))


def minute_from_now(seconds_ahead):
    """(minute, hour) in UTC of the first whole minute at least this far ahead."""
    at = time.gmtime(time.time() + seconds_ahead + 60)
    return at.tm_min, at.tm_hour


class Schedules(WorkflowCase):
    def prepare(self):
        minute, hour = minute_from_now(5)
        self.schedules = [{"name": "soon", "cron": "%d %d * * *" % (minute, hour),
                           "timezone": "UTC", "workflow": "fragile"}]
        super().prepare()

    def test_a_schedule_fires_once_and_not_again_after_a_restart(self):
        self.llm.script = [(200, completion("Goedemorgen."))]
        self.parley.wait_log("scheduler: next schedule soon at")
        self.parley.wait_sql("SELECT count(*) FROM workflow_events WHERE kind = 'schedule'"
                             " AND status = 'completed'", lambda rows: rows == [["1"]], timeout=150)
        status, page = self.api("GET", "/api/events?kind=schedule")
        self.assertEqual([e["name"] for e in page["events"]], ["soon"])
        self.parley.stop()
        self.parley.log.clear()
        self.parley.start()
        # Started again after its firing: tomorrow is next, nothing now.
        self.parley.wait_log("scheduler: next schedule soon at")
        next_line = [line for line in self.parley.log if "next schedule soon at" in line][0]
        self.assertNotIn("missed", "".join(self.parley.log))
        self.assertEqual(self.parley.sql("SELECT count(*) FROM workflow_events"), [["1"]])
        fired_ms = int(self.parley.sql("SELECT dedup_key FROM workflow_events")[0][0])
        next_at = re.search(r"next schedule soon at (\S+)", next_line).group(1)
        next_ms = calendar.timegm(time.strptime(next_at[:19], "%Y-%m-%dT%H:%M:%S")) * 1000
        self.assertEqual(next_ms, fired_ms + 86400 * 1000)  # the same minute tomorrow


class CatchUp(WorkflowCase):
    """A firing missed while parley was down runs once at start with catch_up,
    and is skipped without it."""

    def prepare(self):
        self.schedules = [{"name": "daily", "cron": "0 6 * * *", "timezone": "UTC",
                           "workflow": "fragile", "catch_up": True},
                          {"name": "quiet", "cron": "0 6 * * *", "timezone": "UTC",
                           "workflow": "fragile"}]
        super().prepare()

    def test_the_latest_missed_firing_runs_once(self):
        self.llm.script = [(200, completion("Ingehaald."))]
        # Both last fired three days ago; parley was down since.
        three_days_ago = int((time.time() - 3 * 86400) // 86400 * 86400 + 6 * 3600) * 1000
        for name in ("daily", "quiet"):
            self.parley.sql("INSERT INTO workflow_events (kind, name, workflow, dedup_key, payload,"
                            " status) VALUES ('schedule', '%s', 'fragile', '%d', '{}', 'completed')"
                            % (name, three_days_ago))
        self.parley.stop()
        self.parley.start()
        self.parley.wait_log("schedule quiet missed its firing")
        self.parley.wait_sql("SELECT count(*) FROM workflow_events WHERE name = 'daily'"
                             " AND status = 'completed'", lambda rows: rows == [["2"]])
        latest = self.parley.sql("SELECT max(dedup_key::bigint) FROM workflow_events"
                                 " WHERE name = 'daily'")[0][0]
        self.assertGreater(int(latest), three_days_ago + 86400 * 1000)  # the latest, not the first
        self.assertLessEqual(int(latest), time.time() * 1000)
        self.assertEqual(self.parley.sql("SELECT count(*) FROM workflow_events WHERE name = 'quiet'"),
                         [["1"]])


class ShellStep(ShellWorkdir, WorkflowCase):
    """A shell step passes the tenant's policy gate: the owner is asked once,
    the approved command runs once, and the next step goes on with its
    output; a denial fails the event."""

    workflows = [{"name": "count_then_tell", "tenant": "ops", "steps": [
        {"shell": "./count.sh"},
        {"send": {"to": "owner", "text": "Klaar: {{steps.1.output}}"}}]}]
    hooks = [{"name": "deploy", "secret_env": "FORM_HOOK_SECRET", "workflow": "count_then_tell"}]

    def prepare(self):
        ShellWorkdir.prepare(self)
        WorkflowCase.prepare(self)

    def test_the_owner_approves_and_the_command_runs_once(self):
        self.open_window()
        status, body = self.trigger("deploy", {"ref": "main"})
        self.assertEqual(status, 202)
        event = body["event"]
        n = self.approval_in(2)  # the prompt reached the owner, with its buttons
        self.parley.wait_sql("SELECT status FROM workflow_steps WHERE event_id = %d AND n = 1"
                             % event, lambda rows: rows == [["waiting"]])
        status, answer = self.api("POST", "/api/approvals/%d/approve" % n)
        self.assertEqual(status, 200, answer)
        shown = self.wait_event(event, "completed")
        self.assertEqual([s["status"] for s in shown["steps"]], ["completed", "completed"])
        self.assertIn("counted", shown["steps"][0]["output"])
        self.assertEqual(self.runs(), 1)
        told = [b for _, b in self.graph.wait_messages(4) if b.get("type") == "text"
                and b["text"]["body"].startswith("Klaar: ")]
        self.assertEqual(len(told), 1)
        self.assertIn("counted", told[0]["text"]["body"])

    def test_a_denied_command_fails_the_event_and_a_retry_asks_again(self):
        self.open_window()
        status, body = self.trigger("deploy", {"ref": "main"})
        event = body["event"]
        n = self.approval_in(2)
        status, answer = self.api("POST", "/api/approvals/%d/deny" % n)
        self.assertEqual(status, 200, answer)
        shown = self.wait_event(event, "failed")
        self.assertIn("approval %d denied" % n, shown["error"])
        self.assertEqual(self.runs(), 0)
        # Run again by the operator: the owner is asked again, not told no.
        status, _ = self.api("POST", "/api/events/%d/retry" % event)
        self.assertEqual(status, 200)
        again = self.approval_in(4)  # after the denial's report
        self.assertNotEqual(again, n)
        status, answer = self.api("POST", "/api/approvals/%d/approve" % again)
        self.assertEqual(status, 200, answer)
        self.wait_event(event, "completed")
        self.assertEqual(self.runs(), 1)


class HttpStep(ShellWorkdir, WorkflowCase):
    """An http step is a side effect: the owner approves the exact call, which
    is made once, with its Idempotency-Key; its answer is the step's output."""

    def prepare(self):
        ShellWorkdir.prepare(self)
        self.crm = FakeServer()
        self.crm.default = lambda body: (201, {"contact": 17})
        self.workflows = [{"name": "to_crm", "tenant": "ops", "steps": [
            {"http": {"url": self.crm.url + "/contacts",
                      "body": '{"name": "{{payload.name}}", "note": "{{payload.note}}"}'}}]}]
        self.hooks = [{"name": "signup", "secret_env": "FORM_HOOK_SECRET", "workflow": "to_crm"}]
        WorkflowCase.prepare(self)

    def tearDown(self):
        super().tearDown()
        self.crm.close()

    def test_the_approved_call_is_made_once_with_its_key(self):
        self.open_window()
        status, body = self.trigger("signup", {"name": 'Fenna "F" de Boer', "note": "belt\nterug"})
        event = body["event"]
        n = self.http_approval(2)
        self.assertEqual(self.crm.requests, [])  # nothing before the approval
        status, answer = self.api("POST", "/api/approvals/%d/approve" % n)
        self.assertEqual(status, 200, answer)
        shown = self.wait_event(event, "completed")
        self.assertTrue(shown["steps"][0]["output"].startswith("HTTP 201"), shown)
        self.assertEqual(len(self.crm.requests), 1)
        path, headers, sent = self.crm.requests[0]
        self.assertEqual(path, "/contacts")
        self.assertEqual(headers.get("Idempotency-Key"), "parley-%d-1" % event)
        self.assertEqual(sent, {"name": 'Fenna "F" de Boer', "note": "belt\nterug"})

    def http_approval(self, count):
        sent = self.graph.wait_messages(count)
        self.assertIsNotNone(sent)
        text = self.graph.body(sent[-1][1])
        self.assertIn("POST " + self.crm.url + "/contacts", text)
        import re
        return int(re.search(r"\((\d+)\)", text).group(1))


if __name__ == "__main__":
    unittest.main()
