#include "actors/conversation/router.hpp"

#include "actors/errors.hpp"
#include "actors/log.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include <algorithm>

namespace parley {

namespace {

using self_ptr = router_actor::stateful_pointer<router_state>;
using key_type = router_state::key_type;

struct wiring {
  std::shared_ptr<const config> cfg;
  std::shared_ptr<const session_deps> deps;
};

/// Asks a session to finish what it has and quit; messages for it wait
/// here until it is gone, so that two sessions never overlap.
void passivate(self_ptr self, const key_type& key) {
  auto& st = self->state;
  auto i = st.sessions.find(key);
  if (i == st.sessions.end())
    return;
  self->send(i->second.handle, atom::stop_v);
  st.leaving.emplace(key, router_state::leaving_session{i->second.handle,
                                                         i->second.in_hand, {}});
  st.recent.erase(i->second.place);
  st.sessions.erase(i);
}

/// Hands a message already counted in `in_hand` to its session, spawning
/// the session if needed.
void deliver(self_ptr self, const wiring& w, inbound_message m) {
  auto key = std::make_pair(m.tenant, m.chat);
  auto& st = self->state;
  if (auto l = st.leaving.find(key); l != st.leaving.end()) {
    l->second.arrived.push_back(std::move(m));
    return;
  }
  auto i = st.sessions.find(key);
  if (i == st.sessions.end()) {
    auto tenant = w.cfg->tenant_by_id(m.tenant);
    if (!tenant) {
      log::warn("message for unknown tenant '" + m.tenant + "' dropped");
      --st.in_hand;
      return;
    }
    // Room first: the least recently used session goes (it finishes its
    // queue before it quits).
    while (!st.recent.empty()
           && st.sessions.size() >= static_cast<size_t>(std::max(1, w.cfg->max_sessions)))
      passivate(self, st.recent.back());
    auto s = self->spawn<caf::monitored>(session, conversation_key{m.tenant, m.chat},
                                         tenant, w.deps, router_actor{self});
    st.by_address.emplace(s.address(), key);
    st.recent.push_front(key);
    i = st.sessions.emplace(key, router_state::live_session{s, st.recent.begin(), 0,
                                                            self->clock().now()})
          .first;
  } else {
    st.recent.splice(st.recent.begin(), st.recent, i->second.place);
  }
  ++i->second.in_hand;
  i->second.last_active = self->clock().now();
  self->send(i->second.handle, atom::route_v, std::move(m));
}

void admit(self_ptr self, const wiring& w, inbound_message m) {
  ++self->state.in_hand;
  deliver(self, w, std::move(m));
}

/// Reads the oldest waiting messages once the sessions hold half the limit
/// or less: one read for many messages, while the other half keeps the
/// sessions busy.
void refill(self_ptr self, const wiring& w) {
  auto& st = self->state;
  auto limit = std::max(1, w.cfg->max_queued_messages);
  if (st.reading || st.waiting.empty() || st.in_hand > limit / 2)
    return;
  auto count = std::min(st.waiting.size(), static_cast<size_t>(limit - st.in_hand));
  std::vector<int64_t> ids(st.waiting.begin(), st.waiting.begin() + count);
  st.reading = true;
  auto& store = w.deps->pick(w.deps->storage, std::to_string(ids.front()));
  self->request(store, std::chrono::seconds(30), atom::load_v, ids)
    .then(
      [=](std::vector<inbound_message>& messages) {
        auto& st = self->state;
        st.reading = false;
        // Those no longer pending were answered meanwhile (a repeat, a
        // crashed session's recovery): they are dropped with their ids.
        st.waiting.erase(st.waiting.begin(), st.waiting.begin() + count);
        for (auto& m : messages)
          admit(self, w, std::move(m));
        refill(self, w);
      },
      [=](const caf::error& err) {
        self->state.reading = false;
        log::warn("cannot read the waiting messages, retrying: " + describe(err));
        self->delayed_send(self, w.deps->storage_retry, atom::tick_v);
      });
}

/// A session went away with messages in hand (a crash): its chat's pending
/// events are read again before anything that arrived for it meanwhile.
void recover(self_ptr self, const wiring& w, const key_type& key,
             std::vector<inbound_message> arrived) {
  self->state.leaving[key] = router_state::leaving_session{{}, 0, std::move(arrived)};
  auto resume = [=](std::vector<inbound_message> pending) {
    auto& st = self->state;
    auto i = st.leaving.find(key);
    if (i == st.leaving.end())
      return;
    auto arrived = std::move(i->second.arrived);
    st.leaving.erase(i);
    for (auto& m : pending)
      admit(self, w, std::move(m));
    for (auto& m : arrived)  // repeats of pending ones are dropped by the session
      deliver(self, w, std::move(m));
    refill(self, w);  // a dropped message may have made room
  };
  self
    ->request(w.deps->pick(w.deps->storage, key.second), std::chrono::seconds(30),
              atom::pending_v, conversation_key{key.first, key.second})
    .then(resume, [=](const caf::error& err) {
      log::error("cannot re-read the pending events of " + key.first + "/"
                 + log::who(key.second) + " (answered at the next start): "
                 + describe(err));
      resume({});
    });
}

/// How often idle sessions are looked for: a session goes between one and
/// one and a quarter session_idle_s after its last message.
caf::timespan sweep_interval(const session_deps& deps) {
  return std::max<caf::timespan>(std::chrono::seconds(1), deps.idle / 4);
}

} // namespace

router_state::~router_state() {
  for (auto& [key, s] : sessions)
    caf::anon_send_exit(s.handle, caf::exit_reason::user_shutdown);
  for (auto& [key, s] : leaving)
    if (s.handle)
      caf::anon_send_exit(s.handle, caf::exit_reason::user_shutdown);
}

router_actor::behavior_type
router(router_actor::stateful_pointer<router_state> self,
       std::shared_ptr<const config> cfg, session_deps plain_deps) {
  wiring w{cfg, std::make_shared<const session_deps>(std::move(plain_deps))};
  // Sessions stop with the router (its state's destructor). Their own exits
  // (normal after passivation, or a crash) are handled by the down handler;
  // only a shutdown request stops the router.
  self->set_exit_handler([=](const caf::exit_msg& msg) {
    if (msg.reason == caf::exit_reason::user_shutdown
        || msg.reason == caf::exit_reason::kill)
      self->quit(msg.reason);
  });
  self->set_down_handler([=](const caf::down_msg& down) {
    auto& st = self->state;
    auto who = st.by_address.find(down.source);
    if (who == st.by_address.end())
      return;
    auto key = who->second;
    st.by_address.erase(who);
    if (auto i = st.leaving.find(key);
        i != st.leaving.end() && i->second.handle
        && i->second.handle.address() == down.source) {
      auto lost = i->second.in_hand;  // 0 unless it crashed while draining
      auto arrived = std::move(i->second.arrived);
      st.leaving.erase(i);
      st.in_hand -= lost;
      if (lost > 0)
        recover(self, w, key, std::move(arrived));
      else
        for (auto& m : arrived)
          deliver(self, w, std::move(m));
      refill(self, w);
      return;
    }
    if (auto i = st.sessions.find(key);
        i != st.sessions.end() && i->second.handle.address() == down.source) {
      st.in_hand -= i->second.in_hand;
      st.recent.erase(i->second.place);
      st.sessions.erase(i);
      log::error("session " + key.first + "/" + log::who(key.second)
                 + " stopped unexpectedly: " + caf::to_string(down.reason)
                 + "; routing its pending events again");
      recover(self, w, key, {});
      refill(self, w);
    }
  });
  self->delayed_send(self, sweep_interval(*w.deps), atom::idle_v);
  return {
    [=](atom::route, inbound_message& m) {
      auto& st = self->state;
      // Behind waiting messages, or at the limit: it waits in storage too
      // (it is committed), so that a chat's messages keep their order.
      if (m.event_id != 0
          && (!st.waiting.empty() || st.in_hand >= std::max(1, cfg->max_queued_messages))) {
        st.waiting.push_back(m.event_id);
        return refill(self, w);
      }
      admit(self, w, std::move(m));
    },
    [=](atom::done, const conversation_key& key) {
      auto& st = self->state;
      auto k = std::make_pair(key.tenant, key.chat);
      if (auto i = st.sessions.find(k); i != st.sessions.end()) {
        --i->second.in_hand;
        i->second.last_active = self->clock().now();
      }
      else if (auto l = st.leaving.find(k); l != st.leaving.end())
        --l->second.in_hand;
      --st.in_hand;
      refill(self, w);
    },
    [=](atom::pending, std::vector<int64_t>& ids) {
      auto& st = self->state;
      st.waiting.insert(st.waiting.end(), ids.begin(), ids.end());
      refill(self, w);
    },
    [=](atom::tick) { refill(self, w); },
    [=](atom::idle) {
      // Sessions with nothing in hand and no message for session_idle_s go;
      // their memory is read again when the chat speaks next.
      auto now = self->clock().now();
      std::vector<key_type> idle;
      for (auto& [key, s] : self->state.sessions)
        if (s.in_hand == 0 && now - s.last_active >= w.deps->idle)
          idle.push_back(key);
      for (auto& key : idle)
        passivate(self, key);
      self->delayed_send(self, sweep_interval(*w.deps), atom::idle_v);
    },
  };
}

} // namespace parley
