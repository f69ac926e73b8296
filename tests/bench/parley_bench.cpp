// The load generator and the HTTP ceiling for tests/bench/run.sh.
//
//   parley_bench ingest --url http://127.0.0.1:8080/webhooks/meta/whatsapp
//                --secret S --connections 64 --seconds 5 [--label parley]
//     Signed ~1 KB Meta webhooks with unique message ids over keep-alive
//     connections, as fast as each connection is answered. Prints one JSON
//     line: acknowledged/s, ack latency p50/p90/p99/max, errors.
//
//   parley_bench ceiling --port P [--threads 2]
//     The least an HTTP server can do: read the request, answer 200 with a
//     Graph-API-shaped body. The same load against it is the HTTP ceiling.
#include "protocol/signature.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

std::map<std::string, std::string> options(int argc, char** argv, int from) {
  std::map<std::string, std::string> out;
  for (int i = from; i + 1 < argc; i += 2)
    out[std::string(argv[i]).substr(2)] = argv[i + 1];
  return out;
}

/// A text-message webhook padded to about 1 KB, as Meta sends them (contacts,
/// metadata, a sentence of text).
std::string webhook(uint64_t n, const std::string& pnid) {
  auto sender = "316" + std::to_string(10000000 + n % 10000);
  std::string text = "Bench message " + std::to_string(n) + ": ";
  while (text.size() < 560)
    text += "kun je morgen om negen uur bellen over de offerte? ";
  nlohmann::json j = {
    {"object", "whatsapp_business_account"},
    {"entry", {{{"id", "102290129340398"},
                {"changes", {{{"field", "messages"},
                              {"value", {{"messaging_product", "whatsapp"},
                                         {"metadata", {{"display_phone_number", "15550783881"},
                                                       {"phone_number_id", pnid}}},
                                         {"contacts", {{{"profile", {{"name", "Bench Sender"}}},
                                                        {"wa_id", sender}}}},
                                         {"messages", {{{"from", sender},
                                                        {"id", "wamid.bench." + std::to_string(n)},
                                                        {"timestamp", "1700000000"},
                                                        {"type", "text"},
                                                        {"text", {{"body", text}}}}}}}}}}}}}}};
  return j.dump();
}

double percentile(std::vector<double>& xs, double p) {
  if (xs.empty())
    return 0;
  auto k = static_cast<size_t>(p * static_cast<double>(xs.size() - 1));
  std::nth_element(xs.begin(), xs.begin() + static_cast<long>(k), xs.end());
  return xs[k];
}

int ingest(std::map<std::string, std::string> opt) {
  auto url = opt["url"];
  auto host_start = url.find("://") + 3;
  auto path_start = url.find('/', host_start);
  auto hostport = url.substr(host_start, path_start - host_start);
  auto target = url.substr(path_start);
  auto colon = hostport.find(':');
  auto host = hostport.substr(0, colon);
  auto port = hostport.substr(colon + 1);
  auto secret = opt["secret"];
  auto pnid = opt.count("pnid") ? opt["pnid"] : "1122334455667";
  int connections = std::stoi(opt.count("connections") ? opt["connections"] : "16");
  double seconds = std::stod(opt.count("seconds") ? opt["seconds"] : "5");
  uint64_t first_id = std::stoull(opt.count("first-id") ? opt["first-id"] : "0");

  std::atomic<uint64_t> next{first_id};
  std::atomic<uint64_t> errors{0};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(connections));
  auto start = clock_type::now();
  auto deadline = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c)
    threads.emplace_back([&, c] {
      asio::io_context ioc;
      beast::tcp_stream stream(ioc);
      beast::flat_buffer buffer;
      bool open = false;
      while (clock_type::now() < deadline) {
        try {
          if (!open) {
            tcp::resolver resolver(ioc);
            stream.connect(resolver.resolve(host, port));
            stream.socket().set_option(tcp::no_delay(true));
            open = true;
          }
          auto body = webhook(next++, pnid);
          http::request<http::string_body> req{http::verb::post, target, 11};
          req.set(http::field::host, host);
          req.set(http::field::content_type, "application/json");
          req.set("X-Hub-Signature-256", parley::meta_signature(secret, body));
          req.keep_alive(true);
          req.body() = std::move(body);
          req.prepare_payload();
          auto sent = clock_type::now();
          http::write(stream, req);
          http::response<http::string_body> res;
          http::read(stream, buffer, res);
          auto us = std::chrono::duration<double, std::micro>(clock_type::now() - sent);
          if (res.result_int() == 200)
            latencies[static_cast<size_t>(c)].push_back(us.count());
          else
            ++errors;
          if (!res.keep_alive()) {
            beast::error_code ec;
            stream.socket().close(ec);
            open = false;
          }
        } catch (const std::exception&) {
          ++errors;
          beast::error_code ec;
          stream.socket().close(ec);
          open = false;
        }
      }
    });
  for (auto& t : threads)
    t.join();
  double elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies)
    all.insert(all.end(), l.begin(), l.end());
  nlohmann::json out = {
    {"label", opt.count("label") ? opt["label"] : "target"},
    {"connections", connections},
    {"seconds", elapsed},
    {"acked", all.size()},
    {"errors", errors.load()},
    {"per_second", static_cast<double>(all.size()) / elapsed},
    {"p50_us", percentile(all, 0.50)},
    {"p90_us", percentile(all, 0.90)},
    {"p99_us", percentile(all, 0.99)},
    {"max_us", all.empty() ? 0.0 : *std::max_element(all.begin(), all.end())},
    {"next_id", next.load()}};
  std::cout << out.dump() << std::endl;
  return 0;
}

int ceiling(std::map<std::string, std::string> opt) {
  auto port = static_cast<unsigned short>(std::stoi(opt["port"]));
  int threads = std::stoi(opt.count("threads") ? opt["threads"] : "2");
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), port});
  std::cerr << "ceiling listening on " << acceptor.local_endpoint().port() << std::endl;
  const std::string answer = R"({"messaging_product":"whatsapp","messages":[{"id":"wamid.ceiling"}]})";
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (;;) {
        tcp::socket socket(ioc);
        beast::error_code ec;
        {
          static std::mutex m;
          std::lock_guard<std::mutex> lock(m);
          acceptor.accept(socket, ec);
        }
        if (ec)
          continue;
        // One thread per connection, as the load generator's connections are
        // long-lived; the pool only accepts.
        std::thread([s = std::move(socket), &answer]() mutable {
          s.set_option(tcp::no_delay(true));
          beast::flat_buffer buffer;
          beast::error_code ec;
          for (;;) {
            http::request<http::string_body> req;
            http::read(s, buffer, req, ec);
            if (ec)
              return;
            http::response<http::string_body> res{http::status::ok, req.version()};
            res.set(http::field::content_type, "application/json");
            res.keep_alive(req.keep_alive());
            res.body() = answer;
            res.prepare_payload();
            http::write(s, res, ec);
            if (ec || !req.keep_alive())
              return;
          }
        }).detach();
      }
    });
  for (auto& t : pool)
    t.join();
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: parley_bench ingest|ceiling --option value ...\n";
    return 2;
  }
  std::string mode = argv[1];
  auto opt = options(argc, argv, 2);
  if (mode == "ingest")
    return ingest(opt);
  if (mode == "ceiling")
    return ceiling(opt);
  std::cerr << "unknown mode '" << mode << "'\n";
  return 2;
}
