#include "actors/channels/sender.hpp"

#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "net/http_client.hpp"
#include "protocol/backoff.hpp"
#include "protocol/evolution.hpp"
#include "protocol/graph_api.hpp"
#include "protocol/meta_rules.hpp"

#include <optional>

namespace parley {

namespace {

using self_ptr = sender_actor::stateful_pointer<sender_state>;

/// Records an outcome; a database outage is retried until it works, because
/// a sent row that is not recorded as sent would be sent again on restart.
template <class F>
void record(self_ptr self, F&& f) {
  for (int attempt = 0;; ++attempt) {
    try {
      self->state.db->with(f);
      return;
    } catch (const storage::pg_error& e) {
      if (attempt == 0)
        log::warn(std::string("sender cannot record an outcome, retrying: ")
                  + e.what());
      std::this_thread::sleep_for(std::chrono::milliseconds(
        std::min(5000, 100 << std::min(attempt, 6))));
    }
  }
}

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

/// One attempt at delivering a row through its channel.
send_result deliver(self_ptr self, const config& cfg, const console_sink& console,
                    const outbox_item& item, bool as_template) {
  send_result result;
  if (item.channel == "console") {
    if (console)
      console(item);
    result.kind = send_result::sent;
    return result;
  }
  auto req = channel_request(cfg, item, as_template, result.error_title);
  if (!req)
    return result; // failed: nothing to send from
  auto res = self->state.http->send(*req);
  result = item.channel == "evolution" ? evolution::classify_send(res.status, res.body)
                                       : graph::classify_send(res.status, res.body);
  if (res.status == 0) {
    result.error_title = res.error;
    // Meta may have delivered it; its status webhook will tell.
    if (res.written && item.channel == "meta")
      result.kind = send_result::in_doubt;
  }
  return result;
}

int64_t now_wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// A free-form row whose recipient has not written for 24 hours, and no
/// template to send instead: never attempted (Meta would refuse it, 131047).
void fail_outside_window(self_ptr self, const outbox_item& item) {
  log::warn("reply " + std::to_string(item.id) + " not sent: outside Meta's 24-hour window"
            " and no template to send instead");
  record(self, [&](storage::store& s) {
    s.outbox_failed(item.id, item.attempts, 0, "outside_24h_window");
  });
}

/// A row that may have gone out (in flight when parley stopped, or sent
/// without an answer): unless a status webhook has since proved that it
/// arrived, it is sent again.
bool still_unsent(self_ptr self, outbox_item& item) {
  item.in_doubt = false;
  bool unsent = true;
  record(self, [&](storage::store& s) { unsent = s.outbox_unsettled(item.id); });
  if (unsent)
    log::warn("reply " + std::to_string(item.id) + " may have been sent and no"
              " status proves it arrived: sending it again");
  else
    log::info("reply " + std::to_string(item.id) + " may have been sent; its"
              " status webhook proves it arrived: not sent again");
  return unsent;
}

/// Sends the head of a chat's queue, and the rows after it, until one has to
/// wait for a retry.
void drain(self_ptr self, const std::shared_ptr<const config>& cfg,
           const console_sink& console, const std::string& chat) {
  auto& st = self->state;
  auto& queue = st.queues[chat];
  while (!queue.empty() && st.backing_off.count(chat) == 0) {
    auto& item = queue.front();
    if (item.in_doubt && !still_unsent(self, item)) {
      st.known.erase(item.id);
      queue.pop_front();
      continue;
    }
    auto tenant = cfg->tenant_by_id(item.tenant);
    auto number = item.channel == "meta" && tenant ? tenant->phone_number_id : std::string();
    // Meta's rate per business number, across the whole pool.
    if (!number.empty()) {
      auto wait = st.pacer->reserve(number, tenant->messages_per_second);
      if (wait.count() > 0) {
        st.backing_off.insert(chat);
        self->delayed_send(self, std::chrono::duration_cast<std::chrono::milliseconds>(wait)
                                   + std::chrono::milliseconds(1),
                           atom::retry_v, chat);
        return;
      }
    }
    std::optional<int64_t> last_inbound_ms = 0;
    if (item.channel != "console")
      record(self, [&](storage::store& s) { last_inbound_ms = s.outbox_attempting(item.id); });
    if (!last_inbound_ms) {
      log::info("reply " + std::to_string(item.id) + " is no longer pending (withdrawn"
                " or settled): not sent");
      st.known.erase(item.id);
      queue.pop_front();
      continue;
    }
    // Meta: free-form text only within 24 hours of the person's last message;
    // outside it the row's template, or nothing at all.
    bool as_template = false;
    if (item.channel == "meta" && !meta::window_open(*last_inbound_ms, now_wall_ms())) {
      as_template = !item.template_name.empty();
      if (!as_template) {
        fail_outside_window(self, item);
        st.known.erase(item.id);
        queue.pop_front();
        continue;
      }
    }
    ++item.attempts;
    auto result = deliver(self, *cfg, console, item, as_template);
    auto delay_floor = std::chrono::milliseconds(0);
    if (item.channel == "meta" && result.kind != send_result::sent)
      switch (meta::rule_of(result.error_code)) {
        case meta::send_rule::window_closed:  // Meta's clock says the window is closed
          if (!as_template && !item.template_name.empty())
            result = deliver(self, *cfg, console, item, true);
          else
            result.error_title = "outside_24h_window";
          break;
        case meta::send_rule::number_throttled: {
          // The whole number waits, in every sender; this chat retries.
          auto pause = backoff_delay(item.attempts - 1, cfg->send_backoff_ms,
                                     cfg->send_backoff_max_ms, 1.0);
          if (!number.empty())
            st.pacer->hold(number, pause);
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
    auto id = item.id;
    auto attempts = item.attempts;
    switch (result.kind) {
      case send_result::sent:
        record(self, [&](storage::store& s) {
          s.outbox_sent(id, result.message_id, attempts);
        });
        break;
      case send_result::failed:
        log::warn("reply " + std::to_string(id) + " failed: "
                  + std::to_string(result.error_code) + " "
                  + result.error_title);
        record(self, [&](storage::store& s) {
          s.outbox_failed(id, attempts, result.error_code, result.error_title);
        });
        break;
      case send_result::in_doubt:
        // As after a crash: the row stays in flight and its chat waits for
        // Meta's status webhook before the row may be sent again.
        log::warn("reply " + std::to_string(id) + " got no answer after it was"
                  " sent (" + result.error_title + "); waiting "
                  + std::to_string(cfg->send_in_doubt_ms) + " ms for its status");
        item.in_doubt = true;
        st.backing_off.insert(chat);
        self->delayed_send(self, std::chrono::milliseconds(cfg->send_in_doubt_ms),
                           atom::retry_v, chat);
        return;
      case send_result::retry: {
        record(self, [&](storage::store& s) {
          s.outbox_retrying(id, attempts, result.error_title);
        });
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        auto delay = std::max<std::chrono::milliseconds>(
          delay_floor, backoff_delay(attempts - 1, cfg->send_backoff_ms,
                                     cfg->send_backoff_max_ms, unit(st.rng)));
        st.backing_off.insert(chat);
        self->delayed_send(self, delay, atom::retry_v, chat);
        return;
      }
    }
    st.known.erase(id);
    queue.pop_front();
  }
  if (queue.empty())
    st.queues.erase(chat);
}

} // namespace

sender_actor::behavior_type
sender(sender_actor::stateful_pointer<sender_state> self,
       std::shared_ptr<const config> cfg, std::string conninfo,
       sender_options opts) {
  self->state.db = std::make_unique<store_handle>(std::move(conninfo));
  self->state.http = std::make_shared<net::http_client>();
  self->state.pacer = opts.pacer ? opts.pacer : std::make_shared<number_pacer>();
  auto console = opts.console;
  auto enqueue = [=](outbox_item&& item) {
    auto chat = item.tenant + "/" + item.chat;
    auto& st = self->state;
    // A row in flight at a crash gives Meta's status webhook time to settle
    // it; the chat waits with it, so replies keep their order.
    bool hold = item.in_doubt && item.channel == "meta";
    st.queues[chat].push_back(std::move(item));
    if (hold) {
      if (st.backing_off.insert(chat).second)
        self->delayed_send(self, std::chrono::milliseconds(cfg->send_in_doubt_ms),
                           atom::retry_v, chat);
      return;
    }
    drain(self, cfg, console, chat);
  };
  if (opts.recover)
    self->send(self, atom::recover_v);
  return {
    [=](atom::send, outbox_item& item) {
      auto& st = self->state;
      if (st.recovered.count(item.id) || !st.known.insert(item.id).second)
        return; // already queued or reloaded: each row is sent once
      enqueue(std::move(item));
    },
    [=](atom::recover) {
      std::vector<outbox_item> rows;
      try {
        rows = self->state.db->with(
          [&](storage::store& s) { return s.pending_outbox(opts.channels); });
      } catch (const storage::pg_error& e) {
        log::warn(std::string("sender cannot reload unsent replies yet: ")
                  + e.what());
        self->delayed_send(self, std::chrono::seconds(1), atom::recover_v);
        return;
      }
      for (auto& row : rows) {
        auto& st = self->state;
        if (shard_of(row.chat, opts.shards) != opts.shard
            || st.known.count(row.id))
          continue;
        st.recovered.insert(row.id);
        st.known.insert(row.id);
        enqueue(std::move(row));
      }
    },
    [=](atom::retry, const std::string& chat) {
      self->state.backing_off.erase(chat);
      drain(self, cfg, console, chat);
    },
    [=](atom::mark_read, const std::string& tenant_id,
        const std::string& message_id) {
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
      auto res = self->state.http->send(req);
      if (res.status != 200)
        log::warn("marking a message read failed: "
                  + (res.status ? "HTTP " + std::to_string(res.status)
                                : res.error));
    },
  };
}

} // namespace parley
