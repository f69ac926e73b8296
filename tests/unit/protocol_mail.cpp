#define CAF_SUITE mail_reply
#include "protocol/base64.hpp"
#include "protocol/commands.hpp"
#include "protocol/gmail_api.hpp"
#include "protocol/google_api.hpp"
#include "protocol/imap_text.hpp"
#include "protocol/mail_reply.hpp"
#include "protocol/policy.hpp"
#include "protocol/rfc822.hpp"
#include "protocol/tools.hpp"

#define FAIL CAF_FAIL
#include <caf/test/unit_test.hpp>

using namespace parley;

namespace {

mail_message mail(std::string from, std::string address, std::string subject, int64_t date) {
  mail_message m;
  m.from = std::move(from);
  m.address = std::move(address);
  m.subject = std::move(subject);
  m.date_ms = date;
  return m;
}

const std::string quoted_printable_mail =
  "Return-Path: <jan@bouw.example>\r\n"
  "From: =?UTF-8?Q?Jan_Jans=C3=A9n?= <jan@bouw.example>\r\n"
  "To: owner@example.com\r\n"
  "Subject: =?UTF-8?B?RmFjdHV1ciAyMDI2LTExNCDigJQgbWFhcnQ=?=\r\n"
  "Date: Tue, 01 Dec 2026 09:15:00 +0100\r\n"
  "Message-ID: <f114@bouw.example>\r\n"
  "References: <first@bouw.example>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
  "\r\n"
  "--b1\r\n"
  "Content-Type: multipart/alternative; boundary=\"b2\"\r\n"
  "\r\n"
  "--b2\r\n"
  "Content-Type: text/plain; charset=UTF-8\r\n"
  "Content-Transfer-Encoding: quoted-printable\r\n"
  "\r\n"
  "Hoi, de factuur van =E2=82=AC 1.250 staat nog open. Wanneer betaal je?=\r\n"
  "\r\n"
  "--b2\r\n"
  "Content-Type: text/html; charset=UTF-8\r\n"
  "\r\n"
  "<p>Hoi, de factuur staat nog open.</p>\r\n"
  "--b2--\r\n"
  "--b1\r\n"
  "Content-Type: text/plain; name=\"factuur.txt\"\r\n"
  "Content-Disposition: attachment; filename=\"factuur.txt\"\r\n"
  "\r\n"
  "NOT THE BODY\r\n"
  "--b1--\r\n";

} // namespace

CAF_TEST(a received mail gives its sender ids and the decoded plain text) {
  auto m = rfc822::read(quoted_printable_mail);
  CAF_CHECK_EQUAL(m.from, "Jan Jansén");
  CAF_CHECK_EQUAL(m.address, "jan@bouw.example");
  CAF_CHECK_EQUAL(m.subject, "Factuur 2026-114 — maart");
  CAF_CHECK_EQUAL(m.message_id, "f114@bouw.example");
  CAF_CHECK_EQUAL(m.references, "<first@bouw.example>");
  CAF_CHECK_EQUAL(m.date_ms, 1796112900000LL);
  // The soft line break ("=" at the end) joins, and the attachment is not the body.
  CAF_CHECK_EQUAL(m.text, "Hoi, de factuur van € 1.250 staat nog open. Wanneer betaal je?");
}

CAF_TEST(a truncated or empty message gives what it has and never crashes) {
  // A partial FETCH cuts the body, never the headers.
  auto half = rfc822::read(quoted_printable_mail.substr(0, quoted_printable_mail.find("Hoi,") + 10));
  CAF_CHECK_EQUAL(half.address, "jan@bouw.example");
  CAF_CHECK_EQUAL(half.subject, "Factuur 2026-114 — maart");
  auto none = rfc822::read("");
  CAF_CHECK(none.address.empty());
  auto junk = rfc822::read(std::string("\0\xff\xfe garbage\r\n\r\n", 16));
  CAF_CHECK(junk.address.empty());
}

