#pragma once

#include <cstdint>
#include <string>

namespace parley {

/// What a channel's HTTP answer to a send means for the outbox row.
struct send_result {
  /// in_doubt: the request went out and no answer came back; the channel
  /// may have delivered it.
  enum outcome { sent, retry, failed, in_doubt } kind = failed;
  std::string message_id;  ///< the channel's id for the sent message
  int64_t error_code = 0;  ///< the channel's error code, when there is one
  std::string error_title;
};

} // namespace parley
