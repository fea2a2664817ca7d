#pragma once
// RFC 4122 version 4 UUIDs from a seeded generator, so that a simulation run
// is reproducible: stream ids (Mesos-Stream-Id), status update uuids,
// container ids and master ids all come from here.

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace outrigger::sim {

/// 16 raw bytes of a UUID.
using uuid_bytes = std::array<unsigned char, 16>;

/// Canonical lower-case text form of 16 bytes.
std::string to_text(const uuid_bytes& bytes);

/// Makes version 4 UUIDs from a deterministic 64-bit Mersenne twister.
class uuid_generator {
public:
  explicit uuid_generator(std::uint64_t seed) : rng_(seed) {}

  /// A fresh uuid4 (version nibble 4, variant bits 10).
  uuid_bytes next();

  /// A fresh uuid4 as canonical text ("1b4e28ba-2fa1-4d2a-8f6e-...").
  std::string next_text() { return to_text(next()); }

  /// A fresh uuid4 as its 16 raw bytes in a string (TaskStatus.uuid).
  std::string next_raw();

  /// The underlying generator, for other deterministic choices.
  std::mt19937_64& engine() noexcept { return rng_; }

private:
  std::mt19937_64 rng_;
};

/// True when `text` is a canonical uuid whose version nibble is 4 and whose
/// variant bits are 10 (RFC 4122 §4.4).
bool is_uuid4_text(std::string_view text);

/// True when 16 raw bytes carry the uuid4 version and variant bits.
bool is_uuid4_raw(std::string_view raw);

} // namespace outrigger::sim
