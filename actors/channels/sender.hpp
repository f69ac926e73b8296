#pragma once

#include "actors/channels/number_pacer.hpp"
#include "actors/interfaces.hpp"
#include "net/client_types.hpp"
#include "net/event_loop.hpp"
#include "protocol/config.hpp"
#include "protocol/histogram.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace parley {

/// Where console replies go (`parley chat` prints them).
using console_sink = std::function<void(const outbox_item&)>;

/// How a sender's HTTP requests go out: `done` runs once with the answer,
/// on any thread (the event loop's http_pool in the service; a script in
/// the unit tests).
using send_transport = std::function<void(
  net::client_request req, std::function<void(net::client_response)> done)>;

/// What one sender of the pool owns: the chats whose hash falls on `shard`.
struct sender_options {
  console_sink console;
  send_transport transport;
  std::vector<std::string> channels{"meta"};  ///< outbox channels it sends
  size_t shard = 0;
  size_t shards = 1;
  bool recover = false;  ///< a replacement: reload this shard's unsent rows
  /// Meta's per-number rate, shared by the pool; null: the sender's own.
  std::shared_ptr<number_pacer> pacer;
  /// Its database worker; null: the sender spawns its own (linked), whose
  /// connection runs on `storage_loop` (null: a loop of its own).
  outbox_keeper_actor keeper;
  std::shared_ptr<net::event_loop> storage_loop;
  /// Where each send's latency is observed; null in tests that skip /metrics.
  std::shared_ptr<latency_histogram> send_latency;
};

/// A chat's head row on its way out.
struct flight {
  std::string chat;
  bool as_template = false;  ///< Meta: the template goes instead of the text
};

struct sender_state {
  sender_state() = default;
  outbox_keeper_actor keeper;
  send_transport transport;
  std::shared_ptr<number_pacer> pacer;
  std::shared_ptr<latency_histogram> send_latency;
  std::map<std::string, std::deque<outbox_item>> queues;  ///< per chat
  std::set<std::string> backing_off;  ///< chats waiting for a retry or a slot
  /// Per business number, the chats waiting for its next send slot, first
  /// come first: one timer per number wakes them in turn (a timer per chat
  /// would wake them all to compete for one slot, again and again).
  std::map<std::string, std::deque<std::string>> paced;
  std::set<std::string> slot_timers;  ///< numbers whose timer is set
  std::map<int64_t, flight> flights;  ///< head rows being marked or sent
  std::set<int64_t> known;            ///< rows queued, to ignore repeats
  std::set<int64_t> recovered;  ///< reloaded after a restart; sent once
  /// The next step for the keeper, gathered while one is under way.
  std::vector<outbox_outcome> outcomes;
  std::vector<int64_t> to_claim;
  bool stepping = false;   ///< a step is at the keeper
  int failed_steps = 0;    ///< in a row, for the back-off
  std::mt19937 rng{std::random_device{}()};
  static inline const char* name = "sender";
};

/// Delivers outbox rows through the Graph API, Evolution (or the console),
/// in order per chat; 429/5xx/network errors are retried with exponential
/// back-off and jitter, other errors are recorded as failed. Each row is
/// marked in flight, durably, before its request leaves; a replacement
/// after a crash first reloads the unsent rows of its shard. Event-based:
/// spawn it as a normal (cooperative) actor.
sender_actor::behavior_type
sender(sender_actor::stateful_pointer<sender_state> self,
       std::shared_ptr<const config> cfg, std::string conninfo,
       sender_options opts);

} // namespace parley
