#include "actors/connectors/google_oauth.hpp"

#include "actors/connectors/google_tokens.hpp"
#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "protocol/google_api.hpp"
#include "storage/secret_key.hpp"

namespace parley {

oauth_actor::behavior_type
google_oauth(oauth_actor::stateful_pointer<google_oauth_state> self,
             std::shared_ptr<const config> cfg, std::string conninfo, std::string key) {
  self->state.db = std::make_unique<store_handle>(conninfo);
  auto redirect_uri = cfg->base_url() + "/oauth/google/callback";
  return {
    [=](atom::start, const std::string& tenant) -> caf::result<oauth_start> {
      if (!cfg->tenant_by_id(tenant))
        return make_error(errc::not_found, "no tenant '" + tenant + "'");
      if (cfg->apis.google_client_id.empty() || cfg->apis.google_client_secret.empty())
        return make_error(errc::bad_input, "google.client_id_env and client_secret_env must "
                                           "name variables that are set");
      auto state = google::base64url(storage::random_bytes(24));
      auto verifier = google::base64url(storage::random_bytes(48));  // 64 characters
      try {
        self->state.db->with([&](storage::store& s) {
          s.create_oauth_flow(state, tenant, "google", verifier, redirect_uri);
          return true;
        });
      } catch (const std::exception& e) {
        return make_error(errc::storage_unavailable, e.what());
      }
      return oauth_start{google::authorization_url(cfg->apis.google_auth_url,
                                                   cfg->apis.google_client_id, redirect_uri,
                                                   state, google::code_challenge(verifier)),
                         state};
    },
    [=](atom::connect, const std::string& state,
        const std::string& code) -> caf::result<std::string> {
      std::optional<storage::oauth_flow> flow;
      try {
        flow = self->state.db->with([&](storage::store& s) { return s.take_oauth_flow(state); });
      } catch (const std::exception& e) {
        return make_error(errc::storage_unavailable, e.what());
      }
      if (!flow)
        return make_error(errc::bad_input, "this sign-in link is unknown, used or expired; "
                                           "run parley connect google again");
      google_tokens tokens(cfg->apis, cfg->connectors.timeout_ms, flow->tenant, conninfo, key);
      auto error = code.empty() ? std::string("Google did not grant access")
                                : tokens.exchange(code, flow->verifier, flow->redirect_uri);
      self->state.db->with([&](storage::store& s) {
        s.finish_oauth_flow(state, error);
        return true;
      });
      if (!error.empty()) {
        log::warn("google connect for " + flow->tenant + " failed: " + error);
        return make_error(errc::bad_input, error);
      }
      log::info("google connected for tenant " + flow->tenant);
      return flow->tenant;
    },
    [=](atom::status, const std::string& state)
      -> caf::result<std::string, std::string> {
      try {
        auto s = self->state.db->with(
          [&](storage::store& st) { return st.oauth_flow_status(state); });
        return caf::result<std::string, std::string>(s.first, s.second);
      } catch (const std::exception& e) {
        return make_error(errc::storage_unavailable, e.what());
      }
    },
  };
}

} // namespace parley
