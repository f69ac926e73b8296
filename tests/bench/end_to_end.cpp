// e2e: messages at a fixed offered rate, each from its own sender, and the
// time from its POST to the arrival of its reply at the fake Graph API this
// process serves. With --llm-port it also serves a fake OpenAI-compatible
// LLM that answers after exactly --llm-delay-ms, and reports the reply
// latency minus that delay: what parley adds around the model.
#include "bench.hpp"

#include <atomic>
#include <condition_variable>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

namespace bench {

namespace {

int64_t since(clock_type::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - start)
    .count();
}

nlohmann::json completion(const std::string& text) {
  return {{"id", "chatcmpl-bench"}, {"object", "chat.completion"}, {"model", "bench"},
          {"choices", {{{"index", 0}, {"finish_reason", "stop"},
                        {"message", {{"role", "assistant"}, {"content", text}}}}}}};
}

/// Per message: when it was posted and when its first reply arrived, in µs
/// since the start (0: not yet).
struct timeline {
  explicit timeline(size_t n)
    : posted(new std::atomic<int64_t>[n]()), replied(new std::atomic<int64_t>[n]()),
      size(n) {}
  std::unique_ptr<std::atomic<int64_t>[]> posted, replied;
  size_t size;
  std::atomic<uint64_t> acked{0}, answered{0}, graph_requests{0};
  std::mutex mtx;
  std::condition_variable changed;
};

} // namespace

int end_to_end(const options& opt) {
  auto to = parse_url(option(opt, "url", ""));
  auto secret = option(opt, "secret", "");
  auto pnid = option(opt, "pnid", "1122334455667");
  auto text = option(opt, "text", "taken");
  double rate = std::stod(option(opt, "rate", "1000"));
  double seconds = std::stod(option(opt, "seconds", "10"));
  uint64_t first_id = std::stoull(option(opt, "first-id", "0"));
  int connections = std::stoi(option(opt, "connections", "16"));
  auto graph_port = static_cast<unsigned short>(std::stoi(option(opt, "graph-port", "0")));
  auto llm_port = static_cast<unsigned short>(std::stoi(option(opt, "llm-port", "0")));
  int llm_delay_ms = std::stoi(option(opt, "llm-delay-ms", "200"));
  double wait_s = std::stod(option(opt, "wait-seconds", "60"));

  auto total = static_cast<size_t>(rate * seconds);
  timeline tl(total);
  const uint64_t base = 31700000000 + first_id;  // message i comes from base + i
  auto start = clock_type::now();

  serve(graph_port, [&](const request& req, response& res) {
    auto n = tl.graph_requests++;
    res.body() = R"({"messaging_product":"whatsapp","messages":[{"id":"wamid.e2e.)"
                 + std::to_string(n) + "\"}]}";
    auto body = nlohmann::json::parse(req.body(), nullptr, false);
    if (!body.is_object())
      return;
    auto recipient = body.value("to", std::string());
    if (recipient.empty() || recipient.find_first_not_of("0123456789") != std::string::npos)
      return;
    auto i = std::stoull(recipient) - base;
    int64_t none = 0;
    if (i < tl.size && tl.replied[i].compare_exchange_strong(none, since(start))) {
      std::lock_guard<std::mutex> lock(tl.mtx);
      ++tl.answered;
      tl.changed.notify_all();
    }
  });
  if (llm_port)
    serve(llm_port, [llm_delay_ms](const request&, response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(llm_delay_ms));
      res.body() = completion("Dat regel ik voor je.").dump();
    });

  std::vector<std::vector<double>> acks(static_cast<size_t>(connections));
  std::atomic<uint64_t> errors{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c)
    threads.emplace_back([&, c] {
      webhook_poster poster(to, secret);
      for (size_t i = static_cast<size_t>(c); i < total; i += static_cast<size_t>(connections)) {
        // The offered rate: message i is due at i / rate, late or not.
        std::this_thread::sleep_until(start + std::chrono::duration_cast<clock_type::duration>(
                                                std::chrono::duration<double>(i / rate)));
        auto status = poster.post(webhook(first_id + i, pnid, std::to_string(base + i), text));
        if (status != 200) {
          ++errors;
          continue;
        }
        auto written = std::chrono::duration_cast<std::chrono::microseconds>(
                         poster.written_at - start).count();
        tl.posted[i] = written;
        ++tl.acked;
        acks[static_cast<size_t>(c)].push_back(static_cast<double>(since(start) - written));
      }
    });
  for (auto& t : threads)
    t.join();
  double sending = std::chrono::duration<double>(clock_type::now() - start).count();
  {
    std::unique_lock<std::mutex> lock(tl.mtx);
    tl.changed.wait_for(lock, std::chrono::duration<double>(wait_s),
                        [&] { return tl.answered >= tl.acked; });
  }
  std::vector<double> latencies, all_acks;
  double subtract = llm_port ? llm_delay_ms * 1000.0 : 0;
  for (size_t i = 0; i < total; ++i)
    if (tl.posted[i] && tl.replied[i])
      latencies.push_back(static_cast<double>(tl.replied[i] - tl.posted[i]) - subtract);
  for (auto& a : acks)
    all_acks.insert(all_acks.end(), a.begin(), a.end());
  nlohmann::json out = {
    {"label", option(opt, "label", "e2e")},
    {"text", text},
    {"offered_per_second", rate},
    {"sent_per_second", static_cast<double>(tl.acked) / sending},
    {"messages", total},
    {"acked", tl.acked.load()},
    {"answered", tl.answered.load()},
    {"errors", errors.load()},
    {"subtracted_ms", subtract / 1000}};
  summarize(out, "reply_", std::move(latencies));
  summarize(out, "ack_", std::move(all_acks));
  std::cout << out.dump() << std::endl;
  std::cout.flush();
  std::_Exit(0);  // the fake peers' threads are still blocked in accept/read
}

} // namespace bench
