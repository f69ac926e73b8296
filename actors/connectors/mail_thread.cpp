#include "actors/connectors/mail_thread.hpp"

#include "actors/connectors/connector.hpp"
#include "protocol/gmail_api.hpp"
#include "protocol/imap_text.hpp"
#include "protocol/live_text.hpp"
#include "protocol/mail_reply.hpp"
#include "protocol/rfc822.hpp"
#include "protocol/time_zone.hpp"

namespace parley {

namespace {

constexpr int recent_days = 30;
constexpr size_t imap_candidates = 50;   ///< headers only: one command
constexpr int gmail_candidates = 20;     ///< one metadata call each
constexpr size_t message_bytes = 65536;  ///< enough for any text; attachments cut off

connector_report found(mail_message m) {
  auto r = ok_report("mail");
  r.lines.push_back(m.from + ": " + m.subject);
  r.mails.push_back(std::move(m));
  return r;
}

} // namespace

connector_report imap_thread(const imap_command& run, const std::string& failure,
                             const mail_source& mail, const std::string& zone,
                             const std::string& instruction) {
  auto words = naming_words(instruction);
  auto since = imap::search_date(tz::add_days(tz::local_date(zone, wall_ms()), -recent_days));
  auto uids = imap::parse_search(run(mail.inbox, "UID SEARCH SINCE " + since));
  if (!failure.empty())
    return failing_report("mail", failure);
  if (uids.size() > imap_candidates)
    uids.erase(uids.begin(), uids.end() - imap_candidates);
  if (uids.empty() || words.empty())
    return ok_report("mail");
  auto fetched = imap::parse_fetch(run(mail.inbox, imap::fetch_headers_command(uids, "FROM SUBJECT DATE")));
  if (!failure.empty())
    return failing_report("mail", failure);
  std::vector<mail_message> candidates;
  for (auto& f : fetched) {
    mail_message m;
    m.from = imap::display_name(f.headers["from"]);
    m.address = imap::address_of(f.headers["from"]);
    m.subject = imap::decode_words(f.headers["subject"]);
    // The UID orders mail as it arrived, whatever its Date header says.
    m.date_ms = static_cast<int64_t>(f.uid);
    candidates.push_back(std::move(m));
  }
  auto best = best_match(candidates, words);
  if (best < 0)
    return ok_report("mail");
  auto uid = std::to_string(fetched[static_cast<size_t>(best)].uid);
  auto whole = imap::parse_fetch(run(mail.inbox, "UID FETCH " + uid + " (UID BODY.PEEK[]<0."
                                                   + std::to_string(message_bytes) + ">)"));
  if (!failure.empty())
    return failing_report("mail", failure);
  if (whole.empty())
    return failing_report("mail", "the IMAP server did not return mail " + uid);
  auto m = rfc822::read(whole.front().literal);
  if (m.address.empty())
    return failing_report("mail", "mail " + uid + " has no sender address to reply to");
  return found(std::move(m));
}

connector_report gmail_thread(const gmail_get& get, const std::string& failure,
                              const std::string& instruction) {
  auto words = naming_words(instruction);
  auto list = gmail::parse_list(get(gmail::messages_target(
                                  "in:inbox newer_than:" + std::to_string(recent_days) + "d",
                                  gmail_candidates)),
                                "messages");
  if (!failure.empty())
    return failing_report("mail", failure);
  if (words.empty())
    return ok_report("mail");
  std::vector<mail_message> candidates;
  for (auto& id : list.ids) {
    auto item = gmail::parse_message(get(gmail::message_target(id)), "from");
    if (!failure.empty())
      return failing_report("mail", failure);
    mail_message m;
    m.from = item.from;
    m.subject = item.subject;
    m.date_ms = item.date_ms;
    candidates.push_back(std::move(m));
  }
  auto best = best_match(candidates, words);
  if (best < 0)
    return ok_report("mail");
  std::string error;
  auto m = gmail::parse_raw(get(gmail::raw_target(list.ids[static_cast<size_t>(best)])), error);
  if (!failure.empty())
    return failing_report("mail", failure);
  if (!error.empty())
    return failing_report("mail", error);
  if (m.address.empty())
    return failing_report("mail", "the mail has no sender address to reply to");
  return found(std::move(m));
}

} // namespace parley
