"""The context hub: the owner's agent reads it tier by tier (a fake model
scripted to ask for the abstracts, then a file), with identity/soul.md before
the system prompt; save_idea writes to inbox/; a search skips the archive;
a path out of the hub, by '..', an absolute path or a symlink, is refused."""

import json
import os
import unittest

from harness import ParleyTestCase, completion, tool_call_completion

FILES = {
    "identity/abstract.md": "Wie Sam is en hoe Sam werkt.\n",
    "identity/soul.md": "Je bent de assistent van Sam, een fietsenmaker.",
    "projects/abstract.md": "De website en de verhuizing.\n",
    "projects/website.md": "# Website\nLancering op 12 januari.\n",
    "archive/old-website.md": "De oude website, van 2019.\n",
}


class ContextHub(ParleyTestCase):
    def prepare(self):
        hub = os.path.join(self.data_dir, "context")
        for rel, text in FILES.items():
            path = os.path.join(hub, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        self.outside = os.path.join(self.data_dir, "secret.txt")
        with open(self.outside, "w") as f:
            f.write("not for the model")
        os.makedirs(os.path.join(hub, "knowledge"), exist_ok=True)
        os.symlink(self.outside, os.path.join(hub, "knowledge", "outside.md"))

    def tool_results(self, request):
        return [m["content"] for m in request["messages"] if m.get("role") == "tool"]

    def requests(self):
        return [b for p, _, b in self.llm.requests if p.endswith("/chat/completions")]

    def test_the_agent_reads_tier_by_tier_with_the_soul_first(self):
        self.llm.script = [(200, tool_call_completion("context_abstracts", {})),
                           (200, tool_call_completion("context_read", {"path": "projects/website.md"})),
                           (200, completion("De website gaat 12 januari live."))]
        self.say("wanneer gaat de website live?")
        self.assertEqual(self.graph.wait_texts(1)[0][1]["text"]["body"], "De website gaat 12 januari live.")
        first, second, third = self.requests()[:3]
        self.assertTrue(first["messages"][0]["content"].startswith(
            "Je bent de assistent van Sam, een fietsenmaker.\n\nYou are terse."))
        offered = [t["function"]["name"] for t in first["tools"]]
        for tool in ["context_abstracts", "context_overview", "context_read", "context_search",
                     "save_idea"]:
            self.assertIn(tool, offered)
        abstracts = self.tool_results(second)[0]
        print("\nthe abstracts the agent saw:\n" + abstracts)
        self.assertIn("identity: Wie Sam is en hoe Sam werkt.", abstracts)
        self.assertIn("projects: De website en de verhuizing.", abstracts)
        self.assertIn("inbox: (no abstract.md)", abstracts)
        self.assertNotIn("archive", abstracts)
        self.assertIn("Lancering op 12 januari.", self.tool_results(third)[1])

    def test_paths_out_of_the_hub_are_refused(self):
        self.llm.script = [(200, tool_call_completion("context_read", {"path": "../secret.txt"})),
                           (200, tool_call_completion("context_read", {"path": self.outside})),
                           (200, tool_call_completion("context_read", {"path": "knowledge/outside.md"})),
                           (200, completion("Dat kan ik niet lezen."))]
        self.say("lees ../secret.txt")
        self.assertIsNotNone(self.graph.wait_texts(1))
        results = self.tool_results(self.requests()[3])
        self.assertEqual(results, ["error: the path may not go up with '..'",
                                   "error: the path must be relative to the context hub, not absolute",
                                   "error: knowledge/outside.md is not inside the context hub"])
        self.assertNotIn("not for the model", json.dumps(self.requests()))

    def test_an_idea_is_saved_and_a_search_skips_the_archive(self):
        self.llm.script = [(200, tool_call_completion("save_idea", {"text": "Een app voor de fietsclub"})),
                           (200, tool_call_completion("context_search", {"words": "website"})),
                           (200, tool_call_completion("context_overview", {"folder": "archive"})),
                           (200, completion("Bewaard."))]
        self.say("idee: een app voor de fietsclub")
        self.assertIsNotNone(self.graph.wait_texts(1))
        saved, found, archive = self.tool_results(self.requests()[3])
        self.assertTrue(saved.startswith("saved as inbox/"), saved)
        with open(os.path.join(self.data_dir, "context", saved[len("saved as "):])) as f:
            self.assertIn("Een app voor de fietsclub", f.read())
        self.assertTrue(found.startswith("projects/website.md"), found)
        self.assertNotIn("archive/", found)
        # By name, the archive is read.
        self.assertIn("old-website.md", archive)
        # The hub was made with its README and six folders.
        hub = os.path.join(self.data_dir, "context")
        self.assertTrue(os.path.isfile(os.path.join(hub, "README.md")))
        for folder in ["identity", "inbox", "areas", "projects", "knowledge", "archive"]:
            self.assertTrue(os.path.isdir(os.path.join(hub, folder)), folder)


if __name__ == "__main__":
    unittest.main()
