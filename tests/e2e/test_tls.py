"""The HTTPS client path for real: the fake Graph API and the fake LLM speak
TLS with certificates from a throw-away CA. parley trusts the system store,
which SSL_CERT_FILE points at that CA here, and verifies the peer's
certificate and host name; a certificate it cannot verify means nothing is
sent, and the outbox row says why."""

import os
import shutil
import subprocess
import tempfile
import unittest

from harness import OWNER, Parley, text_webhook
from fakes.servers import FakeGraph, FakeLLM


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True)


def make_certificates(where):
    """A CA; a localhost certificate it signs; one for another host it signs;
    a self-signed localhost certificate nobody trusts."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=parley test CA", "-keyout", "ca.key", "-out", "ca.pem", cwd=where)

    def signed(name, san):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name,
                "-keyout", name + ".key", "-out", name + ".csr", cwd=where)
        with open(os.path.join(where, name + ".ext"), "w") as f:
            f.write("subjectAltName=%s\n" % san)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "2", "-extfile", name + ".ext",
                "-out", name + ".pem", cwd=where)

    signed("localhost", "DNS:localhost,IP:127.0.0.1")
    signed("other", "DNS:other.example")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
            "-keyout", "selfsigned.key", "-out", "selfsigned.pem", cwd=where)


class Tls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="parley-tls-")
        os.chmod(cls.tmp, 0o755)
        cls.certs = os.path.join(cls.tmp, "certs")
        os.mkdir(cls.certs)
        make_certificates(cls.certs)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def cert(self, name):
        return (os.path.join(self.certs, name + ".pem"), os.path.join(self.certs, name + ".key"))

    def start(self, graph, llm=None):
        self.graph, self.llm = graph, llm
        data_dir = tempfile.mkdtemp(dir=self.tmp)
        os.chmod(data_dir, 0o755)
        self.parley = Parley(data_dir, graph, llm, extra={"send_max_attempts": 2},
                             env={"SSL_CERT_FILE": os.path.join(self.certs, "ca.pem")}).start()

    def tearDown(self):
        self.parley.stop()
        self.graph.close()
        if self.llm:
            self.llm.close()

    def say(self, text, msg_id):
        status, body = self.parley.post_webhook(text_webhook(text, msg_id))
        self.assertEqual(status, 200, body)

    def refused_send(self):
        rows = self.parley.wait_sql(
            "SELECT o.state, o.error_title FROM outbox o WHERE o.recipient = '%s'" % OWNER,
            lambda rows: rows and rows[0][0] == "failed")
        self.assertIn("certificate verify failed", rows[0][1])
        self.assertEqual(self.graph.requests, [], "no HTTP request may cross an unverified TLS")

    def test_replies_and_llm_calls_go_over_https_to_a_verified_peer(self):
        self.start(FakeGraph(tls=self.cert("localhost")), FakeLLM(tls=self.cert("localhost")))
        self.say("help", "wamid.tls.1")
        self.say("how are you?", "wamid.tls.2")
        texts = self.graph.wait_texts(2)
        self.assertIsNotNone(texts, "".join(self.parley.log))
        self.assertIn("What I can do", texts[0][1]["text"]["body"])
        self.assertEqual(texts[1][1]["text"]["body"], "Hello from the *model*.")
        self.assertEqual(texts[1][0], "/v21.0/1122334455667/messages")

    def test_a_certificate_for_another_host_is_refused(self):
        self.start(FakeGraph(tls=self.cert("other")))
        self.say("help", "wamid.tls.3")
        self.refused_send()

    def test_a_self_signed_certificate_is_refused(self):
        self.start(FakeGraph(tls=self.cert("selfsigned")))
        self.say("help", "wamid.tls.4")
        self.refused_send()


if __name__ == "__main__":
    unittest.main()
