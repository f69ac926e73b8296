#include "actors/business/front_door.hpp"

#include "actors/connectors/connector.hpp"
#include "protocol/customer_words.hpp"
#include "protocol/time_zone.hpp"

#include <set>

namespace parley {

door_verdict front_door(storage::store& db, const tenant_config& t, const inbound_message& m,
                        std::vector<outbox_item>& notices) {
  auto intent = intent_of(m.text);
  // STOP and START come first, even in a handed-over chat.
  if (intent == customer_intent::opt_out || intent == customer_intent::opt_in) {
    bool out = intent == customer_intent::opt_out;
    db.set_opted_out(t.id, m.sender, out);
    return {"command", out ? opt_out_reply(t.language) : opt_in_reply(t.language),
            out ? "opted out" : "opted in"};
  }
  if (auto until = db.paused_until(t.id, m.chat))
    return {"silent", "", "handed over to a person until " + tz::rfc3339_utc(until)};
  if (intent == customer_intent::human)
    return {"handover", hand_over(db, t, m.chat, m.sender, m.sender_name,
                                  "the customer asked for a person", notices),
            "the customer asked for a person"};
  return {};
}

std::string hand_over(storage::store& db, const tenant_config& t, const std::string& chat,
                      const std::string& customer, const std::string& name,
                      const std::string& reason, std::vector<outbox_item>& notices) {
  auto now = wall_ms();
  auto until = now + int64_t{t.business.handover_timeout_h} * 3600000;
  if (db.pause_chat(t.id, chat, until, reason)) {
    std::string last;
    for (auto& e : db.load_memory(t.id, chat, 6))
      last += (e.role == "user" ? "• " : "  ↳ ") + e.content.substr(0, 300) + "\n";
    if (last.empty())
      last = "(none)\n";
    auto notice = handover_notice(t.business.name, customer, name, reason, last, t.language);
    std::set<std::string> told(t.business.staff.begin(), t.business.staff.end());
    told.insert(t.owner);
    told.erase("");
    told.erase(customer);
    for (auto& who : told) {
      // Staff who have not written to the number for a day get the template.
      auto item = outbox_item::to(0, t.id, who, t.channel, who, notice);
      item.template_name = t.business.handover_template.name;
      item.template_language = t.business.handover_template.language;
      notices.push_back(db.enqueue(item));
    }
  }
  return handover_reply(t.business, t.timezone, now, t.language);
}

} // namespace parley
