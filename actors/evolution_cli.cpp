#include "actors/evolution_cli.hpp"

#include "net/http_client.hpp"
#include "protocol/evolution.hpp"
#include "protocol/qr_text.hpp"
#include "protocol/url.hpp"

#include <thread>

namespace parley {

namespace {

/// One call to the Evolution API with its key.
net::client_response call(net::http_client& http, const config& cfg,
                          const std::string& method, const std::string& path,
                          const std::string& body = {}) {
  net::client_request req;
  req.method = method;
  req.url = cfg.evolution.base_url + path;
  req.body = body;
  req.timeout = std::chrono::seconds(15);
  req.headers.emplace_back("apikey", cfg.evolution.api_key);
  if (!body.empty())
    req.headers.emplace_back("Content-Type", "application/json");
  return http.send(req);
}

/// A sentence for an answer that is not a success, or "" for 2xx.
std::string failure(const config& cfg, const net::client_response& res) {
  if (res.status == 0)
    return "the Evolution API at " + cfg.evolution.base_url
           + " is not reachable: " + res.error;
  if (res.status == 401 || res.status == 403)
    return "the Evolution API refused the key (HTTP " + std::to_string(res.status)
           + "); check evolution.api_key_env";
  if (res.status < 200 || res.status >= 300)
    return "the Evolution API answered HTTP " + std::to_string(res.status) + ": "
           + res.body.substr(0, 300);
  return {};
}

bool configured(const config& cfg, std::ostream& err) {
  if (!cfg.evolution.enabled() || cfg.evolution.api_key.empty()) {
    err << "no Evolution API is configured: set evolution.base_url and "
           "evolution.api_key_env\n";
    return false;
  }
  return true;
}

} // namespace

int evolution_connect(const config& cfg, const evolution_connect_options& opts,
                      std::ostream& out, std::ostream& err) {
  if (!configured(cfg, err))
    return 1;
  auto webhook = opts.webhook_url.empty()
                   ? "http://" + cfg.listen_host + ":" + std::to_string(cfg.listen_port)
                       + "/webhooks/evolution"
                   : opts.webhook_url;
  auto instance = url_encode(opts.instance);
  net::http_client http;
  auto listed = call(http, cfg, "GET", "/instance/fetchInstances?instanceName=" + instance);
  // Evolution answers 404 for an unknown instanceName.
  bool exists = listed.status != 404 && evolution::lists_instance(listed.body, opts.instance);
  if (listed.status != 404)
    if (auto why = failure(cfg, listed); !why.empty()) {
      err << why << "\n";
      return 1;
    }
  auto made = exists ? call(http, cfg, "POST", "/webhook/set/" + instance,
                            evolution::set_webhook_body(webhook, cfg.evolution.api_key))
                     : call(http, cfg, "POST", "/instance/create",
                            evolution::create_instance_body(opts.instance, webhook,
                                                            cfg.evolution.api_key));
  if (auto why = failure(cfg, made); !why.empty()) {
    err << why << "\n";
    return 1;
  }
  out << (exists ? "instance " + opts.instance + " exists; its webhook now points at "
                 : "created instance " + opts.instance + " with its webhook at ")
      << webhook << "\n";
  auto start = std::chrono::steady_clock::now();
  std::string shown, state;
  while (std::chrono::steady_clock::now() - start < opts.timeout) {
    auto res = call(http, cfg, "GET", "/instance/connectionState/" + instance);
    if (auto why = failure(cfg, res); !why.empty()) {
      err << why << "\n";
      return 1;
    }
    state = evolution::parse_connection_state(res.body);
    if (state == "open") {
      out << "connected: " << opts.instance << " is open\n";
      return 0;
    }
    // A fresh QR code whenever WhatsApp rotates it.
    auto codes = evolution::parse_connect(
      call(http, cfg, "GET", "/instance/connect/" + instance).body);
    if (!codes.code.empty() && codes.code != shown) {
      shown = codes.code;
      out << "\nScan with WhatsApp (Settings > Linked devices > Link a device):\n"
          << qr_to_terminal(codes.code);
      if (!codes.pairing_code.empty())
        out << "or link with phone number instead and enter the code: "
            << codes.pairing_code << "\n";
    }
    auto waited = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::steady_clock::now() - start);
    out << "waiting for the phone (state: " << (state.empty() ? "unknown" : state)
        << ", " << waited.count() << " s)\n";
    out.flush();
    std::this_thread::sleep_for(opts.poll);
  }
  err << "not connected after " << opts.timeout.count() << " s (state: "
      << (state.empty() ? "unknown" : state) << "); run the command again for a new code\n";
  return 1;
}

int evolution_status(const config& cfg, std::ostream& out, std::ostream& err) {
  if (!configured(cfg, err))
    return 1;
  net::http_client http;
  bool all_open = true, any = false;
  for (auto& t : cfg.tenants) {
    if (t.channel != "evolution")
      continue;
    any = true;
    auto res = call(http, cfg, "GET", "/instance/connectionState/" + url_encode(t.instance));
    if (auto why = failure(cfg, res); !why.empty()) {
      out << t.id << " (" << t.instance << "): " << why << "\n";
      all_open = false;
      continue;
    }
    auto state = evolution::parse_connection_state(res.body);
    out << t.id << " (" << t.instance << "): " << (state.empty() ? "unknown" : state) << "\n";
    all_open = all_open && state == "open";
  }
  if (!any)
    out << "no tenant uses the evolution channel\n";
  return all_open ? 0 : 1;
}

} // namespace parley
