"""Nothing acknowledged is lost: kill -9 between the 200 and the reply, and the
conversation memory across restarts."""

import json
import unittest

from harness import OWNER, ParleyTestCase, completion, status_webhook, text_webhook


def assert_one_reply_per_task(case, title):
    """After `taak: <title>`, asks for the list: the task's reply was
    delivered exactly once, and the list follows it."""
    case.say("taken")
    case.assertIsNotNone(case.graph.wait_texts(2))
    bodies = [b["text"]["body"] for b in case.graph.texts()]
    case.assertEqual(bodies, ["Task 1 added: " + title, "Open tasks:\n1. " + title])


class Recovery(ParleyTestCase):
    llm_timeout_ms = 20000

    def test_kill_9_while_the_llm_thinks_then_restart_gives_exactly_one_reply(self):
        self.llm.script = [("hang", 30)]
        self.say("a question before the crash")
        self.assertIsNotNone(self.llm.wait_requests(1))  # acknowledged and in flight
        self.parley.kill9()
        self.llm.release.set()
        self.llm.answer = "answered after the restart"
        self.parley.start()
        texts = self.graph.wait_texts(1)
        self.assertEqual(texts[0][1]["text"]["body"], "answered after the restart")
        self.say("help")  # a later reply proves no second one is on its way
        self.graph.wait_texts(2)
        bodies = [b["text"]["body"] for b in self.graph.texts()]
        self.assertEqual(bodies.count("answered after the restart"), 1)
        self.assertEqual(len(bodies), 2)

    def test_kill_9_while_the_reply_is_being_sent_then_restart_delivers_it_once(self):
        self.graph.script = [("hang", 30)]
        self.say("taak: na de crash")
        self.assertIsNotNone(self.graph.wait_requests(1))  # the reply is in the outbox
        self.parley.kill9()
        self.graph.release.set()
        self.parley.start()
        texts = self.graph.wait_texts(1)
        self.assertEqual(texts[0][1]["text"]["body"], "Task 1 added: na de crash")
        assert_one_reply_per_task(self, "na de crash")
        self.assertEqual(self.parley.sql("SELECT count(*) FROM tasks"), [["1"]])

    def test_kill_9_after_meta_accepted_the_reply_its_status_webhook_prevents_a_resend(self):
        self.graph.script = [("accept_hang", 30)]  # sent, but parley never hears so
        self.say("taak: precies een keer")
        sent = self.graph.wait_texts(1)
        self.parley.kill9()
        self.graph.release.set()
        callback = sent[0][1]["biz_opaque_callback_data"]
        self.assertRegex(callback, r"^parley:outbox:\d+$")
        self.parley.start()
        # Meta's status webhook for the message carries the callback data back.
        self.post(status_webhook("wamid.out.1", "sent", callback=callback))
        self.parley.wait_log("its status webhook proves it arrived")
        assert_one_reply_per_task(self, "precies een keer")
        self.assertEqual(self.parley.sql("SELECT state, provider_message_id, in_flight FROM outbox"
                                         " ORDER BY id LIMIT 1"), [["sent", "wamid.out.1", "f"]])

    def test_the_21st_message_carries_exactly_the_last_20_also_after_a_restart(self):
        for i in range(1, 22):
            self.llm.answer = "answer %d" % i
            self.say("question %d" % i)
            self.assertIsNotNone(self.graph.wait_texts(i))
        memory = self.llm.requests[20][2]["messages"][1:-1]
        self.assertEqual(len(memory), 20)
        expected = []
        for i in range(11, 21):
            expected += [{"role": "user", "content": "question %d" % i},
                         {"role": "assistant", "content": "answer %d" % i}]
        self.assertEqual(memory, expected)
        self.assertEqual(self.llm.requests[20][2]["messages"][-1],
                         {"role": "user", "content": "question 21"})
        self.parley.stop()
        self.parley.start()
        self.say("question 22")
        self.assertIsNotNone(self.llm.wait_requests(22))
        memory = self.llm.requests[21][2]["messages"][1:-1]
        self.assertEqual(len(memory), 20)
        self.assertEqual(memory[0], {"role": "user", "content": "question 12"})
        self.assertEqual(memory[-1], {"role": "assistant", "content": "answer 21"})

    def test_a_second_parley_on_the_same_data_dir_gets_a_clear_error(self):
        import subprocess
        from harness import BIN
        out = subprocess.run([BIN, "serve", "--config", self.parley.config_path],
                             capture_output=True, text=True, timeout=60)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("another parley serve is running", out.stderr)


class SendWithoutAnswer(ParleyTestCase):
    """A reply that went out but got no answer (a timeout, or a reset after
    the request was written) is in doubt, as after a crash: Meta's status
    webhook settles it, and only without one is it sent again."""
    llm_enabled = False
    config_extra = {"send_timeout_ms": 500, "send_in_doubt_ms": 3000}

    def test_a_reply_meta_accepted_without_answering_is_settled_by_its_status(self):
        self.graph.script = [("accept_hang", 30)]  # sent; the answer never comes
        self.say("taak: precies een keer")
        sent = self.graph.wait_texts(1)
        self.parley.wait_log("got no answer after it was sent")
        self.post(status_webhook("wamid.out.1", "sent",
                                 callback=sent[0][1]["biz_opaque_callback_data"]))
        self.parley.wait_log("its status webhook proves it arrived")
        self.graph.release.set()
        assert_one_reply_per_task(self, "precies een keer")
        self.assertEqual(self.parley.sql("SELECT state, provider_message_id, in_flight FROM outbox"
                                         " ORDER BY id LIMIT 1"), [["sent", "wamid.out.1", "f"]])

    def test_a_reply_that_got_no_answer_and_no_status_is_sent_again_once(self):
        self.graph.script = [("hang", 30)]  # it never reached Meta
        self.say("taak: toch bezorgd")
        self.parley.wait_log("got no answer after it was sent")
        self.parley.wait_log("no status proves it arrived: sending it again")
        self.assertIsNotNone(self.graph.wait_texts(1))
        self.graph.release.set()
        assert_one_reply_per_task(self, "toch bezorgd")
        self.assertEqual(self.parley.sql("SELECT state, attempts, in_flight FROM outbox"
                                         " ORDER BY id LIMIT 1"), [["sent", "2", "f"]])

    def test_a_kept_alive_connection_the_server_closed_is_not_used_for_a_reply(self):
        self.graph.close_after_answer = True
        for i, text in enumerate(["taak: een", "taak: twee", "taken"], 1):
            self.say(text)
            self.assertIsNotNone(self.graph.wait_texts(i))
        bodies = [b["text"]["body"] for b in self.graph.texts()]
        self.assertEqual(bodies, ["Task 1 added: een", "Task 2 added: twee",
                                  "Open tasks:\n1. een\n2. twee"])
        self.assertEqual(len(self.graph.requests), len(self.graph.answered))
        self.assertFalse(any("no answer" in line for line in self.parley.log), self.parley.log)


if __name__ == "__main__":
    unittest.main()
