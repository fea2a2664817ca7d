#pragma once
// A state_store in memory for the scheduling tests: records and snapshot as
// the journal would recover them, with what is committed kept apart from
// what is only appended, so tests can "crash" between append and commit.

#include "scheduling/store/state_store.hpp"

#include <string>
#include <vector>

namespace outrigger::test {

/// An in-memory state_store.
class memory_store final : public store::state_store {
public:
  void append(std::string_view record) override {
    pending_.emplace_back(record);
  }
  void commit() override {
    ++commits_;
    for (auto& r : pending_)
      log_bytes_ += r.size() + 8;
    committed_.insert(committed_.end(), pending_.begin(), pending_.end());
    pending_.clear();
  }
  void compact(std::string_view snapshot) override {
    commit();
    snapshot_ = std::string{snapshot};
    committed_.clear();
    log_bytes_ = 0;
    ++compactions_;
  }
  std::uint64_t log_bytes() const override { return log_bytes_; }
  std::size_t pending() const override { return pending_.size(); }

  /// What a restart would recover: the snapshot and the committed records.
  store::recovered_state recover() const {
    store::recovered_state out;
    out.snapshot = snapshot_;
    out.records = committed_;
    out.report.records = committed_.size();
    return out;
  }

  const std::vector<std::string>& committed() const { return committed_; }
  std::size_t commits() const { return commits_; }
  std::size_t compactions() const { return compactions_; }

private:
  std::vector<std::string> pending_;
  std::vector<std::string> committed_;
  std::string snapshot_;
  std::uint64_t log_bytes_ = 0;
  std::size_t commits_ = 0;
  std::size_t compactions_ = 0;
};

} // namespace outrigger::test
