"""Real CalDAV and IMAP servers from Debian 12 packages, on loopback, each in a
temporary directory of its own, for the end-to-end tests. Nothing under /etc is
read or written and no service manager is involved: each server is a child
process with a config file we write.

Packages: radicale (3.1.8), dovecot-imapd (pulls in dovecot-core, 2.3.19),
openssl and curl (the CLI, used by check_real_servers.py only).

Radicale
--------
`Radicale(password)` serves http://127.0.0.1:PORT/ with htpasswd auth for the
user "owner"; calendars live at /owner/<name>/. A time-range query is a
REPORT to the calendar URL with `Depth: 1`,
`Content-Type: application/xml; charset=utf-8` and this body (REPORT_BODY,
start/end in UTC as YYYYMMDDTHHMMSSZ):

    <?xml version="1.0" encoding="utf-8"?>
    <C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
      <D:prop>
        <D:getetag/>
        <C:calendar-data/>
      </D:prop>
      <C:filter>
        <C:comp-filter name="VCALENDAR">
          <C:comp-filter name="VEVENT">
            <C:time-range start="20250101T000000Z" end="20250108T000000Z"/>
          </C:comp-filter>
        </C:comp-filter>
      </C:filter>
    </C:calendar-query>

It answers 207 with one <D:response> per matching object, whose
<C:calendar-data> is the whole stored VCALENDAR. A weekly event (RRULE) that
started before the window matches when one of its occurrences falls inside it,
but comes back as the master VEVENT with its original DTSTART and the RRULE:
the client expands it. All-day events (DTSTART;VALUE=DATE) match as whole
days. Radicale 3.1.8 ignores <C:expand> inside <C:calendar-data>, and
MKCALENDAR on an existing calendar is 409. What comes back is Radicale's
re-serialisation (CRLF line ends, properties reordered), not the bytes PUT.

Dovecot
-------
`Dovecot(password)` serves IMAPS only (no plain IMAP port) on 127.0.0.1:PORT
with a throw-away CA (`ca_file`) and a certificate for "localhost" and
127.0.0.1; the user is "owner". These curl commands work (libcurl takes the
same URLs; CURLOPT_CUSTOMREQUEST for -X, CURLOPT_CAINFO for --cacert):

    curl --cacert CA -u owner:PW 'imaps://localhost:PORT/INBOX' -X 'UID SEARCH UNSEEN'
        * SEARCH 1 2
    curl --cacert CA -u owner:PW \
        'imaps://localhost:PORT/INBOX;UID=1;SECTION=HEADER.FIELDS%20(FROM%20SUBJECT%20DATE)'
        From: Alice <alice@example.com>
        Subject: Lunch tomorrow?
        Date: Tue, 01 Dec 2026 20:28:54 +0000
    curl --cacert CA -u owner:PW 'imaps://localhost:PORT/INBOX;UID=2;SECTION=TEXT'
    curl --cacert CA -u owner:PW 'imaps://localhost:PORT/Sent' -X 'UID SEARCH SINCE 24-Nov-2026'
    curl --cacert CA -u owner:PW 'imaps://localhost:PORT/'          (LIST of the folders)

imaps://127.0.0.1:PORT/ works as well (the certificate names both).

Fetching through the URL SELECTs the folder read-write and sends
`UID FETCH n BODY[section]`, not BODY.PEEK, so it SETS \Seen on the message
(curl 7.88). To read without marking, either put the flag back afterwards:

    curl ... 'imaps://localhost:PORT/INBOX' -X 'UID STORE 1 -FLAGS.SILENT (\Seen)'

or send the FETCH as a custom request:

    curl ... -D - 'imaps://localhost:PORT/INBOX' \
        -X 'UID FETCH 1:2 (FLAGS BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])'

but then curl writes only the first line of each untagged answer
(`* 1 FETCH (UID 1 FLAGS () BODY[HEADER.FIELDS (FROM SUBJECT DATE)] {83}`) to
the body; the literal itself arrives only through the header stream
(CURLOPT_HEADERFUNCTION), which carries every server line of the session.

No SMTP server is needed: the tests put mail in place with APPEND.

Running as root, dovecot refuses a login process running as root ("This
process must not be run as root") and a mail user with uid 0 ("userdb
returned 0 as uid"), so as root the login processes run as the package's
"dovenull" user and auth and mail as its "dovecot" user, and the temporary
directory is made traversable for them. As any other user every process runs
as that user, and the services that chroot by default (imap-login, anvil, ipc,
old-stats) must not: chroot needs root. first_valid_uid is lowered to the mail
user's uid (the default, 500, would refuse system users). A missing ssl_dh is
fine on 2.3 (no DHE ciphers).
"""

import base64
import datetime
import email.message
import email.policy
import email.utils
import grp
import http.client
import imaplib
import json
import os
import pwd
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET

USER = "owner"

REPORT_BODY = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop>
    <D:getetag/>
    <C:calendar-data/>
  </D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT">
        <C:time-range start="{start}" end="{end}"/>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>
"""

# All objects of a calendar: the same query without a time-range.
_ALL_BODY = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"/></C:filter>
</C:calendar-query>
"""

_MKCALENDAR_BODY = """<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop>
    <D:displayname>{name}</D:displayname>
    <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>
"""

_NS = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def caldav_time(t):
    """A datetime as a CalDAV time-range bound (UTC); naive means local time."""
    return t.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def parse_calendar_data(xml_bytes):
    """The calendar-data texts of a 207 multistatus, in document order."""
    root = ET.fromstring(xml_bytes)
    return [e.text or "" for e in root.iterfind(".//C:calendar-data", _NS)]


class _Server:
    """A child process in a temporary directory that close() removes."""

    name = "server"

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="parley-%s-" % self.name)
        self.log_path = os.path.join(self.dir, "%s.log" % self.name)
        self.proc = None

    def _spawn(self, argv):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, cwd=self.dir,
                                         env=self._env())

    def _env(self):
        return dict(os.environ)

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def _wait_ready(self, probe, timeout=30):
        """Polls `probe` (True when the server answers) until the deadline; the
        process dying early is reported at once, with its log."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                self._fail("exited with status %s" % self.proc.returncode)
            try:
                if probe():
                    return
            except (OSError, imaplib.IMAP4.error, http.client.HTTPException):
                pass
            if time.monotonic() > deadline:
                self._fail("not ready after %ss" % timeout)
            time.sleep(0.05)

    def _fail(self, why):
        log = self.log()
        self.close()
        raise RuntimeError("%s %s; its log:\n%s" % (self.name, why, log))

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Radicale(_Server):
    """Radicale on http://127.0.0.1:PORT/ with the user "owner"."""

    name = "radicale"

    def __init__(self, password="owner-password", timeout=30):
        super().__init__()
        self.password = password
        self.port = free_port()
        d = self.dir
        with open(os.path.join(d, "users"), "w") as f:
            f.write("%s:%s\n" % (USER, password))
        config = os.path.join(d, "config")
        with open(config, "w") as f:
            f.write(f"""[server]
hosts = 127.0.0.1:{self.port}
ssl = False

[auth]
type = htpasswd
htpasswd_filename = {d}/users
htpasswd_encryption = plain
# A wrong password is answered at once rather than after a second.
delay = 0

[rights]
type = owner_only

[storage]
filesystem_folder = {d}/collections

[web]
type = none

[logging]
level = info
mask_passwords = True
""")
        # -C replaces the default /etc/radicale/config, so the Debian one is never read.
        self._spawn(self.command() + ["-C", config])
        self._wait_ready(self._answers, timeout)

    @staticmethod
    def command():
        if shutil.which("radicale"):
            return [shutil.which("radicale")]
        # The package installs into the system Python, which may not be the python3 on PATH.
        return ["/usr/bin/python3", "-m", "radicale"]

    @classmethod
    def available(cls):
        return bool(shutil.which("radicale")) or \
            os.path.isdir("/usr/lib/python3/dist-packages/radicale")

    def _env(self):
        env = dict(os.environ)
        env.pop("RADICALE_CONFIG", None)
        return env

    def _answers(self):
        status, _ = self.request("OPTIONS", "/")
        return status < 500

    @property
    def url(self):
        return "http://127.0.0.1:%d/" % self.port

    def request(self, method, path, body=b"", headers=None, auth=True):
        """(status, body) of one request; `path` may be a full URL of this server."""
        if path.startswith("http"):
            path = "/" + path.split("/", 3)[3]
        h = dict(headers or {})
        if auth:
            h["Authorization"] = "Basic " + base64.b64encode(
                ("%s:%s" % (USER, self.password)).encode()).decode()
        if isinstance(body, str):
            body = body.encode()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def calendar_url(self, name="work"):
        """The URL of /owner/<name>/, made with MKCALENDAR if it does not exist."""
        path = "/%s/%s/" % (USER, name)
        status, _ = self.request("PROPFIND", path, headers={"Depth": "0"})
        if status == 404:
            status, body = self.request("MKCALENDAR", path, _MKCALENDAR_BODY.format(name=name),
                                        {"Content-Type": "application/xml; charset=utf-8"})
            if status != 201:
                raise RuntimeError("MKCALENDAR %s: %s %s" % (path, status, body[:500]))
        elif status != 207:
            raise RuntimeError("PROPFIND %s: %s" % (path, status))
        return self.url.rstrip("/") + path

    def _calendar(self, calendar):
        # Either a name or a URL from calendar_url().
        return calendar if calendar.startswith("http") else self.calendar_url(calendar)

    def put_event(self, calendar, uid, ics_text):
        """PUTs a VCALENDAR text as <uid>.ics; returns the object's URL."""
        url = self._calendar(calendar) + uid + ".ics"
        crlf = ics_text.replace("\r\n", "\n").replace("\n", "\r\n")
        status, body = self.request("PUT", url, crlf,
                                    {"Content-Type": "text/calendar; charset=utf-8"})
        if status not in (201, 204):
            raise RuntimeError("PUT %s: %s %s" % (url, status, body[:500]))
        return url

    def report(self, calendar, start, end):
        """calendar-data of the objects with an occurrence in [start, end)."""
        body = REPORT_BODY.format(start=caldav_time(start), end=caldav_time(end))
        return self._query(calendar, body)

    def events(self, calendar="work"):
        """The texts of all objects stored in the calendar (e.g. PUT by parley)."""
        return self._query(calendar, _ALL_BODY)

    def _query(self, calendar, body):
        url = self._calendar(calendar)
        headers = {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"}
        status, answer = self.request("REPORT", url, body, headers)
        if status != 207:
            raise RuntimeError("REPORT %s: %s %s" % (url, status, answer[:500]))
        return parse_calendar_data(answer)


class Dovecot(_Server):
    """Dovecot serving IMAPS on 127.0.0.1:PORT (certificate for "localhost"),
    user "owner", maildir in the temporary directory."""

    name = "dovecot"

    def __init__(self, password="owner-password", timeout=30):
        super().__init__()
        self.password = password
        self.port = free_port()
        d = self.dir
        self.ca_file = os.path.join(d, "ca.crt")
        self._make_certs()

        if os.geteuid() == 0:
            # Dovecot will not run its login processes or a mail user as root;
            # the package made these two users.
            login_user = "dovenull"
            internal_user, internal_group = "dovecot", "dovecot"
        else:
            login_user = internal_user = pwd.getpwuid(os.geteuid()).pw_name
            internal_group = grp.getgrgid(os.getegid()).gr_name
        mail_uid = pwd.getpwnam(internal_user).pw_uid

        users = os.path.join(d, "users")
        with open(users, "w") as f:
            f.write("%s:{PLAIN}%s::::::\n" % (USER, password))
        os.chmod(users, 0o600)
        mail = os.path.join(d, "mail")
        os.mkdir(mail)
        if os.geteuid() == 0:
            # auth reads the users file and the mail processes write the maildir
            # as the dovecot user; mkdtemp's 0700 would shut them out.
            os.chmod(d, 0o711)
            for p in (users, mail):
                shutil.chown(p, internal_user, internal_group)

        conf = os.path.join(d, "dovecot.conf")
        with open(conf, "w") as f:
            f.write(f"""protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
instance_name = parley-test-{self.port}
log_path = {self.log_path}
auth_verbose = yes

default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = {mail_uid}

ssl = required
ssl_cert = <{d}/server.crt
ssl_key = <{d}/server.key
auth_mechanisms = plain login

passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {users}
}}
userdb {{
  driver = passwd-file
  args = username_format=%n {users}
  default_fields = uid={internal_user} gid={internal_group} home={mail}/%n
}}
mail_location = maildir:~/Maildir

namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
}}

# chroot needs root, and these services chroot by default; as root or not
# they are all local, so the same config serves both.
service anvil {{
  chroot =
}}
service ipc {{
  chroot =
}}
service old-stats {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {self.port}
    ssl = yes
  }}
}}
""")
        # -F: stay in the foreground as our child, so close() can stop it.
        self._spawn([self.binary(), "-F", "-c", conf])
        self._wait_ready(self._logs_in, timeout)

    @staticmethod
    def binary():
        # dovecot lives in /usr/sbin, which a non-root PATH may lack.
        return shutil.which("dovecot") or "/usr/sbin/dovecot"

    @classmethod
    def available(cls):
        return os.path.exists(cls.binary()) and os.path.exists("/usr/lib/dovecot/imap") and \
            bool(shutil.which("openssl"))

    def _make_certs(self):
        d = self.dir
        cnf = os.path.join(d, "openssl.cnf")
        with open(cnf, "w") as f:
            f.write("""[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
""")
        # EC keys: generated in milliseconds, unlike RSA.
        key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        steps = [
            ["req", "-config", cnf, "-x509", *key, "-keyout", "ca.key", "-out", "ca.crt",
             "-subj", "/CN=parley test CA", "-days", "30", "-extensions", "ca"],
            ["req", "-config", cnf, "-new", *key, "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=localhost"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-set_serial", str(int.from_bytes(os.urandom(8), "big")), "-days", "30",
             "-extfile", cnf, "-extensions", "server", "-out", "server.crt"],
        ]
        for step in steps:
            r = subprocess.run(["openssl", *step], cwd=d, capture_output=True, text=True)
            if r.returncode != 0:
                shutil.rmtree(d, ignore_errors=True)
                raise RuntimeError("openssl %s failed:\n%s" % (step[0], r.stderr))

    def ssl_context(self):
        return ssl.create_default_context(cafile=self.ca_file)

    def connect(self):
        """A logged-in imaplib client over verified TLS; the caller logs out."""
        c = imaplib.IMAP4_SSL("localhost", self.port, ssl_context=self.ssl_context(), timeout=10)
        try:
            c.login(USER, self.password)
        except Exception:
            c.shutdown()
            raise
        return c

    def _logs_in(self):
        # A service that cannot start (e.g. a chroot without root) is only
        # throttled by the master, and logins may still work for a while.
        if " Fatal: " in self.log():
            self._fail("logged a fatal error")
        self.connect().logout()
        return True

    @property
    def url(self):
        return "imaps://localhost:%d/" % self.port

    def append(self, folder, from_addr, to_addr, subject, body, date=None, seen=False,
               message_id=None):
        """APPENDs a text/plain message to `folder` (created if missing) with
        Date header and INTERNALDATE `date` (default now; naive means local
        time), \\Seen if `seen`. Returns its UID."""
        date = (date or datetime.datetime.now()).astimezone()
        msg = email.message.EmailMessage()
        msg["From"] = from_addr
        msg["To"] = to_addr
        msg["Subject"] = subject
        msg["Date"] = email.utils.format_datetime(date)
        msg["Message-ID"] = message_id or email.utils.make_msgid(domain="parley.test")
        msg.set_content(body)
        c = self.connect()
        try:
            box = _quote(folder)
            typ, data = c.create(box)
            # NO [ALREADYEXISTS] is fine; anything else is not.
            if typ != "OK" and b"ALREADYEXISTS" not in b" ".join(data):
                raise RuntimeError("CREATE %s: %s" % (folder, data))
            typ, data = c.append(box, "(\\Seen)" if seen else None,
                                 imaplib.Time2Internaldate(date),
                                 msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")))
            if typ != "OK":
                raise RuntimeError("APPEND %s: %s" % (folder, data))
            m = re.search(rb"APPENDUID \d+ (\d+)", data[0] or b"")
            return int(m.group(1)) if m else None
        finally:
            c.logout()

    def search(self, folder, criteria="ALL"):
        """UIDs in `folder` matching an IMAP SEARCH, e.g. "UNSEEN"."""
        c = self.connect()
        try:
            typ, data = c.select(_quote(folder), readonly=True)
            if typ != "OK":
                raise RuntimeError("SELECT %s: %s" % (folder, data))
            typ, data = c.uid("SEARCH", criteria)
            return [int(u) for u in data[0].split()]
        finally:
            c.logout()


class Smtp(_Server):
    """A real SMTP submission server (aiosmtpd, tests/e2e/smtp_server.py) on
    127.0.0.1:PORT with implicit TLS, using `tls_from`'s certificate (a
    Dovecot: the same CA then covers IMAP and SMTP), AUTH required for
    "owner". Accepted messages are in messages()."""

    name = "smtp"

    def __init__(self, tls_from, password="owner-password", timeout=30):
        super().__init__()
        self.password = password
        self.port = free_port()
        self.out = os.path.join(self.dir, "out")
        os.mkdir(self.out)
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "smtp_server.py")
        self._spawn(["/usr/bin/python3", script, str(self.port),
                     os.path.join(tls_from.dir, "server.crt"),
                     os.path.join(tls_from.dir, "server.key"), USER, password, self.out])
        self._wait_ready(lambda: "ready" in self.log(), timeout)

    @classmethod
    def available(cls):
        return subprocess.run(["/usr/bin/python3", "-c", "import aiosmtpd"],
                              capture_output=True).returncode == 0

    def stalled(self):
        """How many messages the server took without confirming them."""
        return len([n for n in os.listdir(self.out) if n.endswith(".hang")])

    def messages(self):
        """(envelope dict, email.message.EmailMessage) of every accepted
        message, in the order they arrived."""
        out = []
        names = sorted((n for n in os.listdir(self.out) if n.endswith(".eml")),
                       key=lambda n: int(n.split(".")[0]))
        for n in names:
            base = os.path.join(self.out, n[:-4])
            with open(base + ".json") as f:
                envelope = json.load(f)
            with open(base + ".eml", "rb") as f:
                message = email.message_from_bytes(f.read(), policy=email.policy.default)
            out.append((envelope, message))
        return out


def _quote(mailbox):
    # imaplib sends mailbox names as given.
    return '"%s"' % mailbox.replace("\\", "\\\\").replace('"', '\\"')
