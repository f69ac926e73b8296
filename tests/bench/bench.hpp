#pragma once

// What the benchmark's modes share: options, the webhook they send, latency
// summaries and a thread-per-connection HTTP server for the fake peers.

#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace bench {

using clock_type = std::chrono::steady_clock;
using options = std::map<std::string, std::string>;

/// `--name value` pairs.
options parse_options(int argc, char** argv, int from);
std::string option(const options& opt, const std::string& name,
                   const std::string& fallback);

/// A signed-ready Meta text-message webhook from `sender` with message id
/// `wamid.bench.<n>`. An empty `text` pads the message to about 1 KB, as
/// Meta sends them (contacts, metadata, a sentence or two).
std::string webhook(uint64_t n, const std::string& pnid,
                    const std::string& sender, const std::string& text = {});

/// p50/p90/p99/max of `xs` (microseconds) under `prefix`, in milliseconds.
void summarize(nlohmann::json& out, const std::string& prefix,
               std::vector<double> xs);

/// The parts of a URL the load generators need.
struct target {
  std::string host, port, path;
};
target parse_url(const std::string& url);

using request = boost::beast::http::request<boost::beast::http::string_body>;
using response = boost::beast::http::response<boost::beast::http::string_body>;
using handler = std::function<void(const request&, response&)>;

/// One keep-alive connection that posts signed Meta webhooks, reconnecting
/// after a failure.
class webhook_poster {
public:
  webhook_poster(target to, std::string secret);
  ~webhook_poster();
  /// Posts `body` with its X-Hub-Signature-256; the HTTP status, or 0 when
  /// the connection failed. `written_at` is when the request started out.
  int post(std::string body);
  clock_type::time_point written_at;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Serves HTTP/1.1 on 127.0.0.1:port, one thread per connection (the peers'
/// connections are few and long-lived), until the process exits. Returns
/// once listening.
void serve(unsigned short port, handler h);

int ingest(const options& opt);           ///< ack throughput and latency
int end_to_end(const options& opt);       ///< POST to reply at the fake Graph API
int ceiling(const options& opt);          ///< the minimal HTTP server
int storage_ceiling(const options& opt);  ///< the same inserts, straight to PG

} // namespace bench
