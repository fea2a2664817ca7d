// The durable file store of the framework id, directly and as an actor.

#include "actors/error.hpp"
#include "actors/framework_id_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using namespace outrigger;
using namespace outrigger::test;
namespace fs = std::filesystem;

TEST_CASE("id file: absent, stored, replaced, erased") {
  temp_dir dir{"outrigger-idfile"};
  auto path = (dir.path() / "framework_id").string();
  framework_id_file f{path};
  auto a = f.load();
  REQUIRE(a);
  CHECK(a->empty());
  CHECK_FALSE(f.store("74d5754f-8aac-406b-9aac-388ad6fed9db-0000"));
  CHECK(*f.load() == "74d5754f-8aac-406b-9aac-388ad6fed9db-0000");
  CHECK_FALSE(f.store("74d5754f-8aac-406b-9aac-388ad6fed9db-0001"));
  CHECK(*framework_id_file{path}.load() ==
        "74d5754f-8aac-406b-9aac-388ad6fed9db-0001");
  CHECK_FALSE(fs::exists(path + ".tmp")); // renamed, not left behind
  CHECK((fs::status(path).permissions() & fs::perms::others_read) ==
        fs::perms::none);
  CHECK_FALSE(f.erase());
  CHECK(f.load()->empty());
  CHECK_FALSE(f.erase()); // erasing nothing is fine
}

TEST_CASE("id file: corrupt or unwritable files are clear errors") {
  temp_dir dir{"outrigger-idfile"};
  auto path = (dir.path() / "framework_id").string();
  std::ofstream{path} << "not an id\n";
  auto a = framework_id_file{path}.load();
  REQUIRE_FALSE(a);
  CHECK(describe(a.error()).find("is corrupt") != std::string::npos);
  framework_id_file bad{(dir.path() / "missing" / "framework_id").string()};
  auto err = bad.store("fw-1");
  REQUIRE(err);
  CHECK(describe(err).find("store_failed") != std::string::npos);
  CHECK(describe(err).find("missing") != std::string::npos);
  CHECK(framework_id_file{path}.store("bad id with spaces"));
}

TEST_CASE("id file store actor: load, store, erase") {
  temp_dir dir{"outrigger-idfile"};
  auto path = (dir.path() / "framework_id").string();
  caf::actor_system_config cfg;
  add_error_category(cfg);
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto store = spawn_file_id_store(sys, path);
  auto load = [&] {
    std::string out = "?";
    self->request(store, std::chrono::seconds(10), atom::load_v)
      .receive([&](const std::string& id) { out = id; },
               [](caf::error& e) { FAIL(describe(e)); });
    return out;
  };
  CHECK(load().empty());
  self->request(store, std::chrono::seconds(10), atom::store_v, "fw-7")
    .receive([] {}, [](caf::error& e) { FAIL(describe(e)); });
  CHECK(load() == "fw-7");
  CHECK(*framework_id_file{path}.load() == "fw-7");
  self
    ->request(store, std::chrono::seconds(10), atom::store_v,
              std::string{"bad id"})
    .receive([] { FAIL("a malformed id was stored"); },
             [](caf::error& e) {
               CHECK(describe(e).find("store_failed") != std::string::npos);
             });
  self->request(store, std::chrono::seconds(10), atom::erase_v)
    .receive([] {}, [](caf::error& e) { FAIL(describe(e)); });
  CHECK(load().empty());
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
}
