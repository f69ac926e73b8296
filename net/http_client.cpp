#include "net/http_client.hpp"

#include "protocol/url.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <sys/socket.h>

#include <cerrno>
#include <map>
#include <optional>

namespace parley::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

/// One kept-alive connection to an origin.
struct connection {
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  beast::tcp_stream& lowest() {
    return plain ? *plain : beast::get_lowest_layer(*secure);
  }

  /// False when the server has closed the idle connection (its FIN or
  /// anything else is waiting to be read): it must not carry a request.
  bool idle_and_open() {
    char byte;
    auto n = ::recv(lowest().socket().native_handle(), &byte, 1,
                    MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
};

} // namespace

struct http_client::impl {
  asio::io_context ioc;
  ssl::context tls{ssl::context::tls_client};
  tcp::resolver resolver{ioc};
  std::map<std::string, std::unique_ptr<connection>> pool;

  /// Runs the io_context until the operation completes; the stream's expiry
  /// bounds it.
  void drive() {
    ioc.restart();
    ioc.run();
  }

  std::unique_ptr<connection> open(const url& u,
                                   std::chrono::steady_clock::time_point deadline,
                                   client_response& out) {
    auto conn = std::make_unique<connection>();
    beast::error_code ec;
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(u.host, u.port,
                           [&](beast::error_code e, tcp::resolver::results_type r) {
                             ec = e;
                             endpoints = std::move(r);
                           });
    drive();
    if (ec) {
      out.error = "cannot resolve " + u.host + ": " + ec.message();
      return nullptr;
    }
    if (u.scheme == "https")
      conn->secure.emplace(ioc, tls);
    else
      conn->plain.emplace(ioc);
    auto& low = conn->lowest();
    low.expires_at(deadline);
    low.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
      ec = e;
    });
    drive();
    if (ec) {
      out.timed_out = ec == beast::error::timeout;
      out.error = "cannot connect to " + u.host + ":" + u.port + ": "
                  + ec.message();
      return nullptr;
    }
    low.socket().set_option(tcp::no_delay(true), ec);
    if (conn->secure) {
      auto* native = conn->secure->native_handle();
      SSL_set_tlsext_host_name(native, u.host.c_str()); // SNI
      conn->secure->set_verify_callback(ssl::host_name_verification(u.host));
      conn->secure->async_handshake(ssl::stream_base::client,
                                    [&](beast::error_code e) { ec = e; });
      drive();
      if (ec) {
        out.timed_out = ec == beast::error::timeout;
        out.error = "TLS handshake with " + u.host + " failed: " + ec.message();
        return nullptr;
      }
    }
    return conn;
  }

  /// One exchange on `conn`; false when the connection failed before an
  /// answer arrived (`out.written` tells whether the request went out).
  bool exchange(connection& conn, const http::request<http::string_body>& req,
                std::chrono::steady_clock::time_point deadline,
                client_response& out, bool& keep) {
    beast::error_code ec;
    conn.lowest().expires_at(deadline);
    auto on_write = [&](beast::error_code e, std::size_t) { ec = e; };
    if (conn.plain)
      http::async_write(*conn.plain, req, on_write);
    else
      http::async_write(*conn.secure, req, on_write);
    drive();
    if (ec) {
      out.timed_out = ec == beast::error::timeout;
      out.error = "sending the request failed: " + ec.message();
      return false;
    }
    out.written = true;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    auto on_read = [&](beast::error_code e, std::size_t) { ec = e; };
    if (conn.plain)
      http::async_read(*conn.plain, conn.buffer, parser, on_read);
    else
      http::async_read(*conn.secure, conn.buffer, parser, on_read);
    drive();
    if (ec) {
      out.timed_out = ec == beast::error::timeout;
      out.error = out.timed_out ? "no answer before the timeout"
                                : "reading the answer failed: " + ec.message();
      return false;
    }
    auto res = parser.release();
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    out.error.clear();
    out.timed_out = false;
    out.written = false;
    keep = res.keep_alive();
    return true;
  }
};

http_client::http_client(std::string ca_file) : impl_(std::make_unique<impl>()) {
  impl_->tls.set_default_verify_paths();
  if (!ca_file.empty())
    impl_->tls.load_verify_file(ca_file);
  impl_->tls.set_verify_mode(ssl::verify_peer);
}

http_client::~http_client() = default;

client_response http_client::send(const client_request& req) {
  client_response out;
  auto u = parse_url(req.url);
  if (!u) {
    out.error = "not an http(s) URL: " + req.url;
    return out;
  }
  auto deadline = std::chrono::steady_clock::now() + req.timeout;
  http::request<http::string_body> msg;
  msg.method_string(req.method);
  msg.target(u->target);
  msg.version(11);
  msg.set(http::field::host, u->host);
  msg.set(http::field::user_agent, "parley");
  msg.keep_alive(true);
  for (auto& [name, value] : req.headers)
    msg.set(name, value);
  if (!req.body.empty() || req.method == "POST" || req.method == "PUT") {
    if (msg.find(http::field::content_type) == msg.end())
      msg.set(http::field::content_type, "application/json");
    msg.body() = req.body;
    msg.prepare_payload();
  }
  auto origin = u->scheme + "://" + u->host + ":" + u->port;
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<connection> conn;
    if (auto pooled = impl_->pool.find(origin); pooled != impl_->pool.end()) {
      conn = std::move(pooled->second);
      impl_->pool.erase(pooled);
      if (!conn->idle_and_open())
        conn.reset();
    }
    auto reused = conn != nullptr;
    if (!reused) {
      conn = impl_->open(*u, deadline, out);
      if (!conn)
        return out;
    }
    bool keep = false;
    if (impl_->exchange(*conn, msg, deadline, out, keep)) {
      if (keep)
        impl_->pool[origin] = std::move(conn);
      return out;
    }
    // A kept-alive connection the server closed as the request went out:
    // once more on a new one, unless the deadline passed or the request is
    // not safe to repeat and may have arrived.
    bool repeatable = req.repeatable || req.method == "GET" || req.method == "HEAD";
    if (!reused || out.timed_out || (out.written && !repeatable))
      return out;
    out.written = false;
  }
  return out;
}

} // namespace parley::net
