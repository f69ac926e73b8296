#include "actors/business/booking_desk.hpp"

#include "actors/business/booking_calendar.hpp"
#include "actors/business/front_door.hpp"
#include "actors/business/held_bookings.hpp"
#include "actors/business/reminders.hpp"
#include "actors/connectors/connector.hpp"
#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "protocol/availability.hpp"
#include "protocol/booking.hpp"
#include "protocol/json_fields.hpp"
#include "protocol/policy.hpp"
#include "protocol/staff_reply.hpp"
#include "protocol/time_zone.hpp"

#include <nlohmann/json.hpp>

namespace parley {

namespace {

using nlohmann::json;

constexpr int max_find_days = 14;
constexpr int64_t day_ms = 86400000;
/// How often the desk looks for reminders that have become due.
constexpr std::chrono::seconds reminder_round{60};

/// The business's own calendar could not be read: no slot can be promised.
struct calendar_unreadable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// One tool call, answered as JSON for the model.
class desk_call {
public:
  /// `cal`: the business's own calendar (google, caldav), or null (parley's).
  desk_call(const tenant_config& t, const booking_call& call, storage::store& db,
            booking_calendar* cal)
    : t_(t), b_(t.business), call_(call), db_(db), cal_(cal), now_(wall_ms()),
      args_(json::parse(call.arguments.empty() ? "{}" : call.arguments, nullptr, false)) {}

  json answer() {
    try {
      return dispatch();
    } catch (const calendar_unreadable& e) {
      log::warn("booking desk: " + t_.id + ": " + e.what());
      return error("the calendar of " + b_.name + " cannot be read right now; nothing was "
                   "booked or changed; try again in a moment");
    }
  }

  json dispatch() {
    if (!args_.is_object())
      return error("the arguments are not a JSON object");
    auto& tool = call_.tool;
    if (tool == "list_services")
      return services();
    if (tool == "find_slots")
      return find();
    if (tool == "book")
      return book();
    if (tool == "my_appointments")
      return appointments();
    if (tool == "reschedule")
      return move();
    if (tool == "cancel")
      return cancel();
    if (tool == "list_all" && call_.api)
      return listed();
    return error("there is no booking tool named '" + tool + "'");
  }

  /// Messages the call wrote (the owner's approval prompt), for the senders.
  const std::vector<outbox_item>& queued() const { return queued_; }

private:
  static json error(const std::string& what) { return {{"error", what}}; }

  json refused(const std::string& code, const service_offer* s, int64_t near_ms) {
    json out{{"refused", code}, {"reason", refusal_sentence(code, "en")}};
    if (s && near_ms > 0) {
      auto from = tz::local_date(t_.timezone, std::max(near_ms, now_));
      out["free"] = stamps(free_slots(b_, t_.timezone, now_, *s, from, tz::add_days(from, 6),
                                      taken_around(from, tz::add_days(from, 7), 0), 5));
    }
    return out;
  }

  std::string text(const char* key) const { return string_field(args_, key); }

  int64_t id_arg() const {
    auto i = args_.find("booking_id");
    if (i == args_.end())
      return 0;
    if (i->is_number_integer())
      return i->get<int64_t>();
    if (i->is_string())
      try {
        return std::stoll(i->get<std::string>());
      } catch (const std::exception&) {
      }
    return 0;
  }

  const service_offer* service_arg(json& problem) const {
    auto name = text("service");
    auto* s = b_.service(name);
    if (!s) {
      json names = json::array();
      for (auto& o : b_.services)
        names.push_back(o.name);
      problem = {{"error", "there is no service '" + name + "'"}, {"services", names}};
    }
    return s;
  }

  json stamps(const std::vector<int64_t>& starts) const {
    json out = json::array();
    for (auto s : starts)
      out.push_back(local_stamp(s, t_.timezone));
    return out;
  }

  /// The places held between two local dates, leaving booking `except`
  /// out: parley's bookings, and the busy time in the business's own calendar.
  std::vector<booked_span> taken_around(const std::string& from, const std::string& to,
                                        int64_t except) {
    // A day either side: a long service can reach across midnight.
    auto since = tz::instant_of(t_.timezone, from, "00:00") - day_ms;
    auto until = tz::instant_of(t_.timezone, to, "00:00") + 2 * day_ms;
    auto rows = db_.bookings(t_.id, "", since, until, "");
    std::vector<booked_span> out;
    for (auto& r : rows)
      if (r.id != except)
        out.push_back({r.start_ms, r.end_ms});
    if (cal_) {
      std::string problem;
      auto busy = cal_->busy(since, until, problem);
      if (!problem.empty())
        throw calendar_unreadable(problem);
      out.insert(out.end(), busy.begin(), busy.end());
    }
    return out;
  }

