#pragma once
// Who may call the API: named bearer tokens with a scope each. Tokens come
// from files only (a tokens file with `name scope token` lines, or the
// single-token file / OUTRIGGER_API_TOKEN, which is an admin token named
// "admin"); they are kept as SHA-256 digests, never as text, and a
// presented token is compared with every digest in constant time.

#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outrigger::app {

/// What a token may do; each scope includes the ones before it.
enum class scope : unsigned char {
  read = 1,   ///< GET routes
  submit = 2, ///< submit tasks and kill the tasks it submitted
  admin = 3,  ///< kill any task, tear the framework down
};

/// "read", "submit", "admin".
std::string_view to_string(scope s) noexcept;

/// Parses a scope name; nullopt when unknown.
std::optional<scope> parse_scope(std::string_view text) noexcept;

/// The caller a token identifies.
struct api_caller {
  std::string name; ///< from the tokens file; never the token
  scope granted = scope::read;
};

/// A set of named tokens (immutable once built; replaced whole on reload).
class token_set {
public:
  /// Adds a token; false (and nothing added) when the name or the token is
  /// already in the set.
  bool add(std::string name, scope granted, std::string_view token);

  /// The caller whose token is `presented` (compares with every entry, in
  /// constant time per entry), or nullopt.
  std::optional<api_caller> find(std::string_view presented) const;

  /// True when there is no token: the API is open.
  bool empty() const noexcept { return entries_.empty(); }

  /// Number of tokens.
  std::size_t size() const noexcept { return entries_.size(); }

private:
  using digest = std::array<unsigned char, 32>;
  struct entry {
    api_caller caller;
    digest hash;
  };
  static digest hash_of(std::string_view token);
  std::vector<entry> entries_;
};

/// Where the service's tokens come from (files are re-read on reload).
struct token_sources {
  std::string token_file;  ///< --api-token-file: one admin token
  std::string env_token;   ///< OUTRIGGER_API_TOKEN (when no token file)
  std::string tokens_file; ///< --api-tokens-file: `name scope token` lines
};

/// Builds the token set from `src`; registers every token with
/// log::add_secret. On a bad file, returns nullopt and sets `error` to a
/// message naming the file and line (never a token).
std::optional<token_set> load_tokens(const token_sources& src,
                                     std::string& error);

/// Parses the text of a tokens file into `out`: one `name scope token` per
/// line, `#` comments and blank lines skipped. Names and tokens must be
/// unique, tokens at least 16 characters. Returns an error naming `origin`
/// and the line, empty when fine.
std::string parse_tokens_file(std::string_view text, const std::string& origin,
                              token_set& out);

/// The current token set, shared by the API's threads and replaced on
/// SIGHUP.
class token_registry {
public:
  explicit token_registry(token_set initial)
    : current_(std::make_shared<const token_set>(std::move(initial))) {}

  /// The current set.
  std::shared_ptr<const token_set> get() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return current_;
  }

  /// Replaces the set.
  void replace(token_set next) {
    auto p = std::make_shared<const token_set>(std::move(next));
    std::lock_guard<std::mutex> guard{mtx_};
    current_ = std::move(p);
  }

private:
  mutable std::mutex mtx_;
  std::shared_ptr<const token_set> current_;
};

} // namespace outrigger::app
