#pragma once
// A framework id store in memory for the master_link tests (in the service
// the task book is the store): its content can be inspected and its loads or
// writes made to fail.

#include "actors/messages.hpp"

#include <caf/actor_system.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace outrigger {

/// Shared, inspectable content of an in-memory store.
struct memory_id_store_data {
  mutable std::mutex mtx;
  std::string id;               ///< current id ("" for none)
  std::vector<std::string> ops; ///< "load", "store:<id>", "erase"
  bool fail_writes = false;     ///< store and erase fail with store_failed
  bool fail_loads = false;      ///< load fails with store_failed

  /// The current id, read under the lock.
  std::string current() const {
    std::lock_guard guard{mtx};
    return id;
  }
};

/// Spawns an in-memory store over `data`.
framework_id_store_actor
spawn_memory_id_store(caf::actor_system& sys,
                      std::shared_ptr<memory_id_store_data> data);

} // namespace outrigger
