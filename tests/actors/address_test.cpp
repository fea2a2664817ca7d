#include "actors/error.hpp"
#include "actors/master_link/master_address.hpp"

#include <doctest/doctest.h>

using namespace outrigger;
using namespace outrigger::link;

namespace {

// The error text of a failed parse ("" when it did not fail).
template <class T>
std::string error_of(const caf::expected<T>& x) {
  return x ? std::string{} : describe(x.error());
}

} // namespace

TEST_CASE("master address: host:port, URLs, IPv6 and defaults") {
  auto a = parse_master_url("10.0.0.5:5051");
  REQUIRE(a);
  CHECK(a->scheme == "http");
  CHECK(a->host == "10.0.0.5");
  CHECK(a->port == 5051);
  CHECK(a->target == "/api/v1/scheduler");
  CHECK(a->to_string() == "http://10.0.0.5:5051/api/v1/scheduler");

  auto b = parse_master_url("https://Master.example.com");
  REQUIRE(b);
  CHECK(b->tls());
  CHECK(b->host == "Master.example.com");
  CHECK(b->port == 5050);

  auto c = parse_master_url("[::1]:6000");
  REQUIRE(c);
  CHECK(c->host == "::1");
  CHECK(c->origin() == "http://[::1]:6000");
  CHECK(c->host_port() == "[::1]:6000");

  auto d = parse_master_url("mesos:5050", true);
  REQUIRE(d);
  CHECK(d->scheme == "https");

  auto e = parse_master_url("HTTP://proxy:80/mesos/");
  REQUIRE(e);
  CHECK(e->target == "/mesos/api/v1/scheduler");
  auto f = parse_master_url("http://m:5050/master/api/v1/scheduler");
  REQUIRE(f);
  CHECK(f->target == "/master/api/v1/scheduler");
}

TEST_CASE("master address: bad input gets a clear error") {
  CHECK(error_of(parse_master_url("")) == "bad_address: empty master address");
  CHECK(error_of(parse_master_url("m:0")).find("invalid port '0'") !=
        std::string::npos);
  CHECK(error_of(parse_master_url("m:70000")).find("expected 1-65535") !=
        std::string::npos);
  CHECK(error_of(parse_master_url("m:50x")).find("invalid port '50x'") !=
        std::string::npos);
  CHECK(error_of(parse_master_url("m:")).find("empty port") !=
        std::string::npos);
  CHECK(error_of(parse_master_url("ftp://m:1")).find("unsupported scheme") !=
        std::string::npos);
  CHECK(error_of(parse_master_url("http://:5050")).find("missing host") !=
        std::string::npos);
  CHECK(error_of(parse_master_url("ma ster:5050")).find("invalid character") !=
        std::string::npos);
  CHECK(error_of(parse_master_url("[::1:5050")).find("unterminated IPv6") !=
        std::string::npos);
  auto creds = error_of(parse_master_url("http://user:pw@m:5050"));
  CHECK(creds.find("credentials are not allowed") != std::string::npos);
  CHECK(creds.find("pw") == std::string::npos);
}

TEST_CASE("master address: comma lists and zk:// URLs") {
  auto list = parse_master_addresses(" m1:5050, https://m2:5051 ,m3");
  REQUIRE(list);
  CHECK(!list->zk);
  REQUIRE(list->masters.size() == 3);
  CHECK(list->masters[0].origin() == "http://m1:5050");
  CHECK(list->masters[1].origin() == "https://m2:5051");
  CHECK(list->masters[2].origin() == "http://m3:5050");

  auto zk = parse_master_addresses("zk://z1:2181,z2,[::1]:2182/mesos/prod/");
  REQUIRE(zk);
  REQUIRE(zk->zk);
  CHECK(zk->masters.empty());
  CHECK(zk->zk->hosts == "z1:2181,z2:2181,[::1]:2182");
  CHECK(zk->zk->path == "/mesos/prod");

  CHECK(error_of(parse_master_addresses("zk://z1:2181"))
          .find("needs the masters' group path") != std::string::npos);
  CHECK(error_of(parse_master_addresses("zk://z1:2181/")).find("group path") !=
        std::string::npos);
  auto secret = error_of(parse_master_addresses("zk://u:hunter2@z1/mesos"));
  CHECK(secret.find("must not contain credentials") != std::string::npos);
  CHECK(secret.find("hunter2") == std::string::npos);
  CHECK(error_of(parse_master_addresses("m1:5050,zk://z/mesos"))
          .find("cannot be combined") != std::string::npos);
  CHECK(error_of(parse_master_addresses("m1:5050,,m2")).find("empty master") !=
        std::string::npos);
  CHECK(error_of(parse_master_addresses("  ")).find("no master address") !=
        std::string::npos);
  CHECK(error_of(parse_master_addresses("zk://z1:99999/mesos"))
          .find("invalid port") != std::string::npos);
}

TEST_CASE("redirect: protocol-relative Location keeps the scheme") {
  auto cur = *parse_master_url("https://m1:5050");
  // The real master's Location (design.md §M2).
  auto next = resolve_redirect(cur, "//localhost:5052/master/api/v1/scheduler");
  REQUIRE(next);
  CHECK(next->to_string() == "https://localhost:5052/master/api/v1/scheduler");

  auto plain = *parse_master_url("m1:5050");
  auto n2 = resolve_redirect(plain, "//m2:5051/master/api/v1/scheduler?x=1");
  REQUIRE(n2);
  CHECK(n2->to_string() == "http://m2:5051/master/api/v1/scheduler?x=1");

  // No path: keep the current target. A path only: same origin.
  auto n3 = resolve_redirect(plain, "//m3:5053");
  REQUIRE(n3);
  CHECK(n3->to_string() == "http://m3:5053/api/v1/scheduler");
  auto n4 = resolve_redirect(plain, "/master/api/v1/scheduler");
  REQUIRE(n4);
  CHECK(n4->to_string() == "http://m1:5050/master/api/v1/scheduler");

  // Absolute URLs: upgrade allowed, downgrade refused.
  auto n5 = resolve_redirect(plain, "https://m4:443/api/v1/scheduler");
  REQUIRE(n5);
  CHECK(n5->tls());
  CHECK(error_of(resolve_redirect(cur, "http://m4:80/x"))
          .find("refusing a redirect from https to http") != std::string::npos);
  CHECK(error_of(resolve_redirect(plain, "")).find("without a Location") !=
        std::string::npos);
  CHECK(error_of(resolve_redirect(plain, "m2:5050")).find("unsupported") !=
        std::string::npos);
  CHECK(error_of(resolve_redirect(plain, "//:5050/x")).find("missing host") !=
        std::string::npos);
}
