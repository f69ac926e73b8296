#include "actors/channels/sender.hpp"

#include "actors/channels/outbox_keeper.hpp"
#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "protocol/backoff.hpp"
#include "protocol/evolution.hpp"
#include "protocol/graph_api.hpp"
#include "protocol/meta_rules.hpp"

#include <optional>

namespace parley {

namespace {

using self_ptr = sender_actor::stateful_pointer<sender_state>;

/// The HTTP request that sends a row through its channel (Meta's Graph API
/// or Evolution's sendText); empty with `why` set when the tenant cannot send.
std::optional<net::client_request> channel_request(const config& cfg,
                                                   const outbox_item& item, bool as_template,
                                                   std::string& why) {
  auto tenant = cfg.tenant_by_id(item.tenant);
  net::client_request req;
  req.timeout = std::chrono::milliseconds(cfg.send_timeout_ms);
  if (item.channel == "evolution") {
    if (!tenant || tenant->instance.empty() || !cfg.evolution.enabled()) {
      why = "tenant '" + item.tenant + "' has no Evolution instance to send from";
      return std::nullopt;
    }
    req.url = evolution::send_text_url(cfg.evolution.base_url, tenant->instance);
    req.body = evolution::send_text_body(
      item.recipient, item.body, item.quoted_id, item.quoted_text,
      item.mention.empty() ? std::vector<std::string>{}
                           : std::vector<std::string>{item.mention});
    req.headers.emplace_back("apikey", cfg.evolution.api_key);
    return req;
  }
  if (!tenant || tenant->phone_number_id.empty()) {
    why = "tenant '" + item.tenant + "' has no phone_number_id to send from";
    return std::nullopt;
  }
  req.url = graph::messages_url(cfg.meta.graph_url, cfg.meta.api_version,
                                tenant->phone_number_id);
  auto callback = graph::outbox_callback(item.id);
  if (as_template)
    req.body = graph::template_message(item.recipient, item.template_name,
                                       item.template_language, callback,
                                       item.template_params);
  else if (item.approval_id > 0 && graph::fits_buttons(item.body))
    req.body = graph::approval_buttons(item.recipient, item.body, item.approval_id,
                                       tenant->language, callback);
  else
    req.body = graph::text_message(item.recipient, item.body, callback);
  req.headers.emplace_back("Authorization", "Bearer " + tenant->access_token);
  return req;
}

/// What an HTTP answer means for a row of `channel`.
send_result classify(const std::string& channel, const net::client_response& res) {
  auto result = channel == "evolution" ? evolution::classify_send(res.status, res.body)
                                       : graph::classify_send(res.status, res.body);
  if (res.status == 0) {
    result.error_title = res.error;
    // Meta may have delivered it; its status webhook will tell.
    if (res.written && channel == "meta")
      result.kind = send_result::in_doubt;
  }
  return result;
}

int64_t now_wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// Everything the handlers share.
struct sender_core {
  self_ptr self;
  std::shared_ptr<const config> cfg;
  console_sink console;

  sender_state& st() const { return self->state; }

  void record(outbox_outcome o) { st().outcomes.push_back(std::move(o)); }

  /// Sends the keeper what is ready: the outcomes so far and the rows to
  /// mark in flight. One step at a time; what arrives meanwhile goes with
  /// the next one (group commit).
  void step() {
    auto& s = st();
    if (s.stepping || (s.outcomes.empty() && s.to_claim.empty()))
      return;
    s.stepping = true;
    auto outcomes = std::move(s.outcomes);
    auto claims = std::move(s.to_claim);
    s.outcomes.clear();
    s.to_claim.clear();
    auto core = *this;
    self->request(s.keeper, caf::infinite, atom::send_v, outcomes, claims)
      .then(
        [core, claims](std::vector<outbox_claim>& claimed) mutable {
          core.st().stepping = false;
          core.st().failed_steps = 0;
          core.claimed(claims, claimed);
          core.step();
        },
        [core, outcomes, claims](caf::error& err) mutable {
          // The database is down: the same step again after a back-off,
          // ahead of what has gathered since. Nothing is sent meanwhile.
          auto& s = core.st();
          s.stepping = false;
          if (s.failed_steps++ == 0)
            log::warn("sender cannot reach the database, retrying: " + describe(err));
          outcomes.insert(outcomes.end(), s.outcomes.begin(), s.outcomes.end());
          claims.insert(claims.end(), s.to_claim.begin(), s.to_claim.end());
          s.outcomes = std::move(outcomes);
          s.to_claim = std::move(claims);
          core.self->delayed_send(core.self,
                                  std::chrono::milliseconds(std::min(
                                    5000, 100 << std::min(s.failed_steps - 1, 6))),
                                  atom::retry_v);
        });
  }

