#define CAF_SUITE wire_formats
#include "protocol/backoff.hpp"
#include "protocol/config.hpp"
#include "protocol/password.hpp"
#include "protocol/graph_api.hpp"
#include "protocol/openai.hpp"
#include "protocol/signature.hpp"
#include "protocol/tools.hpp"
#include "protocol/url.hpp"

#define FAIL CAF_FAIL
#include <caf/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <optional>
#include <sstream>

using namespace parley;

CAF_TEST(meta signatures verify only the exact body with the right secret) {
  // RFC 4231 test case 2.
  CAF_CHECK_EQUAL(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
                  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  auto sig = meta_signature("secret", "{}");
  CAF_CHECK(verify_meta_signature("secret", "{}", sig));
  CAF_CHECK(!verify_meta_signature("secret", "{} ", sig));
  CAF_CHECK(!verify_meta_signature("other", "{}", sig));
  CAF_CHECK(!verify_meta_signature("", "{}", meta_signature("", "{}")));
  CAF_CHECK(!verify_meta_signature("secret", "{}", sig.substr(0, 20)));
}

CAF_TEST(the openai request carries system prompt memory and message) {
  llm_request req;
  req.system_prompt = "be brief";
  req.messages = {{"user", "hi"}, {"assistant", "hello"}, {"user", "q"}};
  auto j = nlohmann::json::parse(openai::build_request("m", req));
  CAF_CHECK_EQUAL(j["model"], "m");
  CAF_CHECK_EQUAL(j["messages"].size(), 4u);
  CAF_CHECK_EQUAL(j["messages"][0]["role"], "system");
  CAF_CHECK_EQUAL(j["messages"][3]["content"], "q");
  CAF_CHECK(j.find("tools") == j.end());
}

CAF_TEST(offered tools are described and a round of results follows the calls) {
  llm_request req;
  req.messages = {{"user", "is the disk full"}};
  req.tools = {"run_shell"};
  auto j = nlohmann::json::parse(openai::build_request("m", req));
  CAF_REQUIRE_EQUAL(j["tools"].size(), 1u);
  CAF_CHECK_EQUAL(j["tools"][0]["function"]["name"], "run_shell");
  CAF_CHECK_EQUAL(j["tools"][0]["function"]["parameters"]["required"][0], "command");
  req.tools.clear();
  req.rounds = {{{{"call_1", "run_shell", R"({"command":"df -h"})"},
                 {"call_2", "run_shell", R"({"command":"uptime"})"}},
                {"`df -h` exited with 0.", "not run"}}};
  j = nlohmann::json::parse(openai::build_request("m", req));
  auto& msgs = j["messages"];
  CAF_REQUIRE_EQUAL(msgs.size(), 4u);
  CAF_CHECK_EQUAL(msgs[1]["role"], "assistant");
  CAF_CHECK_EQUAL(msgs[1]["tool_calls"][1]["function"]["arguments"],
                  R"({"command":"uptime"})");
  CAF_CHECK_EQUAL(msgs[2]["role"], "tool");
  CAF_CHECK_EQUAL(msgs[2]["tool_call_id"], "call_1");
  CAF_CHECK_EQUAL(msgs[3]["content"], "not run");
}

CAF_TEST(openai tool calls are read with string or object arguments) {
  auto r = openai::parse_response(
    R"({"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[)"
    R"({"id":"c1","type":"function","function":{"name":"run_shell","arguments":"{\"command\":\"uptime\"}"}},)"
    R"({"id":"c2","type":"function","function":{"name":"run_shell","arguments":{"command":"df -h"}}},)"
    R"({"id":"c3","type":"function"}]}}]})");
  CAF_REQUIRE(r.ok);
  CAF_CHECK(r.content.empty());
  CAF_REQUIRE_EQUAL(r.calls.size(), 2u);
  std::string error;
  CAF_CHECK_EQUAL(tools::shell_line(r.calls[0].arguments, error), "uptime");
  CAF_CHECK_EQUAL(tools::shell_line(r.calls[1].arguments, error), "df -h");
  CAF_CHECK_EQUAL(tools::shell_line("[1]", error), "");
  CAF_CHECK_EQUAL(error, "the arguments are not a JSON object");
  CAF_CHECK_EQUAL(tools::shell_line(R"({"command":""})", error), "");
}

