"""Runs the real parley binary against its own embedded PostgreSQL and the fake
peers in tests/fakes, over loopback HTTP."""

import hashlib
import hmac
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from fakes.servers import FakeEvolution, FakeGraph, FakeLLM, completion, tool_call_completion  # noqa: E402,F401

BIN = os.environ.get("PARLEY_BIN", os.path.join(os.path.dirname(__file__), "../../build/parley"))
FIXTURES = os.environ.get("PARLEY_FIXTURES", os.path.join(os.path.dirname(__file__), "../fixtures"))
SECRET = "test-app-secret"
OWNER = "31612345678"
PNID = "1122334455667"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sign(body):
    return "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def message_webhook(message, sender=OWNER, pnid=PNID, name="Owner"):
    return {"object": "whatsapp_business_account", "entry": [{
        "id": "WABA", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "31200000000", "phone_number_id": pnid},
            "contacts": [{"profile": {"name": name}, "wa_id": sender}],
            "messages": [dict(message, **{"from": sender, "timestamp": "1700000000"})]}}]}]}


def text_webhook(text, msg_id, sender=OWNER, pnid=PNID, name="Owner"):
    return message_webhook({"id": msg_id, "type": "text", "text": {"body": text}},
                           sender, pnid, name)


def button_reply_webhook(button_id, title, msg_id, context_id, sender=OWNER):
    """A press of a reply button on one of our interactive messages."""
    return message_webhook({"id": msg_id, "type": "interactive",
                            "context": {"from": "31200000000", "id": context_id},
                            "interactive": {"type": "button_reply",
                                            "button_reply": {"id": button_id, "title": title}}},
                           sender)


def status_webhook(wamid, status, recipient=OWNER, errors=None, callback=None):
    """`callback`: the biz_opaque_callback_data of the send, echoed by Meta."""
    st = {"id": wamid, "status": status, "timestamp": "1700000001", "recipient_id": recipient}
    if errors:
        st["errors"] = errors
    if callback:
        st["biz_opaque_callback_data"] = callback
    return {"object": "whatsapp_business_account", "entry": [{
        "id": "WABA", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "31200000000", "phone_number_id": PNID},
            "statuses": [st]}}]}]}


