// The tenant's mailbox over IMAP: unread mail in the inbox, newest first
// (read with BODY.PEEK, so nothing is marked read), and followups: mail you
// sent `followup_days` or more ago (within a month) to someone who has not
// written back since. Topic `thread` finds the mail a reply is about
// (mail_thread.cpp); its second argument is the instruction, not a date.

#include "actors/connectors/sources.hpp"

#include "actors/connectors/google_tokens.hpp"
#include "actors/connectors/mail_thread.hpp"
#include "net/imap_client.hpp"
#include "protocol/gmail_api.hpp"
#include "protocol/google_api.hpp"
#include "protocol/imap_text.hpp"
#include "protocol/live_text.hpp"
#include "protocol/time_zone.hpp"

#include <algorithm>
#include <set>

namespace parley {

namespace {

constexpr size_t max_listed = 10;    ///< newest unread mails listed
constexpr int followup_window_days = 30;

} // namespace

/// Gmail's API with the tenant's Google tokens.
source_factory gmail_reader(const config& cfg, const tenant_config& t, const google_access& access) {
  auto api = cfg.apis.google_api_url;
  auto timeout = cfg.connectors.timeout_ms;
  auto days = t.connectors.mail.followup_days;
  auto lang = t.language;
  auto tenant = t.id;
  auto apis = cfg.apis;
  return [=] {
    auto tokens = std::make_shared<google_tokens>(apis, timeout, tenant, access.conninfo, access.key);
    return [=](const std::string& topic, const std::string& argument) {
      std::string failure;
      auto get = [&](const std::string& target) {
        std::string error;
        auto res = tokens->get(api + target, error);
        if (!error.empty())
          failure = error;
        else if (res.status != 200)
          failure = describe_failure("Gmail", outcome_of(res, timeout, google::error_message(res.body)), "");
        return failure.empty() ? res.body : std::string();
      };
      if (topic == "thread")
        return gmail_thread(get, failure, argument);
      auto name = topic == "inbox" ? "mail" : "followups";
      auto now = wall_ms();
      if (topic == "inbox") {
        auto list = gmail::parse_list(get(gmail::messages_target("is:unread in:inbox",
                                                                  static_cast<int>(max_listed))),
                                      "messages");
        auto r = ok_report(name);
        for (auto& id : list.ids) {
          if (!failure.empty())
            break;
          auto m = gmail::parse_message(get(gmail::message_target(id)), "from");
          r.lines.push_back(mail_line(m));
          if (r.priorities.empty())
            r.priorities.push_back((lang == "nl" ? "Beantwoord " : "Answer ") + mail_line(m));
        }
        if (!failure.empty())
          return failing_report(name, failure);
        if (list.estimate > static_cast<int64_t>(list.ids.size()))
          r.lines.push_back((lang == "nl" ? "en nog " : "and ")
                            + std::to_string(list.estimate - static_cast<int64_t>(list.ids.size()))
                            + (lang == "nl" ? " ongelezen" : " more unread"));
        return r;
      }
      auto query = "in:sent older_than:" + std::to_string(days) + "d newer_than:"
                   + std::to_string(followup_window_days) + "d";
      auto threads = gmail::parse_list(get(gmail::threads_target(query, 20)), "threads");
      auto r = ok_report(name);
      std::set<std::string> people;
      for (auto& id : threads.ids) {
        if (!failure.empty())
          break;
        auto end = gmail::parse_thread(get(gmail::thread_target(id)));
        // Unanswered: the thread still ends with your message, days old.
        if (!end.ok || !end.sent_by_me || now - end.last.date_ms < days * 86400000LL
            || !people.insert(end.last.from).second)
          continue;
        r.lines.push_back(followup_line(end.last, now, lang));
        if (r.priorities.empty())
          r.priorities.push_back((lang == "nl" ? "Volg op: " : "Follow up: ") + mail_line(end.last));
      }
      if (!failure.empty())
        return failing_report(name, failure);
      return r;
    };
  };
}

source_factory mail_reader(const config& cfg, const tenant_config& t, const google_access& google) {
  if (t.connectors.mail.provider == "gmail")
    return gmail_reader(cfg, t, google);
  net::imap_account account;
  account.host = t.connectors.mail.host;
  account.port = t.connectors.mail.port;
  account.implicit_tls = t.connectors.mail.tls;
  account.username = t.connectors.mail.username;
  account.password = t.connectors.mail.password;
  account.timeout = std::chrono::milliseconds(cfg.connectors.timeout_ms);
  auto mail = t.connectors.mail;
  auto zone = t.timezone;
  auto lang = t.language;
  return [=] {
    auto imap = std::make_shared<net::imap_client>();
    return [=](const std::string& topic, const std::string& argument) {
      std::string failure;
      auto run = [&](const std::string& mailbox, const std::string& command) {
        auto a = imap->run(account, mailbox, command);
        if (a.ok)
          return a.text;
        if (a.login_denied)
          failure = "the IMAP server refused the login of " + account.username
                    + ": check tenants[].connectors.mail.password_env";
        else if (a.timed_out)
          failure = "the IMAP server did not answer within "
                    + std::to_string(account.timeout.count()) + " ms";
        else
          failure = "the IMAP server at " + account.host + ":" + std::to_string(account.port)
                    + " failed: " + a.error;
        return std::string();
      };
      auto newest = [](std::vector<uint64_t> uids) {
        if (uids.size() > max_listed)
          uids.erase(uids.begin(), uids.end() - max_listed);
        return uids;
      };
      if (topic == "thread")
        return imap_thread(run, failure, mail, zone, argument);
      auto now = wall_ms();
      if (topic == "inbox") {
        auto unseen = imap::parse_search(run(mail.inbox, "UID SEARCH UNSEEN"));
        auto r = ok_report("mail");
        if (!failure.empty())
          return failing_report("mail", failure);
        if (unseen.empty())
          return r;
        auto listed = newest(unseen);
        auto items = imap::parse_fetch(
          run(mail.inbox, imap::fetch_headers_command(listed, "FROM SUBJECT DATE")));
        if (!failure.empty())
          return failing_report("mail", failure);
        std::sort(items.begin(), items.end(), [](auto& a, auto& b) { return a.uid > b.uid; });
        for (auto& f : items) {
          auto m = imap::item_of(f, "from");
          r.lines.push_back(mail_line(m));
          if (r.priorities.empty())
            r.priorities.push_back((lang == "nl" ? "Beantwoord " : "Answer ") + mail_line(m));
        }
        if (unseen.size() > listed.size())
          r.lines.push_back((lang == "nl" ? "en nog " : "and ")
                            + std::to_string(unseen.size() - listed.size())
                            + (lang == "nl" ? " ongelezen" : " more unread"));
        return r;
      }
      // followups
      auto today = tz::local_date(zone, now);
      auto since = imap::search_date(tz::add_days(today, -followup_window_days));
      auto before = imap::search_date(tz::add_days(today, -mail.followup_days + 1));
      auto sent = newest(imap::parse_search(
        run(mail.sent_folder, "UID SEARCH SINCE " + since + " BEFORE " + before)));
      if (!failure.empty())
        return failing_report("followups", failure);
      auto r = ok_report("followups");
      if (sent.empty())
        return r;
      auto items = imap::parse_fetch(
        run(mail.sent_folder, imap::fetch_headers_command(sent, "TO SUBJECT DATE")));
      std::sort(items.begin(), items.end(), [](auto& a, auto& b) { return a.uid > b.uid; });
      std::set<std::string> seen_people;
      for (auto& f : items) {
        if (!failure.empty())
          break;
        auto to = imap::address_of(f.headers["to"]);
        auto m = imap::item_of(f, "to");
        if (to.empty() || m.date_ms == 0 || !seen_people.insert(to).second)
          continue;
        // An answer is any mail from them since the day you wrote.
        auto day = imap::search_date(tz::local_date(zone, m.date_ms));
        auto answers = imap::parse_search(
          run(mail.inbox, "UID SEARCH FROM \"" + to + "\" SINCE " + day));
        if (answers.empty() && failure.empty()) {
          r.lines.push_back(followup_line(m, now, lang));
          if (r.priorities.empty())
            r.priorities.push_back((lang == "nl" ? "Volg op: " : "Follow up: ") + mail_line(m));
        }
      }
      if (!failure.empty())
        return failing_report("followups", failure);
      return r;
    };
  };
}

} // namespace parley
