"""A real SMTP submission server for the end-to-end tests: aiosmtpd (Debian's
python3-aiosmtpd, run by /usr/bin/python3) on 127.0.0.1 with implicit TLS
(smtps), AUTH PLAIN/LOGIN required, each accepted message written to
OUT_DIR/N.eml with its envelope in OUT_DIR/N.json. A recipient whose address
starts with "refuse" is answered 550, as a real server refuses an unknown
mailbox; for one that starts with "hang" the server takes the message
(OUT_DIR/N.hang marks it) and never confirms it, as a stalled server would.

    /usr/bin/python3 smtp_server.py PORT CERT KEY USER PASSWORD OUT_DIR
"""

import asyncio
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    port, cert, key, user, password, out_dir = sys.argv[1:7]
    count = [0]
    lock = threading.Lock()

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.lower().startswith("refuse"):
                return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            with lock:
                count[0] += 1
                n = count[0]
            base = os.path.join(out_dir, str(n))
            if any(r.lower().startswith("hang") for r in envelope.rcpt_tos):
                open(base + ".hang", "w").close()
                await asyncio.sleep(3600)
            with open(base + ".eml.part", "wb") as f:
                f.write(envelope.original_content or envelope.content)
            with open(base + ".json", "w") as f:
                json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                           "login": session.auth_data.login.decode()
                           if session.auth_data else None}, f)
            os.rename(base + ".eml.part", base + ".eml")
            return "250 2.0.0 Ok: queued as %d" % n

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and \
            auth_data.login.decode() == user and auth_data.password.decode() == password
        # handled=False: aiosmtpd answers 535 itself (its default, True, answers nothing)
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    controller = Controller(Handler(), hostname="127.0.0.1", port=int(port),
                            ssl_context=context, authenticator=authenticate,
                            auth_required=True,
                            # implicit TLS: every session is encrypted before EHLO,
                            # which aiosmtpd 1.4 only counts after STARTTLS
                            auth_require_tls=False,
                            server_hostname="localhost")
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
