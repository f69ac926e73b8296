#define CAF_SUITE live_data
#include "protocol/brief.hpp"
#include "protocol/brief_schedule.hpp"
#include "protocol/caldav.hpp"
#include "protocol/commands.hpp"
#include "protocol/cron.hpp"
#include "protocol/github_api.hpp"
#include "protocol/google_api.hpp"
#include "protocol/http_failure.hpp"
#include "protocol/ical.hpp"
#include "protocol/imap_text.hpp"
#include "protocol/live_text.hpp"
#include "protocol/open_meteo.hpp"
#include "protocol/plan_text.hpp"
#include "protocol/secret_box.hpp"
#include "protocol/time_zone.hpp"

#define FAIL CAF_FAIL
#include <caf/test/unit_test.hpp>

using namespace parley;

namespace {

const std::string ams = "Europe/Amsterdam";

int64_t at(const std::string& rfc3339) {
  auto t = tz::parse_rfc3339(rfc3339);
  CAF_REQUIRE(t.has_value());
  return *t;
}

connector_report report(std::string name, std::vector<std::string> lines,
                        std::vector<std::string> priorities = {}) {
  connector_report r;
  r.connector = std::move(name);
  r.status = "ok";
  r.lines = std::move(lines);
  r.priorities = std::move(priorities);
  return r;
}

} // namespace

// -- time zones and the brief's schedule --------------------------------------

CAF_TEST(seven in the morning in Amsterdam moves with daylight saving time) {
  // Winter (CET, +1) and summer (CEST, +2).
  CAF_CHECK_EQUAL(tz::instant_of(ams, "2026-12-01", "07:00"), at("2026-12-01T06:00:00Z"));
  CAF_CHECK_EQUAL(tz::instant_of(ams, "2027-07-01", "07:00"), at("2027-07-01T05:00:00Z"));
  // The days of both changes: 28 March and 31 October 2027.
  CAF_CHECK_EQUAL(tz::instant_of(ams, "2027-03-28", "07:00"), at("2027-03-28T05:00:00Z"));
  CAF_CHECK_EQUAL(tz::instant_of(ams, "2027-10-31", "07:00"), at("2027-10-31T06:00:00Z"));
}

CAF_TEST(a brief set inside the spring forward gap goes out when the gap ends) {
  // 02:30 does not exist on 28 March 2027 in Amsterdam: clocks jump 02:00 → 03:00.
  CAF_CHECK_EQUAL(tz::instant_of(ams, "2027-03-28", "02:30"), at("2027-03-28T01:00:00Z"));
  std::string error;
  auto daily = cron::parse(brief::cron_of("02:30"), error);
  CAF_REQUIRE(daily);
  auto fires = cron::next_after(*daily, ams, at("2027-03-27T01:30:00Z")).value_or(0);
  CAF_CHECK_EQUAL(fires, at("2027-03-28T01:00:00Z"));
  CAF_CHECK_EQUAL(tz::local_date(ams, fires), "2027-03-28");
}

CAF_TEST(a time that happens twice in the autumn is its first occurrence) {
  // 02:30 happens twice on 31 October 2027; the first is in summer time.
  CAF_CHECK_EQUAL(tz::instant_of(ams, "2027-10-31", "02:30"), at("2027-10-31T00:30:00Z"));
}

CAF_TEST(a zone without daylight saving time keeps its offset all year) {
  CAF_CHECK_EQUAL(tz::instant_of("Asia/Tokyo", "2027-01-15", "07:00"), at("2027-01-14T22:00:00Z"));
  CAF_CHECK_EQUAL(tz::instant_of("Asia/Tokyo", "2027-07-15", "07:00"), at("2027-07-14T22:00:00Z"));
  CAF_CHECK_EQUAL(tz::local_date("Asia/Tokyo", at("2027-07-14T22:00:00Z")), "2027-07-15");
}

CAF_TEST(the brief fires daily at brief_at on the cron scheduler) {
  CAF_CHECK_EQUAL(brief::cron_of("07:00"), "0 7 * * *");
  CAF_CHECK_EQUAL(brief::cron_of("23:05"), "5 23 * * *");
  std::string error;
  auto daily = cron::parse(brief::cron_of("07:00"), error);
  CAF_REQUIRE(daily);
  CAF_CHECK_EQUAL(cron::next_after(*daily, ams, at("2026-12-01T05:59:00Z")).value_or(0),
                  at("2026-12-01T06:00:00Z"));
  CAF_CHECK_EQUAL(cron::next_after(*daily, ams, at("2026-12-01T06:00:00Z")).value_or(0),
                  at("2026-12-02T06:00:00Z"));
  // Across the autumn change: seven local time is an hour later in UTC.
  CAF_CHECK_EQUAL(cron::next_after(*daily, ams, at("2027-10-30T06:00:00Z")).value_or(0),
                  at("2027-10-31T06:00:00Z"));
}

