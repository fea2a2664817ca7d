#include "tests/actors/memory_id_store.hpp"

#include "actors/error.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace outrigger {

namespace {

struct memory_store_state {
  static inline const char* name = "framework_id_memory";
  std::shared_ptr<memory_id_store_data> data;
};

framework_id_store_actor::behavior_type memory_store(
  framework_id_store_actor::stateful_pointer<memory_store_state> self,
  std::shared_ptr<memory_id_store_data> data) {
  self->state.data = std::move(data);
  return {
    [=](atom::load) -> caf::result<std::string> {
      auto& d = *self->state.data;
      std::lock_guard guard{d.mtx};
      d.ops.emplace_back("load");
      if (d.fail_loads)
        return caf::make_error(ec::store_failed, "load failed (test)");
      return d.id;
    },
    [=](atom::store, const std::string& id) -> caf::result<void> {
      auto& d = *self->state.data;
      std::lock_guard guard{d.mtx};
      d.ops.emplace_back("store:" + id);
      if (d.fail_writes)
        return caf::make_error(ec::store_failed, "store failed (test)");
      d.id = id;
      return caf::unit;
    },
    [=](atom::erase) -> caf::result<void> {
      auto& d = *self->state.data;
      std::lock_guard guard{d.mtx};
      d.ops.emplace_back("erase");
      if (d.fail_writes)
        return caf::make_error(ec::store_failed, "erase failed (test)");
      d.id.clear();
      return caf::unit;
    },
  };
}

} // namespace

framework_id_store_actor
spawn_memory_id_store(caf::actor_system& sys,
                      std::shared_ptr<memory_id_store_data> data) {
  return sys.spawn(memory_store, std::move(data));
}

} // namespace outrigger
