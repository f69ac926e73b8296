"""Voice notes, pictures and documents from Meta: a voice note is fetched
(media id -> URL -> bytes, with the bearer token), transcribed by the LLM
server's /audio/transcriptions and answered as if typed (a spoken "taken"
lists the tasks); a picture goes to a model that sees as an image_url part,
or by its caption alone; a document by its name and caption; a download or
a transcription that fails is answered with a request for text."""

import json
import os
import unittest

from harness import FIXTURES, OWNER, ParleyTestCase, completion, message_webhook
from test_evolution import API_KEY, EvolutionCase, direct_text

OPUS = b"OggS\x00\x02fake opus voice note"
JPEG = b"\xff\xd8\xff\xe0fake jpeg picture"


def fixture_message(name):
    with open(os.path.join(FIXTURES, "meta", name)) as f:
        payload = json.load(f)
    return payload["entry"][0]["changes"][0]["value"]["messages"][0]


class Media(ParleyTestCase):
    def send_fixture(self, name, msg_id, caption=None):
        message = fixture_message(name)
        message["id"] = msg_id
        if caption is not None:
            message[message["type"]]["caption"] = caption
        return self.post(message_webhook(message))

    def last_text(self, count):
        return self.graph.wait_texts(count)[-1][1]["text"]["body"]

    def api(self, path):
        status, body = self.parley.request("GET", path, headers={"Authorization": "Bearer admin"})
        return json.loads(body)

    def test_a_voice_note_is_answered_as_if_typed(self):
        self.say("taak: fietsband plakken")
        self.graph.wait_texts(1)
        self.say("taken")
        typed = self.last_text(2)
        self.graph.media["1234567890987654321"] = ("audio/ogg; codecs=opus", OPUS)
        self.llm.transcript = "taken"
        self.send_fixture("audio_voice.json", "wamid.voice.1")
        self.assertEqual(self.last_text(3), typed)  # the same list, spoken
        upload = [(h, b) for p, h, b in self.llm.requests if p.endswith("/audio/transcriptions")]
        self.assertEqual(len(upload), 1)
        headers, body = upload[0]
        self.assertEqual(headers.get("Authorization"), "Bearer llm-key")
        self.assertIn(b'name="model"\r\n\r\nwhisper-1\r\n', body)
        self.assertIn(b'filename="voice.ogg"\r\nContent-Type: audio/ogg; codecs=opus\r\n\r\n' + OPUS, body)
        # The media was fetched with the bearer token, id first, then the bytes.
        fetched = [p for p, h, _ in self.graph.requests if not p.endswith("/messages")]
        self.assertEqual(fetched, ["/v21.0/1234567890987654321", "/download/1234567890987654321"])
        # Remembered as a voice note; the run shows the transcript.
        runs = self.api("/api/runs?tenant=ops")["runs"]
        self.assertEqual((runs[0]["path"], runs[0]["transcript"]), ("command", "taken"))
        messages = self.api("/api/conversations/ops/" + OWNER)["messages"]
        self.assertIn("[voice note] taken", [m["text"] for m in messages])
        # The bytes were not kept, neither in the database nor on disk.
        self.assertEqual(self.parley.sql("SELECT count(*) FROM events WHERE payload::text LIKE"
                                         " '%OggS%'"), [["0"]])
        self.assertFalse(os.path.exists(os.path.join(self.data_dir, "media")))

    def test_a_voice_note_that_cannot_be_fetched_or_heard_asks_for_text(self):
        self.send_fixture("audio_voice.json", "wamid.voice.2")  # no such media at Meta
        self.assertEqual(self.last_text(1), "I could not listen to your voice note. Could you type it?")
        self.graph.media["1234567890987654321"] = ("audio/ogg; codecs=opus", OPUS)
        self.llm.script = [(500, {"error": {"message": "transcription backend down"}})]
        self.send_fixture("audio_voice.json", "wamid.voice.3")
        self.assertEqual(self.last_text(2), "I could not listen to your voice note. Could you type it?")
        runs = self.api("/api/runs?tenant=ops")["runs"]
        self.assertIn("the transcription failed: HTTP 500", runs[0]["error"])
        self.assertIn("could not be looked up", runs[1]["error"])

    def test_a_picture_without_vision_is_read_by_its_caption(self):
        self.llm.script = [(200, completion("Mooie fiets!"))]
        self.send_fixture("image.json", "wamid.image.1", caption="mijn nieuwe fiets")
        self.assertEqual(self.last_text(1), "Mooie fiets!")
        asked = [b for p, _, b in self.llm.requests if p.endswith("/chat/completions")][0]
        last = asked["messages"][-1]["content"]
        self.assertTrue(last.startswith("mijn nieuwe fiets\n(A picture came with this message;"), last)
        self.assertEqual([p for p, _, _ in self.graph.requests if not p.endswith("/messages")], [])
        # Without a caption there is nothing to read: the person is asked.
        self.send_fixture("image.json", "wamid.image.2")
        self.assertEqual(self.last_text(2),
                         "I cannot look at pictures. Could you tell me in words what it shows?")

    def test_a_document_is_read_by_its_name_and_caption(self):
        self.llm.script = [(200, completion("Ik zie de offerte."))]
        self.send_fixture("document.json", "wamid.doc.1", caption="de offerte")
        self.assertEqual(self.last_text(1), "Ik zie de offerte.")
        asked = [b for p, _, b in self.llm.requests if p.endswith("/chat/completions")][0]
        self.assertEqual(asked["messages"][-1]["content"], "(document: filename.pdf) de offerte")