  /// The keeper marked `claimed` of `asked` in flight: those go out; the
  /// others are no longer pending and are dropped.
  void claimed(const std::vector<int64_t>& asked,
               const std::vector<outbox_claim>& claimed) {
    std::map<int64_t, int64_t> last_inbound;
    for (auto& c : claimed)
      last_inbound[c.id] = c.last_inbound_ms;
    for (auto id : asked) {
      auto f = st().flights.find(id);
      if (f == st().flights.end())
        continue;
      auto chat = f->second.chat;
      auto& item = st().queues[chat].front();
      auto go = last_inbound.find(id);
      if (go == last_inbound.end()) {
        if (item.in_doubt)
          log::info("reply " + std::to_string(id) + " may have been sent; its"
                    " status webhook proves it arrived: not sent again");
        else
          log::info("reply " + std::to_string(id) + " is no longer pending (withdrawn"
                    " or settled): not sent");
        done_with_head(chat);
        continue;
      }
      if (item.in_doubt) {
        log::warn("reply " + std::to_string(id) + " may have been sent and no"
                  " status proves it arrived: sending it again");
        item.in_doubt = false;
      }
      // Meta: free-form text only within 24 hours of the person's last
      // message; outside it the row's template, or nothing at all.
      if (item.channel == "meta" && !meta::window_open(go->second, now_wall_ms())) {
        if (item.template_name.empty()) {
          log::warn("reply " + std::to_string(id) + " not sent: outside Meta's 24-hour"
                    " window and no template to send instead");
          record({id, "failed", item.attempts, "", 0, "outside_24h_window"});
          done_with_head(chat);
          continue;
        }
        f->second.as_template = true;
      }
      ++item.attempts;
      deliver(item, f->second.as_template);
    }
  }

  /// One attempt at delivering the head row through its channel; the answer
  /// comes back as a message.
  void deliver(const outbox_item& item, bool as_template) {
    send_result cannot;
    auto req = channel_request(*cfg, item, as_template, cannot.error_title);
    if (!req)
      return answered(item.id, cannot);
    sender_actor me = caf::actor_cast<sender_actor>(self);
    auto latency = st().send_latency;
    auto started = steady_us();
    st().transport(std::move(*req), [me, id = item.id, latency, started](net::client_response res) {
      if (latency)
        latency->observe_us(steady_us() - started);
      caf::anon_send(me, atom::send_v, id, std::move(res));
    });
  }

