#include "app/http_tls.hpp"

#include <boost/asio/ssl/context.hpp>

#include <openssl/ssl.h>

#include <stdexcept>

namespace outrigger::app {

namespace ssl = boost::asio::ssl;

std::shared_ptr<ssl::context>
make_server_tls_context(const http_tls_files& files) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                     ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                   ec);
  auto fail = [](const std::string& what) { throw std::runtime_error(what); };
  ctx->use_certificate_chain_file(files.cert, ec);
  if (ec)
    fail("--tls-cert: cannot use " + files.cert + ": " + ec.message());
  ctx->use_private_key_file(files.key, ssl::context::pem, ec);
  if (ec)
    fail("--tls-key: cannot use " + files.key + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    fail("--tls-key: " + files.key + " is not the key of " + files.cert);
  if (!files.client_ca.empty()) {
    ctx->load_verify_file(files.client_ca, ec);
    if (ec)
      fail("--tls-client-ca: cannot use " + files.client_ca + ": " +
           ec.message());
    // Tell clients which CAs are accepted, and refuse those without one.
    if (auto* names = SSL_load_client_CA_file(files.client_ca.c_str()))
      SSL_CTX_set_client_CA_list(ctx->native_handle(), names);
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert,
                         ec);
  }
  return ctx;
}

} // namespace outrigger::app