class Vision(Media):
    def prepare(self):
        self.config_extra = {"llm": {"base_url": self.llm.url, "model": "fake-model",
                                     "api_key_env": "LLM_KEY", "timeout_ms": 1500,
                                     "vision": True}}

    def test_a_picture_goes_to_a_model_that_sees(self):
        self.graph.media["65463453"] = ("image/jpeg", JPEG)
        self.llm.script = [(200, completion("Een rode racefiets."))]
        self.send_fixture("image.json", "wamid.image.3", caption="wat is dit?")
        self.assertEqual(self.last_text(1), "Een rode racefiets.")
        asked = [b for p, _, b in self.llm.requests if p.endswith("/chat/completions")][0]
        parts = asked["messages"][-1]["content"]
        self.assertEqual(parts[0], {"type": "text", "text": "wat is dit?"})
        self.assertEqual(parts[1]["type"], "image_url")
        import base64
        self.assertEqual(parts[1]["image_url"]["url"],
                         "data:image/jpeg;base64," + base64.b64encode(JPEG).decode())
        messages = self.api("/api/conversations/ops/" + OWNER)["messages"]
        self.assertIn("[picture] wat is dit?", [m["text"] for m in messages])

    # The parent's picture test assumes a model that does not see.
    test_a_picture_without_vision_is_read_by_its_caption = None


class KeptMedia(Media):
    """keep_media: each file under <data_dir>/media/<tenant>/<local date>/,
    readable by parley's user only."""

    def prepare(self):
        self.config_extra = {"keep_media": True,
                             "llm": {"base_url": self.llm.url, "model": "fake-model",
                                     "api_key_env": "LLM_KEY", "timeout_ms": 1500,
                                     "vision": True}}

    def test_a_voice_note_and_a_picture_are_kept(self):
        self.graph.media["1234567890987654321"] = ("audio/ogg; codecs=opus", OPUS)
        self.graph.media["65463453"] = ("image/jpeg", JPEG)
        self.llm.transcript = "taken"
        self.send_fixture("audio_voice.json", "wamid.voice.k1")
        self.graph.wait_texts(1)
        self.llm.script = [(200, completion("Mooi."))]
        self.send_fixture("image.json", "wamid.image.k1", caption="kijk")
        self.graph.wait_texts(2)
        root = os.path.join(self.data_dir, "media")
        [day] = os.listdir(os.path.join(root, "ops"))  # the tenant's local date
        self.assertRegex(day, r"^\d{4}-\d{2}-\d{2}$")
        folder = os.path.join(root, "ops", day)
        self.assertEqual(sorted(os.listdir(folder)), ["1234567890987654321.ogg", "65463453.jpg"])
        with open(os.path.join(folder, "65463453.jpg"), "rb") as f:
            self.assertEqual(f.read(), JPEG)
        with open(os.path.join(folder, "1234567890987654321.ogg"), "rb") as f:
            self.assertEqual(f.read(), OPUS)
        self.assertEqual(os.stat(os.path.join(folder, "1234567890987654321.ogg")).st_mode & 0o777,
                         0o600)
        for level in (root, os.path.join(root, "ops"), folder):
            self.assertEqual(os.stat(level).st_mode & 0o777, 0o700)

    test_a_voice_note_is_answered_as_if_typed = None
    test_a_voice_note_that_cannot_be_fetched_or_heard_asks_for_text = None
    test_a_picture_without_vision_is_read_by_its_caption = None
    test_a_document_is_read_by_its_name_and_caption = None


class EvolutionVoice(EvolutionCase):
    """A voice note through the WhatsApp Web bridge: its bytes asked of the
    bridge (getBase64FromMediaMessage), never stored."""

    extra_tenants = [{"id": "shop", "kind": "business", "channel": "evolution",
                      "instance": "inst-test", "language": "en", "bot_name": "Parley"}]

    def voice(self, msg_id, with_base64=False):
        payload = direct_text("", msg_id)
        payload["data"]["message"] = {"audioMessage": {"mimetype": "audio/ogg; codecs=opus",
                                                       "ptt": True, "seconds": 2}}
        if with_base64:
            import base64
            payload["data"]["message"]["base64"] = base64.b64encode(OPUS).decode()
        payload["data"]["messageType"] = "audioMessage"
        return self.post(payload)

    def test_a_voice_note_is_asked_of_the_bridge_and_answered(self):
        self.evolution.media["3EBVOICE0001"] = ("audio/ogg; codecs=opus", OPUS)
        # The transcription, then the model's answer.
        self.llm.script = [(200, {"text": "when are you open on saturday?"}),
                           (200, completion("Saturdays from 9 to 16."))]
        status, _ = self.voice("3EBVOICE0001", with_base64=True)
        self.assertEqual(status, 200)
        sent = self.evolution.sent(1)
        self.assertEqual(sent[0]["text"], "Saturdays from 9 to 16.")
        asked = [b for p, _, b in self.evolution.requests
                 if p.startswith("/chat/getBase64FromMediaMessage/")]
        self.assertEqual(asked, [{"message": {"key": {"id": "3EBVOICE0001"}}, "convertToMp4": False}])
        chat = [b for p, _, b in self.llm.requests if p.endswith("/chat/completions")][0]
        self.assertEqual(chat["messages"][-1]["content"], "when are you open on saturday?")
        # The webhook's base64 was not stored.
        self.assertEqual(self.parley.sql("SELECT count(*) FROM events WHERE payload::text LIKE"
                                         " '%base64%'"), [["0"]])

    def test_a_voice_note_the_bridge_cannot_give_asks_for_text(self):
        self.voice("3EBVOICE0002")
        self.assertEqual(self.evolution.sent(1)[0]["text"],
                         "I could not listen to your voice note. Could you type it?")


if __name__ == "__main__":
    unittest.main()
