#include "actors/app/evolution_cli.hpp"

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

std::string default_webhook_url(const config& cfg) {
  return "http://" + cfg.listen_host + ":" + std::to_string(cfg.listen_port)
         + "/webhooks/evolution";
}

instance_report read_instance(const config& cfg, net::http_client& http,
                              const std::string& instance, bool with_codes) {
  instance_report r;
  auto name = url_encode(instance);
  auto res = call(http, cfg, "GET", "/instance/connectionState/" + name);
  if (r.error = failure(cfg, res); !r.error.empty())
    return r;
  r.state = evolution::parse_connection_state(res.body);
  if (with_codes && r.state != "open") {
    auto codes = evolution::parse_connect(call(http, cfg, "GET", "/instance/connect/" + name).body);
    r.qr_code = codes.code;
    r.pairing_code = codes.pairing_code;
  }
  return r;
}

instance_report prepare_instance(const config& cfg, net::http_client& http,
                                 const std::string& instance,
                                 const std::string& webhook_url) {
  instance_report r;
  auto name = url_encode(instance);
  auto listed = call(http, cfg, "GET", "/instance/fetchInstances?instanceName=" + name);
  // Evolution answers 404 for an unknown instanceName.
  if (listed.status != 404)
    if (r.error = failure(cfg, listed); !r.error.empty())
      return r;
  r.created = listed.status == 404 || !evolution::lists_instance(listed.body, instance);
  auto made = r.created
                ? call(http, cfg, "POST", "/instance/create",
                       evolution::create_instance_body(instance, webhook_url,
                                                       cfg.evolution.api_key))
                : call(http, cfg, "POST", "/webhook/set/" + name,
                       evolution::set_webhook_body(webhook_url, cfg.evolution.api_key));
  if (r.error = failure(cfg, made); !r.error.empty())
    return r;
  auto look = read_instance(cfg, http, instance, true);
  look.created = r.created;
  look.webhook = webhook_url;
  return look;
}

int evolution_connect(const config& cfg, const evolution_connect_options& opts,
                      std::ostream& out, std::ostream& err) {
  if (!configured(cfg, err))
    return 1;
  auto webhook = opts.webhook_url.empty() ? default_webhook_url(cfg) : opts.webhook_url;
  net::http_client http;
  auto start = std::chrono::steady_clock::now();
  auto look = prepare_instance(cfg, http, opts.instance, webhook);
  if (!look.error.empty()) {
    err << look.error << "\n";
    return 1;
  }
  out << (look.created ? "created instance " + opts.instance + " with its webhook at "
                       : "instance " + opts.instance + " exists; its webhook now points at ")
      << webhook << "\n";
  std::string shown;
  for (;;) {
    if (look.state == "open") {
      out << "connected: " << opts.instance << " is open\n";
      return 0;
    }
    // A fresh QR code whenever WhatsApp rotates it.
    if (!look.qr_code.empty() && look.qr_code != shown) {
      shown = look.qr_code;
      out << "\nScan with WhatsApp (Settings > Linked devices > Link a device):\n"
          << qr_to_terminal(look.qr_code);
      if (!look.pairing_code.empty())
        out << "or link with phone number instead and enter the code: "
            << look.pairing_code << "\n";
    }
    auto waited = std::chrono::steady_clock::now() - start;
    if (waited >= opts.timeout)
      break;
    out << "waiting for the phone (state: " << (look.state.empty() ? "unknown" : look.state)
        << ", " << std::chrono::duration_cast<std::chrono::seconds>(waited).count()
        << " s)\n";
    out.flush();
    std::this_thread::sleep_for(opts.poll);
    look = read_instance(cfg, http, opts.instance, true);
    if (!look.error.empty()) {
      err << look.error << "\n";
      return 1;
    }
  }
  err << "not connected after " << opts.timeout.count() << " s (state: "
      << (look.state.empty() ? "unknown" : look.state)
      << "); run the command again for a new code\n";
  return 1;
}

int evolution_status(const config& cfg, std::ostream& out, std::ostream& err) {
  if (!configured(cfg, err))
    return 1;
  net::http_client http;
  bool all_open = true, any = false;
  for (auto& tenant : cfg.tenants->all()) {
    auto& t = *tenant;
    if (t.channel != "evolution")
      continue;
    any = true;
    auto look = read_instance(cfg, http, t.instance, false);
    if (!look.error.empty()) {
      out << t.id << " (" << t.instance << "): " << look.error << "\n";
      all_open = false;
      continue;
    }
    auto& state = look.state;
    out << t.id << " (" << t.instance << "): " << (state.empty() ? "unknown" : state) << "\n";
    all_open = all_open && state == "open";
  }
  if (!any)
    out << "no tenant uses the evolution channel\n";
  return all_open ? 0 : 1;
}

} // namespace parley
