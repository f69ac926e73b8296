#pragma once

#include "actors/interfaces.hpp"
#include "net/http_client.hpp"
#include "protocol/config.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <memory>

namespace parley {

struct media_fetcher_state {
  media_fetcher_state() = default;
  std::unique_ptr<net::http_client> http;
  static inline const char* name = "media-fetcher";
};

/// Fetches a Meta media id's bytes (the id → its URL, valid five minutes →
/// the bytes, both with the tenant's bearer token) or, for an Evolution
/// tenant, asks the bridge for the message's media (getBase64FromMediaMessage),
/// within the size limit of its kind, and transcribes audio through the LLM server's
/// /audio/transcriptions (llm.transcription_model). The bytes are held only
/// while they are used. Spawn detached: it waits on HTTP.
media_actor::behavior_type media_fetcher(media_actor::stateful_pointer<media_fetcher_state> self,
                                         std::shared_ptr<const config> cfg);

} // namespace parley
