// Every scheduler Call and Event type: build the C++ value, encode it, check
// the bytes where the exact shape matters to the master, decode it back and
// compare with the original.

#include "protocol/codec.hpp"
#include "protocol/json_value.hpp"

#include <doctest/doctest.h>

#include <string>

// Messages are built with designated initializers that leave most of their
// optional fields unset on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using namespace outrigger::protocol;

namespace {

const FrameworkID kFramework{"52b37399-815a-42e6-9723-a6a8a61cedbb-0000"};
const AgentID kAgent{"52b37399-815a-42e6-9723-a6a8a61cedbb-S0"};

// The uuid of a real TASK_STARTING update ("a/+9w2FrR92K0/BQA7adSw==").
const Bytes kUuid{std::string("\x6b\xff\xbd\xc3\x61\x6b\x47\xdd"
                              "\x8a\xd3\xf0\x50\x03\xb6\x9d\x4b",
                              16)};

// Encodes, decodes, and checks that nothing was lost and that the decoded
// value encodes to the very same bytes. Returns the JSON text.
template <class T>
std::string roundtrip(const T& value) {
  auto text = to_json(value);
  CAPTURE(text);
  // The direct writer gives the DOM encoder's bytes.
  CHECK(text == to_json_value(value).dump());
  auto back = from_json<T>(text);
  REQUIRE_MESSAGE(back, back.error().to_string());
  CHECK(*back == value);
  CHECK(to_json(*back) == text);
  return text;
}

Resource scalar(std::string name, double value) {
  return {.name = std::move(name),
          .type = value_type::scalar,
          .scalar = Scalar{value}};
}

Labels labels(std::string key, std::string value) {
  return Labels{{Label{std::move(key), std::move(value)}}};
}

// One resource of each kind with every role, reservation and disk detail.
std::vector<Resource> full_resources() {
  ReservationInfo dynamic{.type = reservation_type::dynamic,
                          .role = "analytics",
                          .principal = "outrigger",
                          .labels = labels("owner", "outrigger")};
  auto cpus = scalar("cpus", 0.5);
  cpus.allocation_info = AllocationInfo{"analytics"};
  cpus.reservations = {dynamic};
  auto mem = scalar("mem", 256.0);
  mem.role = "analytics";
  mem.reservation = ReservationInfo{.principal = "outrigger"};
  mem.revocable = RawJson{"{}"};
  Resource ports{.name = "ports",
                 .type = value_type::ranges,
                 .ranges = Ranges{{{31000, 31001}, {32000, 32000}}},
                 .allocation_info = AllocationInfo{"analytics"}};
  Resource zones{.name = "zones",
                 .type = value_type::set,
                 .set = Set{{"a", "b"}},
                 .shared = RawJson{"{}"}};
  auto disk = scalar("disk", 1024.0);
  disk.provider_id = ResourceProviderID{"rp-1"};
  disk.reservations = {
    ReservationInfo{.type = reservation_type::static_, .role = "analytics"},
    dynamic};
  disk.disk =
    DiskInfo{.persistence = DiskPersistence{"vol-1", "outrigger"},
             .volume = RawJson{R"({"mode":"RW","container_path":"data"})"},
             .source = DiskSource{.type = disk_source_type::mount,
                                  .mount = DiskSourceRoot{"/mnt/disk1"},
                                  .vendor = "org.example.csi",
                                  .id = "vol-0001",
                                  .metadata = labels("tier", "ssd"),
                                  .profile = "fast"}};
  return {cpus, mem, ports, zones, disk};
}

// A shell command in the Mesos containerizer with an image.
TaskInfo shell_task() {
  TaskInfo t{.name = "web-1",
             .task_id = {"web-1"},
             .agent_id = kAgent,
             .resources = full_resources()};
  t.command = CommandInfo{
    .uris = {CommandURI{.value = "http://artifacts.example.org/web.tar.gz",
                        .executable = false,
                        .extract = true,
                        .cache = true,
                        .output_file = "web.tar.gz"}},
    .environment = Environment{{
      {.name = "PORT", .type = env_variable_type::value, .value = "31000"},
      {.name = "TOKEN",
       .type = env_variable_type::secret,
       .secret = RawJson{R"({"type":"REFERENCE","reference":{"name":"/t"}})"}},
    }},
    .shell = true,
    .value = "./web --port $PORT",
    .user = "www-data"};
  t.container = ContainerInfo{
    .type = container_type::mesos,
    .volumes = {Volume{.mode = volume_mode::ro,
                       .container_path = "/etc/web",
                       .host_path = "/srv/web/etc"}},
    .mesos = MesosInfo{Image{.type = image_type::docker,
                             .docker = DockerImage{.name = "library/nginx"},
                             .cached = false}}};
  t.health_check = RawJson{R"({"type":"HTTP","http":{"port":31000}})"};
  t.kill_policy = KillPolicy{DurationInfo{5'000'000'000}};
  t.data = Bytes{std::string("\0\x01\xfe\xff", 4)};
  t.labels = labels("app", "web");
  t.max_completion_time = DurationInfo{3'600'000'000'000};
  return t;
}

// An argv command in a Docker container with bridge networking.
TaskInfo docker_task() {
  return {
    .name = "cache",
    .task_id = {"cache-1"},
    .agent_id = kAgent,
    .resources = {scalar("cpus", 1.0)},
    .command = CommandInfo{.shell = false,
                           .value = "/usr/bin/redis-server",
                           .arguments = {"redis-server", "--port", "6379"}},
    .container = ContainerInfo{
      .type = container_type::docker,
      .hostname = "cache-1",
      .docker = DockerInfo{.image = "redis:7",
                           .network = docker_network::bridge,
                           .port_mappings = {{31001, 6379, "tcp"}},
                           .privileged = false,
                           .parameters = {{"ulimit", "nofile=1024"}},
                           .force_pull_image = true},
      .network_infos = {
        NetworkInfo{.ip_addresses = {{network_protocol::ipv4, std::nullopt}},
                    .name = "cni-net",
                    .groups = {"cache"},
                    .labels = labels("net", "blue"),
                    .port_mappings = {{31001, 6379, "tcp"}}}}}};
}

FrameworkInfo full_framework_info() {
  return {.user = "outrigger",
          .name = "outrigger",
          .id = kFramework,
          .failover_timeout = 604800.0,
          .checkpoint = true,
          .roles = {"analytics", "batch"},
          .hostname = "sched-1.example.org",
          .principal = "outrigger",
          .webui_url = "http://sched-1.example.org:8080/",
          .capabilities = {{framework_capability::multi_role},
                           {framework_capability::partition_aware}},
          .labels = Labels{{{"team", "infra"}, {"canary", std::nullopt}}}};
}

Call call(call_type type) {
  return Call{.framework_id = kFramework, .type = type};
}

} // namespace

TEST_CASE("codec: SUBSCRIBE with a full FrameworkInfo") {
  auto c = call(call_type::subscribe);
  c.subscribe = Subscribe{full_framework_info(), {"batch"}};
  // Field order is the .proto declaration order, doubles keep their ".0".
  CHECK(
    roundtrip(c) ==
    R"({"framework_id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-0000"},)"
    R"("type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"outrigger",)"
    R"("name":"outrigger","id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-0000"},)"
    R"("failover_timeout":604800.0,"checkpoint":true,"roles":["analytics","batch"],)"
    R"("hostname":"sched-1.example.org","principal":"outrigger",)"
    R"("webui_url":"http://sched-1.example.org:8080/",)"
    R"("capabilities":[{"type":"MULTI_ROLE"},{"type":"PARTITION_AWARE"}],)"
    R"("labels":{"labels":[{"key":"team","value":"infra"},{"key":"canary"}]}},)"
    R"("suppressed_roles":["batch"]}})");
}

TEST_CASE("codec: TEARDOWN has no sub-message") {
  CHECK(
    roundtrip(call(call_type::teardown)) ==
    R"({"framework_id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-0000"},)"
    R"("type":"TEARDOWN"})");
}

TEST_CASE(
  "codec: ACCEPT with LAUNCH, LAUNCH_GROUP and a pass-through RESERVE") {
  auto c = call(call_type::accept);
  ExecutorInfo executor{.type = executor_type::default_,
                        .executor_id = {"default-exec-1"},
                        .framework_id = kFramework,
                        .resources = {scalar("cpus", 0.1), scalar("mem", 32)},
                        .name = "default",
                        .data = Bytes{"cfg"},
                        .shutdown_grace_period = DurationInfo{1'000'000'000},
                        .labels = labels("group", "g1")};
  // RESERVE is not modeled: its sub-message travels in `extra` unchanged.
  OfferOperation reserve{
    .type = operation_type::reserve,
    .id = OperationID{"op-reserve-1"},
    .extra =
      RawJson{R"({"reserve":{"resources":[{"name":"cpus","type":"SCALAR",)"
              R"("scalar":{"value":1.0},"reservations":[{"type":"DYNAMIC",)"
              R"("role":"analytics","principal":"outrigger"}]}]}})"}};
  c.accept = Accept{
    .offer_ids = {{"52b37399-815a-42e6-9723-a6a8a61cedbb-O0"}, {"O1"}},
    .operations =
      {OfferOperation{.type = operation_type::launch,
                      .launch = LaunchOperation{{shell_task(), docker_task()}}},
       OfferOperation{
         .type = operation_type::launch_group,
         .launch_group =
           LaunchGroupOperation{executor, {{shell_task(), docker_task()}}}},
       reserve},
    .filters = Filters{1.0}};
  auto text = roundtrip(c);
  CHECK(text.find(R"("reserve":{"resources":[)") != std::string::npos);

  // The argv/Docker task in the exact shape the master expects.
  CHECK(
    roundtrip(docker_task()) ==
    R"({"name":"cache","task_id":{"value":"cache-1"},)"
    R"("agent_id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-S0"},)"
    R"("resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":1.0}}],)"
    R"("command":{"shell":false,"value":"/usr/bin/redis-server",)"
    R"("arguments":["redis-server","--port","6379"]},)"
    R"("container":{"type":"DOCKER","hostname":"cache-1","docker":{"image":"redis:7",)"
    R"("network":"BRIDGE","port_mappings":[{"host_port":31001,"container_port":6379,)"
    R"("protocol":"tcp"}],"privileged":false,"parameters":[{"key":"ulimit",)"
    R"("value":"nofile=1024"}],"force_pull_image":true},"network_infos":[{)"
    R"("ip_addresses":[{"protocol":"IPv4"}],"name":"cni-net","groups":["cache"],)"
    R"("labels":{"labels":[{"key":"net","value":"blue"}]},"port_mappings":[{)"
    R"("host_port":31001,"container_port":6379,"protocol":"tcp"}]}]}})");
}

TEST_CASE("codec: a resource with reservations and disk info") {
  auto resources = full_resources();
  for (auto& r : resources)
    roundtrip(r);
  CHECK(
    roundtrip(resources[4]) ==
    R"({"provider_id":{"value":"rp-1"},"name":"disk","type":"SCALAR",)"
    R"("scalar":{"value":1024.0},"reservations":[{"type":"STATIC",)"
    R"("role":"analytics"},{"type":"DYNAMIC","role":"analytics",)"
    R"("principal":"outrigger","labels":{"labels":[{"key":"owner",)"
    R"("value":"outrigger"}]}}],"disk":{"persistence":{"id":"vol-1",)"
    R"("principal":"outrigger"},"volume":{"mode":"RW","container_path":"data"},)"
    R"("source":{"type":"MOUNT","mount":{"root":"/mnt/disk1"},)"
    R"("vendor":"org.example.csi","id":"vol-0001","metadata":{"labels":[{)"
    R"("key":"tier","value":"ssd"}]},"profile":"fast"}}})");
}

TEST_CASE("codec: DECLINE with filters") {
  auto c = call(call_type::decline);
  c.decline = Decline{{{"O1"}, {"O2"}}, Filters{5.0}};
  CHECK(
    roundtrip(c) ==
    R"({"framework_id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-0000"},)"
    R"("type":"DECLINE","decline":{"offer_ids":[{"value":"O1"},{"value":"O2"}],)"
    R"("filters":{"refuse_seconds":5.0}}})");
  // Filters without refuse_seconds: the master applies its default.
  c.decline->filters = Filters{};
  CHECK(roundtrip(c).find(R"("filters":{})") != std::string::npos);
}

TEST_CASE("codec: ACCEPT_INVERSE_OFFERS and DECLINE_INVERSE_OFFERS") {
  auto a = call(call_type::accept_inverse_offers);
  a.accept_inverse_offers = InverseOffersReply{{{"IO1"}}, Filters{0.5}};
  roundtrip(a);
  auto d = call(call_type::decline_inverse_offers);
  d.decline_inverse_offers = InverseOffersReply{{{"IO1"}, {"IO2"}}, {}};
  CHECK(roundtrip(d).ends_with(R"("decline_inverse_offers":{)"
                               R"("inverse_offer_ids":[{"value":"IO1"},)"
                               R"({"value":"IO2"}]}})"));
}

TEST_CASE("codec: REVIVE and SUPPRESS with and without roles") {
  auto r = call(call_type::revive);
  r.revive = RoleList{{"analytics", "batch"}};
  CHECK(roundtrip(r).ends_with(R"("revive":{"roles":["analytics","batch"]}})"));
  auto s = call(call_type::suppress);
  s.suppress = RoleList{{"batch"}};
  roundtrip(s);
  // No roles means all roles; the empty message must still be present.
  s.suppress = RoleList{};
  CHECK(roundtrip(s).ends_with(R"("type":"SUPPRESS","suppress":{}})"));
}

TEST_CASE("codec: KILL and SHUTDOWN") {
  auto k = call(call_type::kill);
  k.kill = Kill{{"web-1"}, kAgent, KillPolicy{DurationInfo{3'000'000'000}}};
  CHECK(roundtrip(k).ends_with(
    R"("kill":{"task_id":{"value":"web-1"},"agent_id":{"value":)"
    R"("52b37399-815a-42e6-9723-a6a8a61cedbb-S0"},"kill_policy":{)"
    R"("grace_period":{"nanoseconds":3000000000}}}})"));
  k.kill = Kill{{"web-1"}, {}, {}};
  roundtrip(k);
  auto s = call(call_type::shutdown);
  s.shutdown = Shutdown{{"default-exec-1"}, kAgent};
  roundtrip(s);
}

TEST_CASE("codec: ACKNOWLEDGE echoes a binary uuid as base64") {
  auto c = call(call_type::acknowledge);
  c.acknowledge = Acknowledge{kAgent, {"task-echo-1"}, kUuid};
  CHECK(
    roundtrip(c) ==
    R"({"framework_id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-0000"},)"
    R"("type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":)"
    R"("52b37399-815a-42e6-9723-a6a8a61cedbb-S0"},"task_id":{"value":)"
    R"("task-echo-1"},"uuid":"a/+9w2FrR92K0/BQA7adSw=="}})");
}

TEST_CASE("codec: ACKNOWLEDGE_OPERATION_STATUS") {
  auto c = call(call_type::acknowledge_operation_status);
  c.acknowledge_operation_status = AcknowledgeOperationStatus{
    kAgent, ResourceProviderID{"rp-1"}, kUuid, OperationID{"op-reserve-1"}};
  CHECK(roundtrip(c).ends_with(
    R"("resource_provider_id":{"value":"rp-1"},)"
    R"("uuid":"a/+9w2FrR92K0/BQA7adSw==","operation_id":{"value":"op-reserve-1"}}})"));
}

TEST_CASE("codec: RECONCILE explicit and implicit") {
  auto c = call(call_type::reconcile);
  c.reconcile = Reconcile{{{{"task-sleep-1"}, kAgent}, {{"task-gone"}, {}}}};
  roundtrip(c);
  // Implicit reconciliation is an empty message, not a missing one: without
  // "reconcile" the master answers 400.
  c.reconcile = Reconcile{};
  CHECK(
    roundtrip(c) ==
    R"({"framework_id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-0000"},)"
    R"("type":"RECONCILE","reconcile":{}})");
}

TEST_CASE("codec: RECONCILE_OPERATIONS") {
  auto c = call(call_type::reconcile_operations);
  c.reconcile_operations = ReconcileOperations{
    {{{"op-1"}, kAgent, ResourceProviderID{"rp-1"}}, {{"op-2"}, {}, {}}}};
  roundtrip(c);
  c.reconcile_operations = ReconcileOperations{};
  CHECK(roundtrip(c).ends_with(R"("reconcile_operations":{}})"));
}

TEST_CASE("codec: MESSAGE carries binary data") {
  auto c = call(call_type::message);
  c.message = ExecutorMessage{
    kAgent, {"exec-1"}, Bytes{std::string("\0\xffhello\x80", 8)}};
  CHECK(roundtrip(c).ends_with(
    R"("executor_id":{"value":"exec-1"},"data":"AP9oZWxsb4A="}})"));
}

TEST_CASE("codec: REQUEST") {
  auto c = call(call_type::request);
  c.request = Request{{ResourceRequest{kAgent, {scalar("cpus", 2.0)}},
                       ResourceRequest{{}, {scalar("mem", 512.0)}}}};
  roundtrip(c);
}

TEST_CASE("codec: UPDATE_FRAMEWORK") {
  auto c = call(call_type::update_framework);
  auto info = full_framework_info();
  info.offer_filters =
    RawJson{R"({"analytics":{"min_allocatable_resources":{"quantities":[{)"
            R"("quantities":{"cpus":{"value":0.5}}}]}}})"};
  c.update_framework = Subscribe{
    info, {"batch"}, RawJson{R"({"role_constraints":{"analytics":{}}})"}};
  auto text = roundtrip(c);
  CHECK(text.find(R"("update_framework":{"framework_info":{"user":)") !=
        std::string::npos);
}

// -- events -------------------------------------------------------------------

TEST_CASE("codec: OFFERS with attributes, url, executors, unavailability") {
  URL url{"http",
          Address{"agent-1", "10.0.0.1", 5051, {}},
          "/slave(1)",
          {{"k", "v"}},
          "frag"};
  Offer first{
    .id = {"O1"},
    .framework_id = kFramework,
    .agent_id = kAgent,
    .hostname = "agent-1",
    .url = url,
    .domain = RawJson{R"({"fault_domain":{"region":{"name":"eu"},)"
                      R"("zone":{"name":"eu-1a"}}})"},
    .resources = full_resources(),
    .attributes = {{"rack", value_type::text, {}, {}, {}, Text{"r1"}},
                   {"weight", value_type::scalar, Scalar{2.5}},
                   {"slots", value_type::ranges, {}, Ranges{{{1, 8}}}},
                   {"disks", value_type::set, {}, {}, Set{{"ssd"}}}},
    .executor_ids = {{"exec-1"}, {"exec-2"}},
    .unavailability =
      Unavailability{{1795308142000000000}, DurationInfo{3600000000000}},
    .allocation_info = AllocationInfo{"analytics"}};
  Offer second{.id = {"O2"},
               .framework_id = kFramework,
               .agent_id = {"S1"},
               .hostname = "agent-2",
               .resources = {scalar("cpus", 2.0)},
               .unavailability = Unavailability{{0}, {}}};
  Event e{.type = event_type::offers, .offers = Offers{{first, second}}};
  auto text = roundtrip(e);
  CHECK(text.find(R"("attributes":[{"name":"rack","type":"TEXT",)"
                  R"("text":{"value":"r1"}},{"name":"weight","type":"SCALAR",)"
                  R"("scalar":{"value":2.5}})") != std::string::npos);
}

TEST_CASE("codec: INVERSE_OFFERS, RESCIND and RESCIND_INVERSE_OFFER") {
  InverseOffer io{.id = {"IO1"},
                  .url = URL{"http", Address{{}, "10.0.0.1", 5051, {}}},
                  .framework_id = kFramework,
                  .agent_id = kAgent,
                  .unavailability = Unavailability{{1795308142000000000}, {}},
                  .resources = {scalar("cpus", 1.0)}};
  roundtrip(Event{.type = event_type::inverse_offers,
                  .inverse_offers = InverseOffers{{io, io}}});
  CHECK(
    roundtrip(Event{.type = event_type::rescind, .rescind = Rescind{{"O1"}}}) ==
    R"({"type":"RESCIND","rescind":{"offer_id":{"value":"O1"}}})");
  CHECK(
    roundtrip(Event{.type = event_type::rescind_inverse_offer,
                    .rescind_inverse_offer = RescindInverseOffer{{"IO1"}}}) ==
    R"({"type":"RESCIND_INVERSE_OFFER","rescind_inverse_offer":{)"
    R"("inverse_offer_id":{"value":"IO1"}}})");
}

TEST_CASE("codec: UPDATE with a full TaskStatus") {
  TaskStatus s{
    .task_id = {"web-1"},
    .state = task_state::failed,
    .message = "Container exited with status 137",
    .source = status_source::executor,
    .reason = status_reason::container_limitation_memory,
    .data = Bytes{std::string("\x01\x02", 2)},
    .agent_id = kAgent,
    .executor_id = ExecutorID{"web-1"},
    .timestamp = 1795308142.573653,
    .uuid = kUuid,
    .healthy = false,
    .check_status = RawJson{R"({"type":"COMMAND","command":{"exit_code":1}})"},
    .labels = labels("attempt", "3"),
    .container_status =
      ContainerStatus{
        ContainerID{"677eafde", {ContainerID{"e988ce03"}}},
        {NetworkInfo{.ip_addresses = {{network_protocol::ipv4, "127.0.0.1"}}}},
        RawJson{R"({"net_cls":{"classid":1}})"},
        24654},
    .unreachable_time = TimeInfo{1795308100000000000},
    .limitation = RawJson{R"({"resources":[]})"}};
  auto text = roundtrip(Event{.type = event_type::update, .update = Update{s}});
  CHECK(text.starts_with(
    R"({"type":"UPDATE","update":{"status":{"task_id":{"value":"web-1"},)"
    R"("state":"TASK_FAILED","message":"Container exited with status 137",)"
    R"("source":"SOURCE_EXECUTOR","reason":"REASON_CONTAINER_LIMITATION_MEMORY",)"
    R"("data":"AQI=","agent_id":{"value":"52b37399-815a-42e6-9723-a6a8a61cedbb-S0"},)"
    R"("executor_id":{"value":"web-1"},"timestamp":1795308142.573653,)"
    R"("uuid":"a/+9w2FrR92K0/BQA7adSw==","healthy":false,)"));
  CHECK(text.find(R"("container_id":{"value":"677eafde","parent":{)"
                  R"("value":"e988ce03"}})") != std::string::npos);
}

TEST_CASE("codec: UPDATE_OPERATION_STATUS") {
  OperationStatus s{.operation_id = OperationID{"op-reserve-1"},
                    .state = operation_state::finished,
                    .message = "done",
                    .converted_resources = full_resources(),
                    .uuid = UUID{kUuid},
                    .agent_id = kAgent,
                    .resource_provider_id = ResourceProviderID{"rp-1"}};
  auto text =
    roundtrip(Event{.type = event_type::update_operation_status,
                    .update_operation_status = UpdateOperationStatus{s}});
  // OperationStatus.uuid is a UUID message, unlike TaskStatus.uuid.
  CHECK(text.find(R"("uuid":{"value":"a/+9w2FrR92K0/BQA7adSw=="})") !=
        std::string::npos);
}

TEST_CASE("codec: MESSAGE, FAILURE, ERROR and HEARTBEAT events") {
  roundtrip(Event{.type = event_type::message,
                  .message = ExecutorMessage{
                    kAgent, {"exec-1"}, Bytes{std::string("\xff\0", 2)}}});
  CHECK(roundtrip(Event{.type = event_type::failure,
                        .failure = Failure{kAgent, ExecutorID{"exec-1"}, -9}})
          .ends_with(R"("executor_id":{"value":"exec-1"},"status":-9}})"));
  roundtrip(
    Event{.type = event_type::failure, .failure = Failure{AgentID{"S1"}}});
  CHECK(roundtrip(Event{.type = event_type::error,
                        .error = Error{"Framework has been removed"}}) ==
        R"({"type":"ERROR","error":{"message":"Framework has been removed"}})");
  CHECK(roundtrip(Event{.type = event_type::heartbeat}) ==
        R"({"type":"HEARTBEAT"})");
}
