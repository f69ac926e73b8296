"""Small fake peers that speak the real wire formats: Meta's Graph API and an
OpenAI-compatible chat-completions server. Each records what it received and
answers from a script, including errors (429, 5xx, hangs, malformed bodies)."""

import http.client
import base64
import json
import queue
import random
import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeServer:
    """A loopback HTTP server; `script` is a list of responses used in order,
    then `default`. A response is (status, body), ("hang", seconds), or
    ("accept_hang", seconds): the request is accepted (Meta sent the message)
    but the answer never reaches the client, or ("reset",): the connection is
    reset before the request is accepted. With
    `tls=(certfile, keyfile)` it speaks HTTPS as https://localhost:port."""

    def __init__(self, tls=None):
        self.requests = []       # (path, headers, parsed json body)
        self.answered = []       # requests answered with a 2xx
        self.script = []
        self.cond = threading.Condition()
        self.release = threading.Event()  # ends any hang early
        # Closes each connection after its answer although the answer said
        # keep-alive, as servers do with idle connections.
        self.close_after_answer = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # The headers and the body are two writes: with Nagle on, the
            # body waits for the client's delayed ACK (40 ms per answer on a
            # kept-alive connection), which no real server makes anyone wait.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_GET(self):
                self.do_POST()

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw
                with fake.cond:
                    fake.requests.append((self.path, dict(self.headers), body))
                    step = fake.script.pop(0) if fake.script else None
                    fake.cond.notify_all()
                if step is None:
                    step = fake.respond(self.path, dict(self.headers), body)
                if step[0] == "reset":
                    # SO_LINGER 0: close() sends RST instead of FIN.
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                               struct.pack("ii", 1, 0))
                    self.close_connection = True
                    return
                if step[0] == "accept_hang":
                    fake.respond(self.path, dict(self.headers), body)
                    with fake.cond:
                        fake.answered.append((self.path, body))
                        fake.cond.notify_all()
                if step[0] in ("hang", "accept_hang"):
                    fake.release.wait(step[1])
                    self.close_connection = True
                    return
                status, payload = step
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                if fake.close_after_answer:
                    self.close_connection = True
                if 200 <= status < 300:
                    with fake.cond:
                        fake.answered.append((self.path, body))
                        fake.cond.notify_all()
                    fake.accepted(body, payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.tls = tls
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            # The handshake runs in the handler's thread, so a client that
            # refuses the certificate does not stall the accept loop.
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True,
                                                 do_handshake_on_connect=False)
            default_handle_error = self.server.handle_error

            def handle_error(request, address):
                if not isinstance(sys.exc_info()[1], ssl.SSLError):  # refusals are expected
                    default_handle_error(request, address)
            self.server.handle_error = handle_error
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        if self.tls:
            return "https://localhost:%d" % self.server.server_address[1]
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def default(self, body):
        return (200, {})

    def accepted(self, body, answer):
        """Called after a 2xx answer went out."""

    def respond(self, path, headers, body):
        """The answer when no script step is left."""
        return self.default(body)

    def wait_answered(self, count, timeout=30, where=lambda r: True):
        """Blocks until `count` matching requests were answered with 2xx."""
        with self.cond:
            ok = self.cond.wait_for(
                lambda: len([r for r in self.answered if where(r)]) >= count, timeout)
            return [r for r in self.answered if where(r)] if ok else None

    def wait_requests(self, count, timeout=30):
        with self.cond:
            ok = self.cond.wait_for(lambda: len(self.requests) >= count, timeout)
            return list(self.requests) if ok else None

    def reset(self):
        with self.cond:
            self.requests.clear()
            self.answered.clear()
            self.script.clear()
        self.release.clear()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class FakeGraph(FakeServer):
    """POST /{version}/{phone_number_id}/messages, answered like Meta does.

    `fail_ratio` fails that share of sends at random with 429, 500, 503 or a
    connection reset. `send_statuses(post)` makes it call back like Meta: a
    "sent" status webhook for every accepted message, carrying its
    biz_opaque_callback_data, posted with `post(payload) -> http status` and
    retried until it gets a 200."""

    def __init__(self, tls=None, fail_ratio=0.0, seed=1):
        super().__init__(tls)
        self.counter = 0
        self.fail_ratio = fail_ratio
        self.failures = []           # the failure kinds it produced
        self.rng = random.Random(seed)
        self.statuses = None
        self.closed = threading.Event()
        self.media = {}              # media id -> (mime type, bytes)

    def send_statuses(self, post):
        self.statuses = queue.Queue()

        def deliver():
            while True:
                payload = self.statuses.get()
                if payload is None:
                    return
                while not self.closed.is_set():
                    try:
                        if post(payload) == 200:
                            break
                    except (OSError, http.client.HTTPException):
                        pass  # parley is down or died mid-answer: Meta retries too
                    time.sleep(0.05)
        threading.Thread(target=deliver, daemon=True).start()

    def accepted(self, body, answer):
        if self.statuses is None or not isinstance(body, dict) or "messages" not in answer:
            return
        status = {"id": answer["messages"][0]["id"], "status": "sent",
                  "timestamp": str(int(time.time())), "recipient_id": body.get("to")}
        if "biz_opaque_callback_data" in body:
            status["biz_opaque_callback_data"] = body["biz_opaque_callback_data"]
        self.statuses.put({"object": "whatsapp_business_account", "entry": [{
            "id": "WABA", "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "31200000000",
                             "phone_number_id": "1122334455667"},
                "statuses": [status]}}]}]})

    def respond(self, path, headers, body):
        if not path.endswith("/messages"):
            return self.media_answer(path, headers)
        if isinstance(body, dict) and body.get("type") in ("text", "interactive") \
                and self.rng.random() < self.fail_ratio:
            kind = self.rng.choice(["429", "500", "503", "reset"])
            with self.cond:
                self.failures.append(kind)
            if kind == "reset":
                return ("reset",)
            if kind == "429":
                return self.error(130429, "Rate limit hit", 429)
            return (int(kind), {"error": {"message": "Service temporarily unavailable",
                                          "type": "OAuthException", "code": 2,
                                          "fbtrace_id": "Afake"}})
        return self.default(body)

    def media_answer(self, path, headers):
        """Meta's media endpoints: GET /{version}/{media-id} says where the
        bytes are; GET that URL gives them, both with the bearer token."""
        if headers.get("Authorization") != "Bearer graph-token":
            return self.error(190, "Invalid OAuth access token", 401)
        media_id = path.rstrip("/").split("/")[-1]
        if media_id not in self.media:
            return self.error(100, "Unsupported get request. Object with ID '%s' does not exist"
                              % media_id)
        mime, data = self.media[media_id]
        if path.startswith("/download/"):
            return (200, data)
        return (200, {"messaging_product": "whatsapp", "url": self.url + "/download/" + media_id,
                      "mime_type": mime, "sha256": "fake", "file_size": len(data), "id": media_id})

    def close(self):
        self.closed.set()
        if self.statuses is not None:
            self.statuses.put(None)
        super().close()

    def default(self, body):
        if isinstance(body, dict) and body.get("status") == "read":
            return (200, {"success": True})
        with self.cond:
            self.counter += 1
            n = self.counter
        return (200, {"messaging_product": "whatsapp",
                      "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                      "messages": [{"id": "wamid.out.%d" % n}]})

    def texts(self):
        """The text messages answered so far, in order."""
        with self.cond:
            return [b for p, b in self.answered
                    if isinstance(b, dict) and b.get("type") == "text"]

    def wait_texts(self, count, timeout=30):
        return self.wait_answered(
            count, timeout,
            where=lambda r: isinstance(r[1], dict) and r[1].get("type") == "text")

    def wait_messages(self, count, timeout=30):
        """Text and interactive messages, in order."""
        return self.wait_answered(
            count, timeout,
            where=lambda r: isinstance(r[1], dict)
            and r[1].get("type") in ("text", "interactive"))

    @staticmethod
    def body(message):
        """The text a person reads in a text or interactive message."""
        if message.get("type") == "interactive":
            return message["interactive"]["body"]["text"]
        return message["text"]["body"]

    @staticmethod
    def error(code, title, status=400):
        return (status, {"error": {"message": title, "type": "OAuthException",
                                   "code": code, "error_data": {"details": title},
                                   "fbtrace_id": "Afake"}})


class FakeEvolution(FakeServer):
    """Evolution API v2: POST /message/sendText/{instance} with an `apikey`
    header, answered 201 with the sent message's key, or 401."""

    def __init__(self, api_key, tls=None):
        super().__init__(tls)
        self.api_key = api_key
        self.counter = 0
        self.instances = {}     # name -> number of state polls left before "open"
        self.media = {}         # message id -> (mime type, bytes)
        self.open_after = 2     # polls answered "connecting" for a new instance

    def respond(self, path, headers, body):
        if headers.get("apikey") != self.api_key:
            return (401, {"status": 401, "error": "Unauthorized",
                          "response": {"message": "Unauthorized"}})
        if path.startswith("/instance/") or path.startswith("/webhook/"):
            return self.manage(path, body)
        if path.startswith("/chat/getBase64FromMediaMessage/"):
            return self.media_answer(body)
        with self.cond:
            self.counter += 1
            n = self.counter
        number = body.get("number", "") if isinstance(body, dict) else ""
        jid = number if "@" in number else number + "@s.whatsapp.net"
        return (201, {"key": {"remoteJid": jid, "fromMe": True, "id": "BAE5%012d" % n},
                      "message": {"extendedTextMessage": {"text": body.get("text")}},
                      "messageTimestamp": str(1795000000 + n), "status": "PENDING"})

    def media_answer(self, body):
        """A message's media, decrypted, as base64 (POST
        /chat/getBase64FromMediaMessage/{instance} with the message's key)."""
        key = body.get("message", {}).get("key", {}) if isinstance(body, dict) else {}
        if key.get("id") not in self.media:
            return (400, {"status": 400, "error": "Bad Request",
                          "response": {"message": ["Message not found"]}})
        mime, data = self.media[key["id"]]
        return (201, {"mediaType": "audioMessage", "fileName": "audio.oga", "mimetype": mime,
                      "base64": base64.b64encode(data).decode()})

    def manage(self, path, body):
        """Instance management, as Evolution API v2 answers it."""
        name = path.split("?")[0].rstrip("/").split("/")[-1]
        if path.startswith("/instance/fetchInstances"):
            wanted = path.split("instanceName=")[-1]
            if wanted not in self.instances:
                return (404, {"status": 404, "error": "Not Found",
                              "response": {"message": ["Instance \"%s\" not found" % wanted]}})
            return (200, [{"id": "i-1", "name": wanted, "connectionStatus": "connecting"}])
        if path == "/instance/create":
            self.instances[body["instanceName"]] = self.open_after
            return (201, {"instance": {"instanceName": body["instanceName"], "status": "created"},
                          "hash": "secret", "qrcode": {"pairingCode": "WZYEH1YY", "code": "2@first"}})
        if path.startswith("/webhook/set/"):
            return (201, {"webhook": body.get("webhook")})
        if name not in self.instances:
            return (404, {"status": 404, "error": "Not Found", "response": {"message": ["no instance"]}})
        if path.startswith("/instance/connect/"):
            return (200, {"pairingCode": "WZYEH1YY",
                          "code": "2@code-%d" % (self.instances[name] // 5), "count": 1})
        if path.startswith("/instance/connectionState/"):
            left = self.instances[name]
            if left > 0:
                self.instances[name] = left - 1
            return (200, {"instance": {"instanceName": name,
                                       "state": "open" if left == 0 else "connecting"}})
        return (404, {"status": 404, "error": "Not Found", "response": {"message": ["no route"]}})

    def sent(self, count, timeout=30):
        """The first `count` accepted sendText bodies, once they arrived."""
        got = self.wait_answered(count, timeout,
                                 where=lambda r: r[0].startswith("/message/"))
        return [b for p, b in got] if got else None


class FakeLLM(FakeServer):
    """POST /chat/completions; by default answers with a fixed text. POST
    /audio/transcriptions (multipart: model and file) answers with
    `transcript`, or 400 when the upload is not a multipart form."""

    answer = "Hello from the **model**."
    transcript = "taken"

    def respond(self, path, headers, body):
        if path.endswith("/audio/transcriptions"):
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            if not headers.get("Content-Type", "").startswith("multipart/form-data; boundary=") \
                    or b'name="model"' not in raw or b'name="file"; filename=' not in raw:
                return (400, {"error": {"message": "Could not parse multipart form"}})
            return (200, {"text": self.transcript})
        return self.default(body)

    def default(self, body):
        return (200, completion(self.answer))


def usage(completion_tokens):
    """What an OpenAI-compatible server counts; the fake's prompt is always 120."""
    return {"prompt_tokens": 120, "completion_tokens": completion_tokens,
            "total_tokens": 120 + completion_tokens}


def completion(text):
    return {"id": "chatcmpl-fake", "object": "chat.completion", "model": "fake",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}],
            "usage": usage(len(text.split()))}


def tool_call_completion(name, arguments, call_id="call_1"):
    """An answer that asks for one function call (arguments as JSON text)."""
    return {"id": "chatcmpl-fake", "object": "chat.completion", "model": "fake",
            "choices": [{"index": 0, "finish_reason": "tool_calls",
                         "message": {"role": "assistant", "content": None,
                                     "tool_calls": [{"id": call_id, "type": "function",
                                                     "function": {"name": name,
                                                                  "arguments": json.dumps(arguments)}}]}}],
            "usage": usage(9)}