CAF_TEST(a missed brief still goes out until the catch up time) {
  // Down at 07:00: the morning's brief goes out until 12:00 local.
  CAF_CHECK_EQUAL(brief::catch_up_end(ams, "2026-12-01", "07:00", "12:00"),
                  at("2026-12-01T11:00:00Z"));
  // A brief set after the catch-up time may still go out until midnight.
  CAF_CHECK_EQUAL(brief::catch_up_end(ams, "2026-12-01", "18:00", "12:00"),
                  at("2026-12-01T23:00:00Z"));
}

// -- command words -----------------------------------------------------------

CAF_TEST(live data commands are known in Dutch and English) {
  CAF_CHECK(parse_command("agenda").kind == command_kind::agenda);
  CAF_CHECK(parse_command("Calendar").kind == command_kind::agenda);
  auto morgen = parse_command("agenda morgen"), tomorrow = parse_command("agenda tomorrow");
  CAF_CHECK_EQUAL(morgen.day, 1);
  CAF_CHECK_EQUAL(tomorrow.day, 1);
  CAF_CHECK(parse_command("inbox").kind == command_kind::inbox);
  CAF_CHECK(parse_command("mail").kind == command_kind::inbox);
  CAF_CHECK(parse_command("followups").kind == command_kind::followups);
  CAF_CHECK(parse_command("weer").kind == command_kind::weather);
  auto weather = parse_command("weather tomorrow");
  CAF_CHECK_EQUAL(weather.day, 1);
  CAF_CHECK(parse_command("github").kind == command_kind::github);
  for (auto w : {"brief", "ochtend", "goedemorgen", "Goedemorgen "})
    CAF_CHECK(parse_command(w).kind == command_kind::brief);
  // Sentences that start with a command word are questions for the LLM.
  CAF_CHECK(parse_command("agenda voor het overleg opstellen").kind == command_kind::none);
  CAF_CHECK(parse_command("mail jan dat ik later kom").kind == command_kind::none);
}

// -- connector answers -------------------------------------------------------

CAF_TEST(an open meteo forecast is read day by day and described in words) {
  auto f = open_meteo::parse_forecast(R"({"latitude":52.38,"longitude":4.9,"timezone":"Europe/Amsterdam",
    "daily_units":{"time":"iso8601","temperature_2m_max":"°C"},
    "daily":{"time":["2026-12-01","2026-12-02"],"weather_code":[61,3],
      "temperature_2m_max":[8.4,6.1],"temperature_2m_min":[3.2,1.0],
      "precipitation_probability_max":[60,10],"wind_speed_10m_max":[22.3,12.0]}})");
  CAF_REQUIRE(f.error.empty());
  CAF_REQUIRE_EQUAL(f.days.size(), 2u);
  CAF_CHECK_EQUAL(open_meteo::day_line(f.days[0], "Amsterdam", "vandaag", "nl"),
                  "Amsterdam, vandaag: lichte regen, 3 tot 8 °C, 60% kans op regen, wind 22 km/u");
  CAF_CHECK_EQUAL(open_meteo::day_line(f.days[1], "", "tomorrow", "en"),
                  "tomorrow: overcast, 1 to 6 °C, 10% chance of rain, wind 12 km/h");
  auto err = open_meteo::parse_forecast(R"({"error":true,"reason":"Latitude must be in range of -90 to 90°. Given: 91.0."})");
  CAF_CHECK_EQUAL(err.error, "Latitude must be in range of -90 to 90°. Given: 91.0.");
  CAF_CHECK(!open_meteo::parse_forecast("<html>").error.empty());
  CAF_CHECK(!open_meteo::parse_forecast(R"({"error":"yes","daily":{"time":5}})").error.empty());
  auto url = open_meteo::forecast_url("http://h", 52.37, 4.89, ams, 2);
  CAF_CHECK(url.find("timezone=Europe%2FAmsterdam") != std::string::npos);
  CAF_CHECK(url.find("latitude=52.3700&longitude=4.8900") != std::string::npos);
}

