#pragma once

#include "actors/errors.hpp"
#include "actors/interfaces.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <memory>
#include <optional>
#include <string>

namespace parley {

/// A lazily (re)connected store: a detached actor keeps answering with
/// storage_unavailable while the database is down, and reconnects by itself.
class store_handle {
public:
  explicit store_handle(std::string conninfo) : conninfo_(std::move(conninfo)) {}

  /// Runs `f(store&)`; one retry after a lost connection. Throws pg_error.
  template <class F>
  auto with(F&& f) -> decltype(f(std::declval<storage::store&>())) {
    for (int attempt = 0;; ++attempt) {
      try {
        if (!store_)
          store_.emplace(conninfo_);
        return f(*store_);
      } catch (const storage::pg_error& e) {
        if (!e.connection_lost || attempt > 0) {
          if (e.connection_lost)
            store_.reset();
          throw;
        }
        store_.reset();
      }
    }
  }

private:
  std::string conninfo_;
  std::optional<storage::store> store_;
};

/// Runs a query and turns a database failure into an error reply
/// (storage_unavailable, "what: why").
template <class F>
auto guarded_query(store_handle& db, const char* what, F&& f)
  -> caf::result<decltype(db.with(f))> {
  try {
    return db.with(f);
  } catch (const std::exception& e) {
    return make_error(errc::storage_unavailable, std::string(what) + ": " + e.what());
  }
}

struct storage_worker_state {
  storage_worker_state() = default;
  std::unique_ptr<store_handle> db;
  static inline const char* name = "storage-worker";
};

/// Spawn detached: every handler blocks on the database.
storage_actor::behavior_type
storage_worker(storage_actor::stateful_pointer<storage_worker_state> self,
               std::string conninfo);

struct event_writer_state {
  event_writer_state() = default;
  std::unique_ptr<store_handle> db;
  static inline const char* name = "event-writer";
};

/// Spawn detached: commits webhook batches.
event_writer_actor::behavior_type
event_writer(event_writer_actor::stateful_pointer<event_writer_state> self,
             std::string conninfo);

} // namespace parley
