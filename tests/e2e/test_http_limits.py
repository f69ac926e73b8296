"""The HTTP edge's resource limits (issue 15): a slow client, one address's
flood of connections and thousands of idle sockets do not keep a real
webhook from being acknowledged; each limit shows on /metrics."""

import json
import re
import resource
import socket
import unittest

from harness import ParleyTestCase, sign, text_webhook

TIMEOUT = 20


def raise_own_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def connect_from(source, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def closed_by_server(s):
    """True once the server has closed `s` (EOF or reset), waiting up to
    TIMEOUT for it."""
    try:
        while True:
            data = s.recv(4096)
            if not data:
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


class EdgeLimits(ParleyTestCase):
    llm_enabled = False
    config_extra = {"http": {"head_timeout_s": 2, "idle_timeout_s": 300,
                             "max_connections": 300, "max_connections_per_address": 20}}

    def setUp(self):
        if raise_own_file_limit() < 6000:
            self.skipTest("the open-file limit is too low for thousands of sockets")
        super().setUp()
        self.sockets = []

    def tearDown(self):
        for s in self.sockets:
            s.close()
        super().tearDown()

    def metric(self, reason):
        status, body = self.parley.request("GET", "/metrics")
        m = re.search(r'parley_http_refused_total\{reason="%s"\} (\d+)' % reason, body.decode())
        return int(m.group(1)) if m else None

    def acknowledged(self, text):
        status, body = self.parley.post_webhook(text_webhook(text, self.next_id()))
        return status == 200 and json.loads(body)["stored"] == 1

    def test_a_slowloris_from_one_address_is_cut_off_and_webhooks_still_get_through(self):
        # One address opens more connections than it may, each trickling a
        # head it never finishes.
        slow = []
        for _ in range(40):
            s = connect_from("127.0.0.2", self.parley.port)
            self.sockets.append(s)
            s.sendall(b"POST /webhooks/meta/whatsapp HTTP/1.1\r\nHost: x\r\n")
            slow.append(s)
        # A real webhook from elsewhere, meanwhile.
        self.assertTrue(self.acknowledged("taken"))
        # Beyond its 20, the address's connections were refused; the 20 it
        # holds are closed when their heads miss the deadline.
        self.assertTrue(all(closed_by_server(s) for s in slow))
        self.assertGreaterEqual(self.metric("per_address"), 20)
        self.assertGreaterEqual(self.metric("head_timeout"), 1)
        self.assertTrue(self.acknowledged("taken"))



class IdleFlood(EdgeLimits):
    # Head and body deadlines long enough for the flood to be opened first.
    config_extra = {"http": {"head_timeout_s": 120, "idle_timeout_s": 300,
                             "max_connections": 300, "max_connections_per_address": 20}}

    test_a_slowloris_from_one_address_is_cut_off_and_webhooks_still_get_through = None

    def test_thousands_of_idle_sockets_make_room_for_a_real_webhook(self):
        # A request under way when the flood starts is not closed for room.
        busy = connect_from("127.0.0.1", self.parley.port)
        self.sockets.append(busy)
        body = json.dumps(text_webhook("taken", self.next_id())).encode()
        head = (b"POST /webhooks/meta/whatsapp HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/json\r\nX-Hub-Signature-256: "
                + sign(body).encode() + b"\r\nContent-Length: %d\r\n\r\n" % len(body))
        busy.sendall(head)
        # 5,000 idle connections from 250 addresses (20 each, the limit).
        for i in range(5000):
            source = "127.0.%d.%d" % (1 + i // 20 // 250, 1 + (i // 20) % 250)
            try:
                self.sockets.append(connect_from(source, self.parley.port))
            except OSError:
                break
        # New connections keep being admitted: the longest idle make room.
        self.assertTrue(self.acknowledged("taken"))
        self.assertGreater(self.metric("idle_evicted"), 1000)
        # The request under way finishes on its connection.
        busy.sendall(body)
        reader = busy.makefile("rb")
        status_line = reader.readline()
        self.assertIn(b" 200 ", status_line)


if __name__ == "__main__":
    unittest.main()