  /// What an attempt came to: recorded, retried, or waited on.
  void answered(int64_t id, send_result result) {
    auto f = st().flights.find(id);
    if (f == st().flights.end())
      return;
    auto& fl = f->second;
    auto chat = fl.chat;
    auto& item = st().queues[chat].front();
    auto tenant = cfg->tenant_by_id(item.tenant);
    auto number = item.channel == "meta" && tenant ? tenant->phone_number_id : std::string();
    auto delay_floor = std::chrono::milliseconds(0);
    if (item.channel == "meta" && result.kind != send_result::sent)
      switch (meta::rule_of(result.error_code)) {
        case meta::send_rule::window_closed:  // Meta's clock says the window is closed
          if (!fl.as_template && !item.template_name.empty()) {
            fl.as_template = true;
            return deliver(item, true);
          }
          result.error_title = "outside_24h_window";
          break;
        case meta::send_rule::number_throttled: {
          // The whole number waits, in every sender; this chat retries.
          auto pause = backoff_delay(item.attempts - 1, cfg->send_backoff_ms,
                                     cfg->send_backoff_max_ms, 1.0);
          if (!number.empty())
            st().pacer->hold(number, pause);
          result.kind = send_result::retry;
          break;
        }
        case meta::send_rule::pair_paced:
          result.kind = send_result::retry;
          delay_floor = std::chrono::milliseconds(meta::pair_pace_ms);
          break;
        case meta::send_rule::none:
          break;
      }
    if ((result.kind == send_result::retry || result.kind == send_result::in_doubt)
        && item.attempts >= cfg->send_max_attempts) {
      result.kind = send_result::failed;
      result.error_title = "gave up after " + std::to_string(item.attempts)
                           + " attempts: " + result.error_title;
    }
    switch (result.kind) {
      case send_result::sent:
        record({id, "sent", item.attempts, result.message_id, 0, ""});
        done_with_head(chat);
        break;
      case send_result::failed:
        log::warn("reply " + std::to_string(id) + " failed: "
                  + std::to_string(result.error_code) + " " + result.error_title);
        record({id, "failed", item.attempts, "", result.error_code, result.error_title});
        done_with_head(chat);
        break;
      case send_result::in_doubt:
        // As after a crash: the row stays in flight and its chat waits for
        // Meta's status webhook before the row may be sent again.
        log::warn("reply " + std::to_string(id) + " got no answer after it was"
                  " sent (" + result.error_title + "); waiting "
                  + std::to_string(cfg->send_in_doubt_ms) + " ms for its status");
        item.in_doubt = true;
        wait_then_retry(chat, std::chrono::milliseconds(cfg->send_in_doubt_ms));
        break;
      case send_result::retry: {
        record({id, "retrying", item.attempts, "", 0, result.error_title});
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        wait_then_retry(chat, std::max<std::chrono::milliseconds>(
                                delay_floor,
                                backoff_delay(item.attempts - 1, cfg->send_backoff_ms,
                                              cfg->send_backoff_max_ms, unit(st().rng))));
        break;
      }
    }
    step();
  }

  /// The head row is settled (or dropped): the next one may go.
  void done_with_head(const std::string& chat) {
    auto& queue = st().queues[chat];
    st().flights.erase(queue.front().id);
    st().known.erase(queue.front().id);
    queue.pop_front();
    drain(chat);
  }

  void wait_then_retry(const std::string& chat, std::chrono::milliseconds delay) {
    st().flights.erase(st().queues[chat].front().id);
    st().backing_off.insert(chat);
    self->delayed_send(self, delay, atom::retry_v, chat);
  }

  /// Lines `chat` up for `number`'s next send slot (at the front when it
  /// was woken for this slot and missed it).
  void wait_for_slot(const std::string& number, const std::string& chat,
                     std::chrono::microseconds wait, bool front) {
    auto& s = st();
    s.backing_off.insert(chat);
    auto& line = s.paced[number];
    if (front)
      line.push_front(chat);
    else
      line.push_back(chat);
    if (s.slot_timers.insert(number).second)
      self->delayed_send(self,
                         std::chrono::duration_cast<std::chrono::milliseconds>(wait)
                           + std::chrono::milliseconds(1),
                         atom::tick_v, number);
  }

  /// `number`'s slot is due: its waiting chats go in turn until one has to
  /// wait again (which sets the next timer).
  void slot_due(const std::string& number) {
    auto& s = st();
    s.slot_timers.erase(number);
    auto line = s.paced.find(number);
    while (line != s.paced.end() && !line->second.empty()
           && s.slot_timers.count(number) == 0) {
      auto chat = std::move(line->second.front());
      line->second.pop_front();
      s.backing_off.erase(chat);
      drain(chat, true);
      line = s.paced.find(number);
    }
    if (line != s.paced.end() && line->second.empty())
      s.paced.erase(line);
  }

  /// Puts the chat's head row on its way, unless it is already, or the chat
  /// waits for a retry or its number's send slot (`woken`: this is its
  /// turn in the line). Console rows are printed at once.
  void drain(const std::string& chat, bool woken = false) {
    auto& s = st();
    auto q = s.queues.find(chat);
    bool printed = false;
    while (q != s.queues.end() && !q->second.empty() && s.backing_off.count(chat) == 0) {
      auto& item = q->second.front();
      if (s.flights.count(item.id))
        return;
      if (item.channel == "console") {
        if (console)
          console(item);
        record({item.id, "sent", item.attempts + 1, "", 0, ""});
        s.known.erase(item.id);
        q->second.pop_front();
        printed = true;
        continue;
      }
      auto tenant = cfg->tenant_by_id(item.tenant);
      if (item.channel == "meta" && tenant && !tenant->phone_number_id.empty()) {
        // Meta's rate per business number, across the whole pool. Behind
        // chats already waiting for the number, a chat waits its turn.
        auto& number = tenant->phone_number_id;
        if (!woken && s.paced.count(number))
          return wait_for_slot(number, chat, {}, false);
        auto wait = s.pacer->reserve(number, tenant->messages_per_second);
        if (wait.count() > 0)
          return wait_for_slot(number, chat, wait, woken);
      }
      s.flights[item.id] = flight{chat, false};
      s.to_claim.push_back(item.id);
      step();
      return;
    }
    if (q != s.queues.end() && q->second.empty())
      s.queues.erase(q);
    if (printed)
      step();
  }

