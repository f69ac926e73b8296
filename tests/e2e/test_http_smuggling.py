"""The strict HTTP edge (issue 15): a request whose framing two HTTP parsers
could read differently is answered with an error, its connection is closed and
nothing of it is stored; valid pipelined and chunked requests still get through.

Every request is written as raw bytes, with a validly signed body, so that only
its framing is wrong."""

import json
import socket
import unittest

from harness import OWNER, ParleyTestCase, sign, text_webhook

WEBHOOK = b"POST /webhooks/meta/whatsapp HTTP/1.1"
# Long enough for a loaded two-core machine; an answer or a close that does not
# come in this time is a failure, not something to wait for.
TIMEOUT = 10
BODY_LIMIT = 65536  # harness.py's "body_limit"
ERROR_CODES = {400: "bad_request", 413: "payload_too_large", 431: "header_too_large"}


def read_response(reader):
    """Reads one response from a socket's binary file: (status, headers with
    lower-case names, body), the body as long as its Content-Length says."""
    try:
        status_line = reader.readline()
        if not status_line:
            raise AssertionError("the server closed the connection without an answer")
        headers = {}
        while True:
            line = reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = reader.read(int(headers.get("content-length", "0")))
    except TimeoutError:
        raise AssertionError("no complete answer within %d s" % TIMEOUT) from None
    return int(status_line.split()[1]), headers, body


def request(body, framing, request_line=WEBHOOK):
    """A raw request head for a signed webhook `body`: the usual fields, then
    the `framing` lines as given (each without its CRLF)."""
    lines = [request_line, b"Host: 127.0.0.1", b"Content-Type: application/json",
             b"X-Hub-Signature-256: " + sign(body).encode()]
    lines += list(framing)
    return b"".join(line + b"\r\n" for line in lines) + b"\r\n"


def with_length(body):
    """A complete, valid request carrying `body` with a Content-Length."""
    return request(body, [b"Content-Length: %d" % len(body)]) + body


def chunked(*chunks, trailer=b""):
    """A chunked body: each chunk with its hex size, the last chunk, `trailer`
    (complete lines) and the final CRLF."""
    out = b"".join(b"%x\r\n" % len(c) + c + b"\r\n" for c in chunks)
    return out + b"0\r\n" + trailer + b"\r\n"