CAF_TEST(approval prompts carry approve and deny buttons that map back to commands) {
  auto j = nlohmann::json::parse(graph::approval_buttons("316", "Approval needed (7)", 7, "nl"));
  CAF_CHECK_EQUAL(j["type"], "interactive");
  CAF_CHECK_EQUAL(j["interactive"]["type"], "button");
  CAF_CHECK_EQUAL(j["interactive"]["body"]["text"], "Approval needed (7)");
  auto& buttons = j["interactive"]["action"]["buttons"];
  CAF_REQUIRE_EQUAL(buttons.size(), 2u);
  CAF_CHECK_EQUAL(buttons[0]["reply"]["title"], "Goedkeuren");
  std::string approve = buttons[0]["reply"]["id"];
  std::string deny = buttons[1]["reply"]["id"];
  CAF_CHECK_EQUAL(graph::command_of_button(approve), "approve 7");
  CAF_CHECK_EQUAL(graph::command_of_button(deny), "deny 7");
  CAF_CHECK_EQUAL(graph::command_of_button("approve:"), "");
  CAF_CHECK_EQUAL(graph::command_of_button("approve:7; rm"), "");
  CAF_CHECK_EQUAL(graph::command_of_button("menu:3"), "");
  CAF_CHECK(graph::fits_buttons(std::string(1024, 'x')));
  CAF_CHECK(!graph::fits_buttons(std::string(1025, 'x')));
  std::string accented;
  for (int i = 0; i < 1024; ++i)
    accented += "\xC3\xA9"; // é: Meta counts characters, not bytes
  CAF_CHECK(graph::fits_buttons(accented));
  CAF_CHECK(!graph::fits_buttons(""));
}

CAF_TEST(every send names its outbox row so a status webhook can settle it after a crash) {
  auto text = nlohmann::json::parse(graph::text_message("316", "hoi", graph::outbox_callback(42)));
  CAF_CHECK_EQUAL(text["biz_opaque_callback_data"], "parley:outbox:42");
  auto buttons = nlohmann::json::parse(
    graph::approval_buttons("316", "ok?", 7, "en", graph::outbox_callback(43)));
  CAF_CHECK_EQUAL(buttons["biz_opaque_callback_data"], "parley:outbox:43");
  CAF_CHECK(!nlohmann::json::parse(graph::text_message("316", "hoi")).contains(
    "biz_opaque_callback_data"));
  CAF_CHECK_EQUAL(graph::outbox_of_callback("parley:outbox:42"), 42);
  CAF_CHECK_EQUAL(graph::outbox_of_callback("parley:outbox:"), 0);
  CAF_CHECK_EQUAL(graph::outbox_of_callback("parley:outbox:4x"), 0);
  CAF_CHECK_EQUAL(graph::outbox_of_callback("crm:outbox:42"), 0);
  CAF_CHECK_EQUAL(graph::outbox_of_callback("parley:outbox:99999999999999999999"), 0);
}

CAF_TEST(openai responses yield content or a reason) {
  auto ok = openai::parse_response(
    R"({"choices":[{"message":{"role":"assistant","content":"hi"}}]})");
  CAF_CHECK(ok.ok);
  CAF_CHECK_EQUAL(ok.content, "hi");
  CAF_CHECK(!openai::parse_response("nope").ok);
  CAF_CHECK(!openai::parse_response(R"({"choices":[]})").ok);
  CAF_CHECK(!openai::parse_response(R"({"error":{"message":"quota"}})").ok);
  CAF_CHECK(!openai::parse_response(
               R"({"choices":[{"message":{"content":null,"tool_calls":[]}}]})")
               .ok);
}

// Found by fuzz_openai_response: a null where a string belongs threw out of
// the parser (and would have taken the LLM worker down).
CAF_TEST(null and mistyped fields in answers are read as absent) {
  auto error = openai::parse_response(R"({"error":{"message":null,"code":"rate_limit"}})");
  CAF_CHECK(!error.ok);
  CAF_CHECK_EQUAL(error.error, "the server returned an error: ");
  auto calls = openai::parse_response(
    R"({"choices":[{"message":{"tool_calls":[)"
    R"({"id":null,"function":{"name":"run_shell","arguments":"{}"}},)"
    R"({"id":"c2","function":{"name":7}}]}}]})");
  CAF_REQUIRE_EQUAL(calls.calls.size(), 1u);
  CAF_CHECK_EQUAL(calls.calls[0].id, "");
  auto failed = graph::classify_send(
    400, R"({"error":{"message":null,"error_user_title":null,"code":131026,)"
         R"("error_data":{"details":["not text"]}}})");
  CAF_CHECK(failed.kind == graph::send_result::failed);
  CAF_CHECK_EQUAL(failed.error_code, 131026);
  CAF_CHECK_EQUAL(failed.error_title, "HTTP 400");  // nothing better to show
  auto no_id = graph::classify_send(200, R"({"messages":[{"id":null}]})");
  CAF_CHECK(no_id.kind == graph::send_result::failed);
}