CAF_TEST(github search answers give repository number and title) {
  auto s = github::parse_search(R"({"total_count":2,"incomplete_results":false,"items":[
    {"number":12,"title":"Fix the parser","repository_url":"https://api.github.com/repos/acme/app",
     "pull_request":{"url":"x"}},
    {"number":3,"title":"Crash on start","repository_url":"https://api.github.com/repos/acme/lib"}]})");
  CAF_REQUIRE_EQUAL(s.items.size(), 2u);
  CAF_CHECK_EQUAL(s.items[0].repo, "acme/app");
  CAF_CHECK(s.items[0].pull_request);
  CAF_CHECK(!s.items[1].pull_request);
  CAF_CHECK_EQUAL(github::error_message(R"({"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"})"),
                  "Bad credentials");
  CAF_CHECK(!github::parse_search(R"({"message":"Bad credentials"})").error.empty());
  CAF_CHECK_EQUAL(github::parse_head_sha(R"({"number":7,"head":{"sha":"abc123"}})"), "abc123");
  auto failing = github::parse_failing_checks(R"({"total_count":3,"check_runs":[
    {"name":"build","status":"completed","conclusion":"success"},
    {"name":"lint","status":"completed","conclusion":"failure"},
    {"name":"e2e","status":"in_progress","conclusion":null}]})");
  CAF_CHECK_EQUAL(failing, std::vector<std::string>{"lint"});
  CAF_CHECK(github::search_target("is:open is:pr review-requested:@me", {"acme/app"})
              .find("repo%3Aacme%2Fapp") != std::string::npos);
}

CAF_TEST(a failed call is one sentence that says what is wrong) {
  http_outcome unauthorized{401, "Bad credentials", "", false, 0};
  CAF_CHECK_EQUAL(describe_failure("GitHub", unauthorized, "connectors.github.token_env"),
                  "GitHub refused the credentials (401 Bad credentials): check connectors.github.token_env");
  http_outcome down{0, "", "Connection refused", false, 0};
  CAF_CHECK_EQUAL(describe_failure("Open-Meteo", down, ""), "Open-Meteo is unreachable: Connection refused");
  http_outcome slow{0, "", "", true, 2000};
  CAF_CHECK_EQUAL(describe_failure("the CalDAV server", slow, ""),
                  "the CalDAV server did not answer within 2000 ms");
}

// -- calendars ---------------------------------------------------------------

namespace {

const char* calendar_text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
  "BEGIN:VEVENT\r\nUID:standup\r\nSUMMARY:Standup\r\nLOCATION:Room 1\r\n"
  "DTSTART;TZID=Europe/Amsterdam:20261104T093000\r\nDTEND;TZID=Europe/Amsterdam:20261104T094500\r\n"
  "RRULE:FREQ=WEEKLY;BYDAY=WE\r\nEXDATE;TZID=Europe/Amsterdam:20261209T093000\r\nEND:VEVENT\r\n"
  "BEGIN:VEVENT\r\nUID:holiday\r\nSUMMARY:Sinterklaas\r\nDTSTART;VALUE=DATE:20261205\r\n"
  "DTEND;VALUE=DATE:20261206\r\nEND:VEVENT\r\n"
  "BEGIN:VEVENT\r\nUID:call\r\nSUMMARY:Call with Sara\r\nDTSTART:20261202T130000Z\r\n"
  "DTEND:20261202T140000Z\r\nEND:VEVENT\r\n"
  "BEGIN:VEVENT\r\nUID:gone\r\nSUMMARY:Cancelled lunch\r\nSTATUS:CANCELLED\r\n"
  "DTSTART:20261202T110000Z\r\nDTEND:20261202T120000Z\r\nEND:VEVENT\r\n"
  "END:VCALENDAR\r\n";

std::vector<std::string> day(const std::string& date) {
  auto from = tz::instant_of(ams, date, "00:00");
  auto to = tz::instant_of(ams, tz::add_days(date, 1), "00:00");
  auto parsed = ical::events_between(calendar_text, from, to, ams);
  CAF_CHECK(parsed.error.empty());
  std::vector<std::string> out;
  for (auto& e : parsed.events)
    out.push_back(event_line(e, ams, "en"));
  return out;
}

} // namespace

