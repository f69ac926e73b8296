"""A webhook load that behaves like Meta: each message is posted until it is
acknowledged with a 200 (a 503, a refused connection or a lost answer is
retried with the same id), and every answer is recorded with its time."""

import http.client
import json
import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from harness import text_webhook  # noqa: E402


class Load:
    def __init__(self, parley, workers=4, rate=60, prefix="f"):
        self.parley = parley
        self.workers = workers
        self.interval = workers / rate  # per worker, for `rate` messages/s in all
        self.prefix = prefix
        self.acked = set()        # titles whose webhook got a 200
        self.answers = []         # (sent_at, answered_at, status) per POST
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = []

    def start(self):
        for w in range(self.workers):
            t = threading.Thread(target=self._run, args=(w,), daemon=True)
            t.start()
            self.threads.append(t)
        return self

    def stop(self):
        """Stops sending new messages; one already begun is retried until acked."""
        self.stopping.set()
        for t in self.threads:
            t.join(300)

    def _post_until_acked(self, title, msg_id):
        payload = text_webhook("taak: " + title, msg_id)
        while True:
            sent = time.monotonic()
            try:
                status, _ = self.parley.post_webhook(payload)
            except (OSError, http.client.HTTPException):
                status = 0  # refused, reset or cut short: parley is down
            with self.lock:
                self.answers.append((sent, time.monotonic(), status))
            if status == 200:
                with self.lock:
                    self.acked.add(title)
                return
            time.sleep(0.02)  # Meta's retry pacing, not a synchronisation

    def _run(self, worker):
        i = 0
        next_at = time.monotonic()
        while not self.stopping.is_set():
            next_at += self.interval
            time.sleep(max(0, next_at - time.monotonic()))  # the offered rate
            i += 1
            title = "%s%d-%d" % (self.prefix, worker, i)
            self._post_until_acked(title, "wamid.%s.%d.%d" % (self.prefix, worker, i))

    def statuses_between(self, start, end):
        """HTTP statuses of requests sent after `start` and answered before `end`."""
        with self.lock:
            return [s for sent, done, s in self.answers if sent >= start and done <= end]


REPLY = re.compile(r"^Task \d+ added: (.+)$")


def reply_counts(graph):
    """Title → how many times its reply reached the fake Graph API."""
    counts = {}
    for body in graph.texts():
        m = REPLY.match(body["text"]["body"])
        if m:
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return counts


def wait_for_replies(graph, titles, stall):
    """Blocks until every title has a reply, or until no new one has come for
    `stall` seconds: a reply that never comes is lost, while a backlog that
    keeps draining (one chat's replies go strictly in order, each failed send
    retried with back-off before the next) is only slow."""
    got, scanned = set(), 0
    last_progress = time.monotonic()
    with graph.cond:
        while True:
            before = len(got)
            got.update(t for t in _titles(graph.answered[scanned:]) if t in titles)
            scanned = len(graph.answered)
            now = time.monotonic()
            if len(got) > before:
                last_progress = now
            if titles <= got or now - last_progress > stall:
                break
            graph.cond.wait(stall - (now - last_progress))  # woken by each answer
    return reply_counts(graph)


def _titles(answered):
    out = []
    for _, b in answered:
        if isinstance(b, dict) and b.get("type") == "text":
            m = REPLY.match(b["text"]["body"])
            if m:
                out.append(m.group(1))
    return out


def seconds(short):
    """The scenario length: short in the test suite, PARLEY_FAULT_SECONDS in the long form."""
    return float(os.environ.get("PARLEY_FAULT_SECONDS", short))


def dumps(obj):
    return json.dumps(obj, sort_keys=True)
