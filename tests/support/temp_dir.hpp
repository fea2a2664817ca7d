#pragma once
// A private temporary directory for one test, removed with its contents.

#include <filesystem>
#include <string_view>

namespace outrigger::test {

/// A fresh directory under $TMPDIR (or /tmp), deleted recursively on
/// destruction.
class temp_dir {
public:
  /// Creates `<tmp>/<prefix>-XXXXXX`.
  /// @throws std::runtime_error when it cannot be created.
  explicit temp_dir(std::string_view prefix = "outrigger");
  ~temp_dir();

  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  /// The directory.
  const std::filesystem::path& path() const noexcept { return path_; }

private:
  std::filesystem::path path_;
};

} // namespace outrigger::test
