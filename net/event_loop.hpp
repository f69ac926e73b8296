#pragma once

// An Asio io_context on a thread of its own, for the asynchronous clients
// (the senders' http_pool): started on construction, stopped and joined on
// destruction.

#include <memory>

namespace boost::asio {
class io_context;
}

namespace parley::net {

class event_loop {
public:
  event_loop();
  ~event_loop();
  event_loop(const event_loop&) = delete;
  event_loop& operator=(const event_loop&) = delete;

  boost::asio::io_context& context();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace parley::net
