#include "net/http_server.hpp"

#include "net/connection_limits.hpp"
#include "protocol/http_framing.hpp"

#include <boost/asio/write.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
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

constexpr auto write_timeout = std::chrono::seconds(30);
/// A chunk header's extensions beyond this are refused: parley reads none,
/// and an unbounded one would be held in memory while it arrives.
constexpr std::size_t max_chunk_extension = 1024;

/// The length of the head at the start of `data` (request line, fields and
/// the empty line that ends them), or npos while it is incomplete. A bare LF
/// also ends a line here, so that a head with one is refused as soon as it
/// is complete instead of waiting for a CRLF that never comes.
std::size_t head_length(std::string_view data) {
  for (std::size_t i = data.find('\n'); i != std::string_view::npos;
       i = data.find('\n', i + 1)) {
    auto next = i + 1;
    if (next < data.size() && data[next] == '\n')
      return next + 1;
    if (next + 1 < data.size() && data[next] == '\r' && data[next + 1] == '\n')
      return next + 2;
  }
  return std::string_view::npos;
}

/// The number of header fields in a head that check_request_head accepted.
std::size_t field_count(std::string_view head) {
  std::size_t lines = 0;
  for (auto c : head)
    lines += c == '\n';
  return lines >= 2 ? lines - 2 : 0;  // less the request line and the end
}

class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket&& socket, const server_limits& limits,
          std::shared_ptr<http_handler> handler, connection_limits& registry,
          edge_counters& counters)
    : stream_(std::move(socket)), buffer_(max_buffered), limits_(limits),
      handler_(std::move(handler)), registry_(registry), counters_(counters) {}

  ~session() { registry_.release(ticket_); }

  /// Starts reading, if the limits admit the connection from `address`.
  void run(const std::string& address) {
    remote_ = address;
    std::weak_ptr<session> weak = shared_from_this();
    auto executor = stream_.get_executor();
    ticket_ = registry_.admit(address, [weak, executor] {
      asio::post(executor, [weak] {
        if (auto self = weak.lock())
          self->close();
      });
    });
    if (ticket_ == 0)
      return close();  // refused: the other side sees the connection end
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&session::read_head, shared_from_this()));
  }

