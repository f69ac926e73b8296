#include "protocol/business.hpp"

#include "protocol/ascii_text.hpp"

namespace parley {

const service_offer* business_config::service(const std::string& wanted) const {
  auto key = lower(trim(wanted));
  for (auto& s : services)
    if (lower(s.name) == key)
      return &s;
  return nullptr;
}

} // namespace parley
