#include "tests/support/tls_cert.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace outrigger::test {

namespace {

template <class T, void (*Free)(T*)>
struct deleter {
  void operator()(T* p) const { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509, X509_free>>;
using ext_ptr =
  std::unique_ptr<X509_EXTENSION, deleter<X509_EXTENSION, X509_EXTENSION_free>>;

[[noreturn]] void fail(const std::string& what) {
  char buf[256] = "no OpenSSL error";
  if (auto code = ERR_get_error())
    ERR_error_string_n(code, buf, sizeof buf);
  throw std::runtime_error("make_self_signed_cert: " + what + ": " + buf);
}

void add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ext_ptr ext{X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str())};
  if (!ext || !X509_add_ext(cert, ext.get(), -1))
    fail("extension " + value);
}

void write_pem(const std::filesystem::path& path, auto&& write) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f)
    fail("cannot open " + path.string());
  bool ok = write(f);
  std::fclose(f);
  if (!ok)
    fail("cannot write " + path.string());
}

} // namespace

tls_cert_files make_self_signed_cert(const std::filesystem::path& dir,
                                     const std::string& host,
                                     const std::string& name) {
  pkey_ptr key{EVP_EC_gen("P-256")};
  if (!key)
    fail("key generation");

  x509_ptr cert{X509_new()};
  if (!cert)
    fail("X509_new");
  X509_set_version(cert.get(), 2); // v3, for the extensions
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(
    subject, "CN", MBSTRING_ASC,
    reinterpret_cast<const unsigned char*>(host.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), subject); // self-signed
  // A trust anchor of its own: the test client trusts exactly this file.
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), NID_key_usage,
                "critical,digitalSignature,keyCertSign");
  add_extension(cert.get(), NID_subject_alt_name,
                "DNS:" + host + ",IP:127.0.0.1");
  if (!X509_sign(cert.get(), key.get(), EVP_sha256()))
    fail("signing");

  tls_cert_files files{dir / (name + ".crt"), dir / (name + ".key")};
  write_pem(files.certificate,
            [&](std::FILE* f) { return PEM_write_X509(f, cert.get()) == 1; });
  write_pem(files.private_key, [&](std::FILE* f) {
    return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr,
                                nullptr) == 1;
  });
  return files;
}

} // namespace outrigger::test