CAF_TEST(a recurring event is expanded at its local time and cancelled ones are left out) {
  CAF_CHECK_EQUAL(day("2026-12-02"), (std::vector<std::string>{
                                       "09:30–09:45 Standup (Room 1)", "14:00–15:00 Call with Sara"}));
  // The weekly standup on a Wednesday in summer time is still at 09:30.
  CAF_CHECK_EQUAL(day("2027-06-02"), std::vector<std::string>{"09:30–09:45 Standup (Room 1)"});
  // An excluded date and a day without the event.
  CAF_CHECK_EQUAL(day("2026-12-09"), std::vector<std::string>{});
  CAF_CHECK_EQUAL(day("2026-12-03"), std::vector<std::string>{});
}

CAF_TEST(an all day event belongs to its date in the tenant zone) {
  CAF_CHECK_EQUAL(day("2026-12-05"), std::vector<std::string>{"all day: Sinterklaas"});
  CAF_CHECK_EQUAL(day("2026-12-06"), std::vector<std::string>{});
}

CAF_TEST(text that is not icalendar is an error not a crash) {
  CAF_CHECK(!ical::events_between("hello", 0, 1, ams).error.empty());
  CAF_CHECK(ical::events_between("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", 0, 1, ams).events.empty());
}

CAF_TEST(caldav multistatus answers yield their calendar data) {
  auto xml = std::string(R"(<?xml version="1.0"?><multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<response><href>/owner/work/a.ics</href><propstat><prop><getetag>"1"</getetag>
<C:calendar-data>BEGIN:VCALENDAR&#13;
SUMMARY:R&amp;D &lt;sync&gt;&#13;
END:VCALENDAR&#13;
</C:calendar-data></prop></propstat></response>
<response><href>/owner/work/b.ics</href><propstat><prop><cal:calendar-data xmlns:cal="urn:ietf:params:xml:ns:caldav"><![CDATA[BEGIN:VCALENDAR
END:VCALENDAR]]></cal:calendar-data></prop></propstat></response></multistatus>)");
  auto data = caldav::calendar_data(xml);
  CAF_REQUIRE_EQUAL(data.size(), 2u);
  CAF_CHECK_EQUAL(data[0], "BEGIN:VCALENDAR\r\nSUMMARY:R&D <sync>\r\nEND:VCALENDAR\r\n");
  CAF_CHECK_EQUAL(data[1], "BEGIN:VCALENDAR\nEND:VCALENDAR");
  CAF_CHECK(caldav::calendar_query(at("2026-12-01T23:00:00Z"), at("2026-12-02T23:00:00Z"))
              .find(R"(start="20261201T230000Z" end="20261202T230000Z")") != std::string::npos);
}

// -- the brief ---------------------------------------------------------------

CAF_TEST(a brief must be plain text under 300 words ending with three priorities) {
  CAF_CHECK_EQUAL(brief::invalid_reason("Goedemorgen.\nVandaag twee afspraken.\nPrioriteiten:\n"
                                        "1. Standup\n2. Review PR 12\n3. Factuur Jan"), "");
  CAF_CHECK(!brief::invalid_reason("Goedemorgen.\nPrioriteiten:\n1. a b\n2. c d").empty());
  CAF_CHECK(!brief::invalid_reason("x\n1. a b\n2. c d\n3. e f\n4. g h").empty());
  CAF_CHECK(!brief::invalid_reason("# Brief\nPriorities:\n1. a b\n2. c d\n3. e f").empty());
  CAF_CHECK(!brief::invalid_reason("").empty());
  std::string long_text;
  for (int i = 0; i < 310; ++i)
    long_text += "word ";
  CAF_CHECK(!brief::invalid_reason(long_text + "\n1. a b\n2. c d\n3. e f").empty());
  CAF_CHECK(!brief::invalid_reason("Priorities:\n1. a\n2. b\n3. c\nThanks!").empty());
}

