#pragma once
// The server TLS context of the API (certificate, key, optional client CAs
// for mutual TLS). Only http_server.cpp and http_tls.cpp include Asio's SSL.

#include "app/http_server.hpp"

#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
} // namespace boost::asio::ssl

namespace outrigger::app {

/// A TLS 1.2+ server context from `files`. Throws std::runtime_error naming
/// the setting and file that could not be used.
std::shared_ptr<boost::asio::ssl::context>
make_server_tls_context(const http_tls_files& files);

} // namespace outrigger::app