  std::string who() const { return call_.staff ? std::string() : call_.customer; }

  json shown(const booking_record& r) const {
    return call_.api ? booking_api_json(r) : booking_json(r, t_.timezone, t_.language);
  }

  json services() const {
    json out = json::array();
    for (auto& s : b_.services)
      out.push_back({{"name", s.name}, {"minutes", s.minutes}, {"price", s.price}});
    return {{"services", out}};
  }

  json find() {
    json problem;
    auto* s = service_arg(problem);
    if (!s)
      return problem;
    auto today = tz::local_date(t_.timezone, now_);
    auto from = text("from_date").empty() ? today : text("from_date");
    auto to = text("to_date").empty() ? tz::add_days(from, 6) : text("to_date");
    if (!tz::is_date(from) || !tz::is_date(to))
      return error("from_date and to_date must be YYYY-MM-DD");
    if (from < today)
      from = today;
    if (to > tz::add_days(from, max_find_days - 1))
      to = tz::add_days(from, max_find_days - 1);
    auto free = free_slots(b_, t_.timezone, now_, *s, from, to, taken_around(from, to, 0));
    return {{"service", s->name}, {"minutes", s->minutes}, {"from_date", from}, {"to_date", to},
            {"free", stamps(free)}};
  }

  json book() {
    json problem;
    auto* s = service_arg(problem);
    if (!s)
      return problem;
    int64_t start = 0;
    if (!parse_local_stamp(text("start"), t_.timezone, start))
      return error("start must be local 'YYYY-MM-DD HH:MM'");
    // A repeat within 5 minutes is the first booking, whatever the slot says now.
    if (auto first = db_.recent_booking(t_.id, call_.customer, s->name))
      return repeat(*first);
    auto date = tz::local_date(t_.timezone, start);
    auto code = check_slot(b_, t_.timezone, now_, *s, start, taken_around(date, date, 0));
    if (!code.empty())
      return refused(code, s, start);
    booking_record w;
    w.tenant = t_.id;
    w.service = s->name;
    w.customer = call_.customer;
    auto name = text("name");
    w.customer_name = (name.empty() ? call_.customer_name : name).substr(0, 80);
    w.start_ms = start;
    w.end_ms = start + int64_t{s->minutes} * 60000;
    w.price = s->price;
    w.status = "confirmed";
    // approve_bookings: held (its place taken) until the owner decides.
    storage::booking_hold hold{t_.owner, t_.channel, t_.language, t_.timezone, t_.approval_ttl_s};
    auto done = db_.book(w, b_.max_concurrent, b_.approve_bookings ? &hold : nullptr);
    if (!done.code.empty())
      return refused(done.code, s, start);
    if (done.repeat)
      return repeat(done.booking);
    log::info("booking " + t_.id + "/" + std::to_string(done.booking.id) + ": "
              + (done.prompt ? "held for approval: " : "booked ") + s->name + " for "
              + log::who(call_.customer));
    if (done.prompt) {
      queued_.push_back(*done.prompt);
      return {{"booked", shown(done.booking)},
              {"note", "held: " + b_.name + " confirms it first; the customer gets a message "
                       "as soon as it is decided. Tell the customer it is not confirmed yet."}};
    }
    return {{"booked", shown(done.booking)}};
  }

  json repeat(const booking_record& first) const {
    return {{"booked", shown(first)},
            {"note", "the customer booked this service minutes ago; this is that booking, "
                     "not a new one"}};
  }

  json appointments() {
    auto rows = db_.bookings(t_.id, who(), now_, now_ + int64_t{b_.horizon_days + 1} * day_ms, "");
    json out = json::array();
    for (auto& r : rows)
      out.push_back(shown(r));
    return {{"appointments", out}};
  }

  /// GET /api/bookings: every booking between two local dates.
  json listed() {
    auto from = text("from").empty() ? tz::local_date(t_.timezone, now_) : text("from");
    auto to = text("to").empty() ? tz::add_days(from, 30) : text("to");
    auto status = text("status");
    if (!tz::is_date(from) || !tz::is_date(to))
      return error("from and to must be dates (YYYY-MM-DD)");
    if (!status.empty() && status != "confirmed" && status != "pending" && status != "cancelled")
      return error("status must be confirmed, pending or cancelled");
    auto rows = db_.bookings(t_.id, "", tz::instant_of(t_.timezone, from, "00:00"),
                             tz::instant_of(t_.timezone, tz::add_days(to, 1), "00:00"), status);
    json out = json::array();
    for (auto& r : rows)
      out.push_back(booking_api_json(r));
    return {{"bookings", out}};
  }