CAF_TEST(graph answers are classified as sent retry or failed) {
  auto sent = graph::classify_send(200, R"({"messages":[{"id":"wamid.1"}]})");
  CAF_CHECK(sent.kind == graph::send_result::sent);
  CAF_CHECK_EQUAL(sent.message_id, "wamid.1");
  CAF_CHECK(graph::classify_send(429, "{}").kind == graph::send_result::retry);
  CAF_CHECK(graph::classify_send(503, "oops").kind == graph::send_result::retry);
  CAF_CHECK(graph::classify_send(0, "").kind == graph::send_result::retry);
  auto failed = graph::classify_send(
    400, R"({"error":{"message":"Message undeliverable","code":131026}})");
  CAF_CHECK(failed.kind == graph::send_result::failed);
  CAF_CHECK_EQUAL(failed.error_code, 131026);
  CAF_CHECK_EQUAL(failed.error_title, "Message undeliverable");
}

CAF_TEST(back off grows exponentially with jitter and a cap) {
  CAF_CHECK_EQUAL(backoff_delay(0, 500, 10000, 0.0).count(), 250);
  CAF_CHECK_EQUAL(backoff_delay(0, 500, 10000, 0.999).count(), 499);
  CAF_CHECK(backoff_delay(3, 500, 10000, 0.999).count() > 3900);
  CAF_CHECK(backoff_delay(20, 500, 10000, 0.999).count() <= 10000);
}

CAF_TEST(urls and query parameters parse) {
  auto u = parse_url("https://graph.facebook.com/v21.0/1/messages");
  CAF_REQUIRE(u);
  CAF_CHECK_EQUAL(u->port, "443");
  CAF_CHECK_EQUAL(u->target, "/v21.0/1/messages");
  auto local = parse_url("http://127.0.0.1:9/x");
  CAF_REQUIRE(local);
  CAF_CHECK_EQUAL(local->port, "9");
  CAF_CHECK(!parse_url("ftp://x"));
  CAF_CHECK(!parse_url("http://user@host/"));
  auto challenge = query_param("/w?hub.mode=subscribe&hub.challenge=a%20b",
                               "hub.challenge");
  CAF_REQUIRE(challenge);
  CAF_CHECK_EQUAL(*challenge, "a b");
  CAF_CHECK(!query_param("/w?a=1", "b"));
}

CAF_TEST(the config reads secrets from the environment and names bad keys) {
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "SECRET")
      return std::string("s3cret");
    return std::nullopt;
  };
  auto cfg = parse_config(R"({
    // comments are allowed
    "listen": "0.0.0.0:9000",
    "meta": {"app_secret_env": "SECRET"},
    "tenants": [{"id": "ops", "phone_number_id": "1", "language": "nl"}]
  })", env);
  CAF_CHECK_EQUAL(cfg.listen_port, 9000);
  CAF_CHECK_EQUAL(cfg.meta.app_secret, "s3cret");
  CAF_CHECK_EQUAL(cfg.tenant_by_phone_number_id("1")->id, "ops");
  CAF_CHECK_EQUAL(cfg.tenants->all()[0]->memory, 20);
  auto error_of = [&](const std::string& text) -> std::string {
    try {
      parse_config(text, env);
    } catch (const config_error& e) {
      return e.what();
    }
    return "";
  };
  CAF_CHECK(error_of(R"({"tenants":[{"id":"a","memory":"x"}]})").find("memory")
            != std::string::npos);
  CAF_CHECK(error_of(R"({"tenants":[{"id":"a"},{"id":"a"}]})").find("twice")
            != std::string::npos);
  CAF_CHECK(error_of(R"({"listen":"nope"})").find("listen") != std::string::npos);
  CAF_CHECK(!error_of("{oops").empty());
}

