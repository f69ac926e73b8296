#pragma once

#include "actors/channels/number_pacer.hpp"
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
#include <string>
#include <vector>

namespace parley::net {
class http_client;
}

namespace parley {

/// Where console replies go (`parley chat` prints them).
using console_sink = std::function<void(const outbox_item&)>;

/// What one sender of the pool owns: the chats whose hash falls on `shard`.
struct sender_options {
  console_sink console;
  std::vector<std::string> channels{"meta"};  ///< outbox channels it sends
  size_t shard = 0;
  size_t shards = 1;
  bool recover = false;  ///< a replacement: reload this shard's unsent rows
  /// Meta's per-number rate, shared by the pool; null: the sender's own.
  std::shared_ptr<number_pacer> pacer;
};

struct sender_state {
  sender_state() = default;
  std::unique_ptr<store_handle> db;
  std::shared_ptr<net::http_client> http;
  std::shared_ptr<number_pacer> pacer;
  std::map<std::string, std::deque<outbox_item>> queues;  ///< per chat
  std::set<std::string> backing_off;  ///< chats waiting for a retry
  std::set<int64_t> known;            ///< rows queued, to ignore repeats
  std::set<int64_t> recovered;  ///< reloaded after a restart; sent once
  std::mt19937 rng{std::random_device{}()};
  static inline const char* name = "sender";
};

/// Spawn detached: delivers outbox rows through the Graph API (or the
/// console), in order per chat; 429/5xx/network errors are retried with
/// exponential back-off and jitter, other errors are recorded as failed. A
/// replacement after a crash first reloads the unsent rows of its shard.
sender_actor::behavior_type
sender(sender_actor::stateful_pointer<sender_state> self,
       std::shared_ptr<const config> cfg, std::string conninfo,
       sender_options opts);

} // namespace parley
