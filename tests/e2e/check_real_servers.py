"""Self-check of real_servers.py: starts Radicale and Dovecot, fills them, and
queries them with the curl CLI the way parley does with libcurl. Prints what it
sees and exits non-zero on the first surprise.

    python3 tests/e2e/check_real_servers.py
"""

import datetime
import os
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from real_servers import REPORT_BODY, Dovecot, Radicale, caldav_time  # noqa: E402

PASSWORD = "pw-for-owner"
UTC = datetime.timezone.utc


def curl(*args):
    cmd = ["curl", "-sS", "--max-time", "10", *args]
    print("$ " + shlex.join(cmd))
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("curl failed (%d): %s" % (r.returncode, r.stderr))
    print(r.stdout.rstrip())
    return r.stdout


def expect(cond, what):
    print(("ok: " if cond else "FAILED: ") + what)
    if not cond:
        sys.exit(1)


def vevent(uid, lines):
    return "\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//parley//check//EN",
                      "BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:20250101T000000Z", *lines,
                      "END:VEVENT", "END:VCALENDAR", ""])


def check_radicale():
    now = datetime.datetime.now(UTC).replace(microsecond=0)
    tomorrow = (now + datetime.timedelta(days=1)).replace(hour=10, minute=0, second=0)
    day_after = (now + datetime.timedelta(days=2)).date()
    three_weeks_ago = (now - datetime.timedelta(days=21)).replace(hour=9, minute=0, second=0)
    fmt = "%Y%m%dT%H%M%SZ"
    with Radicale(PASSWORD) as cal:
        print("radicale at", cal.url)
        url = cal.calendar_url("work")
        expect(url == cal.calendar_url("work"), "calendar_url is idempotent: " + url)
        cal.put_event("work", "timed", vevent("timed", [
            "SUMMARY:Dentist", "DTSTART:" + tomorrow.strftime(fmt),
            "DTEND:" + (tomorrow + datetime.timedelta(hours=1)).strftime(fmt)]))
        cal.put_event(url, "allday", vevent("allday", [
            "SUMMARY:Holiday", "DTSTART;VALUE=DATE:" + day_after.strftime("%Y%m%d"),
            "DTEND;VALUE=DATE:" + (day_after + datetime.timedelta(days=1)).strftime("%Y%m%d")]))
        cal.put_event(url, "weekly", vevent("weekly", [
            "SUMMARY:Standup", "DTSTART:" + three_weeks_ago.strftime(fmt),
            "DTEND:" + (three_weeks_ago + datetime.timedelta(minutes=15)).strftime(fmt),
            "RRULE:FREQ=WEEKLY"]))
        # Outside the window and not recurring: the filter must leave it out.
        old = now - datetime.timedelta(days=30)
        cal.put_event(url, "old", vevent("old", [
            "SUMMARY:Long ago", "DTSTART:" + old.strftime(fmt),
            "DTEND:" + (old + datetime.timedelta(hours=1)).strftime(fmt)]))
        expect(len(cal.events("work")) == 4, "events() lists the 4 stored objects")

        week = now + datetime.timedelta(days=7)
        body = REPORT_BODY.format(start=caldav_time(now), end=caldav_time(week))
        out = curl("-u", "owner:" + PASSWORD, "-X", "REPORT", "-H", "Depth: 1",
                   "-H", "Content-Type: application/xml; charset=utf-8", "--data-binary", body, url)
        for summary in ("Dentist", "Holiday", "Standup"):
            expect("SUMMARY:" + summary in out, "REPORT returns " + summary)
        expect("RRULE:FREQ=WEEKLY" in out, "the weekly event comes back with its RRULE")
        expect("DTSTART;VALUE=DATE:" in out, "the all-day event comes back as a DATE")
        expect("Long ago" not in out, "the old event is filtered out")
        expect(len(cal.report("work", now, week)) == 3, "report() agrees")

        status, _ = cal.request("PROPFIND", url, headers={"Depth": "0"}, auth=False)
        expect(status == 401, "no credentials: 401")