class HttpSmuggling(ParleyTestCase):
    llm_enabled = False

    # -- helpers --------------------------------------------------------------

    def body(self, text="taken"):
        return json.dumps(text_webhook(text, self.next_id())).encode()

    def count_events(self):
        return int(self.parley.sql("SELECT count(*) FROM events")[0][0])

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.parley.port), timeout=TIMEOUT)

    def assert_closed(self, reader):
        """The server closes the connection after its answer: EOF, not a
        second answer and not silence."""
        try:
            rest = reader.read(1)
        except ConnectionResetError:
            return  # closed too, if abruptly: the answer was already read
        except TimeoutError:
            self.fail("the connection was still open %d s after the answer" % TIMEOUT)
        self.assertEqual(rest, b"", "the server sent more after its answer")

    def assert_refused(self, raw, status):
        """Sends `raw` at once; expects one answer with `status` and its JSON
        error code, then the close, and no event stored."""
        with self.connect() as sock, sock.makefile("rb") as reader:
            sock.sendall(raw)
            got, _, body = read_response(reader)
            self.assertEqual(got, status, body)
            self.assertEqual(json.loads(body)["error"], ERROR_CODES[status], body)
            self.assert_closed(reader)
        self.assertEqual(self.count_events(), 0)

    def refused_chunked(self, framing, chunked_body, request_line=WEBHOOK):
        """A signed body sent in `chunked_body(body)` under these framing
        lines, expected to be refused with 400."""
        body = self.body()
        raw = request(body, framing, request_line) + chunked_body(body)
        self.assert_refused(raw, 400)

    # -- Content-Length and Transfer-Encoding together ------------------------

    def test_content_length_then_transfer_encoding_is_refused(self):
        # Read as chunked, the signed body ends early and a second, hidden
        # request follows; read by its length, it is all one body.
        body = self.body()
        payload = chunked(body) + with_length(self.body("taak: verstopt"))
        raw = request(body, [b"Content-Length: %d" % len(payload),
                             b"Transfer-Encoding: chunked"]) + payload
        self.assert_refused(raw, 400)

    def test_transfer_encoding_then_content_length_is_refused(self):
        body = self.body()
        payload = chunked(body) + with_length(self.body("taak: verstopt"))
        raw = request(body, [b"Transfer-Encoding: chunked",
                             b"Content-Length: %d" % len(payload)]) + payload
        self.assert_refused(raw, 400)

    # -- Transfer-Encoding other than exactly chunked -------------------------

    def test_transfer_encoding_xchunked_is_refused(self):
        self.refused_chunked([b"Transfer-Encoding: xchunked"], chunked)

    def test_transfer_encoding_chunked_twice_in_one_field_is_refused(self):
        self.refused_chunked([b"Transfer-Encoding: chunked, chunked"], chunked)

    def test_transfer_encoding_gzip_then_chunked_is_refused(self):
        self.refused_chunked([b"Transfer-Encoding: gzip, chunked"], chunked)

    def test_transfer_encoding_gzip_alone_is_refused(self):
        self.refused_chunked([b"Transfer-Encoding: gzip"], lambda body: body)

    def test_an_obs_folded_transfer_encoding_is_refused(self):
        self.refused_chunked([b"Transfer-Encoding: ", b" chunked"], chunked)

    def test_chunked_on_http_1_0_is_refused(self):
        self.refused_chunked([b"Transfer-Encoding: chunked"], chunked,
                             request_line=b"POST /webhooks/meta/whatsapp HTTP/1.0")

    # -- Content-Length -------------------------------------------------------

    def test_two_identical_content_lengths_are_refused(self):
        body = self.body()
        length = b"Content-Length: %d" % len(body)
        self.assert_refused(request(body, [length, length]) + body, 400)

    def test_two_different_content_lengths_are_refused(self):
        body = self.body()
        raw = request(body, [b"Content-Length: %d" % len(body), b"Content-Length: 0"]) + body
        self.assert_refused(raw, 400)

    # -- chunk sizes, chunk headers and trailers ------------------------------

    def test_a_chunk_size_that_overflows_is_refused(self):
        self.refused_chunked([b"Transfer-Encoding: chunked"],
                             lambda body: b"ffffffffffffffffff\r\n" + body + b"\r\n0\r\n\r\n")

    def test_a_negative_chunk_size_is_refused(self):
        self.refused_chunked([b"Transfer-Encoding: chunked"],
                             lambda body: b"-5\r\n" + body[:5] + b"\r\n0\r\n\r\n")

    def test_a_chunk_size_that_is_not_hex_is_refused(self):
        self.refused_chunked([b"Transfer-Encoding: chunked"],
                             lambda body: b"zz\r\n" + body + b"\r\n0\r\n\r\n")

    def test_a_chunk_header_over_the_limit_is_refused(self):
        extension = b";" + b"a" * 20000
        self.refused_chunked(
            [b"Transfer-Encoding: chunked"],
            lambda body: b"%x" % len(body) + extension + b"\r\n" + body + b"\r\n0\r\n\r\n")

    def test_a_content_length_in_the_trailer_is_refused(self):
        self.refused_chunked([b"Transfer-Encoding: chunked"],
                             lambda body: chunked(body, trailer=b"Content-Length: 5\r\n"))

    # -- line ends, bytes and tokens ------------------------------------------

    def test_a_bare_lf_line_end_is_refused(self):
        body = self.body()
        raw = with_length(body).replace(b"Host: 127.0.0.1\r\n", b"Host: 127.0.0.1\n", 1)
        self.assert_refused(raw, 400)

    def test_a_nul_byte_in_a_header_value_is_refused(self):
        body = self.body()
        raw = request(body, [b"X-Test: a\x00b", b"Content-Length: %d" % len(body)]) + body
        self.assert_refused(raw, 400)

    def test_a_control_byte_in_a_header_value_is_refused(self):
        body = self.body()
        raw = request(body, [b"X-Test: a\x01b", b"Content-Length: %d" % len(body)]) + body
        self.assert_refused(raw, 400)

    def test_a_method_that_is_not_a_token_is_refused(self):
        body = self.body()
        raw = request(body, [b"Content-Length: %d" % len(body)],
                      request_line=b"PO(ST /webhooks/meta/whatsapp HTTP/1.1") + body
        self.assert_refused(raw, 400)

    # -- limits ---------------------------------------------------------------

    def test_expect_continue_over_the_body_limit_gets_413_before_the_body_is_sent(self):
        # Only the head goes out: the answer must not wait for a body that a
        # client honouring Expect never sends.
        body = self.body()
        self.assert_refused(request(body, [b"Content-Length: %d" % (BODY_LIMIT + 1),
                                           b"Expect: 100-continue"]), 413)

    def test_a_header_section_over_8_kb_gets_431(self):
        body = self.body()
        raw = request(body, [b"X-Pad: " + b"a" * 9000, b"Content-Length: %d" % len(body)]) + body
        self.assert_refused(raw, 431)

    def test_101_header_fields_get_431(self):
        body = self.body()
        # request() writes Host, Content-Type and the signature: with the
        # length and 97 more, 101 fields.
        padding = [b"X-Field-%d: v" % i for i in range(97)]
        raw = request(body, padding + [b"Content-Length: %d" % len(body)]) + body
        self.assertEqual(raw.count(b"\r\n"), 1 + 101 + 1)
        self.assert_refused(raw, 431)

    # -- valid framing still works --------------------------------------------

    def test_two_pipelined_requests_are_both_answered_in_order(self):
        first = self.body("taak: een")
        payload = text_webhook("taak: twee", self.next_id())
        payload["entry"][0]["changes"][0]["value"]["messages"].append(
            {"from": OWNER, "id": self.next_id(), "timestamp": "1", "type": "text",
             "text": {"body": "taak: drie"}})
        second = json.dumps(payload).encode()
        with self.connect() as sock, sock.makefile("rb") as reader:
            sock.sendall(with_length(first) + with_length(second))
            answers = [read_response(reader) for _ in range(2)]
        self.assertEqual([status for status, _, _ in answers], [200, 200], answers)
        # One message, then two: the answers come in the order of the requests.
        self.assertEqual([json.loads(body)["stored"] for _, _, body in answers], [1, 2])
        self.assertEqual(self.count_events(), 3)

    def test_a_valid_chunked_request_is_stored(self):
        body = self.body("taak: in stukken")
        half = len(body) // 2
        raw = request(body, [b"Transfer-Encoding: chunked"]) + chunked(body[:half], body[half:])
        with self.connect() as sock, sock.makefile("rb") as reader:
            sock.sendall(raw)
            status, _, answer = read_response(reader)
        self.assertEqual(status, 200, answer)
        self.assertEqual(json.loads(answer)["stored"], 1)
        self.assertEqual(self.count_events(), 1)


if __name__ == "__main__":
    unittest.main()
