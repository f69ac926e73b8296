// GET/POST /api/bookings and DELETE /api/bookings/{id}: a business's
// appointments for the operator, through the same booking desk and rules as
// the customers' tools.

#include "actors/app/admin_api.hpp"

#include "actors/errors.hpp"
#include "protocol/json_fields.hpp"
#include "protocol/url.hpp"

#include <caf/event_based_actor.hpp>

#include <nlohmann/json.hpp>

namespace parley {

using nlohmann::json;

namespace {

/// The desk's answer as an HTTP answer: `key` holds the data on success.
net::http_response answer_of(const std::string& text, const char* key, unsigned ok_status) {
  auto j = json::parse(text, nullptr, false);
  if (!j.is_object())
    return net::json_error(503, "unavailable", "the booking desk gave no answer");
  if (j.contains("refused"))
    return net::json_error(j["refused"] == "not_found" ? 404 : 409,
                           j["refused"].get<std::string>(), j.value("reason", ""));
  if (j.contains("error")) {
    auto detail = j["error"].get<std::string>();
    return net::json_error(detail.find("cannot be reached") != std::string::npos ? 503 : 400,
                           "bad_request", detail);
  }
  if (!j.contains(key))
    return net::json_error(503, "unavailable", "the booking desk gave no answer");
  return {ok_status, "application/json", j[key].dump()};
}

void ask_desk(caf::actor_system& sys, booking_desk_actor desk, booking_call call,
              const char* key, unsigned ok_status, net::respond_fn respond) {
  if (!desk)
    return respond(net::json_error(503, "unavailable", "the booking desk is not running"));
  sys.spawn([=](caf::event_based_actor* self) {
    self->request(desk, std::chrono::seconds(30), atom::run_v, call)
      .then([=](const std::string& text) { respond(answer_of(text, key, ok_status)); },
            [=](const caf::error& err) {
              respond(net::json_error(503, "unavailable", describe(err)));
            });
  });
}

} // namespace

void bookings_api(caf::actor_system& sys, const config& cfg, admin_actors actors,
                  net::http_request req, net::respond_fn respond) {
  auto path = req.path();
  booking_call call;
  call.api = true;
  call.staff = true;
  const std::string one = "/api/bookings/";
  if (path.compare(0, one.size(), one) == 0 && path.size() > one.size()) {
    if (req.method != "DELETE")
      return respond(net::json_error(405, "method_not_allowed", "use DELETE"));
    auto id = path.substr(one.size());
    if (id.find_first_not_of("0123456789") != std::string::npos || id.size() > 18)
      return respond(net::json_error(404, "not_found", "no booking " + id));
    call.tool = "cancel";
    call.arguments = json{{"booking_id", std::stoll(id)}}.dump();
    return ask_desk(sys, actors.bookings, call, "cancelled", 200, std::move(respond));
  }
  auto business = [&](const std::string& tenant) {
    auto t = cfg.tenant_by_id(tenant);
    return t && t->business.enabled;
  };
  if (req.method == "GET") {
    call.tenant = query_param(req.target, "tenant").value_or("");
    if (!business(call.tenant))
      return respond(net::json_error(404, "not_found", "no business tenant '" + call.tenant + "'"));
    call.tool = "list_all";
    call.arguments = json{{"from", query_param(req.target, "from").value_or("")},
                          {"to", query_param(req.target, "to").value_or("")},
                          {"status", query_param(req.target, "status").value_or("")}}
                       .dump();
    return ask_desk(sys, actors.bookings, call, "bookings", 200, std::move(respond));
  }
  if (req.method != "POST")
    return respond(net::json_error(405, "method_not_allowed", "use GET or POST"));
  auto body = json::parse(req.body, nullptr, false);
  auto text = string_field;
  if (!body.is_object() || !body.contains("customer") || !body["customer"].is_object()
      || text(body["customer"], "number").empty())
    return respond(net::json_error(400, "bad_request",
                                   "the body must be {\"tenant\", \"service\", \"start\", "
                                   "\"customer\": {\"number\", \"name\"}}"));
  call.tenant = text(body, "tenant");
  if (!business(call.tenant))
    return respond(net::json_error(404, "not_found", "no business tenant '" + call.tenant + "'"));
  // Booked for the customer: their repeat within 5 minutes is the same booking.
  call.staff = false;
  call.customer = text(body["customer"], "number");
  call.customer_name = text(body["customer"], "name");
  call.tool = "book";
  call.arguments = json{{"service", text(body, "service")}, {"start", text(body, "start")},
                        {"name", call.customer_name}}
                     .dump();
  ask_desk(sys, actors.bookings, call, "booked", 201, std::move(respond));
}

} // namespace parley
