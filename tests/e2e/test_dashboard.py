"""The dashboard's door over plain HTTP: the log-in with the admin token, the
session cookie, the CSRF token on every change, failed log-ins limited per
address, and the headers that forbid inline script and framing. (The pages
in a real browser: test_dashboard_browser.py.)"""

import json
import subprocess
import unittest
import urllib.parse

from harness import BIN, ParleyTestCase


def header(headers, name):
    return [v for k, v in headers if k.lower() == name.lower()]


class Door(ParleyTestCase):
    llm_enabled = False

    def call(self, method, path, body=b"", headers=None):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.parley.port, timeout=30)
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        data = res.read()
        conn.close()
        return res.status, res.getheaders(), data

    def log_in(self, token="admin", headers=None):
        body = urllib.parse.urlencode({"token": token}).encode()
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        return self.call("POST", "/dashboard/login", body, h)

    def session(self):
        status, headers, _ = self.log_in()
        self.assertEqual(status, 303)
        cookie = header(headers, "Set-Cookie")[0].split(";")[0]
        status, _, body = self.call("GET", "/dashboard/session", headers={"Cookie": cookie})
        self.assertEqual(status, 200)
        return cookie, json.loads(body)["csrf"]

    def assert_hardened(self, headers):
        csp = header(headers, "Content-Security-Policy")[0]
        self.assertIn("script-src 'self'", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertEqual(header(headers, "X-Frame-Options"), ["DENY"])
        self.assertEqual(header(headers, "Referrer-Policy"), ["no-referrer"])

    def test_without_a_session_every_page_sends_to_the_log_in(self):
        for path in ["/dashboard", "/dashboard/", "/dashboard/index.html", "/dashboard/dashboard.js",
                     "/dashboard/session"]:
            status, headers, _ = self.call("GET", path)
            self.assertIn(status, (302,), path)
            self.assertIn(header(headers, "Location")[0], ("/dashboard/", "/dashboard/login"), path)
        status, headers, body = self.call("GET", "/dashboard/login")
        self.assertEqual(status, 200)
        self.assertIn(b'action="/dashboard/login"', body)
        self.assert_hardened(headers)

    def test_the_admin_token_opens_a_session_in_a_strict_cookie(self):
        status, headers, _ = self.log_in()
        self.assertEqual(status, 303)
        self.assertEqual(header(headers, "Location"), ["/dashboard/"])
        cookie = header(headers, "Set-Cookie")[0]
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        self.assertNotIn("Secure", cookie)  # plain HTTP, no proxy trusted
        self.assertNotIn("admin", cookie)   # the token never travels back
        session = cookie.split(";")[0]
        status, headers, body = self.call("GET", "/dashboard/", headers={"Cookie": session})
        self.assertEqual(status, 200)
        self.assertIn(b'src="/dashboard/dashboard.js"', body)
        self.assertNotIn(b"<script>", body)  # no inline script
        self.assert_hardened(headers)
        # The session reads the admin API like the bearer token does.
        status, headers, body = self.call("GET", "/api/conversations", headers={"Cookie": session})
        self.assertEqual(status, 200, body)
        self.assert_hardened(headers)

    def test_a_wrong_token_is_refused_and_repeated_failures_wait(self):
        for _ in range(5):
            status, _, body = self.log_in("wrong")
            self.assertEqual(status, 401)
            self.assertIn(b"not the admin token", body)
        status, headers, body = self.log_in("admin")  # even the right one waits now
        self.assertEqual(status, 429)
        self.assertTrue(int(header(headers, "Retry-After")[0]) > 0)
        self.assertEqual(header(headers, "Set-Cookie"), [])

    def test_the_token_in_a_url_opens_nothing(self):
        status, headers, _ = self.call("GET", "/dashboard/login?token=admin")
        self.assertEqual(status, 200)
        self.assertEqual(header(headers, "Set-Cookie"), [])
        status, _, _ = self.call("GET", "/api/conversations?token=admin")
        self.assertEqual(status, 401)

    def test_a_change_needs_the_csrf_token_and_the_same_site(self):
        cookie, csrf = self.session()
        path = "/api/approvals/999/approve"
        status, _, body = self.call("POST", path, headers={"Cookie": cookie})
        self.assertEqual((status, json.loads(body)["error"]), (403, "csrf"))
        status, _, body = self.call("POST", path, headers={"Cookie": cookie, "X-CSRF-Token": "guess"})
        self.assertEqual((status, json.loads(body)["error"]), (403, "csrf"))
        # A form another site makes the browser post carries the cookie and
        # the browser's Origin, never the token.
        status, _, body = self.call("POST", path, headers={
            "Cookie": cookie, "X-CSRF-Token": csrf, "Origin": "https://evil.example"})
        self.assertEqual((status, json.loads(body)["error"]), (403, "cross_site"))
        # With both, the change reaches the gate (which knows no approval 999).
        status, _, body = self.call("POST", path, headers={
            "Cookie": cookie, "X-CSRF-Token": csrf,
            "Origin": "http://127.0.0.1:%d" % self.parley.port})
        self.assertEqual(status, 404, body)
        # A log-in form posted from another site is refused too.
        status, headers, _ = self.log_in(headers={"Origin": "https://evil.example"})
        self.assertEqual(status, 403)
        self.assertEqual(header(headers, "Set-Cookie"), [])

    def test_logging_out_ends_the_session(self):
        cookie, csrf = self.session()
        status, headers, _ = self.call("POST", "/dashboard/logout",
                                       headers={"Cookie": cookie, "X-CSRF-Token": csrf})
        self.assertEqual(status, 303)
        self.assertIn("Max-Age=0", header(headers, "Set-Cookie")[0])
        status, _, _ = self.call("GET", "/api/conversations", headers={"Cookie": cookie})
        self.assertEqual(status, 401)
        status, _, _ = self.call("GET", "/dashboard/", headers={"Cookie": cookie})
        self.assertEqual(status, 302)

    def test_a_forged_session_cookie_opens_nothing(self):
        for cookie in ["parley_session=forged", "parley_session=", "other=1"]:
            status, _, _ = self.call("GET", "/api/runs", headers={"Cookie": cookie})
            self.assertEqual(status, 401, cookie)


class BehindAProxy(Door):
    """With trust_proxy, the proxy's X-Forwarded-Proto makes the cookie
    Secure, and its X-Forwarded-For is the address failures count against."""
    config_extra = {"trust_proxy": True}

    def test_https_at_the_proxy_makes_the_cookie_secure(self):
        status, headers, _ = self.log_in(headers={"X-Forwarded-Proto": "https"})
        self.assertEqual(status, 303)
        self.assertIn("Secure", header(headers, "Set-Cookie")[0])

    def test_failures_count_per_forwarded_address(self):
        for _ in range(5):
            self.log_in("wrong", headers={"X-Forwarded-For": "203.0.113.7"})
        status, _, _ = self.log_in(headers={"X-Forwarded-For": "203.0.113.7"})
        self.assertEqual(status, 429)
        status, _, _ = self.log_in(headers={"X-Forwarded-For": "198.51.100.2"})
        self.assertEqual(status, 303)

    # The parent's test expects no Secure cookie: over a trusted proxy
    # without X-Forwarded-Proto it holds too, so it runs here unchanged.


PASSWORD = "correct horse battery staple"


class WithAPassword(Door):
    """dashboard.password_hash_env: the password opens a session as the
    admin token does (which still works: the parent's tests run here too)."""

    def prepare(self):
        made = subprocess.run([BIN, "hash-password"], input=PASSWORD + "\n",
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(made.returncode, 0, made.stderr)
        hashed = made.stdout.strip()
        self.assertTrue(hashed.startswith("$argon2id$"), hashed)
        self.assertNotIn(PASSWORD, hashed)
        self.config_extra = {"dashboard": {"password_hash_env": "PARLEY_DASHBOARD_HASH"}}
        self.parley_env = {"PARLEY_DASHBOARD_HASH": hashed}

    def test_the_password_opens_a_session_and_a_near_miss_does_not(self):
        status, headers, _ = self.log_in(PASSWORD)
        self.assertEqual(status, 303)
        session = header(headers, "Set-Cookie")[0].split(";")[0]
        status, _, body = self.call("GET", "/api/conversations", headers={"Cookie": session})
        self.assertEqual(status, 200, body)
        status, headers, body = self.log_in(PASSWORD + "!")
        self.assertEqual(status, 401)
        self.assertIn(b"not the admin token or the password", body)
        self.assertEqual(header(headers, "Set-Cookie"), [])

    def test_a_short_password_is_not_hashed(self):
        made = subprocess.run([BIN, "hash-password"], input="short\n",
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(made.returncode, 1)
        self.assertIn("at least 12 characters", made.stderr)
        self.assertEqual(made.stdout, "")


if __name__ == "__main__":
    unittest.main()
