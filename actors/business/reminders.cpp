#include "actors/business/reminders.hpp"

#include "actors/log.hpp"
#include "protocol/booking.hpp"

namespace parley {

namespace {

/// The reminder of one booking as an outbox row, its text and template.
outbox_item reminder_row(const tenant_config& t, const booking_record& b) {
  auto& biz = t.business;
  outbox_item row;
  row.tenant = t.id;
  row.chat = b.customer;
  row.recipient = b.customer;
  row.channel = t.channel;
  row.body = reminder_words(b, biz.name, t.timezone, t.language);
  if (biz.reminder_template.configured()) {
    row.template_name = biz.reminder_template.name;
    row.template_language = biz.reminder_template.language;
    row.template_params = reminder_params(b, biz.name, t.timezone, t.language);
  }
  return row;
}

} // namespace

std::vector<outbox_item> queue_due_reminders(storage::store& db, const config& cfg) {
  std::vector<outbox_item> queued;
  for (auto& tenant : cfg.tenants->all()) {
    auto& t = *tenant;
    int hours = t.business.reminder_hours_before;
    if (!t.business.enabled || hours <= 0)
      continue;
    for (auto& b : db.due_reminders(t.id, hours))
      if (auto row = db.queue_reminder(b.id, hours, reminder_row(t, b))) {
        log::info("reminder for booking " + std::to_string(b.id) + " of " + t.id + " queued");
        queued.push_back(std::move(*row));
      }
  }
  return queued;
}

} // namespace parley
