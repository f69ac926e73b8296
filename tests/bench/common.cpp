#include "bench.hpp"

#include "protocol/signature.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>

#include <algorithm>
#include <iostream>
#include <thread>

namespace bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

options parse_options(int argc, char** argv, int from) {
  options out;
  for (int i = from; i + 1 < argc; i += 2)
    out[std::string(argv[i]).substr(2)] = argv[i + 1];
  return out;
}

std::string option(const options& opt, const std::string& name,
                   const std::string& fallback) {
  auto i = opt.find(name);
  return i == opt.end() ? fallback : i->second;
}

std::string webhook(uint64_t n, const std::string& pnid,
                    const std::string& sender, const std::string& text) {
  auto body = text;
  if (body.empty()) {
    body = "Bench message " + std::to_string(n) + ": ";
    while (body.size() < 560)
      body += "kun je morgen om negen uur bellen over de offerte? ";
  }
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
                                                        {"text", {{"body", body}}}}}}}}}}}}}}};
  return j.dump();
}

void summarize(nlohmann::json& out, const std::string& prefix,
               std::vector<double> xs) {
  auto at = [&](double p) {
    if (xs.empty())
      return 0.0;
    auto k = static_cast<size_t>(p * static_cast<double>(xs.size() - 1));
    std::nth_element(xs.begin(), xs.begin() + static_cast<long>(k), xs.end());
    return xs[k] / 1000;
  };
  out[prefix + "p50_ms"] = at(0.50);
  out[prefix + "p90_ms"] = at(0.90);
  out[prefix + "p99_ms"] = at(0.99);
  out[prefix + "max_ms"] = xs.empty() ? 0.0 : *std::max_element(xs.begin(), xs.end()) / 1000;
}

target parse_url(const std::string& url) {
  auto host_start = url.find("://") + 3;
  auto path_start = url.find('/', host_start);
  auto hostport = url.substr(host_start, path_start - host_start);
  auto colon = hostport.find(':');
  return {hostport.substr(0, colon), hostport.substr(colon + 1),
          url.substr(path_start)};
}

struct webhook_poster::impl {
  target to;
  std::string secret;
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool open = false;

  void close() {
    beast::error_code ec;
    stream.socket().close(ec);
    open = false;
  }
};

webhook_poster::webhook_poster(target to, std::string secret)
  : impl_(std::make_unique<impl>()) {
  impl_->to = std::move(to);
  impl_->secret = std::move(secret);
}

webhook_poster::~webhook_poster() = default;

int webhook_poster::post(std::string body) {
  auto& c = *impl_;
  try {
    if (!c.open) {
      tcp::resolver resolver(c.ioc);
      c.stream.connect(resolver.resolve(c.to.host, c.to.port));
      c.stream.socket().set_option(tcp::no_delay(true));
      c.open = true;
    }
    request req{http::verb::post, c.to.path, 11};
    req.set(http::field::host, c.to.host);
    req.set(http::field::content_type, "application/json");
    req.set("X-Hub-Signature-256", parley::meta_signature(c.secret, body));
    req.keep_alive(true);
    req.body() = std::move(body);
    req.prepare_payload();
    written_at = clock_type::now();
    http::write(c.stream, req);
    response res;
    http::read(c.stream, c.buffer, res);
    if (!res.keep_alive())
      c.close();
    return static_cast<int>(res.result_int());
  } catch (const std::exception&) {
    c.close();
    return 0;
  }
}

void serve(unsigned short port, handler h) {
  auto ioc = std::make_shared<asio::io_context>();
  auto acceptor = std::make_shared<tcp::acceptor>(
    *ioc, tcp::endpoint{asio::ip::make_address("127.0.0.1"), port});
  std::thread([ioc, acceptor, h] {
    for (;;) {
      tcp::socket socket(*ioc);
      beast::error_code ec;
      acceptor->accept(socket, ec);
      if (ec)
        continue;
      std::thread([s = std::move(socket), h]() mutable {
        s.set_option(tcp::no_delay(true));
        beast::flat_buffer buffer;
        beast::error_code ec;
        for (;;) {
          request req;
          http::read(s, buffer, req, ec);
          if (ec)
            return;
          response res{http::status::ok, req.version()};
          res.set(http::field::content_type, "application/json");
          h(req, res);
          res.keep_alive(req.keep_alive());
          res.prepare_payload();
          http::write(s, res, ec);
          if (ec || !req.keep_alive())
            return;
        }
      }).detach();
    }
  }).detach();
}

} // namespace bench