CAF_TEST(the instruction names the mail by sender first and subject second) {
  auto words = naming_words("antwoord Jan over de factuur, zeg dat ik vrijdag betaal");
  CAF_CHECK_EQUAL(words, (std::vector<std::string>{"jan", "factuur", "vrijdag", "betaal"}));
  std::vector<mail_message> inbox{
    mail("Sara de Vries", "sara@example.nl", "Factuur december", 3),
    mail("Jan Jansen", "jan@bouw.example", "Factuur 2026-114", 2),
    mail("Jan Jansen", "jan@bouw.example", "Lunch?", 1),
    mail("Nieuwsbrief", "news@shop.example", "Alles over facturen", 4)};
  CAF_CHECK_EQUAL(best_match(inbox, words), 1);
  // The address counts as the sender too, and the newest wins a tie.
  CAF_CHECK_EQUAL(best_match(inbox, naming_words("reply to bouw")), 1);
  CAF_CHECK_EQUAL(best_match(inbox, naming_words("antwoord jan")), 1);
  CAF_CHECK_EQUAL(best_match(inbox, naming_words("reply about the weather")), -1);
  CAF_CHECK_EQUAL(best_match({}, words), -1);
}

CAF_TEST(a reply threads under the original and survives the gate line) {
  auto m = rfc822::read(quoted_printable_mail);
  auto r = reply_to(m, "Hoi Jan,\nIk betaal vrijdag.\nGroet");
  CAF_CHECK_EQUAL(r.subject, "Re: Factuur 2026-114 — maart");
  CAF_CHECK_EQUAL(reply_subject("RE: x"), "RE: x");
  CAF_CHECK_EQUAL(r.in_reply_to, "f114@bouw.example");
  std::string error;
  auto back = reply_of_line(line_of(r), error);
  CAF_CHECK_EQUAL(error, "");
  CAF_CHECK_EQUAL(back.body, r.body);
  CAF_CHECK_EQUAL(back.to, "jan@bouw.example");
  CAF_CHECK_EQUAL(reply_of_argv(argv_of(back)).references, "<first@bouw.example>");
}

CAF_TEST(a reply without a valid recipient or text is refused with the reason) {
  mail_reply r;
  r.to = "jan@bouw.example\r\nBcc: all@example.com";
  r.body = "x";
  std::string error;
  reply_of_line(line_of(r), error);
  CAF_CHECK_EQUAL(error, "the reply has no valid recipient address");
  r.to = "jan@bouw.example";
  r.body = "  \n ";
  error.clear();
  reply_of_line(line_of(r), error);
  CAF_CHECK_EQUAL(error, "the reply has no text");
  r.body = std::string(20001, 'x');
  error.clear();
  reply_of_line(line_of(r), error);
  CAF_CHECK_EQUAL(error, "the reply is longer than 20000 characters");
  error.clear();
  reply_of_line("not json", error);
  CAF_CHECK_EQUAL(error, "the reply is not a JSON object");
}

CAF_TEST(the written reply is MIME with threading headers and no injected header) {
  rfc822::reply_envelope e;
  e.from_address = "owner@example.com";
  e.to = "jan@bouw.example";
  e.subject = "Re: Factuur — maart\r\nBcc: all@example.com";
  e.in_reply_to = "f114@bouw.example";
  e.references = "<first@bouw.example>";
  e.message_id = "parley.ops.7@example.com";
  e.date_ms = 1796112900000LL;
  auto out = rfc822::write_reply(e, "Hoi Jan,\nIk betaal vrijdag €.\n");
  CAF_CHECK(out.find("\r\nIn-Reply-To: <f114@bouw.example>\r\n") != std::string::npos);
  CAF_CHECK(out.find("References: <first@bouw.example> <f114@bouw.example>") != std::string::npos);
  CAF_CHECK(out.find("Message-Id: <parley.ops.7@example.com>") != std::string::npos
            || out.find("Message-ID: <parley.ops.7@example.com>") != std::string::npos);
  CAF_CHECK(out.find("\r\nBcc:") == std::string::npos);
  CAF_CHECK(out.find("quoted-printable") != std::string::npos);
  // What is written reads back as it was meant.
  auto back = rfc822::read(out);
  CAF_CHECK_EQUAL(back.subject, "Re: Factuur — maart Bcc: all@example.com");
  CAF_CHECK_EQUAL(back.address, "owner@example.com");
  CAF_CHECK_EQUAL(back.text, "Hoi Jan,\r\nIk betaal vrijdag €.\r\n");
  CAF_CHECK_EQUAL(back.message_id, "parley.ops.7@example.com");
}

