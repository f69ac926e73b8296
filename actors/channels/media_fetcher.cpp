#include "actors/channels/media_fetcher.hpp"

#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "protocol/google_api.hpp"
#include "protocol/media.hpp"
#include "protocol/time_zone.hpp"
#include "protocol/types.hpp"
#include "storage/kept_media.hpp"
#include "storage/secret_key.hpp"

namespace parley {

namespace {

std::string failure(const net::client_response& res) {
  return res.status == 0 ? res.error : "HTTP " + std::to_string(res.status);
}

/// With keep_media, the file goes under <data_dir>/media/<tenant>/<local
/// date>/; a file that cannot be written is logged, and the message is still
/// handled (keeping is a record, not a condition of the answer).
void keep(const config& cfg, const tenant_config& tenant, const std::string& media_id,
          const std::string& mime, const std::string& bytes) {
  if (!cfg.keep_media)
    return;
  try {
    auto path = storage::keep_media_file(
      cfg.data_dir + "/media", tenant.id,
      tz::local_date(tenant.timezone, steady_wall_ms()), media::kept_file_name(media_id, mime), bytes);
    log::info("kept media " + path);
  } catch (const std::exception& e) {
    log::warn(e.what());
  }
}

} // namespace

media_actor::behavior_type media_fetcher(media_actor::stateful_pointer<media_fetcher_state> self,
                                         std::shared_ptr<const config> cfg) {
  self->state.http = std::make_unique<net::http_client>();
  return {
    [=](atom::load, const std::string& tenant_id, const std::string& media_id,
        const std::string& kind) -> caf::result<std::string, std::string> {
      auto tenant = cfg->tenant_by_id(tenant_id);
      auto limit = media::size_limit(kind);
      if (limit == 0)
        return make_error(errc::bad_input, "a " + kind + " is not fetched");
      auto too_big = [&] {
        return make_error(errc::bad_input, "the " + kind + " is over "
                                             + std::to_string(limit >> 20) + " MB");
      };
      if (tenant && tenant->channel == "evolution") {
        // The bridge decrypts WhatsApp's media and answers with base64.
        net::client_request ask;
        ask.url = cfg->evolution.base_url + "/chat/getBase64FromMediaMessage/" + tenant->instance;
        ask.body = media::evolution_media_body(media_id);
        ask.headers.emplace_back("apikey", cfg->evolution.api_key);
        ask.timeout = std::chrono::seconds(30);
        ask.repeatable = true;
        auto res = self->state.http->send(ask);
        if (res.status != 200 && res.status != 201)
          return make_error(errc::bad_input, "the bridge gave no media: " + failure(res));
        auto got = media::parse_evolution_media(res.body);
        if (!got)
          return make_error(errc::bad_input, "the bridge's answer has no media");
        if (got->bytes.size() > limit)
          return too_big();
        keep(*cfg, *tenant, media_id, got->mime_type, got->bytes);
        return {got->mime_type, std::move(got->bytes)};
      }
      if (!tenant || tenant->access_token.empty())
        return make_error(errc::bad_input, "no access token to fetch media with");
      net::client_request ask;
      ask.method = "GET";
      ask.url = cfg->meta.graph_url + "/" + cfg->meta.api_version + "/" + media_id;
      ask.headers.emplace_back("Authorization", "Bearer " + tenant->access_token);
      ask.repeatable = true;
      auto where = self->state.http->send(ask);
      if (where.status != 200)
        return make_error(errc::bad_input, "the media id could not be looked up: " + failure(where));
      auto at = media::parse_location(where.body);
      if (!at)
        return make_error(errc::bad_input, "the Graph API gave no media URL");
      if (at->size > limit)
        return too_big();
      net::client_request get;
      get.method = "GET";
      get.url = at->url;
      get.headers.emplace_back("Authorization", "Bearer " + tenant->access_token);
      get.timeout = std::chrono::seconds(30);
      get.repeatable = true;
      auto bytes = self->state.http->send(get);
      if (bytes.status != 200)
        return make_error(errc::bad_input, "the media could not be downloaded: " + failure(bytes));
      if (bytes.body.size() > limit)
        return too_big();
      keep(*cfg, *tenant, media_id, at->mime_type, bytes.body);
      return {at->mime_type, std::move(bytes.body)};
    },
    [=](atom::generate, const std::string& mime, const std::string& bytes)
      -> caf::result<std::string> {
      if (!cfg->llm.enabled())
        return make_error(errc::llm_failed, "no language model server to transcribe with");
      auto boundary = "parley-" + google::base64url(storage::random_bytes(12));
      auto body = media::transcription_body(cfg->llm.transcription_model,
                                            media::audio_file_name(mime), mime, bytes, boundary);
      net::client_request req;
      req.url = cfg->llm.base_url + "/audio/transcriptions";
      req.body = std::move(body.body);
      req.headers.emplace_back("Content-Type", body.content_type);
      if (!cfg->llm.api_key.empty())
        req.headers.emplace_back("Authorization", "Bearer " + cfg->llm.api_key);
      req.timeout = std::chrono::milliseconds(cfg->llm.timeout_ms);
      req.repeatable = true;
      auto res = self->state.http->send(req);
      if (res.status != 200)
        return make_error(errc::llm_failed, "the transcription failed: " + failure(res));
      auto text = media::parse_transcript(res.body);
      if (!text || text->empty())
        return make_error(errc::llm_failed, "the transcription has no text");
      return *text;
    },
  };
}

} // namespace parley
