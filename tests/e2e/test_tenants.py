"""Tenants changed live over the admin API: a business created, changed
(price, hours, persona) and deleted while parley runs, each change counting
from the next customer message — the router's phone_number_id map and a
running session included — and surviving a kill -9. The file's tenant is
read-only here; a tenant is validated exactly like the file."""

import json
import os
import sys
import unittest

from harness import OWNER, PNID, ParleyTestCase, text_webhook

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from fakes.servers import completion, tool_call_completion  # noqa: E402

SHOP_PNID = "3330000000001"
CUSTOMER = "31600000009"


def scripted_model(body):
    """"tool:<name> <json>" calls that tool; a tool result is read back."""
    last = body["messages"][-1]
    if last["role"] == "tool":
        return (200, completion("RESULT " + last["content"]))
    text = last.get("content") or ""
    if text.startswith("tool:"):
        name, _, args = text[5:].partition(" ")
        return (200, tool_call_completion(name, json.loads(args or "{}")))
    return (200, completion("Hallo!"))


def shop(price="15 EUR", **extra):
    t = {"id": "fietsen", "kind": "business", "phone_number_id": SHOP_PNID,
         "access_token_env": "SHOP_TOKEN", "language": "nl", "timezone": "Europe/Amsterdam",
         "business": {"name": "Fietsenmaker Jan", "tone": "kort",
                      "services": [{"name": "Band plakken", "minutes": 20, "price": price}],
                      "hours": {d: ["09:00-17:00"] for d in ("mo", "tu", "we", "th", "fr", "sa")},
                      "min_notice_minutes": 0}}
    t.update(extra)
    return t