class Parley:
    """One parley process on a data directory that outlives restarts."""

    def __init__(self, data_dir, graph, llm=None, llm_timeout_ms=1500, extra=None, env=None,
                 extra_tenants=(),
                 tenant_extra=None):
        self.data_dir = data_dir
        self.env = env or {}
        self.port = free_port()
        self.proc = None
        self.log = []
        self.log_cond = threading.Condition()
        cfg = {
            "listen": "127.0.0.1:%d" % self.port,
            "data_dir": data_dir,
            "admin_token_env": "PARLEY_ADMIN_TOKEN",
            "meta": {"graph_url": graph.url, "api_version": "v21.0",
                     "app_secret_env": "WHATSAPP_APP_SECRET",
                     "verify_token_env": "WHATSAPP_VERIFY_TOKEN"},
            "send_backoff_ms": 50, "send_backoff_max_ms": 200,
            "send_in_doubt_ms": 1000,
            "body_limit": 65536,
            "tenants": [{"id": "ops", "kind": "personal", "channel": "meta",
                         "phone_number_id": PNID, "access_token_env": "WA_TOKEN",
                         "owner": OWNER, "language": "en", "memory": 20,
                         "system_prompt": "You are terse."}],
        }
        if llm:
            cfg["llm"] = {"base_url": llm.url, "model": "fake-model",
                          "api_key_env": "LLM_KEY", "timeout_ms": llm_timeout_ms}
        if extra:
            cfg.update(extra)
        if tenant_extra:
            cfg["tenants"][0].update(tenant_extra)
        cfg["tenants"].extend(extra_tenants)
        self.config_path = os.path.join(data_dir, "parley.json")
        with open(self.config_path, "w") as f:
            json.dump(cfg, f)

    def environment(self):
        """The secrets the test configuration names, for serve and the CLI."""
        return dict(os.environ, WHATSAPP_APP_SECRET=SECRET, WHATSAPP_VERIFY_TOKEN="verify-me",
                    WA_TOKEN="graph-token", LLM_KEY="llm-key", PARLEY_ADMIN_TOKEN="admin",
                    **self.env)

    def start(self):
        env = self.environment()
        self.proc = subprocess.Popen([BIN, "serve", "--config", self.config_path],
                                     stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     env=env, text=True)
        ready = threading.Event()

        def pump():
            for line in self.proc.stderr:
                with self.log_cond:
                    self.log.append(line)
                    self.log_cond.notify_all()
                if "listening on" in line:
                    ready.set()
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(120) or self.proc.poll() is not None:
            raise RuntimeError("parley did not start:\n" + "".join(self.log))
        return self

    def wait_log(self, text, timeout=30):
        """Blocks until parley has logged a line containing `text`."""
        with self.log_cond:
            if not self.log_cond.wait_for(lambda: any(text in line for line in self.log), timeout):
                raise AssertionError("parley never logged %r:\n%s" % (text, "".join(self.log[-20:])))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(60)
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)
        self.proc.stderr.close()

    def request(self, method, path, body=b"", headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        data = res.read()
        conn.close()
        return res.status, data

    def post_webhook(self, payload, signature=True):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signature is True:
            headers["X-Hub-Signature-256"] = sign(body)
        elif signature:
            headers["X-Hub-Signature-256"] = signature
        return self.request("POST", "/webhooks/meta/whatsapp", body, headers)

    def sql(self, query):
        sock = os.path.join(self.data_dir, "pg", "run")
        out = subprocess.run(["psql", "-h", sock, "-U", "parley", "-d", "parley",
                              "-AtX", "-F", "|", "-c", query],
                             capture_output=True, text=True, check=True)
        return [line.split("|") for line in out.stdout.splitlines() if line]

    def wait_sql(self, query, predicate, timeout=30):
        """Re-reads a query until `predicate(rows)` holds; the database is the
        only signal for outcomes that send nothing (an ignored stranger)."""
        deadline = time.monotonic() + timeout
        while True:
            rows = self.sql(query)
            if predicate(rows):
                return rows
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting for %r, last %r" % (query, rows))
            time.sleep(0.05)


class ParleyTestCase(unittest.TestCase):
    """A fresh data directory per test class; fakes per test."""

    llm_enabled = True
    llm_timeout_ms = 1500
    tenant_extra = None
    config_extra = None    # top-level config keys
    extra_tenants = ()     # tenants after the default Meta one
    parley_env = None      # extra environment variables for parley
    graph_options = {}     # FakeGraph arguments (fail_ratio, ...)

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="parley-e2e-")
        os.chmod(cls.tmp, 0o755)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.graph = FakeGraph(**self.graph_options)
        self.llm = FakeLLM() if self.llm_enabled else None
        self.data_dir = tempfile.mkdtemp(dir=self.tmp)
        os.chmod(self.data_dir, 0o755)
        self.prepare()
        self.parley = Parley(self.data_dir, self.graph, self.llm, self.llm_timeout_ms,
                             extra=self.config_extra, tenant_extra=self.tenant_extra,
                             env=self.parley_env,
                             extra_tenants=self.extra_tenants).start()
        self.ids = 0

    def prepare(self):
        """Runs before parley starts; a test class may set up files."""

    def tearDown(self):
        self.parley.stop()
        self.graph.close()
        if self.llm:
            self.llm.close()

    def next_id(self):
        self.ids += 1
        return "wamid.%s.%d" % (self.id().split(".")[-1][:20], self.ids)

    def say(self, text, sender=OWNER):
        return self.post(text_webhook(text, self.next_id(), sender))

    def post(self, payload):
        status, body = self.parley.post_webhook(payload)
        self.assertEqual(status, 200, body)
        return json.loads(body)