  void enqueue(outbox_item&& item) {
    auto chat = item.tenant + "/" + item.chat;
    auto& s = st();
    // A row in flight at a crash gives Meta's status webhook time to settle
    // it; the chat waits with it, so replies keep their order.
    bool hold = item.in_doubt && item.channel == "meta";
    s.queues[chat].push_back(std::move(item));
    if (hold) {
      if (s.backing_off.insert(chat).second)
        self->delayed_send(self, std::chrono::milliseconds(cfg->send_in_doubt_ms),
                           atom::retry_v, chat);
      return;
    }
    drain(chat);
  }
};

} // namespace

sender_actor::behavior_type
sender(sender_actor::stateful_pointer<sender_state> self,
       std::shared_ptr<const config> cfg, std::string conninfo,
       sender_options opts) {
  auto& st = self->state;
  st.keeper = opts.keeper ? opts.keeper
                          : self->spawn<caf::linked>(outbox_keeper, std::move(conninfo),
                                                     opts.storage_loop);
  st.transport = opts.transport;
  st.pacer = opts.pacer ? opts.pacer : std::make_shared<number_pacer>();
  st.send_latency = opts.send_latency;
  sender_core core{self, cfg, opts.console};
  if (opts.recover)
    self->send(self, atom::recover_v);
  return {
    [=](atom::send, outbox_item& item) mutable {
      auto& s = self->state;
      if (s.recovered.count(item.id) || !s.known.insert(item.id).second)
        return; // already queued or reloaded: each row is sent once
      core.enqueue(std::move(item));
    },
    [=](atom::send, int64_t id, net::client_response& res) mutable {
      auto f = self->state.flights.find(id);
      if (f == self->state.flights.end())
        return;
      auto& item = self->state.queues[f->second.chat].front();
      core.answered(id, classify(item.channel, res));
    },
    [=](atom::recover) mutable {
      self->request(self->state.keeper, caf::infinite, atom::pending_v, opts.channels)
        .then(
          [=](std::vector<outbox_item>& rows) mutable {
            for (auto& row : rows) {
              auto& s = self->state;
              if (shard_of(row.chat, opts.shards) != opts.shard || s.known.count(row.id))
                continue;
              s.recovered.insert(row.id);
              s.known.insert(row.id);
              core.enqueue(std::move(row));
            }
          },
          [=](caf::error& err) {
            log::warn("sender cannot reload unsent replies yet: " + describe(err));
            self->delayed_send(self, std::chrono::seconds(1), atom::recover_v);
          });
    },
    [=](atom::retry, const std::string& chat) mutable {
      self->state.backing_off.erase(chat);
      core.drain(chat);
    },
    [=](atom::retry) mutable { core.step(); },
    [=](atom::tick, const std::string& number) mutable { core.slot_due(number); },
    [=](atom::mark_read, const std::string& tenant_id, const std::string& message_id) {
      auto tenant = cfg->tenant_by_id(tenant_id);
      if (!tenant || tenant->phone_number_id.empty() || message_id.empty())
        return;
      net::client_request req;
      req.url = graph::messages_url(cfg->meta.graph_url, cfg->meta.api_version,
                                    tenant->phone_number_id);
      req.body = graph::mark_read_typing(message_id);
      req.timeout = std::chrono::milliseconds(2000);
      req.repeatable = true;  // marking a message read twice is harmless
      req.headers.emplace_back("Authorization", "Bearer " + tenant->access_token);
      self->state.transport(std::move(req), [](net::client_response res) {
        if (res.status != 200)
          log::warn("marking a message read failed: "
                    + (res.status ? "HTTP " + std::to_string(res.status) : res.error));
      });
    },
  };
}

} // namespace parley
