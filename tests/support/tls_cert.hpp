#pragma once
// Self-signed TLS certificates made at test time (OpenSSL's C API), so that
// no key material lives in the repository and no `openssl` binary is needed.

#include <filesystem>
#include <string>

namespace outrigger::test {

/// PEM files of a certificate and its private key.
struct tls_cert_files {
  std::filesystem::path certificate; ///< also the CA file to trust it
  std::filesystem::path private_key;
};

/// Writes a new self-signed certificate for `host` (EC P-256, SHA-256,
/// subjectAltName DNS:`host` and IP:127.0.0.1, valid for one day) and its
/// key into `dir` as `<name>.crt` / `<name>.key`.
/// @throws std::runtime_error on any OpenSSL failure.
tls_cert_files make_self_signed_cert(const std::filesystem::path& dir,
                                     const std::string& host = "localhost",
                                     const std::string& name = "server");

} // namespace outrigger::test