  json move() {
    auto id = id_arg();
    int64_t start = 0;
    if (id <= 0 || !parse_local_stamp(text("start"), t_.timezone, start))
      return error("give booking_id and start as local 'YYYY-MM-DD HH:MM'");
    auto current = db_.booking(id);
    if (!current || current->tenant != t_.id || current->status == "cancelled"
        || (!call_.staff && current->customer != call_.customer))
      return refused("not_found", nullptr, 0);
    auto* s = b_.service(current->service);
    service_offer fallback{current->service, static_cast<int>((current->end_ms - current->start_ms) / 60000), ""};
    if (!s)
      s = &fallback;
    auto date = tz::local_date(t_.timezone, start);
    auto code = check_slot(b_, t_.timezone, now_, *s, start, taken_around(date, date, id));
    if (!code.empty())
      return refused(code, s == &fallback ? nullptr : s, start);
    auto done = db_.reschedule(t_.id, id, who(), start, start + int64_t{s->minutes} * 60000,
                               b_.max_concurrent);
    if (!done.code.empty())
      return refused(done.code, s == &fallback ? nullptr : s, start);
    return {{"moved", shown(done.booking)}};
  }

  json cancel() {
    auto id = id_arg();
    if (id <= 0)
      return error("give booking_id");
    auto done = db_.cancel_booking(t_.id, id, who());
    if (!done.code.empty())
      return refused(done.code, nullptr, 0);
    return {{"cancelled", shown(done.booking)}};
  }

