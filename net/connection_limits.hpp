#pragma once

// How many connections a client may hold open: a cap on all of them and one
// per address. At the cap a new connection takes the place of the one idle
// for longest (kept alive, no request under way); one that is reading or
// answering a request is never closed for room.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace parley::net {

/// What the edge refused or cut short, for /metrics.
struct edge_counters {
  std::atomic<uint64_t> open{0};                 ///< connections open now
  std::atomic<uint64_t> refused_at_cap{0};       ///< none idle to make room
  std::atomic<uint64_t> refused_per_address{0};  ///< the address holds its limit
  std::atomic<uint64_t> idle_evicted{0};         ///< closed to make room
  std::atomic<uint64_t> head_timeouts{0};        ///< a head not finished in time
  std::atomic<uint64_t> idle_timeouts{0};        ///< kept alive with nothing asked
  std::atomic<uint64_t> body_timeouts{0};        ///< a body slower than its deadline
  std::atomic<uint64_t> bad_requests{0};         ///< refused framing (400/413/431)
};

class connection_limits {
public:
  using close_fn = std::function<void()>;
  using id = uint64_t;

  connection_limits(std::size_t max_connections, std::size_t max_per_address,
                    edge_counters& counters)
    : max_(max_connections), per_address_(max_per_address), counters_(counters) {}

  /// Admits a connection from `address`; 0 when it is refused. `close`
  /// is called (from any thread) if it is later closed to make room.
  id admit(const std::string& address, close_fn close);

  /// The connection waits for a request (idle) or is working on one.
  /// `busy` is false when the connection was closed to make room meanwhile
  /// (its close is on its way): it must not start on a request.
  void idle(id c);
  bool busy(id c);

  /// The connection is closed.
  void release(id c);

private:
  struct entry {
    std::string address;
    close_fn close;
    bool idle = false;
    std::list<id>::iterator place;  ///< in idle_, while idle
  };

  std::size_t max_;
  std::size_t per_address_;
  edge_counters& counters_;
  std::mutex mutex_;
  id next_ = 1;
  std::unordered_map<id, entry> open_;
  std::unordered_map<std::string, std::size_t> by_address_;
  std::list<id> idle_;  ///< the longest idle first
};

} // namespace parley::net
