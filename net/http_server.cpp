#include "net/http_server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace parley::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

http_response json_error(unsigned status, const std::string& code,
                         const std::string& detail) {
  nlohmann::json j = {{"error", code}, {"detail", detail}};
  return {status, "application/json",
          j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

namespace {

constexpr auto read_timeout = std::chrono::seconds(30);

class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket&& socket, std::size_t body_limit,
          std::shared_ptr<http_handler> handler)
    : stream_(std::move(socket)), body_limit_(body_limit),
      handler_(std::move(handler)) {
    // A webhook is a few KB: read it in one system call, not in 512-byte
    // steps.
    buffer_.reserve(16 * 1024);
  }

  void run() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&session::read, shared_from_this()));
  }

private:
  void read() {
    parser_.emplace();
    parser_->body_limit(body_limit_);
    stream_.expires_after(read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&session::on_read,
                                               shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof)
      return close();
    if (ec == http::error::body_limit) {
      keep_alive_ = false;
      return write(json_error(413, "payload_too_large",
                              "the body exceeds the limit of "
                                + std::to_string(body_limit_) + " bytes"),
                   11);
    }
    if (ec == beast::error::timeout || ec == asio::error::operation_aborted
        || ec == asio::error::connection_reset)
      return close();
    if (ec) {
      keep_alive_ = false;
      return write(json_error(400, "bad_request",
                              "the HTTP request is malformed: " + ec.message()),
                   11);
    }
    auto msg = parser_->release();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    http_request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (auto& field : msg) {
      std::string name(field.name_string());
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[name] = std::string(field.value());
    }
    req.body = std::move(msg.body());
    // The handler may answer from any thread: hop back onto our strand.
    auto self = shared_from_this();
    respond_fn respond = [self](http_response res) {
      asio::post(self->stream_.get_executor(),
                 [self, res = std::move(res)]() mutable {
                   self->write(std::move(res), self->version_);
                 });
    };
    (*handler_)(std::move(req), std::move(respond));
  }

  void write(http_response res, unsigned version) {
    auto msg = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(res.status), version);
    msg->set(http::field::server, "parley");
    msg->set(http::field::content_type, res.content_type);
    msg->keep_alive(keep_alive_);
    msg->body() = std::move(res.body);
    msg->prepare_payload();
    stream_.expires_after(read_timeout);
    http::async_write(stream_, *msg,
                      [self = shared_from_this(), msg](beast::error_code ec,
                                                       std::size_t) {
                        if (ec || !self->keep_alive_)
                          return self->close();
                        self->read();
                      });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::size_t body_limit_;
  std::shared_ptr<http_handler> handler_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
};

} // namespace

struct http_server::impl {
  asio::io_context ioc;
  tcp::acceptor acceptor{asio::make_strand(ioc)};
  std::size_t body_limit;
  std::shared_ptr<http_handler> handler;
  std::vector<std::thread> threads;
  bool stopped = false;

  void accept() {
    acceptor.async_accept(asio::make_strand(ioc),
                          [this](beast::error_code ec, tcp::socket socket) {
                            if (ec == asio::error::operation_aborted)
                              return;
                            if (!ec) {
                              socket.set_option(tcp::no_delay(true), ec);
                              std::make_shared<session>(std::move(socket),
                                                        body_limit, handler)
                                ->run();
                            }
                            accept();
                          });
  }
};

http_server::http_server(const std::string& host, uint16_t port,
                         std::size_t body_limit, http_handler handler,
                         int threads)
  : impl_(std::make_unique<impl>()) {
  impl_->body_limit = body_limit;
  impl_->handler = std::make_shared<http_handler>(std::move(handler));
  beast::error_code ec;
  auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host,
                                        ec);
  if (ec)
    throw std::runtime_error("cannot listen on '" + host
                             + "': not an IP address");
  tcp::endpoint endpoint{address, port};
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec)
    a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    a.bind(endpoint, ec);
  if (!ec)
    a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + host + ":"
                             + std::to_string(port) + ": " + ec.message());
  impl_->accept();
  for (int i = 0; i < threads; ++i)
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

http_server::~http_server() { stop(); }

uint16_t http_server::port() const {
  return impl_->acceptor.local_endpoint().port();
}

void http_server::stop() {
  if (impl_->stopped)
    return;
  impl_->stopped = true;
  asio::post(impl_->acceptor.get_executor(), [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    t.join();
}

} // namespace parley::net
