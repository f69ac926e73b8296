#pragma once

#include "actors/interfaces.hpp"
#include "actors/storage_worker.hpp"
#include "protocol/config.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>

namespace parley::net {
class http_client;
}

namespace parley {

/// Where console replies go (`parley chat` prints them).
using console_sink = std::function<void(const outbox_item&)>;

struct sender_state {
  sender_state() = default;
  std::unique_ptr<store_handle> db;
  std::shared_ptr<net::http_client> http;
  std::map<std::string, std::deque<outbox_item>> queues;  ///< per chat
  std::set<std::string> backing_off;  ///< chats waiting for a retry
  std::set<int64_t> known;            ///< rows queued, to ignore repeats
  std::mt19937 rng{std::random_device{}()};
  static inline const char* name = "sender";
};

/// Spawn detached: delivers outbox rows through the Graph API (or the
/// console), in order per chat; 429/5xx/network errors are retried with
/// exponential back-off and jitter, other errors are recorded as failed.
sender_actor::behavior_type
sender(sender_actor::stateful_pointer<sender_state> self,
       std::shared_ptr<const config> cfg, std::string conninfo,
       console_sink console);

} // namespace parley
