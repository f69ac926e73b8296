#include "actors/channels/evolution_admin.hpp"

#include "actors/app/evolution_cli.hpp"

namespace parley {

evolution_admin_actor::behavior_type
evolution_admin(evolution_admin_actor::stateful_pointer<evolution_admin_state> self,
                std::shared_ptr<const config> cfg) {
  self->state.http = std::make_unique<net::http_client>();
  return {
    [=](atom::connect, const std::string& instance, const std::string& webhook) {
      return prepare_instance(*cfg, *self->state.http, instance,
                              webhook.empty() ? default_webhook_url(*cfg) : webhook);
    },
    [=](atom::status, const std::string& instance) {
      return read_instance(*cfg, *self->state.http, instance, true);
    },
  };
}

} // namespace parley