CAF_TEST(the example configuration in deploy parses with every tenant) {
  std::ifstream in(PARLEY_EXAMPLE_CONFIG);
  std::ostringstream text;
  text << in.rdbuf();
  auto cfg = parse_config(text.str(), [](const std::string& name) {
    return std::optional<std::string>("secret-of-" + name);
  });
  CAF_REQUIRE_EQUAL(cfg.tenants->all().size(), 2u);
  CAF_CHECK(cfg.tenants->all()[0]->shell.enabled);
  CAF_CHECK_EQUAL(cfg.evolution.api_key, "secret-of-EVOLUTION_API_KEY");
  auto friends = cfg.tenant_by_instance("whatsapp-agent");
  CAF_REQUIRE(friends != nullptr);
  CAF_CHECK_EQUAL(friends->id, "friends");
  CAF_CHECK_EQUAL(friends->aliases.size(), 1u);
}

CAF_TEST(an evolution tenant needs an instance and the bridge configured) {
  auto env = [](const std::string&) { return std::optional<std::string>("k"); };
  auto fails = [&](const std::string& text, const std::string& expected) {
    try {
      parse_config(text, env);
      CAF_FAIL("accepted: " << text);
    } catch (const config_error& e) {
      CAF_CHECK_EQUAL(std::string(e.what()), expected);
    }
  };
  fails(R"({"evolution":{"base_url":"http://e"},"tenants":[{"id":"g","channel":"evolution"}]})",
        "tenants[0].instance: is required for the evolution channel");
  fails(R"({"tenants":[{"id":"g","channel":"evolution","instance":"i"}]})",
        "tenants[0].channel: is evolution, but evolution.base_url is missing");
  fails(R"({"tenants":[{"id":"g","channel":"telegram"}]})",
        "tenants[0].channel: must be meta or evolution");
  fails(R"({"evolution":{"base_url":"http://e"},"tenants":[{"id":"g","channel":"evolution","instance":"i","relevance_threshold":1.5}]})",
        "tenants[0].relevance_threshold: must be between 0 and 1");
}

namespace {

/// Every problem parse_config finds in `text`, or none.
std::vector<std::string> problems_of(const std::string& text) {
  try {
    parse_config(text, [](const std::string&) { return std::optional<std::string>("x"); });
  } catch (const config_error& e) {
    return e.problems;
  }
  return {};
}

} // namespace

CAF_TEST(a misspelt key is an error naming its path and the key meant) {
  auto p = problems_of(R"({"tenants":[{"id":"a"},{"id":"b","relevance_treshold":0.5}]})");
  CAF_REQUIRE_EQUAL(p.size(), 1u);
  CAF_CHECK_EQUAL(p[0], "tenants[1].relevance_treshold: unknown key; did you mean relevance_threshold?");
  p = problems_of(R"({"lisen":"127.0.0.1:1","llm":{"modle":"m"},"tenants":[{"id":"a","shell":{"workdir":"/w","alow":[]}}]})");
  CAF_REQUIRE_EQUAL(p.size(), 3u);
  CAF_CHECK_EQUAL(p[0], "llm.modle: unknown key; did you mean model?");
  CAF_CHECK_EQUAL(p[1], "tenants[0].shell.alow: unknown key; did you mean allow?");
  CAF_CHECK_EQUAL(p[2], "lisen: unknown key; did you mean listen?");
}

CAF_TEST(a key far from every known one is unknown without a guess) {
  auto p = problems_of(R"({"colour":"blue","tenants":[{"id":"a"}]})");
  CAF_REQUIRE_EQUAL(p.size(), 1u);
  CAF_CHECK_EQUAL(p[0], "colour: unknown key");
}

CAF_TEST(a tenant key in the wrong place is not silently ignored) {
  // brief_at belongs to a tenant; at the top level it is unknown.
  auto p = problems_of(R"({"brief_at":"07:00","tenants":[{"id":"a"}]})");
  CAF_REQUIRE_EQUAL(p.size(), 1u);
  CAF_CHECK(p[0].rfind("brief_at: unknown key", 0) == 0);
}

