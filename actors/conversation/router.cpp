#include "actors/conversation/router.hpp"

#include "actors/errors.hpp"
#include "actors/log.hpp"

#include <caf/event_based_actor.hpp>

namespace parley {

namespace {

using self_ptr = router_actor::stateful_pointer<router_state>;

/// Asks a session to finish what it has and quit; messages for it wait
/// here until it is gone, so that two sessions never overlap.
void passivate(self_ptr self, router_state::key_type key) {
  auto& st = self->state;
  auto i = st.sessions.find(key);
  if (i == st.sessions.end())
    return;
  self->send(i->second.first, atom::stop_v);
  st.draining.emplace(key, std::make_pair(i->second.first, std::vector<inbound_message>{}));
  st.recent.erase(i->second.second);
  st.sessions.erase(i);
}

/// Hands a message to its session, spawning the session if needed.
void deliver(self_ptr self, const std::shared_ptr<const config>& cfg,
             const std::shared_ptr<const session_deps>& deps, inbound_message m) {
  auto key = std::make_pair(m.tenant, m.chat);
  auto& st = self->state;
  if (auto d = st.draining.find(key); d != st.draining.end()) {
    d->second.second.push_back(std::move(m));
    return;
  }
  auto i = st.sessions.find(key);
  if (i == st.sessions.end()) {
    auto tenant = cfg->tenant_by_id(m.tenant);
    if (!tenant) {
      log::warn("message for unknown tenant '" + m.tenant + "' dropped");
      return;
    }
    // Room first: the least recently used session goes (it finishes its
    // queue before it quits).
    while (!st.recent.empty()
           && st.sessions.size() >= static_cast<size_t>(std::max(1, cfg->max_sessions)))
      passivate(self, st.recent.back());
    auto s = self->spawn<caf::monitored + caf::linked>(session,
                                         conversation_key{m.tenant, m.chat},
                                         tenant, deps, router_actor{self});
    st.recent.push_front(key);
    i = st.sessions.emplace(key, std::make_pair(s, st.recent.begin())).first;
  } else {
    st.recent.splice(st.recent.begin(), st.recent, i->second.second);
  }
  self->send(i->second.first, atom::route_v, std::move(m));
}

} // namespace

router_actor::behavior_type
router(router_actor::stateful_pointer<router_state> self,
       std::shared_ptr<const config> cfg, session_deps plain_deps,
       std::vector<std::string> providers) {
  auto deps = std::make_shared<const session_deps>(std::move(plain_deps));
  // Sessions are linked so that they stop with the router. Their own exits
  // (normal after passivation, or a crash) are handled by the down handler;
  // only a shutdown request stops the router.
  self->set_exit_handler([=](const caf::exit_msg& msg) {
    if (msg.reason == caf::exit_reason::user_shutdown
        || msg.reason == caf::exit_reason::kill)
      self->quit(msg.reason);
  });
  self->set_down_handler([=](const caf::down_msg& down) {
    auto& st = self->state;
    for (auto i = st.draining.begin(); i != st.draining.end(); ++i) {
      if (i->second.first.address() != down.source)
        continue;
      auto buffered = std::move(i->second.second);
      st.draining.erase(i);
      for (auto& m : buffered)
        deliver(self, cfg, deps, std::move(m));
      return;
    }
    for (auto i = st.sessions.begin(); i != st.sessions.end(); ++i) {
      if (i->second.first.address() != down.source)
        continue;
      auto key = i->first;
      st.recent.erase(i->second.second);
      st.sessions.erase(i);
      log::error("session " + key.first + "/" + log::who(key.second)
                 + " stopped unexpectedly: " + caf::to_string(down.reason)
                 + "; routing its pending events again");
      self
        ->request(deps->pick(deps->storage, key.second), std::chrono::seconds(30),
                  atom::pending_v, providers)
        .then(
          [=](const std::vector<inbound_message>& pending) {
            for (auto& m : pending)
              if (m.tenant == key.first && m.chat == key.second)
                deliver(self, cfg, deps, m);
          },
          [=](const caf::error& err) {
            log::error("cannot re-read pending events: " + describe(err));
          });
      return;
    }
  });
  return {
    [=](atom::route, inbound_message& m) {
      deliver(self, cfg, deps, std::move(m));
    },
    [=](atom::idle, const conversation_key& key) {
      passivate(self, {key.tenant, key.chat});
    },
  };
}

} // namespace parley