CAF_TEST(the template brief always has its sections and three priorities) {
  auto down = report("github", {});
  down.status = "failing";
  down.error = "GitHub refused the credentials (401 Bad credentials)";
  std::vector<connector_report> reports{
    report("calendar", {"09:30–09:45 Standup"}, {"09:30 Standup"}),
    report("mail", {"Alice: Lunch tomorrow?"}, {"Answer Alice: Lunch tomorrow?"}),
    down,
    not_configured("weather", "tenants[].connectors.weather"),
    report("tasks", {}),
  };
  auto text = brief::render_template(reports, "2026-12-01", "en");
  CAF_CHECK_EQUAL(brief::invalid_reason(text), "");
  CAF_CHECK(text.find("Good morning! Your brief for Tue 1 Dec.") == 0);
  CAF_CHECK(text.find("*Agenda*\n- 09:30–09:45 Standup") != std::string::npos);
  CAF_CHECK(text.find("*GitHub*: unavailable: GitHub refused the credentials") != std::string::npos);
  CAF_CHECK(text.find("*Weather*: not configured") != std::string::npos);
  CAF_CHECK(text.find("*Tasks*: nothing") != std::string::npos);
  CAF_CHECK(text.find("Priorities:\n1. 09:30 Standup\n2. Answer Alice: Lunch tomorrow?\n3. Pick today's") != std::string::npos);
}

CAF_TEST(the template takes its three priorities one source at a time) {
  auto text = brief::render_template(
    {report("calendar", {"09:30 Standup", "14:00 Call"}, {"09:30 Standup", "14:00 Call"}),
     report("mail", {"Alice: Lunch?"}, {"Answer Alice: Lunch?"}),
     report("github", {"Review requested: acme/app#12"}, {"Review acme/app#12"})},
    "2026-12-01", "en");
  CAF_CHECK(text.find("Priorities:\n1. 09:30 Standup\n2. Answer Alice: Lunch?\n3. Review acme/app#12\n")
            != std::string::npos);
}

CAF_TEST(the template brief stays under 300 words however much data there is) {
  std::vector<std::string> many(200, "Newsletter sender with a long subject line of many words");
  auto text = brief::render_template({report("mail", many), report("tasks", many)}, "2026-12-01", "nl");
  CAF_CHECK_EQUAL(brief::invalid_reason(text), "");
  CAF_CHECK(text.find("Prioriteiten:\n1. Kies") != std::string::npos);
}

CAF_TEST(the brief request gives the data to the model as a user message) {
  auto req = brief::compose_request({report("calendar", {"09:30 Standup"})}, "2026-12-01", "en");
  CAF_CHECK(req.system_prompt.find("Standup") == std::string::npos);
  CAF_REQUIRE_EQUAL(req.messages.size(), 1u);
  CAF_CHECK(req.messages[0].content.find("- 09:30 Standup") != std::string::npos);
  CAF_CHECK(req.tools.empty());
}

// -- IMAP --------------------------------------------------------------------

CAF_TEST(imap search and fetch answers are read as libcurl delivers them) {
  CAF_CHECK_EQUAL(imap::parse_search("* OK ready\r\n* SEARCH 7 2 11\r\nA3 OK done\r\n"),
                  (std::vector<uint64_t>{2, 7, 11}));
  CAF_CHECK(imap::parse_search("* SEARCH\r\n").empty());
  // libcurl gives a FETCH's first line twice: once before its literal.
  auto answer = std::string(
    "A003 OK [READ-WRITE] Select completed.\r\n"
    "* 1 FETCH (UID 4 BODY[HEADER.FIELDS (FROM SUBJECT DATE)] {73}\r\n"
    "* 1 FETCH (UID 4 BODY[HEADER.FIELDS (FROM SUBJECT DATE)] {73}\r\n"
    "From: Alice <a@x>\r\nSubject: Hi\r\nDate: Tue, 01 Dec 2026 22:48:03 +0000\r\n\r\n)\r\n"
    "* 2 FETCH (UID 9 BODY[HEADER.FIELDS (FROM SUBJECT DATE)] {20}\r\n");
  auto f = imap::parse_fetch(answer);
  CAF_REQUIRE_EQUAL(f.size(), 1u);
  CAF_CHECK_EQUAL(f[0].uid, 4u);
  auto m = imap::item_of(f[0], "from");
  CAF_CHECK_EQUAL(m.from, "Alice");
  CAF_CHECK_EQUAL(m.subject, "Hi");
  CAF_CHECK_EQUAL(m.date_ms, at("2026-12-01T22:48:03Z"));
  CAF_CHECK_EQUAL(imap::fetch_headers_command({4, 9}, "FROM SUBJECT"),
                  "UID FETCH 4,9 (UID BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)])");
}

