#include "net/http_pool.hpp"

#include "protocol/url.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <sys/socket.h>

#include <cerrno>
#include <deque>
#include <map>
#include <optional>
#include <vector>

namespace parley::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using clock = std::chrono::steady_clock;

namespace {

/// One connection to an origin, kept alive between requests.
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

  template <class Message, class Handler>
  void write(Message& msg, Handler&& h) {
    if (plain)
      http::async_write(*plain, msg, std::forward<Handler>(h));
    else
      http::async_write(*secure, msg, std::forward<Handler>(h));
  }

  template <class Parser, class Handler>
  void read(Parser& parser, Handler&& h) {
    if (plain)
      http::async_read(*plain, buffer, parser, std::forward<Handler>(h));
    else
      http::async_read(*secure, buffer, parser, std::forward<Handler>(h));
  }
};

/// One request on its way: it holds a connection slot of its origin from
/// the moment it gets one until `done` has been called.
struct exchange {
  url target;
  std::string origin;
  http::request<http::string_body> msg;
  bool repeatable = false;
  clock::time_point deadline;
  http_pool::done_fn done;
  std::unique_ptr<connection> conn;
  bool reused = false;  ///< the connection carried a request before
  bool retried = false;
  std::optional<http::response_parser<http::string_body>> parser;
  client_response out;
};

using exchange_ptr = std::shared_ptr<exchange>;

/// The connections of one origin and the requests waiting for one.
struct origin_pool {
  std::vector<std::unique_ptr<connection>> idle;
  size_t taken = 0;  ///< slots held by requests (opening or exchanging)
  std::deque<exchange_ptr> waiting;
};

http::request<http::string_body> request_message(const client_request& req,
                                                 const url& u) {
  http::request<http::string_body> msg;
  msg.method_string(req.method);
  msg.target(u.target);
  msg.version(11);
  msg.set(http::field::host, u.host);
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
  return msg;
}

} // namespace

