#pragma once
// Where master_link keeps the framework id between runs (design.md, contract
// 6: written durably before SUBSCRIBED is acted on, cleared on purpose when
// the master removed the framework). The interface is
// framework_id_store_actor (messages.hpp); the full state store of the next
// issue replaces these implementations behind it.

#include "actors/messages.hpp"

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace outrigger {

/// A framework id in one small file, replaced atomically: write a temporary
/// file, fsync it, rename it over the old one, fsync the directory. A crash
/// at any point leaves either the old or the new id, never a torn one.
class framework_id_file {
public:
  explicit framework_id_file(std::string path) : path_(std::move(path)) {}

  /// The stored id, "" when the file does not exist.
  caf::expected<std::string> load() const;
  /// Replaces the stored id durably.
  caf::error store(const std::string& id) const;
  /// Removes the stored id durably (no error when there is none).
  caf::error erase() const;

  const std::string& path() const noexcept { return path_; }

private:
  std::string path_;
};

/// Spawns the file-backed store. It is detached (own thread) because fsync
/// blocks, and actors on the shared scheduler must not.
framework_id_store_actor spawn_file_id_store(caf::actor_system& sys,
                                             std::string path);

/// Shared, inspectable content of an in-memory store (tests, --dev).
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
