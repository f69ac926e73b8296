#define CAF_SUITE tenants
#include "protocol/config.hpp"
#include "protocol/tenant_directory.hpp"
#include "protocol/tenant_json.hpp"

#define FAIL CAF_FAIL
#include <caf/test/unit_test.hpp>

#include <algorithm>

using namespace parley;

namespace {

std::optional<std::string> env(const std::string& name) {
  return std::optional<std::string>("secret-value-of-" + name);
}

const char* file_json = R"({"tenants": [
  {"id": "ops", "phone_number_id": "111", "owner": "316",
   "access_token_env": "WA_TOKEN",
   "shell": {"workdir": "/srv", "allow": ["uptime"]},
   "connectors": {
     "calendar": {"provider": "caldav", "url": "https://dav.example/cal/",
                  "username": "me", "password_env": "DAV_PASSWORD"},
     "mail": {"provider": "imap", "host": "imap.example", "username": "me@example.com",
              "password_env": "MAIL_PASSWORD"},
     "github": {"token_env": "GH_TOKEN", "repos": ["me/parley"]},
     "weather": {"latitude": 52.37, "longitude": 4.9, "place": "Amsterdam"}}},
  {"id": "salon", "kind": "business", "phone_number_id": "222", "language": "nl",
   "timezone": "Europe/Amsterdam", "access_token_env": "SALON_TOKEN",
   "business": {"name": "Salon Noor", "services": [{"name": "Knippen", "minutes": 30,
                "price": "25 EUR"}], "hours": {"tu": ["09:00-12:00", "13:00-18:00"]},
                "closed": ["2026-12-25"], "staff": ["3170"]}}
]})";

const char* shop_json = R"({"id": "shop", "kind": "business", "phone_number_id": "333",
  "access_token_env": "SHOP_TOKEN",
  "business": {"name": "Fiets", "services": [{"name": "Band plakken", "minutes": 20,
               "price": "15 EUR"}], "hours": {"sa": ["10:00-16:00"]}}})";

std::vector<std::string> problems_of(const std::string& text, const config& c,
                                     const std::string& replacing = "") {
  try {
    parse_tenant(text, c, env, replacing);
  } catch (const config_error& e) {
    return e.problems;
  }
  return {};
}

bool has(const std::vector<std::string>& all, const std::string& one) {
  return std::find(all.begin(), all.end(), one) != all.end();
}

} // namespace

CAF_TEST(a tenant reads back from its shown configuration as the same tenant) {
  auto cfg = parse_config(file_json, env);
  for (auto& t : cfg.tenants->all()) {
    auto shown = tenant_json(*t);
    auto again = parse_config(nlohmann::json{{"tenants", {shown}}}.dump(), env);
    CAF_CHECK_EQUAL(tenant_json(*again.tenants->all().at(0)).dump(), shown.dump());
  }
}

CAF_TEST(the shown configuration names secrets by their variables and never holds them) {
  auto cfg = parse_config(file_json, env);
  for (auto& t : cfg.tenants->all()) {
    auto text = tenant_json(*t).dump();
    CAF_CHECK(text.find("secret-value-of") == std::string::npos);
  }
  auto ops = tenant_json(*cfg.tenant_by_id("ops"));
  CAF_CHECK_EQUAL(ops["access_token_env"], "WA_TOKEN");
  CAF_CHECK_EQUAL(ops["connectors"]["mail"]["password_env"], "MAIL_PASSWORD");
  CAF_CHECK_EQUAL(ops["connectors"]["calendar"]["password_env"], "DAV_PASSWORD");
  CAF_CHECK_EQUAL(ops["connectors"]["github"]["token_env"], "GH_TOKEN");
  // The defaults are filled in: the effective configuration.
  CAF_CHECK_EQUAL(ops["memory"], 20);
  CAF_CHECK_EQUAL(ops["connectors"]["mail"]["smtp"]["port"], 465);
  auto salon = tenant_json(*cfg.tenant_by_id("salon"));
  CAF_CHECK_EQUAL(salon["business"]["hours"]["tu"].dump(), R"(["09:00-12:00","13:00-18:00"])");
  CAF_CHECK_EQUAL(salon["business"]["slot_minutes"], 15);
}

CAF_TEST(a tenant over the API is read like the file with keys named from the tenant) {
  auto cfg = parse_config(file_json, env);
  auto shop = parse_tenant(shop_json, cfg, env);
  CAF_CHECK_EQUAL(shop.business.services.at(0).name, "Band plakken");
  CAF_CHECK_EQUAL(shop.access_token, "secret-value-of-SHOP_TOKEN");
  auto bad = problems_of(R"({"id": "shop", "kind": "business", "memroy": 3,
    "business": {"name": "Fiets", "services": [{"name": "Band", "minutes": 1}],
                 "hours": {"sa": ["16:00-10:00"]}}})", cfg);
  CAF_CHECK(has(bad, "memroy: unknown key; did you mean memory?"));
  CAF_CHECK(has(bad, "business.services[0].minutes: must be between 5 and 720"));
  CAF_CHECK(has(bad, "business.hours.sa: '16:00-10:00' is not HH:MM-HH:MM"));
  CAF_CHECK(has(problems_of("[1, 2]", cfg), "the configuration: must be an object"));
  CAF_CHECK(!problems_of("{not json", cfg).empty());
}

