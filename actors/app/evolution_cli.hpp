#pragma once

// `parley evolution connect|status`: pairing an Evolution API instance with
// a phone from the terminal. Blocking HTTP, for the command line only.

#include "net/http_client.hpp"
#include "protocol/config.hpp"
#include "protocol/types.hpp"

#include <chrono>
#include <ostream>
#include <string>

namespace parley {

/// The URL parley's webhook has when none is given: from `listen`.
std::string default_webhook_url(const config& cfg);

/// Creates the instance if it is missing (else points its webhook at
/// `webhook_url`), then reads its state and, unless open, its codes.
instance_report prepare_instance(const config& cfg, net::http_client& http,
                                 const std::string& instance,
                                 const std::string& webhook_url);

/// Reads an instance's state (and its codes when `with_codes` and not open).
instance_report read_instance(const config& cfg, net::http_client& http,
                              const std::string& instance, bool with_codes);

struct evolution_connect_options {
  std::string instance;
  std::string webhook_url;  ///< empty: http://{listen}/webhooks/evolution
  std::chrono::seconds timeout{180};
  std::chrono::milliseconds poll{2000};
};

/// Creates the instance if it is missing (else points its webhook at
/// parley), prints the QR code and the pairing code, and waits until the
/// connection is `open`. 0 when connected; 1 otherwise, with the reason.
int evolution_connect(const config& cfg, const evolution_connect_options& opts,
                      std::ostream& out, std::ostream& err);

/// The connection state of every Evolution tenant's instance. 0 when all
/// are open.
int evolution_status(const config& cfg, std::ostream& out, std::ostream& err);

} // namespace parley