class LiveTenants(ParleyTestCase):
    parley_env = {"SHOP_TOKEN": "shop-graph-token"}

    def setUp(self):
        super().setUp()
        self.llm.default = scripted_model

    def api(self, method, path, body=None, token="admin"):
        headers = {"Authorization": "Bearer " + token} if token else {}
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        data = body.encode() if body is not None else b""
        if body is not None:
            headers["Content-Type"] = "application/json"
        status, raw = self.parley.request(method, path, data, headers)
        return status, json.loads(raw)

    def customer_says(self, text):
        """The shop's answer to one customer message, and the Graph request
        that carried it."""
        before = len(self.graph.texts())
        self.post(text_webhook(text, self.next_id(), CUSTOMER, pnid=SHOP_PNID, name="Kees"))
        texts = self.graph.wait_texts(before + 1)
        self.assertIsNotNone(texts, "the shop did not answer")
        path, body = texts[-1]
        return path, body["text"]["body"]

    def services(self):
        path, reply = self.customer_says("tool:list_services {}")
        self.assertTrue(reply.startswith("RESULT "), reply)
        return path, json.loads(reply[len("RESULT "):])

    def test_a_business_created_changed_and_deleted_over_the_api_counts_from_the_next_message(self):
        status, made = self.api("POST", "/api/tenants", shop())
        self.assertEqual(status, 201, made)
        self.assertEqual(made["managed_by"], "api")
        self.assertEqual(made["config"]["access_token_env"], "SHOP_TOKEN")
        self.assertEqual(made["config"]["memory"], 20)  # the defaults filled in
        self.assertNotIn("shop-graph-token", json.dumps(made))

        # The router knows the new number at once; the reply goes out as the shop.
        path, listed = self.services()
        self.assertEqual(path, "/v21.0/%s/messages" % SHOP_PNID)
        sent = [r for r in self.graph.requests if r[0] == path]
        self.assertEqual(sent[-1][1]["Authorization"], "Bearer shop-graph-token")
        self.assertIn("15 EUR", json.dumps(listed))

        # A new price reaches the running session with the next message.
        status, changed = self.api("PATCH", "/api/tenants/fietsen", {"business": {
            "services": [{"name": "Band plakken", "minutes": 20, "price": "17,50 EUR"}]}})
        self.assertEqual(status, 200, changed)
        self.assertEqual(changed["config"]["business"]["services"][0]["price"], "17,50 EUR")
        self.assertEqual(changed["config"]["business"]["name"], "Fietsenmaker Jan")  # merged
        _, listed = self.services()
        self.assertIn("17,50 EUR", json.dumps(listed))
        self.assertNotIn("15 EUR", json.dumps(listed))

        # New hours and a new persona: the next system prompt says so.
        status, _ = self.api("PATCH", "/api/tenants/fietsen", {"business": {
            "name": "Rijwielhuis Jan", "hours": {"sa": None, "su": ["10:00-14:00"]}}})
        self.assertEqual(status, 200)
        self.customer_says("Wanneer zijn jullie open?")
        system = self.llm.requests[-1][2]["messages"][0]["content"]
        self.assertIn("Rijwielhuis Jan", system)
        self.assertNotIn("Fietsenmaker Jan", system)
        self.assertIn("- Sunday: 10:00–14:00", system)
        self.assertIn("- Saturday: closed", system)

        status, listing = self.api("GET", "/api/tenants")
        self.assertEqual(status, 200)
        self.assertEqual([(t["id"], t["managed_by"]) for t in listing["tenants"]],
                         [("ops", "file"), ("fietsen", "api")])
        self.assertEqual(self.api("GET", "/api/tenants/fietsen")[1]["config"]["business"]
                         ["hours"]["su"], ["10:00-14:00"])

        # Deleted: its number answers nobody, and the message is kept as ignored.
        status, _ = self.api("DELETE", "/api/tenants/fietsen")
        self.assertEqual(status, 200)
        self.assertEqual(self.api("GET", "/api/tenants/fietsen")[0], 404)
        answered = len(self.graph.texts())
        msg = self.next_id()
        self.post(text_webhook("tool:list_services {}", msg, CUSTOMER, pnid=SHOP_PNID))
        self.parley.wait_sql("SELECT kind, reason FROM events WHERE message_id = '%s'" % msg,
                             lambda rows: rows == [["ignored",
                                                    "unknown phone_number_id " + SHOP_PNID]])
        self.say("ping")  # the owner's tenant still answers, and nothing came for the shop
        texts = self.graph.wait_texts(answered + 1)
        self.assertEqual([b["to"] for _, b in texts[answered:]], [OWNER])
        self.assertEqual(self.parley.sql("SELECT count(*) FROM api_tenants"), [["0"]])

    def test_a_tenant_made_over_the_api_survives_kill_9(self):
        status, _ = self.api("POST", "/api/tenants", shop())
        self.assertEqual(status, 201)
        self.parley.kill9()
        self.parley.start()
        _, listed = self.services()
        self.assertIn("Band plakken", json.dumps(listed))
        self.assertEqual(self.api("GET", "/api/tenants/fietsen")[1]["managed_by"], "api")

    def test_the_file_tenant_is_read_only_over_the_api(self):
        for method, path, body in (("PATCH", "/api/tenants/ops", {"memory": 5}),
                                   ("DELETE", "/api/tenants/ops", None),
                                   ("POST", "/api/tenants", {"id": "ops"})):
            status, err = self.api(method, path, body)
            self.assertEqual((status, err["error"]), (409, "managed_by_file"), (method, err))
        status, ops = self.api("GET", "/api/tenants/ops")
        self.assertEqual((status, ops["managed_by"]), (200, "file"))
        self.assertEqual(ops["config"]["access_token_env"], "WA_TOKEN")
        self.assertNotIn("graph-token", json.dumps(ops))

    def test_an_invalid_tenant_is_refused_naming_each_key_and_nothing_changes(self):
        bad = shop(memroy=3)
        bad["business"]["services"][0]["minutes"] = 1
        status, err = self.api("POST", "/api/tenants", bad)
        self.assertEqual((status, err["error"]), (400, "invalid"), err)
        self.assertIn("memroy: unknown key; did you mean memory?", err["problems"])
        self.assertIn("business.services[0].minutes: must be between 5 and 720", err["problems"])
        self.assertEqual(self.api("GET", "/api/tenants/fietsen")[0], 404)
        self.assertEqual(self.parley.sql("SELECT count(*) FROM api_tenants"), [["0"]])

        status, err = self.api("POST", "/api/tenants", shop(phone_number_id=PNID))
        self.assertEqual(status, 400)
        self.assertIn("phone_number_id: %s belongs to two tenants ('ops' has it)" % PNID,
                      err["problems"])
        for body in ("{not json", "[1]", json.dumps({"id": "../x"})):
            status, err = self.api("POST", "/api/tenants", body)
            self.assertEqual((status, err["error"]), (400, "invalid"), body)
        status, err = self.api("POST", "/api/tenants", {"id": "s", "shell": {"workdir": "/"}})
        self.assertEqual(status, 400)
        self.assertTrue(any(p.startswith("shell: is set in the configuration file only")
                            for p in err["problems"]), err)

        self.assertEqual(self.api("POST", "/api/tenants", shop())[0], 201)
        status, err = self.api("POST", "/api/tenants", shop())
        self.assertEqual((status, err["error"]), (409, "exists"))
        # A change that does not read leaves the tenant as it was.
        status, err = self.api("PATCH", "/api/tenants/fietsen",
                               {"business": {"hours": {"mo": ["18:00-09:00"]}}})
        self.assertEqual(status, 400)
        self.assertIn("business.hours.mo: '18:00-09:00' is not HH:MM-HH:MM", err["problems"])
        status, err = self.api("PATCH", "/api/tenants/fietsen", {"id": "other"})
        self.assertEqual(status, 400)
        self.assertIn("id: cannot be changed", err["detail"])
        self.assertEqual(self.api("GET", "/api/tenants/fietsen")[1]["config"]["business"]
                         ["hours"]["mo"], ["09:00-17:00"])
        _, listed = self.services()
        self.assertIn("15 EUR", json.dumps(listed))
        # Unicode is data, not a problem.
        status, changed = self.api("PATCH", "/api/tenants/fietsen",
                                   {"business": {"name": "Rijwiel ✓ Jansen–Ünal"}})
        self.assertEqual(status, 200)
        self.assertEqual(changed["config"]["business"]["name"], "Rijwiel ✓ Jansen–Ünal")

        self.assertEqual(self.api("PATCH", "/api/tenants/nobody", {"memory": 3})[0], 404)
        self.assertEqual(self.api("DELETE", "/api/tenants/nobody")[0], 404)
        self.assertEqual(self.api("PUT", "/api/tenants/fietsen", {})[0], 405)
        self.assertEqual(self.api("GET", "/api/tenants", token="wrong")[0], 401)
        self.assertEqual(self.api("POST", "/api/tenants", shop(id="x2"), token=None)[0], 401)


if __name__ == "__main__":
    unittest.main()