CAF_TEST(mail headers are decoded for display) {
  CAF_CHECK_EQUAL(imap::decode_words("=?UTF-8?B?QmrDtnJu?= <b@x>"), "Bj\xc3\xb6rn <b@x>");
  CAF_CHECK_EQUAL(imap::decode_words("=?iso-8859-1?Q?Caf=E9_au_lait?="), "Caf\xe9 au lait");
  CAF_CHECK_EQUAL(imap::decode_words("=?UTF-8?Q?a?= =?UTF-8?Q?b?= c"), "ab c");
  CAF_CHECK_EQUAL(imap::display_name("\"Jan de Vries\" <jan@example.com>"), "Jan de Vries");
  CAF_CHECK_EQUAL(imap::display_name("jan@example.com"), "jan@example.com");
  // An address ends up inside a quoted IMAP string: nothing can break out.
  CAF_CHECK_EQUAL(imap::address_of("x <a\"b\r\nA1 LOGOUT@x>"), "abA1LOGOUT@x");
  CAF_CHECK_EQUAL(imap::parse_date("1 Dec 2026 08:00:00 +0100 (CET)"), at("2026-12-01T07:00:00Z"));
  CAF_CHECK_EQUAL(imap::parse_date("garbage"), 0);
  CAF_CHECK_EQUAL(imap::search_date("2026-12-01"), "01-Dec-2026");
}

// -- plan: -------------------------------------------------------------------

CAF_TEST(plan reads the day and time in dutch and english) {
  // 2026-12-01 is a Tuesday.
  auto e = parse_plan("overleg met Sara vrijdag 14:00", "2026-12-01");
  CAF_CHECK_EQUAL(e.error, "");
  CAF_CHECK_EQUAL(e.title, "Overleg met Sara");
  CAF_CHECK_EQUAL(e.date, "2026-12-04");
  CAF_CHECK_EQUAL(e.start, "14:00");
  CAF_CHECK_EQUAL(e.minutes, 60);
  CAF_CHECK_EQUAL(plan_summary(e, "nl"), "Overleg met Sara, vr 4 dec 14:00–15:00");
  auto t = parse_plan("dentist tomorrow at 9u30", "2026-12-01");
  CAF_CHECK_EQUAL(t.title, "Dentist");
  CAF_CHECK_EQUAL(t.date, "2026-12-02");
  CAF_CHECK_EQUAL(t.start, "09:30");
  auto r = parse_plan("review 2026-12-14 10:00-11:30", "2026-12-01");
  CAF_CHECK_EQUAL(r.date, "2026-12-14");
  CAF_CHECK_EQUAL(r.minutes, 90);
  // The same weekday is today; a passed day-month is next year.
  auto same_day = parse_plan("standup dinsdag 9.15", "2026-12-01");
  auto new_year = parse_plan("nieuwjaar 1-1 12u", "2026-12-01");
  auto lunch = parse_plan("lunch morgen om 12u", "2026-12-01");
  CAF_CHECK_EQUAL(same_day.date, "2026-12-01");
  CAF_CHECK_EQUAL(new_year.date, "2027-01-01");
  CAF_CHECK_EQUAL(lunch.title, "Lunch");
}

CAF_TEST(plan says what is missing) {
  CAF_CHECK(parse_plan("overleg vrijdag", "2026-12-01").error.rfind("no time", 0) == 0);
  CAF_CHECK(parse_plan("overleg 14:00", "2026-12-01").error.rfind("no day", 0) == 0);
  CAF_CHECK(parse_plan("morgen 14:00", "2026-12-01").error.rfind("no title", 0) == 0);
  CAF_CHECK(parse_plan("x morgen 25:00", "2026-12-01").error.rfind("no time", 0) == 0);
  CAF_CHECK(parse_plan("x 31-2 10:00", "2026-12-01").error.rfind("no day", 0) == 0);
}

// -- credentials at rest and Google ------------------------------------------