CAF_TEST(an empty transcription model is a problem) {
  auto p = problems_of(R"({"llm":{"base_url":"http://x","transcription_model":""},"tenants":[{"id":"s"}]})");
  CAF_REQUIRE_EQUAL(p.size(), 1u);
  CAF_CHECK_EQUAL(p[0], "llm.transcription_model: must name a model (e.g. \"whisper-1\")");
}

CAF_TEST(a dashboard password is accepted only as a hash parley can check) {
  // Every variable reads "x" here: not a hash.
  auto p = problems_of(R"({"dashboard":{"password_hash_env":"DASH_HASH"},"tenants":[{"id":"a"}]})");
  CAF_REQUIRE_EQUAL(p.size(), 1u);
  CAF_CHECK_EQUAL(p[0], "dashboard.password_hash_env: the value of DASH_HASH is not an Argon2id"
                        " or scrypt hash (make one with `parley hash-password`)");
  auto hashed = password::hash("correct horse battery");
  CAF_REQUIRE(hashed.rfind("$argon2id$", 0) == 0);
  CAF_CHECK(password::recognised(hashed));
  CAF_CHECK(password::matches(hashed, "correct horse battery"));
  CAF_CHECK(!password::matches(hashed, "correct horse battery "));
  CAF_CHECK(!password::matches(hashed, ""));
  CAF_CHECK(!password::matches("correct horse battery", "correct horse battery"));
  CAF_CHECK(!password::recognised("$argon2id$" + std::string(200, 'a')));
  auto cfg = parse_config(R"({"dashboard":{"password_hash_env":"DASH_HASH"},"tenants":[{"id":"a"}]})",
                          [&](const std::string&) { return std::optional<std::string>(hashed); });
  CAF_CHECK_EQUAL(cfg.dashboard.password_hash, hashed);
}

CAF_TEST(every problem of a file is reported at once) {
  auto p = problems_of(R"({"db_pool":0,"tenants":[
    {"id":"a","memory":0,"language":"fr","timezone":"Mars/Olympus","brief_at":"7am"},
    {"id":"a","connectors":{"weather":{"latitude":91,"longitude":4},"github":{"repos":["nope"]},"calendar":{"provider":"caldav","url":"ftp://x"}}}]})");
  std::vector<std::string> expected{
    "db_pool: must be >= 1",
    "tenants[0].memory: must be between 1 and 1000",
    "tenants[0].language: must be nl or en",
    "tenants[0].timezone: 'Mars/Olympus' is not a known IANA time zone",
    "tenants[0].brief_at: must be HH:MM, got '7am'",
    "tenants[1].connectors.calendar.url: must be an http:// or https:// URL for caldav",
    "tenants[1].connectors.github.repos: 'nope' is not owner/name",
    "tenants[1].connectors.weather.latitude: must be between -90 and 90",
    "tenants[1].id: 'a' appears twice",
  };
  CAF_CHECK_EQUAL(p, expected);
}

CAF_TEST(a wrong type names the key) {
  auto p = problems_of(R"({"connectors":{"cache_s":"soon"},"tenants":[{"id":"a","aliases":"bot"}]})");
  CAF_REQUIRE_EQUAL(p.size(), 2u);
  CAF_CHECK_EQUAL(p[0], "connectors.cache_s: has the wrong type");
  CAF_CHECK_EQUAL(p[1], "tenants[0].aliases: has the wrong type");
}

CAF_TEST(connector and brief settings are read with their defaults) {
  auto cfg = parse_config(R"({"connectors":{"cache_s":5},"weather":{"base_url":"http://127.0.0.1:9/"},
    "tenants":[{"id":"ops","timezone":"Europe/Amsterdam","brief_at":"07:00",
      "brief_template":{"name":"morning_brief"},
      "connectors":{"weather":{"latitude":52.37,"longitude":4.89,"place":"Amsterdam"},
                    "github":{"token_env":"GH","repos":["o/n"]},
                    "calendar":{"provider":"ics","url":"http://127.0.0.1:9/cal.ics"},
                    "mail":{"provider":"imap","host":"localhost","username":"me","password_env":"PW"}}}]})",
                          [](const std::string& n) { return std::optional<std::string>("v-" + n); });
  CAF_CHECK_EQUAL(cfg.connectors.cache_s, 5);
  CAF_CHECK_EQUAL(cfg.connectors.timeout_ms, 10000);
  CAF_CHECK_EQUAL(cfg.brief.catch_up_until, "12:00");
  CAF_CHECK_EQUAL(cfg.apis.weather_url, "http://127.0.0.1:9");
  auto& t = *cfg.tenants->all()[0];
  CAF_CHECK_EQUAL(t.brief_at, "07:00");
  CAF_CHECK_EQUAL(t.brief_template.language, "en");
  CAF_CHECK_EQUAL(t.connectors.weather.place, "Amsterdam");
  CAF_CHECK_EQUAL(t.connectors.github.token, "v-GH");
  CAF_CHECK_EQUAL(t.connectors.calendar.provider, "ics");
  CAF_CHECK_EQUAL(t.connectors.mail.port, 993);
  CAF_CHECK_EQUAL(t.connectors.mail.password, "v-PW");
  CAF_CHECK_EQUAL(t.connectors.mail.sent_folder, "Sent");
}
