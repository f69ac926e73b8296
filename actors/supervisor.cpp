#include "actors/supervisor.hpp"

#include "actors/log.hpp"
#include "actors/type_ids.hpp"

#include <caf/exit_reason.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/skip.hpp>

namespace parley {

namespace {

bool planned(const caf::error& reason) {
  return reason == caf::exit_reason::normal
         || reason == caf::exit_reason::user_shutdown
         || reason == caf::exit_reason::kill;
}

} // namespace

caf::behavior supervised_slot(caf::stateful_actor<supervised_slot_state>* self,
                              std::string what, worker_factory make,
                              restart_policy policy) {
  self->state.worker = make(self, 0);
  // Forward anything, keeping the sender and the request id, so the worker's
  // answer (or its error) goes straight back to the requester.
  self->set_default_handler(
    [=](caf::scheduled_actor*, caf::message_view& view)
      -> caf::result<caf::message> {
      auto& worker = self->state.worker;
      if (!worker)
        return caf::skip; // waits in the mailbox until the replacement is up
      auto* current = self->current_mailbox_element();
      worker->enqueue(caf::make_mailbox_element(std::move(current->sender),
                                                self->take_current_message_id(),
                                                std::move(current->stages),
                                                view.move_content_to_message()),
                      self->context());
      return caf::delegated<caf::message>{};
    });
  self->set_down_handler([=](const caf::down_msg& down) {
    auto& st = self->state;
    if (down.source != st.worker.address())
      return;
    st.worker = nullptr;
    if (planned(down.reason)) {
      self->quit(down.reason);
      return;
    }
    auto now = self->clock().now();
    while (!st.crashes.empty() && now - st.crashes.front() > policy.window)
      st.crashes.pop_front();
    st.crashes.push_back(now);
    if (st.crashes.size() > policy.max_restarts) {
      log::error(what + " crashed " + std::to_string(st.crashes.size())
                 + " times within " + std::to_string(policy.window.count())
                 + " s (" + caf::to_string(down.reason) + "); escalating");
      self->quit(down.reason);
      return;
    }
    auto delay = policy.first_delay * (1 << std::min<size_t>(st.crashes.size() - 1, 16));
    delay = std::min(delay, policy.max_delay);
    log::warn(what + " crashed (" + caf::to_string(down.reason)
              + "); restarting in " + std::to_string(delay.count()) + " ms");
    self->delayed_send(self, delay, atom::restart_v);
  });
  self->set_exit_handler([=](const caf::exit_msg& exit) {
    if (self->state.worker)
      self->send_exit(self->state.worker, exit.reason);
    self->quit(exit.reason);
  });
  return {
    [=](atom::restart) {
      auto& st = self->state;
      if (st.worker)
        return;
      st.worker = make(self, ++st.restarts);
    },
  };
}

} // namespace parley