CAF_TEST(a sealed credential opens only with its key and for its tenant) {
  std::string key(32, 'k'), nonce(24, 'n');
  auto sealed = secrets::seal(key, 1, nonce, "ya29.secret", secrets::bound_to("ops", "google"));
  CAF_CHECK(sealed.ciphertext.find("ya29") == std::string::npos);
  auto opened = secrets::open(key, sealed, secrets::bound_to("ops", "google"));
  CAF_REQUIRE(opened.has_value());
  CAF_CHECK_EQUAL(*opened, "ya29.secret");
  // Moved to another tenant's row, or opened with another key: nothing.
  CAF_CHECK(!secrets::open(key, sealed, secrets::bound_to("salon", "google")));
  CAF_CHECK(!secrets::open(std::string(32, 'x'), sealed, secrets::bound_to("ops", "google")));
  auto tampered = sealed;
  tampered.ciphertext[0] ^= 1;
  CAF_CHECK(!secrets::open(key, tampered, secrets::bound_to("ops", "google")));
  auto round_trip = secrets::decode_key(secrets::encode_key(key));
  CAF_REQUIRE(round_trip.has_value());
  CAF_CHECK_EQUAL(*round_trip, key);
  CAF_CHECK(!secrets::decode_key("c2hvcnQ="));  // 5 bytes
}

CAF_TEST(the pkce challenge is the unpadded base64url sha256 of the verifier) {
  // Computed independently with Python's hashlib.
  CAF_CHECK_EQUAL(google::code_challenge("dBjftJeZ4CVP-mJ92aC9xGiNt_xh7bMmG3JdUBZj3pY"),
                  "EiZc0hOyHGit_M9JDlUhLXiEaTeAOVtAtCGAC0j5Gz0");
  auto url = google::authorization_url("https://accounts.example/auth", "id 1", "http://h/cb", "s", "c");
  CAF_CHECK(url.find("client_id=id%201") != std::string::npos);
  CAF_CHECK(url.find("code_challenge_method=S256") != std::string::npos);
  CAF_CHECK(url.find("access_type=offline") != std::string::npos);
}

CAF_TEST(google token and events answers are read with their errors) {
  auto ok = google::parse_token_answer(R"({"access_token":"ya29.a","expires_in":3599,"refresh_token":"1//r","token_type":"Bearer"})");
  CAF_CHECK_EQUAL(ok.error, "");
  CAF_CHECK_EQUAL(ok.expires_in_s, 3599);
  auto revoked = google::parse_token_answer(R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})");
  CAF_CHECK_EQUAL(revoked.error, "invalid_grant");
  auto garbage = google::parse_token_answer("<html>");
  CAF_CHECK_EQUAL(garbage.error, "invalid_response");
  auto events = google::parse_events(R"({"kind":"calendar#events","items":[
    {"status":"confirmed","summary":"Standup","start":{"dateTime":"2026-12-01T09:30:00+01:00"},"end":{"dateTime":"2026-12-01T09:45:00+01:00"}},
    {"status":"confirmed","summary":"Skip","start":{"dateTime":"2026-12-01T11:00:00+01:00"},"end":{"dateTime":"2026-12-01T12:00:00+01:00"},
     "attendees":[{"email":"me@example.com","self":true,"responseStatus":"declined"}]},
    {"status":"cancelled","summary":"Gone","start":{"dateTime":"2026-12-01T13:00:00Z"}},
    {"status":"confirmed","summary":"Fair","start":{"date":"2026-12-01"},"end":{"date":"2026-12-02"}},
    {"summary":"Broken","start":{"dateTime":"2026-12-01T25:00:00Z"}}]})", ams);
  CAF_REQUIRE_EQUAL(events.events.size(), 2u);
  CAF_CHECK_EQUAL(events.events[0].start_ms, at("2026-12-01T08:30:00Z"));
  CAF_CHECK(events.events[1].all_day);
  CAF_CHECK_EQUAL(events.events[1].start_ms, at("2026-11-30T23:00:00Z"));
  CAF_CHECK_EQUAL(google::error_message(R"({"error":{"code":401,"message":"Request had invalid authentication credentials."}})"),
                  "Request had invalid authentication credentials.");
}

CAF_TEST(rfc 3339 timestamps are read strictly) {
  auto precise = tz::parse_rfc3339("2026-12-01T09:30:00.250+01:00");
  CAF_REQUIRE(precise.has_value());
  CAF_CHECK_EQUAL(*precise, at("2026-12-01T08:30:00Z") + 250);
  CAF_CHECK(!tz::parse_rfc3339("2026-12-01T09:30:00+99:00"));
  CAF_CHECK(!tz::parse_rfc3339("2026-02-30T09:30:00Z"));
  CAF_CHECK(!tz::parse_rfc3339("2026-12-01 09:30"));
  CAF_CHECK(!tz::parse_rfc3339("2026-12-01T09:30:00Zjunk"));
}
