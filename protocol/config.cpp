#include "protocol/config.hpp"

#include "protocol/shell_rules.hpp"

#include <nlohmann/json.hpp>

#include <set>

namespace parley {

using nlohmann::json;

const tenant_config* config::tenant_by_id(const std::string& id) const {
  for (auto& t : tenants)
    if (t.id == id)
      return &t;
  return nullptr;
}

const tenant_config*
config::tenant_by_phone_number_id(const std::string& id) const {
  for (auto& t : tenants)
    if (!t.phone_number_id.empty() && t.phone_number_id == id)
      return &t;
  return nullptr;
}

const tenant_config*
config::tenant_by_instance(const std::string& instance) const {
  for (auto& t : tenants)
    if (t.channel == "evolution" && t.instance == instance)
      return &t;
  return nullptr;
}

namespace {

template <class T>
void read(const json& obj, const char* key, T& out, const std::string& where) {
  auto i = obj.find(key);
  if (i == obj.end() || i->is_null())
    return;
  try {
    out = i->get<T>();
  } catch (const json::exception&) {
    throw config_error(where + "." + key + " has the wrong type");
  }
}

void read_secret(const json& obj, const char* key, std::string& out,
                 const std::string& where, const env_lookup& env) {
  std::string var;
  read(obj, key, var, where);
  if (var.empty())
    return;
  if (auto value = env(var))
    out = *value;
}

void check_object(const json& j, const std::string& where) {
  if (!j.is_object())
    throw config_error(where + " must be an object");
}

} // namespace

config parse_config(const std::string& text, const env_lookup& env) {
  json j;
  try {
    j = json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    throw config_error(std::string("the configuration is not valid JSON: ")
                       + e.what());
  }
  check_object(j, "the configuration");
  config c;
  std::string listen = c.listen_host + ":" + std::to_string(c.listen_port);
  read(j, "listen", listen, "config");
  auto colon = listen.rfind(':');
  if (colon == std::string::npos)
    throw config_error("config.listen must be host:port, got '" + listen + "'");
  c.listen_host = listen.substr(0, colon);
  try {
    auto port = std::stoul(listen.substr(colon + 1));
    if (port > 65535)
      throw std::out_of_range("port");
    c.listen_port = static_cast<uint16_t>(port);
  } catch (const std::exception&) {
    throw config_error("config.listen has no valid port: '" + listen + "'");
  }
  read(j, "data_dir", c.data_dir, "config");
  read(j, "database_url", c.database_url, "config");
  read_secret(j, "admin_token_env", c.admin_token, "config", env);
  read(j, "db_pool", c.db_pool, "config");
  read(j, "senders", c.senders, "config");
  read(j, "http_threads", c.http_threads, "config");
  read(j, "body_limit", c.body_limit, "config");
  read(j, "session_idle_s", c.session_idle_s, "config");
  read(j, "send_max_attempts", c.send_max_attempts, "config");
  read(j, "send_backoff_ms", c.send_backoff_ms, "config");
  read(j, "send_backoff_max_ms", c.send_backoff_max_ms, "config");
  read(j, "send_in_doubt_ms", c.send_in_doubt_ms, "config");
  read(j, "send_timeout_ms", c.send_timeout_ms, "config");
  read(j, "log_text", c.log_text, "config");
  if (c.db_pool < 1 || c.senders < 1 || c.http_threads < 1)
    throw config_error("config.db_pool, senders and http_threads must be >= 1");
  if (auto i = j.find("llm"); i != j.end() && !i->is_null()) {
    check_object(*i, "config.llm");
    read(*i, "base_url", c.llm.base_url, "config.llm");
    read(*i, "model", c.llm.model, "config.llm");
    read(*i, "timeout_ms", c.llm.timeout_ms, "config.llm");
    read(*i, "workers", c.llm.workers, "config.llm");
    read_secret(*i, "api_key_env", c.llm.api_key, "config.llm", env);
    while (!c.llm.base_url.empty() && c.llm.base_url.back() == '/')
      c.llm.base_url.pop_back();
    if (c.llm.workers < 1)
      throw config_error("config.llm.workers must be >= 1");
  }
  if (auto i = j.find("meta"); i != j.end() && !i->is_null()) {
    check_object(*i, "config.meta");
    read(*i, "graph_url", c.meta.graph_url, "config.meta");
    read(*i, "api_version", c.meta.api_version, "config.meta");
    read_secret(*i, "app_secret_env", c.meta.app_secret, "config.meta", env);
    read_secret(*i, "verify_token_env", c.meta.verify_token, "config.meta",
                env);
    while (!c.meta.graph_url.empty() && c.meta.graph_url.back() == '/')
      c.meta.graph_url.pop_back();
  }
  if (auto i = j.find("evolution"); i != j.end() && !i->is_null()) {
    check_object(*i, "config.evolution");
    read(*i, "base_url", c.evolution.base_url, "config.evolution");
    read_secret(*i, "api_key_env", c.evolution.api_key, "config.evolution", env);
    while (!c.evolution.base_url.empty() && c.evolution.base_url.back() == '/')
      c.evolution.base_url.pop_back();
  }
  std::set<std::string> ids, numbers, instances;
  if (auto i = j.find("tenants"); i != j.end() && !i->is_null()) {
    if (!i->is_array())
      throw config_error("config.tenants must be an array");
    for (auto& tj : *i) {
      auto where = "config.tenants[" + std::to_string(c.tenants.size()) + "]";
      check_object(tj, where);
      tenant_config t;
      read(tj, "id", t.id, where);
      if (t.id.empty())
        throw config_error(where + ".id is missing");
      where = "tenant '" + t.id + "'";
      read(tj, "kind", t.kind, where);
      read(tj, "channel", t.channel, where);
      read(tj, "phone_number_id", t.phone_number_id, where);
      read_secret(tj, "access_token_env", t.access_token, where, env);
      read(tj, "owner", t.owner, where);
      read(tj, "language", t.language, where);
      read(tj, "timezone", t.timezone, where);
      read(tj, "policy", t.policy, where);
      read(tj, "memory", t.memory, where);
      read(tj, "system_prompt", t.system_prompt, where);
      read(tj, "bot_name", t.bot_name, where);
      read(tj, "approvers", t.approvers, where);
      read(tj, "approval_ttl_s", t.approval_ttl_s, where);
      read(tj, "instance", t.instance, where);
      read(tj, "bot_number", t.bot_number, where);
      read(tj, "aliases", t.aliases, where);
      read(tj, "relevance_threshold", t.relevance_threshold, where);
      read(tj, "group_replies_per_minute", t.group_replies_per_minute, where);
      if (auto sh = tj.find("shell"); sh != tj.end() && !sh->is_null()) {
        check_object(*sh, where + ".shell");
        t.shell.enabled = true;
        t.shell.allow = default_shell_allowlist();
        read(*sh, "workdir", t.shell.workdir, where + ".shell");
        read(*sh, "allow", t.shell.allow, where + ".shell");
        read(*sh, "timeout_ms", t.shell.timeout_ms, where + ".shell");
        read(*sh, "output_limit", t.shell.output_limit, where + ".shell");
        if (t.shell.workdir.empty() || t.shell.workdir.front() != '/')
          throw config_error(where + ".shell.workdir must be an absolute path");
        if (t.shell.timeout_ms < 1 || t.shell.output_limit < 1)
          throw config_error(where
                             + ".shell.timeout_ms and output_limit must be >= 1");
      }
      if (t.policy != "observe" && t.policy != "draft"
          && t.policy != "act_with_approval" && t.policy != "trusted_auto")
        throw config_error(where + ".policy must be observe, draft, "
                                   "act_with_approval or trusted_auto");
      if (t.approval_ttl_s < 1)
        throw config_error(where + ".approval_ttl_s must be >= 1");
      if (t.kind != "personal" && t.kind != "business" && t.kind != "group")
        throw config_error(where + ".kind must be personal, business or group");
      if (t.memory < 1 || t.memory > 1000)
        throw config_error(where + ".memory must be between 1 and 1000");
      if (t.language != "nl" && t.language != "en")
        throw config_error(where + ".language must be nl or en");
      if (t.channel != "meta" && t.channel != "evolution")
        throw config_error(where + ".channel must be meta or evolution");
      if (t.channel == "evolution") {
        if (t.instance.empty())
          throw config_error(where + ".instance is required for the evolution channel");
        if (!c.evolution.enabled())
          throw config_error(where + " uses the evolution channel, but config.evolution.base_url is missing");
        if (!instances.insert(t.instance).second)
          throw config_error("instance " + t.instance + " belongs to two tenants");
      }
      if (!(t.relevance_threshold >= 0.0 && t.relevance_threshold <= 1.0))
        throw config_error(where + ".relevance_threshold must be between 0 and 1");
      if (t.group_replies_per_minute < 0)
        throw config_error(where + ".group_replies_per_minute must be >= 0");
      if (!ids.insert(t.id).second)
        throw config_error("tenant id '" + t.id + "' appears twice");
      if (!t.phone_number_id.empty()
          && !numbers.insert(t.phone_number_id).second)
        throw config_error("phone_number_id " + t.phone_number_id
                           + " belongs to two tenants");
      c.tenants.push_back(std::move(t));
    }
  }
  return c;
}

config default_config() {
  config c;
  tenant_config t;
  t.id = "personal";
  t.owner = "console";
  c.tenants.push_back(t);
  return c;
}

} // namespace parley