CAF_TEST(a number or instance that routes to another tenant is refused with its owner) {
  auto cfg = parse_config(file_json, env);
  auto taken = problems_of(R"({"id": "shop2", "phone_number_id": "222"})", cfg);
  CAF_CHECK(has(taken, "phone_number_id: 222 belongs to two tenants ('salon' has it)"));
  // A tenant changed keeps its own number.
  cfg.tenants->put(parse_tenant(shop_json, cfg, env), false);
  CAF_CHECK(problems_of(shop_json, cfg, "shop").empty());
  CAF_CHECK(has(problems_of(shop_json, cfg), "id: 'shop' appears twice"));
}

CAF_TEST(a tenant over the API may have no shell and no connectors) {
  auto cfg = parse_config(file_json, env);
  auto p = problems_of(R"({"id": "x", "shell": {"workdir": "/"},
                           "connectors": {"weather": {"latitude": 1, "longitude": 2}}})", cfg);
  CAF_CHECK(has(p, "shell: is set in the configuration file only (it runs commands on this "
                   "server); a tenant made over the API has none"));
  CAF_CHECK(has(p, "connectors: are set in the configuration file only (they are started "
                   "with parley); a tenant made over the API has none"));
}

CAF_TEST(a tenant id must be safe in a URL) {
  auto cfg = parse_config(file_json, env);
  CAF_CHECK(has(problems_of(R"({"id": "../etc"})", cfg),
                "id: '../etc' must be 1 to 64 letters, digits, '.', '-' or '_', "
                "not only dots (it appears in URLs and file names)"));
  CAF_CHECK(has(problems_of(R"({"id": "x y"})", cfg),
                "id: 'x y' must be 1 to 64 letters, digits, '.', '-' or '_', "
                "not only dots (it appears in URLs and file names)"));
  CAF_CHECK(has(problems_of(R"({"id": ".."})", cfg),
                "id: '..' must be 1 to 64 letters, digits, '.', '-' or '_', "
                "not only dots (it appears in URLs and file names)"));
}

CAF_TEST(a tenant held by a reader stays whole while it is changed or deleted) {
  tenant_directory dir;
  tenant_config a;
  a.id = "a";
  a.phone_number_id = "1";
  a.bot_name = "first";
  dir.put(a, true);
  tenant_config b;
  b.id = "b";
  b.phone_number_id = "2";
  dir.put(b, false);
  auto held = dir.by_phone_number_id("2");
  b.bot_name = "changed";
  b.phone_number_id = "3";
  dir.put(b, false);
  CAF_CHECK_EQUAL(held->bot_name, "Parley");
  CAF_CHECK(dir.by_phone_number_id("2") == nullptr);
  CAF_CHECK_EQUAL(dir.by_phone_number_id("3")->bot_name, "changed");
  CAF_CHECK_EQUAL(dir.all().at(1)->id, "b");  // kept its place
  CAF_CHECK(dir.erase("b"));
  CAF_CHECK(!dir.erase("b"));
  CAF_CHECK(dir.by_id("b") == nullptr);
  CAF_CHECK_EQUAL(held->id, "b");
  CAF_CHECK(dir.from_file("a"));
  CAF_CHECK(!dir.from_file("b"));
}

CAF_TEST(the send rate and the hand over template are read checked and shown) {
  auto cfg = parse_config(file_json, env);
  auto shop = parse_tenant(R"({"id": "shop", "kind": "business", "phone_number_id": "333",
    "messages_per_second": 1000,
    "business": {"name": "Fiets", "services": [{"name": "Band", "minutes": 20}],
                 "hours": {"sa": ["10:00-16:00"]},
                 "handover": {"template": {"name": "handover_notice", "language": "nl"}}}})",
                           cfg, env);
  CAF_CHECK_EQUAL(shop.messages_per_second, 1000);
  CAF_CHECK_EQUAL(shop.business.handover_template.name, "handover_notice");
  auto shown = tenant_json(shop);
  CAF_CHECK_EQUAL(shown["messages_per_second"], 1000);
  CAF_CHECK_EQUAL(shown["business"]["handover"]["template"]["name"], "handover_notice");
  // The default is Meta's standard tier.
  CAF_CHECK_EQUAL(parse_tenant(shop_json, cfg, env).messages_per_second, 80);
  auto bad = problems_of(R"({"id": "x", "messages_per_second": 0, "kind": "business",
    "business": {"name": "X", "services": [{"name": "Band", "minutes": 20}],
                 "handover": {"template": {"language": "nl"}}}})", cfg);
  CAF_CHECK(has(bad, "messages_per_second: must be between 1 and 1000"));
  CAF_CHECK(has(bad, "business.handover.template.name: is missing"));
}
