#include "actors/conversation/llm.hpp"

#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "net/http_client.hpp"
#include "protocol/openai.hpp"

#include <thread>

namespace parley {

llm_actor::behavior_type llm(llm_actor::stateful_pointer<llm_state> self,
                             llm_config cfg) {
  self->state.http = std::make_shared<net::http_client>();
  return {
    [=](atom::generate, const llm_request& req) -> caf::result<llm_answer> {
      net::client_request http_req;
      http_req.url = cfg.base_url + "/chat/completions";
      http_req.body = openai::build_request(cfg.model, req);
      http_req.timeout = std::chrono::milliseconds(cfg.timeout_ms);
      http_req.repeatable = true;  // a second model call costs, but shows nothing
      if (!cfg.api_key.empty())
        http_req.headers.emplace_back("Authorization", "Bearer " + cfg.api_key);
      // The LLM server's own logs then name the run /api/runs/{id} shows.
      if (req.run_id > 0)
        http_req.headers.emplace_back("X-Request-Id", std::to_string(req.run_id));
      std::string failure;
      for (int attempt = 0; attempt < 2; ++attempt) {
        auto res = self->state.http->send(http_req);
        if (res.status == 200) {
          auto reply = openai::parse_response(res.body);
          if (reply.ok)
            return llm_answer{std::move(reply.content), std::move(reply.calls),
                              reply.prompt_tokens, reply.completion_tokens};
          return make_error(errc::llm_failed, reply.error);
        }
        if (res.status == 0) {
          failure = res.error;
          break; // a timeout or a dead server: do not wait twice
        }
        failure = "HTTP " + std::to_string(res.status);
        if (res.status != 429 && res.status < 500)
          break;
        if (attempt == 0)
          std::this_thread::sleep_for(std::chrono::milliseconds(250));
      }
      log::warn("llm call failed: " + failure, req.run_id);
      return make_error(errc::llm_failed, failure);
    },
  };
}

} // namespace parley