def check_dovecot():
    now = datetime.datetime.now(UTC)
    with Dovecot(PASSWORD) as imap:
        print("dovecot at", imap.url, "CA", imap.ca_file)
        def ago(**delta):
            return now - datetime.timedelta(**delta)
        u1 = imap.append("INBOX", "Alice <alice@example.com>", "owner@example.com",
                         "Lunch tomorrow?", "Are you free at noon?", date=ago(hours=2))
        u2 = imap.append("INBOX", "Bob <bob@example.com>", "owner@example.com",
                         "Invoice 42", "Please find attached.", date=ago(hours=1))
        u3 = imap.append("INBOX", "Carol <carol@example.com>", "owner@example.com",
                         "Already read", "Old news.", date=ago(days=1), seen=True)
        us = imap.append("Sent", "owner@example.com", "Dave <dave@example.com>",
                         "Re: plans", "See you then.", date=ago(days=5), seen=True)
        expect([u1, u2, u3, us] == [1, 2, 3, 1], "APPENDUIDs %s" % [u1, u2, u3, us])
        expect(imap.search("INBOX", "UNSEEN") == [1, 2], "search() UNSEEN")

        base = "imaps://localhost:%d/" % imap.port
        auth = ["--cacert", imap.ca_file, "-u", "owner:" + PASSWORD]
        out = curl(*auth, base + "INBOX", "-X", "UID SEARCH UNSEEN")
        expect(out.split() == ["*", "SEARCH", "1", "2"], "UID SEARCH UNSEEN lists 1 and 2")
        # A FETCH through the URL sets \\Seen (curl sends BODY[...], not BODY.PEEK).
        out = curl(*auth, base + "INBOX;UID=1;SECTION=HEADER.FIELDS%20(FROM%20SUBJECT%20DATE)")
        expect("From: Alice <alice@example.com>" in out and "Subject: Lunch tomorrow?" in out
               and "Date: " in out, "headers of UID 1")
        out = curl(*auth, base + "INBOX;UID=2;SECTION=TEXT")
        expect("Please find attached." in out, "body of UID 2")
        out = curl(*auth, base + "INBOX", "-X", "UID SEARCH UNSEEN")
        expect(out.split() == ["*", "SEARCH"], "fetching by URL marked both seen")
        curl(*auth, base + "INBOX", "-X", "UID STORE 1:2 -FLAGS.SILENT (\\Seen)")
        out = curl(*auth, base + "INBOX", "-X", "UID SEARCH UNSEEN")
        expect(out.split() == ["*", "SEARCH", "1", "2"], "-FLAGS (\\Seen) made them unseen again")
        # A custom FETCH with BODY.PEEK leaves \\Seen alone, but curl writes only the first
        # line of each untagged answer as the body; the literal goes to the header stream.
        out = curl(*auth, "-D", "-", "-o", "/dev/null", base + "INBOX",
                   "-X", "UID FETCH 1:2 (FLAGS BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])")
        expect("Subject: Lunch tomorrow?" in out and "Subject: Invoice 42" in out,
               "PEEK headers of 1 and 2 in the header stream")
        out = curl(*auth, base + "INBOX", "-X", "UID SEARCH UNSEEN")
        expect(out.split() == ["*", "SEARCH", "1", "2"], "PEEK left them unseen")
        since = (now - datetime.timedelta(days=7)).strftime("%d-%b-%Y")
        out = curl(*auth, base + "Sent", "-X", "UID SEARCH SINCE " + since)
        expect(out.split() == ["*", "SEARCH", "1"], "Sent has the message of 5 days ago")
        out = curl(*auth, base + "Sent;UID=1;SECTION=HEADER.FIELDS%20(TO%20SUBJECT%20DATE)")
        expect("Subject: Re: plans" in out, "headers of the sent message")
        # The IP is in the certificate too, for clients that skip the name lookup.
        out = curl(*auth, "imaps://127.0.0.1:%d/INBOX" % imap.port, "-X", "UID SEARCH ALL")
        expect(out.split() == ["*", "SEARCH", "1", "2", "3"], "by IP: UID SEARCH ALL")
        out = curl(*auth, base)
        expect("Sent" in out and "INBOX" in out, "LIST shows INBOX and Sent")
        r = subprocess.run(["curl", "-sS", "--max-time", "10", "--cacert", imap.ca_file,
                            "-u", "owner:wrong", base + "INBOX", "-X", "UID SEARCH ALL"],
                           capture_output=True, text=True)
        expect(r.returncode == 67, "wrong password: curl exit 67 (%s)" % r.stderr.strip())
        r = subprocess.run(["curl", "-sS", "--max-time", "10", "-u", "owner:" + PASSWORD,
                            base + "INBOX", "-X", "UID SEARCH ALL"], capture_output=True, text=True)
        expect(r.returncode == 60, "without the CA: curl exit 60 (%s)" % r.stderr.strip())
    expect(not os.path.exists(imap.dir), "close() removed " + imap.dir)


if __name__ == "__main__":
    check_radicale()
    check_dovecot()
    print("all good")