  const tenant_config& t_;
  const business_config& b_;
  const booking_call& call_;
  storage::store& db_;
  booking_calendar* cal_;
  int64_t now_;
  json args_;
  std::vector<outbox_item> queued_;
};

/// The business's own calendar (google, caldav), kept while its settings
/// stay the same; null for parley's own.
booking_calendar* calendar_of(booking_desk_state& st, const config& cfg,
                              const tenant_config& t) {
  if (!t.business.calendar.external()) {
    st.calendars.erase(t.id);
    return nullptr;
  }
  auto& cal = st.calendars[t.id];
  if (!cal || !cal->serves(t))
    cal = std::make_unique<booking_calendar>(cfg, t, st.google);
  return cal.get();
}

/// Writes each booking that changed since its calendar last saw it, as it
/// stands now; a calendar that fails is tried again on the next pass.
void mirror_bookings(booking_desk_state& st, const config& cfg) {
  constexpr int per_pass = 50;
  for (auto& tenant : cfg.tenants->all()) {
    auto& t = *tenant;
    if (!t.business.enabled || !t.business.calendar.external())
      continue;
    auto* cal = calendar_of(st, cfg, t);
    try {
      auto due = st.db->with([&](storage::store& s) {
        return s.unmirrored_bookings(t.id, wall_ms(), per_pass);
      });
      for (auto& [b, version] : due) {
        auto w = cal->write(b);
        if (!w.done) {
          log::warn("booking " + t.id + "/" + std::to_string(b.id)
                    + " not yet in its calendar: " + w.detail);
          break;
        }
        st.db->with([&](storage::store& s) {
          s.booking_mirrored(b.id, version);
          return true;
        });
        log::info("booking " + t.id + "/" + std::to_string(b.id) + " " + w.detail);
      }
    } catch (const storage::pg_error& e) {
      log::warn(std::string("booking desk: calendars not written: ") + e.what());
      return;
    }
  }
}

} // namespace

booking_desk_actor::behavior_type
booking_desk(booking_desk_actor::stateful_pointer<booking_desk_state> self,
             std::shared_ptr<const config> cfg, std::string conninfo,
             std::vector<sender_actor> senders, google_access google) {
  self->state.db = std::make_unique<store_handle>(conninfo);
  self->state.senders = std::move(senders);
  self->state.google = std::move(google);
  // Notices are committed before they are handed to a sender.
  auto dispatch = [=](const std::vector<outbox_item>& notices) {
    auto& out = self->state.senders;
    for (auto& n : notices)
      if (!out.empty())
        self->send(out[shard_of(n.chat, out.size())], atom::send_v, n);
  };
  // Reminders that have become due and held bookings nobody decided in
  // time; a database outage waits for the next round.
  auto remind = [=] {
    try {
      dispatch(self->state.db->with(
        [&](storage::store& s) { return queue_due_reminders(s, *cfg); }));
      dispatch(self->state.db->with(
        [&](storage::store& s) { return release_lapsed_holds(s, *cfg); }));
    } catch (const storage::pg_error& e) {
      log::warn(std::string("booking desk: reminders not checked: ") + e.what());
    }
  };
  self->send(self, atom::tick_v);
  return {
    [=](atom::tick) {
      remind();
      mirror_bookings(self->state, *cfg);
      self->delayed_send(self, reminder_round, atom::tick_v);
    },
    [=](atom::mirror) { mirror_bookings(self->state, *cfg); },
    [=](atom::run, booking_call call) -> std::string {
      // DELETE /api/bookings/{id} names no tenant: the booking's own.
      if (call.api && call.tenant.empty()) {
        auto id = json::parse(call.arguments, nullptr, false).value("booking_id", int64_t{0});
        try {
          auto row = self->state.db->with([&](storage::store& s) { return s.booking(id); });
          call.tenant = row ? row->tenant : "";
        } catch (const storage::pg_error&) {
        }
        if (call.tenant.empty())
          return json{{"refused", "not_found"}, {"reason", refusal_sentence("not_found", "en")}}.dump();
      }
      auto t = cfg->tenant_by_id(call.tenant);
      if (!t || !t->business.enabled)
        return json{{"error", "this tenant takes no bookings"}}.dump();
      try {
        std::vector<outbox_item> queued;
        auto* cal = calendar_of(self->state, *cfg, *t);
        auto answer = self->state.db->with([&](storage::store& s) {
          desk_call desk(*t, call, s, cal);
          auto out = desk.answer().dump(-1, ' ', false, json::error_handler_t::replace);
          queued = desk.queued();
          return out;
        });
        dispatch(queued);
        // Also a pass after every booking or move, between the rounds.
        if (call.tool == "book" || call.tool == "reschedule")
          remind();
        // The calendar is written after the answer has gone (a message to
        // self comes after this one): the customer does not wait for it.
        if (cal && (call.tool == "book" || call.tool == "reschedule" || call.tool == "cancel"))
          self->send(self, atom::mirror_v);
        return answer;
      } catch (const storage::pg_error& e) {
        log::warn(std::string("booking desk: storage failed: ") + e.what());
        return json{{"error", "the bookings cannot be reached right now; try again in a moment"}}.dump();
      }
    },
    [=](atom::check, const inbound_message& m) -> caf::result<std::string, std::string, std::string> {
      auto t = cfg->tenant_by_id(m.tenant);
      if (!t || !t->business.enabled)
        return caf::result<std::string, std::string, std::string>("", "", "");
      std::vector<outbox_item> notices;
      try {
        auto v = self->state.db->with([&](storage::store& s) { return front_door(s, *t, m, notices); });
        dispatch(notices);
        return caf::result<std::string, std::string, std::string>(v.path, v.reply, v.reason);
      } catch (const storage::pg_error& e) {
        // Unknown whether the chat is handed over: silence would be safer
        // for the human, but a lost customer is worse; the session retries.
        log::warn(std::string("booking desk: front door failed: ") + e.what());
        return make_error(errc::storage_unavailable, e.what());
      }
    },
    [=](atom::pause, const std::string& tenant, const std::string& chat,
        const std::string& customer, const std::string& name,
        const std::string& reason) -> caf::result<std::string> {
      auto t = cfg->tenant_by_id(tenant);
      if (!t || !t->business.enabled)
        return std::string("error: this tenant has no business block");
      std::vector<outbox_item> notices;
      try {
        auto reply = self->state.db->with([&](storage::store& s) {
          return hand_over(s, *t, chat, customer, name, reason, notices);
        });
        dispatch(notices);
        return reply;
      } catch (const storage::pg_error& e) {
        return make_error(errc::storage_unavailable, e.what());
      }
    },
    [=](atom::reply, const inbound_message& m) -> caf::result<std::string> {
      auto t = cfg->tenant_by_id(m.tenant);
      auto reply = staff_reply_of(m.text);
      // The gate's who-may rule: staff, the owner and approvers only.
      if (!t || !reply || !is_staff(*t, m.sender))
        return std::string();
      try {
        auto q = self->state.db->with([&](storage::store& s) {
          return s.queue_staff_reply(t->id, m.event_id, m.sender, t->channel, *reply);
        });
        if (q.row)
          dispatch({*q.row});
        return staff_reply_words(q.outcome, reply->number, t->language);
      } catch (const storage::pg_error& e) {
        return make_error(errc::storage_unavailable, e.what());
      }
    },
    [=](atom::resume, const std::string& tenant, const std::string& chat) -> caf::result<bool> {
      try {
        return self->state.db->with([&](storage::store& s) { return s.resume_chat(tenant, chat); });
      } catch (const storage::pg_error& e) {
        return make_error(errc::storage_unavailable, e.what());
      }
    },
    [=](atom::touch, const std::string& tenant, const std::string& number,
        const std::string& name) {
      try {
        self->state.db->with([&](storage::store& s) {
          s.touch_customer(tenant, number, name.substr(0, 80));
          return true;
        });
      } catch (const storage::pg_error& e) {
        log::warn(std::string("booking desk: customer record not updated: ") + e.what());
      }
    },
  };
}

} // namespace parley