struct http_pool::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& ioc, size_t per_origin) : ioc(ioc), per_origin(per_origin) {}

  asio::io_context& ioc;
  ssl::context tls{ssl::context::tls_client};
  size_t per_origin;
  std::map<std::string, origin_pool> origins;

  /// A kept-alive connection, a new one, or a place in the queue.
  void acquire(const exchange_ptr& ex) {
    auto& pool = origins[ex->origin];
    if (clock::now() >= ex->deadline) {
      ex->out.timed_out = true;
      ex->out.error = "no connection to " + ex->target.host + " came free before the timeout";
      ++pool.taken;  // finish gives the slot back
      return finish(ex, false);
    }
    while (!pool.idle.empty()) {
      auto conn = std::move(pool.idle.back());
      pool.idle.pop_back();
      if (!conn->idle_and_open())
        continue;
      ++pool.taken;
      ex->conn = std::move(conn);
      ex->reused = true;
      return exchange_on(ex);
    }
    if (pool.taken < per_origin) {
      ++pool.taken;
      return open(ex);
    }
    pool.waiting.push_back(ex);
  }

  void open(const exchange_ptr& ex) {
    ex->reused = false;
    ex->conn = std::make_unique<connection>();
    auto resolver = std::make_shared<tcp::resolver>(ioc);
    resolver->async_resolve(
      ex->target.host, ex->target.port,
      [self = shared_from_this(), ex, resolver](beast::error_code ec,
                                                tcp::resolver::results_type endpoints) {
        if (ec) {
          ex->out.error = "cannot resolve " + ex->target.host + ": " + ec.message();
          return self->finish(ex, false);
        }
        self->connect(ex, endpoints);
      });
  }

  void connect(const exchange_ptr& ex, const tcp::resolver::results_type& endpoints) {
    if (ex->target.scheme == "https")
      ex->conn->secure.emplace(ioc, tls);
    else
      ex->conn->plain.emplace(ioc);
    auto& low = ex->conn->lowest();
    low.expires_at(ex->deadline);
    low.async_connect(endpoints, [self = shared_from_this(), ex](beast::error_code ec,
                                                                const tcp::endpoint&) {
      if (ec) {
        ex->out.timed_out = ec == beast::error::timeout;
        ex->out.error = "cannot connect to " + ex->target.host + ":" + ex->target.port
                        + ": " + ec.message();
        return self->finish(ex, false);
      }
      beast::error_code ignored;
      ex->conn->lowest().socket().set_option(tcp::no_delay(true), ignored);
      if (!ex->conn->secure)
        return self->exchange_on(ex);
      auto& stream = *ex->conn->secure;
      SSL_set_tlsext_host_name(stream.native_handle(), ex->target.host.c_str()); // SNI
      stream.set_verify_callback(ssl::host_name_verification(ex->target.host));
      stream.async_handshake(ssl::stream_base::client,
                             [self, ex](beast::error_code e) {
                               if (e) {
                                 ex->out.timed_out = e == beast::error::timeout;
                                 ex->out.error = "TLS handshake with " + ex->target.host
                                                 + " failed: " + e.message();
                                 return self->finish(ex, false);
                               }
                               self->exchange_on(ex);
                             });
    });
  }

  /// Writes the request on the exchange's connection and reads the answer.
  void exchange_on(const exchange_ptr& ex) {
    ex->conn->lowest().expires_at(ex->deadline);
    ex->conn->write(ex->msg, [self = shared_from_this(), ex](beast::error_code ec,
                                                             std::size_t) {
      if (ec) {
        ex->out.timed_out = ec == beast::error::timeout;
        ex->out.error = "sending the request failed: " + ec.message();
        return self->failed_on_connection(ex);
      }
      ex->out.written = true;
      ex->parser.emplace();
      ex->parser->body_limit(64 * 1024 * 1024);
      ex->conn->read(*ex->parser, [self, ex](beast::error_code e, std::size_t) {
        if (e) {
          ex->out.timed_out = e == beast::error::timeout;
          ex->out.error = ex->out.timed_out ? "no answer before the timeout"
                                            : "reading the answer failed: " + e.message();
          return self->failed_on_connection(ex);
        }
        auto res = ex->parser->release();
        ex->out.status = static_cast<int>(res.result_int());
        ex->out.body = std::move(res.body());
        ex->out.error.clear();
        ex->out.timed_out = false;
        ex->out.written = false;
        self->finish(ex, res.keep_alive());
      });
    });
  }

  /// A kept-alive connection the server closed as the request went out:
  /// once more on a new one, unless the deadline passed or the request is
  /// not safe to repeat and may have arrived.
  void failed_on_connection(const exchange_ptr& ex) {
    if (ex->reused && !ex->retried && !ex->out.timed_out
        && (!ex->out.written || ex->repeatable)) {
      ex->retried = true;
      ex->out = client_response{};
      return open(ex);  // keeps the slot
    }
    finish(ex, false);
  }

  /// Gives the slot back (and the connection, when it may carry another
  /// request), answers, and lets the next waiting request of the origin go.
  void finish(const exchange_ptr& ex, bool keep) {
    auto& pool = origins[ex->origin];
    if (keep && ex->conn)
      pool.idle.push_back(std::move(ex->conn));
    ex->conn.reset();
    --pool.taken;
    auto done = std::move(ex->done);
    auto origin = ex->origin;
    done(std::move(ex->out));
    auto& again = origins[origin];
    if (!again.waiting.empty()) {
      auto next = std::move(again.waiting.front());
      again.waiting.pop_front();
      acquire(next);
    }
  }
};

http_pool::http_pool(asio::io_context& ioc, std::string ca_file, size_t per_origin)
  : impl_(std::make_shared<impl>(ioc, per_origin == 0 ? 1 : per_origin)) {
  impl_->tls.set_default_verify_paths();
  if (!ca_file.empty())
    impl_->tls.load_verify_file(ca_file);
  impl_->tls.set_verify_mode(ssl::verify_peer);
}

http_pool::~http_pool() {
  // Idle connections close now; requests under way keep what they need.
  asio::post(impl_->ioc, [pool = impl_] { pool->origins.clear(); });
}

void http_pool::send(client_request req, done_fn done) {
  asio::post(impl_->ioc, [pool = impl_, req = std::move(req), done = std::move(done)]() mutable {
    auto u = parse_url(req.url);
    if (!u) {
      client_response out;
      out.error = "not an http(s) URL: " + req.url;
      return done(std::move(out));
    }
    auto ex = std::make_shared<exchange>();
    ex->msg = request_message(req, *u);
    ex->origin = u->scheme + "://" + u->host + ":" + u->port;
    ex->target = std::move(*u);
    ex->repeatable = req.repeatable || req.method == "GET" || req.method == "HEAD";
    ex->deadline = clock::now() + req.timeout;
    ex->done = std::move(done);
    pool->acquire(ex);
  });
}

} // namespace parley::net
