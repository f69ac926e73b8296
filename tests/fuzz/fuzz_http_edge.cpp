// Raw bytes from a client into parley's HTTP edge: the strict head check,
// Beast's parser, the limits and the hand-over to the handler together, over
// a real loopback connection to the real server. The properties: the server
// never crashes, every answer it writes is well-formed HTTP, and the handler
// is only ever given a request whose head passes the strict check (so a
// smuggled request can never reach it).
#include "net/http_server.hpp"
#include "protocol/http_framing.hpp"
#include "tests/fuzz/check.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

using namespace parley;
using fuzz::require;

namespace {

std::atomic<int> handled{0};
auto counters = std::make_shared<net::edge_counters>();

/// Waits until the server holds no connection: what it handled since is
/// then this run's alone.
void wait_until_quiet() {
  for (int i = 0; counters->open.load() > 0; ++i) {
    require(i < 80000, "the server closes a finished connection within 8 s");
    ::usleep(100);
  }
}

net::http_server& server() {
  static net::server_limits limits = [] {
    net::server_limits l;
    l.body_limit = 4096;
    // The client always ends its side, so no run waits for these; they are
    // long enough that a stall of a loaded machine does not end a run.
    l.head_timeout = std::chrono::seconds(5);
    l.idle_timeout = std::chrono::seconds(5);
    l.counters = counters;
    return l;
  }();
  static net::http_server s(
    "127.0.0.1", 0, limits,
    [](net::http_request req, net::respond_fn respond) {
      ++handled;
      require(!req.method.empty(), "a handled request has a method");
      require(!(req.headers.count("content-length") && req.headers.count("transfer-encoding")),
              "a handled request never has both framings");
      respond({200, "text/plain", req.body});
    },
    1);
  return s;
}

/// Checks that `out` is a sequence of complete HTTP/1.1 responses (the last
/// may be cut short only if the server closed mid-answer, which it must not).
int count_responses(const std::string& out) {
  int n = 0;
  std::size_t at = 0;
  while (at < out.size()) {
    auto end = out.find("\r\n\r\n", at);
    require(end != std::string::npos, "an answer's head is complete");
    auto head = out.substr(at, end - at);
    require(head.rfind("HTTP/1.", 0) == 0, "an answer starts with a status line");
    auto cl = head.find("Content-Length: ");
    auto length = cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 16));
    at = end + 4 + length;
    require(at <= out.size(), "an answer's body is complete");
    if (head.find(" 100 Continue") == std::string::npos)
      ++n;
  }
  return n;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto port = server().port();
  wait_until_quiet();
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Out of local ports (connections of earlier runs waiting out TIME_WAIT
  // on loopback) is this harness's problem, not the server's: wait a little.
  int tries = 0;
  while (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if ((errno != EADDRNOTAVAIL && errno != EINTR) || ++tries >= 500)
      std::fprintf(stderr, "connect: %s\n", std::strerror(errno));
    require((errno == EADDRNOTAVAIL || errno == EINTR) && tries < 500,
            "the server accepts a connection");
    ::close(fd);
    ::usleep(10000);
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
  }
  timeval tv{8, 0};  // under libFuzzer's -timeout=10, so a hang says what it is
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int before = handled.load();
  std::size_t sent = 0;
  while (sent < size) {
    auto n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;  // the server refused and closed early
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string out;
  int end_errno = 0;
  char buf[4096];
  while (true) {
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR)
      continue;  // libFuzzer's timeout watchdog is a signal
    require(!(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)),
            "the server answers and closes within 8 s once the client is done");
    if (n <= 0) {
      end_errno = n < 0 ? errno : 0;
      break;  // closed (or reset after a refusal)
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  // Closed with a reset: a TIME_WAIT per run would use up the ephemeral
  // ports in a minute at a thousand runs a second.
  linger reset{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  ::close(fd);
  wait_until_quiet();
  int answers = count_responses(out);
  int seen = handled.load() - before;
  if (seen > answers)
    std::fprintf(stderr, "handled %d, answered %d, the end: %s, sent %zu of %zu; the answers:\n%s\n",
                 seen, answers, end_errno ? std::strerror(end_errno) : "EOF", sent, size,
                 out.c_str());
  require(seen <= answers, "every handled request is answered");
  return 0;
}
