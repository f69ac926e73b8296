// ingest: signed ~1 KB webhooks with unique message ids over keep-alive
// connections, each connection sending its next one as soon as the last is
// acknowledged. Prints one JSON line: acknowledged/s, ack latency, errors.
#include "bench.hpp"

#include <atomic>
#include <iostream>
#include <thread>

namespace bench {

int ingest(const options& opt) {
  auto to = parse_url(option(opt, "url", ""));
  auto secret = option(opt, "secret", "");
  auto pnid = option(opt, "pnid", "1122334455667");
  // Business numbers the messages are spread over (pnid, pnid + 1, ...):
  // Meta lets one number send at most 1,000 messages/s, so one number would
  // measure that cap instead of parley.
  uint64_t numbers = std::stoull(option(opt, "numbers", "1"));
  int connections = std::stoi(option(opt, "connections", "16"));
  double seconds = std::stod(option(opt, "seconds", "5"));
  uint64_t first_id = std::stoull(option(opt, "first-id", "0"));
  // Senders repeat every 10,000 messages: conversations, not one-off chats.
  uint64_t senders = std::stoull(option(opt, "senders", "10000"));

  std::atomic<uint64_t> next{first_id};
  std::atomic<uint64_t> errors{0};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(connections));
  auto start = clock_type::now();
  auto deadline = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c)
    threads.emplace_back([&, c] {
      webhook_poster poster(to, secret);
      while (clock_type::now() < deadline) {
        auto n = next++;
        auto number = std::to_string(std::stoull(pnid) + n % numbers);
        auto status = poster.post(webhook(n, number, std::to_string(31610000000 + n % senders)));
        auto us = std::chrono::duration<double, std::micro>(clock_type::now() - poster.written_at);
        if (status == 200)
          latencies[static_cast<size_t>(c)].push_back(us.count());
        else
          ++errors;
      }
    });
  for (auto& t : threads)
    t.join();
  double elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies)
    all.insert(all.end(), l.begin(), l.end());
  nlohmann::json out = {
    {"label", option(opt, "label", "target")},
    {"connections", connections},
    {"seconds", elapsed},
    {"acked", all.size()},
    {"errors", errors.load()},
    {"per_second", static_cast<double>(all.size()) / elapsed},
    {"next_id", next.load()}};
  summarize(out, "", std::move(all));
  std::cout << out.dump() << std::endl;
  return 0;
}

} // namespace bench
