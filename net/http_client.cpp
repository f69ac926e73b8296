#include "net/http_client.hpp"

#include "net/http_pool.hpp"

#include <boost/asio/io_context.hpp>

#include <optional>

namespace parley::net {

struct http_client::impl {
  boost::asio::io_context ioc;
  std::optional<http_pool> pool;

  /// Runs the io_context until nothing is left to do: the answer is in.
  void drive() {
    ioc.restart();
    ioc.run();
  }

  ~impl() {
    pool.reset();  // posts the closing of its idle connections ...
    drive();       // ... which runs here, while the io_context is alive
  }
};

http_client::http_client(std::string ca_file) : impl_(std::make_unique<impl>()) {
  // One request at a time: one connection per origin is all it uses.
  impl_->pool.emplace(impl_->ioc, std::move(ca_file), 1);
}

http_client::~http_client() = default;

client_response http_client::send(const client_request& req) {
  client_response out;
  impl_->pool->send(req, [&out](client_response r) { out = std::move(r); });
  impl_->drive();
  return out;
}

} // namespace parley::net
