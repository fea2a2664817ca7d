// POST /api/v1/scheduler: the checks of Master::Http::scheduler
// (src/master/http.cpp:468-732) in their order, with their status codes and
// bodies (design.md §M6), then the dispatch of each call type.

#include "sim/http_checks.hpp"
#include "sim/master_core.hpp"

#include "protocol/calls.hpp"

namespace outrigger::sim::detail {

namespace {

constexpr const char* json_type = "application/json";
constexpr const char* protobuf_type = "application/x-protobuf";
// DEFAULT_HTTP_FRAMEWORK_AUTHENTICATION_REALM (src/master/constants.hpp:169).
constexpr const char* authentication_realm = "mesos-master-scheduler";

http_response text(unsigned status, std::string body) {
  http_response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

http_response accepted() {
  http_response r;
  r.status = 202; // Content-Length: 0 (added by the server), no body
  return r;
}

handler_reply reply(http_response r) {
  return handler_reply{std::move(r), std::nullopt};
}

std::string call_name(protocol::call_type t) {
  std::string name{to_string(t)};
  for (auto& c : name)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

} // namespace

http_response master_core::redirect(const http_request& request) const {
  if (!leader)
    return text(503, "No leader elected");
  auto base = "//" + leader->hostname.value_or(config.ip) + ":" +
              std::to_string(leader->port);
  std::string path{request.path()};
  auto query = request.target.substr(path.size());
  // libprocess hands requests for unknown process ids to the master, its
  // delegate, as /master/... (3rdparty/libprocess/src/process.cpp:2712).
  if (path.rfind("/master/", 0) != 0 && path != "/master" &&
      path.rfind("/metrics/", 0) != 0)
    path = "/master" + path;
  http_response r;
  r.status = 307;
  if (path == "/master/redirect") {
    r.headers.emplace_back("Location", base);
  } else if (path.rfind("/master/redirect/", 0) == 0) {
    return text(404, "404 Not Found.");
  } else {
    r.headers.emplace_back("Location", base + path + query);
  }
  return r;
}

handler_reply master_core::scheduler_api(const http_request& request) {
  // libprocess authenticates before the handler runs
  // (3rdparty/libprocess/src/process.cpp:3790-3820): a 401 comes before any
  // redirect, 503 or 405. Every failure is the same challenge
  // (transcripts2 101-104b, 109).
  std::optional<std::string> principal;
  if (config.authenticate_http_frameworks) {
    principal =
      basic_principal(request.header("Authorization"), config.credentials);
    if (!principal) {
      auto r = text(401, "401 Unauthorized.");
      r.headers.insert(r.headers.begin(),
                       {"WWW-Authenticate", std::string{"Basic realm=\""} +
                                              authentication_realm + "\""});
      return reply(std::move(r));
    }
  }
  if (!leading)
    return reply(redirect(request));
  if (now < unavailable_until)
    return reply(text(503, "Master has not finished recovery"));
  if (request.method != "POST")
    return reply([&] {
      auto r = text(405, "405 Method Not Allowed. Expecting one of { 'POST' }, "
                         "but received '" +
                           request.method + "'.");
      r.headers.insert(r.headers.begin(), {"Allow", "POST"});
      return r;
    }());
  // Simulator bound: libprocess has no limit of its own.
  if (request.body.size() > config.max_body_bytes)
    return reply(text(413, "Request body too large"));

  auto content_type = request.header("Content-Type");
  if (!content_type)
    return reply(text(400, "Expecting 'Content-Type' to be present"));

  protocol::Call call;
  if (*content_type == protobuf_type) {
    // The simulator does not speak protobuf. An empty body is a valid empty
    // protobuf message, so it fails validation like on the real master.
    if (!request.body.empty())
      return reply(text(400, "Failed to parse body into Call protobuf"));
  } else if (*content_type == json_type) {
    if (auto e = json_syntax_error(request.body))
      return reply(text(400, "Failed to parse body into JSON: " + *e));
    auto converted = convert_call(request.body);
    if (auto* e = std::get_if<std::string>(&converted))
      return reply(
        text(400, "Failed to convert JSON into Call protobuf: " + *e));
    call = std::move(std::get<protocol::Call>(converted));
  } else {
    // Exact comparison: "application/json; charset=utf-8" lands here (§0.6).
    return reply(text(415, std::string{"Expecting 'Content-Type' of "} +
                             json_type + " or " + protobuf_type));
  }

  if (auto e = protocol::validate_call(call, principal)) {
    bump("master/invalid_scheduler_calls");
    return reply(text(400, "Failed to validate scheduler::Call: " + *e));
  }

  auto type = *call.type;
  if (type == protocol::call_type::subscribe ||
      type == protocol::call_type::reconcile_operations) {
    // JSON is tried first; an Accept that only allows protobuf gets the 406
    // too, since the simulator cannot stream protobuf.
    if (!accepts_media_type(request.header("Accept"), json_type))
      return reply(text(406, std::string{"Expecting 'Accept' to allow '"} +
                               protobuf_type + "' or '" + json_type + "'"));
  }

  if (type == protocol::call_type::subscribe) {
    if (request.header("Mesos-Stream-Id"))
      return reply(
        text(400, "Subscribe calls should not include the 'Mesos-Stream-Id' "
                  "header"));
    // An authenticated framework may leave FrameworkInfo.principal out: the
    // master fills it in (src/master/http.cpp:575-593, transcripts2 107).
    if (principal && !call.subscribe->framework_info.principal)
      call.subscribe->framework_info.principal = principal;
    return subscribe(request, *call.subscribe);
  }

  auto* fw = find_framework(call.framework_id->value);
  if (fw == nullptr)
    return reply(text(400, "Framework cannot be found"));

  if (type == protocol::call_type::unknown && config.crash_on_unknown_call) {
    // FrameworkMetrics::incrementCall CHECK-fails for UNKNOWN
    // (src/master/metrics.cpp:865): the master aborts (design.md §M1).
    crash();
    http_response none;
    none.status = 0;
    return reply(std::move(none));
  }
  fw->calls[call_name(type)] += 1;

  // 400 without the "Failed to validate" prefix (src/master/http.cpp:
  // 624-630, transcripts2 108); an unset FrameworkInfo.principal reads as
  // "" there.
  if (principal && *principal != fw->info.principal.value_or(""))
    return reply(text(400, "Authenticated principal '" + *principal +
                             "' does not match principal '" +
                             fw->info.principal.value_or("") +
                             "' set in `FrameworkInfo`"));

  if (!fw->connected)
    return reply(text(403, "Framework is not subscribed"));
  auto stream_header = request.header("Mesos-Stream-Id");
  if (!stream_header)
    return reply(text(400, "All non-subscribe calls should include the "
                           "'Mesos-Stream-Id' header"));
  if (*stream_header != fw->stream_uuid)
    return reply(
      text(400, "The stream ID '" + *stream_header +
                  "' included in this request didn't match the stream ID "
                  "currently associated with framework ID " +
                  fw->id.value));

  if (calls_to_drop > 0) {
    --calls_to_drop;
    return reply(accepted());
  }
  return reply(dispatch(*fw, call));
}

http_response master_core::dispatch(framework_rec& fw, protocol::Call& call) {
  using protocol::call_type;
  switch (*call.type) {
    case call_type::teardown:
      bump("master/messages_unregister_framework");
      remove_framework(fw);
      return accepted();
    case call_type::accept:
      accept(fw, *call.accept);
      return accepted();
    case call_type::decline:
      decline(fw, *call.decline);
      return accepted();
    case call_type::revive:
      revive(fw, call.revive.value_or(protocol::RoleList{}));
      return accepted();
    case call_type::suppress:
      suppress(fw, call.suppress.value_or(protocol::RoleList{}));
      return accepted();
    case call_type::kill:
      kill(fw, *call.kill);
      return accepted();
    case call_type::shutdown:
      shutdown(fw, *call.shutdown);
      return accepted();
    case call_type::acknowledge:
      acknowledge(fw, *call.acknowledge);
      return accepted();
    case call_type::reconcile:
      reconcile(fw, *call.reconcile);
      return accepted();
    case call_type::message:
      // Forwarded to the executor in Mesos; simulated executors ignore it.
      bump("master/messages_framework_to_executor");
      return accepted();
    case call_type::request:
      bump("master/messages_resource_request");
      return accepted();
    case call_type::accept_inverse_offers:
    case call_type::decline_inverse_offers:
    case call_type::acknowledge_operation_status:
    case call_type::reconcile_operations:
      // No maintenance schedules and no operation feedback here: nothing to
      // act on, and the real master answers 202 too.
      return accepted();
    case call_type::update_framework:
      return update_framework(fw, *call.update_framework);
    default:
      // UNKNOWN: the documented answer (src/master/http.cpp:726-728), which
      // the real master never reaches (see crash_on_unknown_call).
      return text(501, "501 Not Implemented.");
  }
}

} // namespace outrigger::sim::detail