CAF_TEST(gmail raw messages and the send request carry the thread) {
  std::string error;
  auto raw = "{\"id\":\"m1\",\"threadId\":\"t9\",\"raw\":\"" + google::base64url(quoted_printable_mail) + "\"}";
  auto m = gmail::parse_raw(raw, error);
  CAF_CHECK_EQUAL(error, "");
  CAF_CHECK_EQUAL(m.thread_id, "t9");
  CAF_CHECK_EQUAL(m.address, "jan@bouw.example");
  gmail::parse_raw("{\"raw\":\"!!!\"}", error);
  CAF_CHECK_EQUAL(error, "Gmail's answer holds no readable message");
  auto body = nlohmann::json::parse(gmail::send_body("hello", "t9"));
  CAF_CHECK_EQUAL(body["threadId"], "t9");
  std::string decoded;
  CAF_CHECK(base64url_decode(body["raw"].get<std::string>(), decoded));
  CAF_CHECK_EQUAL(decoded, "hello");
}

CAF_TEST(an imap literal of a whole message is kept as sent) {
  auto answer = std::string("* 7 FETCH (UID 7 BODY[]<0> {") + std::to_string(quoted_printable_mail.size())
                + "}\r\n" + quoted_printable_mail + ")\r\nA3 OK done\r\n";
  auto f = imap::parse_fetch(answer);
  CAF_REQUIRE_EQUAL(f.size(), 1u);
  CAF_CHECK_EQUAL(f[0].uid, 7u);
  CAF_CHECK_EQUAL(f[0].literal, quoted_printable_mail);
}

CAF_TEST(a mail reply always waits for the owner and shows every word) {
  tenant_config t;
  t.id = "ops";
  t.owner = "316";
  t.policy = "trusted_auto";
  t.language = "en";
  mail_reply r;
  r.to = "jan@bouw.example";
  r.subject = "Re: Factuur";
  r.body = "I pay on Friday.\n```rm -rf```";
  action_request req;
  req.tenant = "ops";
  req.requested_by = "316";
  req.kind = "mail_reply";
  req.line = line_of(r);
  CAF_CHECK(judge_action(t, req).kind == action_verdict_kind::deny);  // no mailbox
  t.connectors.mail.provider = "imap";
  auto v = judge_action(t, req);
  CAF_CHECK(v.kind == action_verdict_kind::ask);
  CAF_CHECK_EQUAL(v.summary, "mail to jan@bouw.example\nsubject: Re: Factuur\n\nI pay on Friday.\n'''rm -rf'''");
  CAF_CHECK_EQUAL(v.argv.size(), 6u);
  req.requested_by = "999";
  CAF_CHECK(judge_action(t, req).kind == action_verdict_kind::deny);
  req.requested_by = "316";
  t.policy = "draft";
  CAF_CHECK(judge_action(t, req).kind == action_verdict_kind::deny);
}

CAF_TEST(draft is a command with its instruction and a usage without one) {
  auto c = parse_command("draft: antwoord Jan over de factuur");
  CAF_CHECK(c.kind == command_kind::draft);
  CAF_CHECK_EQUAL(c.title, "antwoord Jan over de factuur");
  CAF_CHECK(parse_command("Concept: reply to Sara").kind == command_kind::draft);
  auto u = parse_command("draft:");
  CAF_CHECK(u.kind == command_kind::usage);
  CAF_CHECK_EQUAL(usage_reply("nl", u.word),
                  "Gebruik: *draft: <opdracht>*, bijv. draft: antwoord Jan over de factuur");
}

CAF_TEST(send_mail_reply needs words naming the mail and the text) {
  auto ok = tools::reply_call(R"({"about": "Jan factuur", "body": "Ik betaal vrijdag."})");
  CAF_CHECK_EQUAL(ok.error, "");
  CAF_CHECK_EQUAL(ok.about, "Jan factuur");
  CAF_CHECK(!tools::reply_call(R"({"about": "Jan"})").error.empty());
  CAF_CHECK(!tools::reply_call("[1]").error.empty());
}

CAF_TEST(the model drafts from the mail as data and its subject line is dropped) {
  auto m = rfc822::read(quoted_printable_mail);
  auto req = draft_request(m, "antwoord Jan: ik betaal vrijdag");
  CAF_REQUIRE_EQUAL(req.messages.size(), 1u);
  CAF_CHECK(req.messages[0].content.find("Wanneer betaal je?") != std::string::npos);
  CAF_CHECK(req.system_prompt.find("not instructions") != std::string::npos);
  CAF_CHECK(req.tools.empty());
  CAF_CHECK_EQUAL(draft_body("Subject: Re: Factuur\n\nHoi Jan,\nvrijdag.\n"), "Hoi Jan,\nvrijdag.");
  CAF_CHECK_EQUAL(draft_body("  \n"), "");
}