private:
  /// Bytes held before they are parsed: a head, a chunk header, a read. A
  /// body goes into its message as it is parsed.
  std::string remote_;  ///< the peer's address
  static constexpr std::size_t max_buffered = 64 * 1024;

  std::string_view buffered() const {
    auto data = buffer_.data();
    return {static_cast<const char*>(data.data()), data.size()};
  }

  /// Reads until the buffer holds a whole head (a pipelined request may
  /// already be there). Between requests the idle timeout applies; from
  /// the first byte of a head, the head deadline, which more bytes do not
  /// extend.
  void read_head() {
    auto data = buffered();
    if (auto n = head_length(data); n != std::string_view::npos)
      return on_head(n);
    if (data.size() >= max_head_bytes)
      return refuse(431, "header_too_large",
                    "the request head exceeds " + std::to_string(max_head_bytes) + " bytes");
    if (data.empty()) {
      stream_.expires_after(limits_.idle_timeout);
      registry_.idle(ticket_);  // may be closed to make room from now on
    } else if (!head_started_) {
      head_started_ = true;
      if (!registry_.busy(ticket_))
        return close();  // closed to make room just before its bytes came
      stream_.expires_after(limits_.head_timeout);
    }
    stream_.async_read_some(buffer_.prepare(max_head_bytes),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              // (At a deadline Beast has closed the socket
                              // already: no lingering is possible then.)
                              if (ec == beast::error::timeout)
                                ++(self->head_started_ ? self->counters_.head_timeouts
                                                       : self->counters_.idle_timeouts);
                              if (ec)
                                return self->close();  // gone, reset or too slow
                              self->buffer_.commit(n);
                              self->read_head();
                            });
  }

  /// Checks the head before Beast parses it (Debian's Beast predates its
  /// request-smuggling fixes), then reads the body within a deadline that
  /// grows with its size.
  void on_head(std::size_t length) {
    head_started_ = false;
    // A whole head may come in the first read; a connection closed to make
    // room meanwhile takes no request (its answer could not be written).
    if (!registry_.busy(ticket_))
      return close();
    auto head = buffered().substr(0, length);
    verdict_ = check_request_head(head);
    if (!verdict_.acceptable())
      return refuse(verdict_.status, verdict_.code, verdict_.detail);
    if (verdict_.content_length && *verdict_.content_length > limits_.body_limit)
      return refuse(413, "payload_too_large",
                    "the body exceeds the limit of " + std::to_string(limits_.body_limit)
                      + " bytes");
    head_fields_ = field_count(head);
    auto expected = verdict_.content_length.value_or(verdict_.chunked ? limits_.body_limit : 0);
    stream_.expires_after(limits_.head_timeout
                          + std::chrono::seconds(expected / limits_.body_min_rate));
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(max_head_bytes));
    parser_->body_limit(limits_.body_limit);
    chunk_check_ = [](std::uint64_t, beast::string_view extensions, beast::error_code& ec) {
      if (extensions.size() > max_chunk_extension)
        ec = http::error::bad_chunk_extension;
    };
    parser_->on_chunk_header(chunk_check_);
    if (verdict_.expect_continue)
      return continue_then_read();
    read_body();
  }

  /// The client waits for this before it sends a body it announced.
  void continue_then_read() {
    static const std::string interim = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(stream_, asio::buffer(interim),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec)
                          return self->close();
                        self->read_body();
                      });
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == beast::error::timeout) {
      ++counters_.body_timeouts;
      return close();  // Beast closed the socket at the deadline
    }
    if (ec == http::error::body_limit)
      return refuse(413, "payload_too_large",
                    "the body exceeds the limit of " + std::to_string(limits_.body_limit)
                      + " bytes");
    if (ec == asio::error::operation_aborted || ec == asio::error::connection_reset
        || ec == asio::error::eof || ec == http::error::end_of_stream
        || ec == http::error::partial_message)
      return close();
    if (ec)
      return refuse(400, "bad_request", "the HTTP request is malformed: " + ec.message());
    auto msg = parser_->release();
    // Beast adds a chunked body's trailer to the fields: any beyond the
    // head's are the trailer, which must not carry framing.
    std::vector<std::string> trailer;
    std::size_t index = 0;
    for (auto& field : msg)
      if (index++ >= head_fields_)
        trailer.emplace_back(field.name_string());
    if (auto t = check_trailer_fields(trailer); !t.acceptable())
      return refuse(t.status, t.code, t.detail);
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    http_request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    index = 0;
    for (auto& field : msg) {
      if (index++ >= head_fields_)
        break;
      std::string name(field.name_string());
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[name] = std::string(field.value());
    }
    req.body = std::move(msg.body());
    req.remote = remote_;
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

  /// Answers a request that cannot be read safely and closes the
  /// connection: what follows on it cannot be framed with confidence.
  void refuse(unsigned status, const std::string& code, const std::string& detail) {
    ++counters_.bad_requests;
    keep_alive_ = false;
    refused_ = true;
    write(json_error(status, code, detail), 11);
  }

  void write(http_response res, unsigned version) {
    auto msg = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(res.status), version);
    msg->set(http::field::server, "parley");
    msg->set(http::field::content_type, res.content_type);
    for (auto& [name, value] : res.headers)
      msg->insert(name, value);
    msg->keep_alive(keep_alive_);
    msg->body() = std::move(res.body);
    msg->prepare_payload();
    stream_.expires_after(write_timeout);
    http::async_write(stream_, *msg,
                      [self = shared_from_this(), msg](beast::error_code ec,
                                                       std::size_t) {
                        // After a refusal, or an answer that ends the
                        // connection, the client may have sent more
                        // (pipelined requests, the rest of a body).
                        if (!ec && (self->refused_ || !self->keep_alive_))
                          return self->drain_and_close();
                        if (ec || !self->keep_alive_)
                          return self->close();
                        // The parsed request's bytes are gone from the
                        // buffer; a pipelined one may follow.
                        self->read_head();
                      });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
    registry_.release(ticket_);
  }

  /// Closing with unread bytes would reset the connection, and the client
  /// could lose the answer it has not read yet (Linux drops it on a reset).
  /// So the send side closes first and what still arrives is read and
  /// dropped, for a short while (a lingering close).
  void drain_and_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    buffer_.consume(buffer_.size());
    stream_.expires_after(std::chrono::seconds(2));
    drain(0);
  }

  void drain(std::size_t drained) {
    if (drained > limits_.body_limit)
      return close();
    stream_.async_read_some(buffer_.prepare(16 * 1024),
                            [self = shared_from_this(), drained](beast::error_code ec,
                                                                 std::size_t n) {
                              if (ec)
                                return self->close();
                              self->buffer_.consume(n);
                              self->drain(drained + n);
                            });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  server_limits limits_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::function<void(std::uint64_t, beast::string_view, beast::error_code&)> chunk_check_;
  head_verdict verdict_;
  std::size_t head_fields_ = 0;
  bool head_started_ = false;
  std::shared_ptr<http_handler> handler_;
  connection_limits& registry_;
  edge_counters& counters_;
  connection_limits::id ticket_ = 0;
  bool keep_alive_ = true;
  bool refused_ = false;
  unsigned version_ = 11;
};

} // namespace

struct http_server::impl {
  // Sessions still queued in the io_context when it is destroyed release
  // their place then: the limits outlive it.
  std::shared_ptr<edge_counters> counters;
  std::unique_ptr<connection_limits> registry;
  asio::io_context ioc;
  tcp::acceptor acceptor{asio::make_strand(ioc)};
  server_limits limits;
  std::shared_ptr<http_handler> handler;
  asio::steady_timer retry{acceptor.get_executor()};  ///< after a failed accept
  std::vector<std::thread> threads;
  bool stopped = false;

  void accept() {
    acceptor.async_accept(asio::make_strand(ioc),
                          [this](beast::error_code ec, tcp::socket socket) {
                            if (ec == asio::error::operation_aborted)
                              return;
                            if (ec) {
                              // Out of file descriptors (or another error):
                              // the connection stays in the backlog, so an
                              // immediate retry would spin. Wait a little.
                              retry.expires_after(std::chrono::milliseconds(100));
                              retry.async_wait([this](beast::error_code e) {
                                if (!e)
                                  accept();
                              });
                              return;
                            }
                            {
                              socket.set_option(tcp::no_delay(true), ec);
                              auto peer = socket.remote_endpoint(ec);
                              auto address = ec ? std::string() : peer.address().to_string();
                              std::make_shared<session>(std::move(socket), limits, handler,
                                                        *registry, *counters)
                                ->run(address);
                            }
                            accept();
                          });
  }
};

http_server::http_server(const std::string& host, uint16_t port,
                         const server_limits& limits, http_handler handler,
                         int threads)
  : impl_(std::make_unique<impl>()) {
  impl_->limits = limits;
  impl_->counters = limits.counters ? limits.counters : std::make_shared<edge_counters>();
  impl_->registry = std::make_unique<connection_limits>(
    limits.max_connections, limits.max_connections_per_address, *impl_->counters);
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
  // The posted close may not have run before the loop stopped: no new
  // connection may wait in the backlog for a server that will not answer.
  beast::error_code ec;
  impl_->acceptor.close(ec);
}

} // namespace parley::net
