// ceiling: the least an HTTP server can do, the same load's HTTP ceiling. It
// answers like the Graph API's send endpoint, so it also stands in for it.
#include "bench.hpp"

#include <atomic>
#include <iostream>
#include <thread>

namespace bench {

int ceiling(const options& opt) {
  auto port = static_cast<unsigned short>(std::stoi(option(opt, "port", "0")));
  std::atomic<uint64_t> sent{0};
  serve(port, [&sent](const request&, response& res) {
    res.body() = R"({"messaging_product":"whatsapp","messages":[{"id":"wamid.ceiling.)"
                 + std::to_string(sent++) + "\"}]}";
  });
  std::cerr << "ceiling listening on " << port << std::endl;
  for (;;)
    std::this_thread::sleep_for(std::chrono::hours(1));
}

} // namespace bench
