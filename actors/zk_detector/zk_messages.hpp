#pragma once
// What ZooKeeper's threads report to zk_detector (private to the detector
// and its client).

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/timespan.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace outrigger {

// == zk_detector: internal messages from ZooKeeper's threads ==================

/// Children of the masters' group node (zoo_awget_children completion).
struct zk_children {
  std::uint64_t session = 0; ///< which ZooKeeper handle produced it
  std::int32_t rc = 0;       ///< ZOK, ZNONODE, ZCONNECTIONLOSS, ...
  std::vector<std::string> names;
  bool operator==(const zk_children&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, zk_children& x) {
  return f(caf::meta::type_name("zk_children"), x.session, x.rc, x.names);
}

/// Data of one child (zoo_aget completion).
struct zk_node {
  std::uint64_t session = 0;
  std::int32_t rc = 0;
  std::string name;
  std::string data;
  bool operator==(const zk_node&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, zk_node& x) {
  return f(caf::meta::type_name("zk_node"), x.session, x.rc, x.name, x.data);
}

} // namespace outrigger
