#include "net/event_loop.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <optional>
#include <thread>

namespace parley::net {

struct event_loop::impl {
  boost::asio::io_context ioc{1};
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>
    work{ioc.get_executor()};
  std::thread thread{[this] { ioc.run(); }};
};

event_loop::event_loop() : impl_(std::make_unique<impl>()) {}

event_loop::~event_loop() {
  // At once: a send still under way is abandoned; its row stays in flight
  // and is in doubt at the next start, exactly as after a crash.
  impl_->work.reset();
  impl_->ioc.stop();
  impl_->thread.join();
}

boost::asio::io_context& event_loop::context() { return impl_->ioc; }

} // namespace parley::net
