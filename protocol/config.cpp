#include "protocol/config.hpp"

#include "protocol/automation_reader.hpp"
#include "protocol/business_reader.hpp"
#include "protocol/config_reader.hpp"
#include "protocol/password.hpp"
#include "protocol/shell_rules.hpp"
#include "protocol/time_zone.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <set>

namespace parley {

using nlohmann::json;

std::string config::base_url() const {
  return public_url.empty() ? "http://" + listen_host + ":" + std::to_string(listen_port)
                            : public_url;
}

config_error::config_error(std::vector<std::string> all)
  : std::runtime_error([&] {
      std::string text;
      for (auto& p : all)
        text += (text.empty() ? "" : "\n") + p;
      return text;
    }()),
    problems(std::move(all)) {}

namespace {

void trim_slashes(std::string& url) {
  while (!url.empty() && url.back() == '/')
    url.pop_back();
}

/// "HH:MM" with a valid hour and minute.
bool is_clock_time(const std::string& s) {
  return s.size() == 5 && s[2] == ':' && std::isdigit(s[0]) && std::isdigit(s[1])
         && std::isdigit(s[3]) && std::isdigit(s[4])
         && std::stoi(s.substr(0, 2)) < 24 && std::stoi(s.substr(3, 2)) < 60;
}

void read_listen(object_reader& r, config& c) {
  std::string listen = c.listen_host + ":" + std::to_string(c.listen_port);
  r.read("listen", listen);
  auto colon = listen.rfind(':');
  if (colon == std::string::npos)
    return r.problem("listen", "must be host:port, got '" + listen + "'");
  c.listen_host = listen.substr(0, colon);
  try {
    auto port = std::stoul(listen.substr(colon + 1));
    if (port > 65535)
      throw std::out_of_range("port");
    c.listen_port = static_cast<uint16_t>(port);
  } catch (const std::exception&) {
    r.problem("listen", "has no valid port: '" + listen + "'");
  }
}

void read_llm(object_reader& r, llm_config& llm, const env_lookup& env) {
  r.read("base_url", llm.base_url);
  r.read("model", llm.model);
  r.read("timeout_ms", llm.timeout_ms);
  r.read("workers", llm.workers);
  r.read("max_tool_rounds", llm.max_tool_rounds);
  r.secret("api_key_env", llm.api_key, env);
  r.read("transcription_model", llm.transcription_model);
  if (llm.transcription_model.empty())
    r.problem("transcription_model", "must name a model (e.g. \"whisper-1\")");
  r.read("vision", llm.vision);
  trim_slashes(llm.base_url);
  if (llm.workers < 1)
    r.problem("workers", "must be >= 1");
  if (llm.timeout_ms < 1)
    r.problem("timeout_ms", "must be >= 1");
  if (llm.max_tool_rounds < 1 || llm.max_tool_rounds > 20)
    r.problem("max_tool_rounds", "must be between 1 and 20");
}

void read_shell(object_reader& r, shell_config& sh) {
  sh.enabled = true;
  sh.allow = default_shell_allowlist();
  r.read("workdir", sh.workdir);
  r.read("allow", sh.allow);
  r.read("timeout_ms", sh.timeout_ms);
  r.read("output_limit", sh.output_limit);
  r.read("brief", sh.brief);
  if (sh.workdir.empty() || sh.workdir.front() != '/')
    r.problem("workdir", "must be an absolute path");
  if (sh.timeout_ms < 1)
    r.problem("timeout_ms", "must be >= 1");
  if (sh.output_limit < 1)
    r.problem("output_limit", "must be >= 1");
}

void read_mail(object_reader& r, mail_source& mail, const env_lookup& env) {
  r.read("provider", mail.provider);
  r.read("host", mail.host);
  r.read("port", mail.port);
  r.read("tls", mail.tls);
  r.read("username", mail.username);
  mail.password_env = r.secret("password_env", mail.password, env);
  r.read("inbox", mail.inbox);
  r.read("sent_folder", mail.sent_folder);
  r.read("followup_days", mail.followup_days);
  r.read("address", mail.address);
  r.object("smtp", [&](object_reader& s) {
    s.read("host", mail.smtp_host);
    s.read("port", mail.smtp_port);
    s.read("tls", mail.smtp_tls);
    if (mail.smtp_port < 1 || mail.smtp_port > 65535)
      s.problem("port", "must be between 1 and 65535");
  });
  if (mail.followup_days < 1)
    r.problem("followup_days", "must be >= 1");
  if (mail.provider == "gmail")
    return;
  if (mail.provider != "imap")
    return r.problem("provider", "must be gmail or imap");
  if (mail.host.empty())
    r.problem("host", "is required for imap");
  if (mail.username.empty())
    r.problem("username", "is required for imap");
  if (mail.port < 1 || mail.port > 65535)
    r.problem("port", "must be between 1 and 65535");
  if (mail.smtp_host.empty())
    mail.smtp_host = mail.host;
  if (mail.address.empty() && mail.username.find('@') != std::string::npos)
    mail.address = mail.username;
  if (!mail.address.empty() && mail.address.find('@') == std::string::npos)
    r.problem("address", "must be an email address");
}

void read_connectors(object_reader& r, tenant_connectors& con,
                     const env_lookup& env) {
  r.object("calendar", [&](object_reader& c) {
    read_calendar(c, con.calendar, env, {"google", "caldav", "ics"});
  });
  r.object("mail", [&](object_reader& m) { read_mail(m, con.mail, env); });
  r.object("github", [&](object_reader& g) {
    con.github.enabled = true;
    con.github.token_env = g.secret("token_env", con.github.token, env);
    g.read("repos", con.github.repos);
    for (auto& repo : con.github.repos)
      if (repo.find('/') == std::string::npos || repo.front() == '/'
          || repo.back() == '/')
        g.problem("repos", "'" + repo + "' is not owner/name");
  });
  r.object("weather", [&](object_reader& w) {
    con.weather.enabled = true;
    if (!w.has("latitude") || !w.has("longitude"))
      w.problem("latitude and longitude are required");
    w.read("latitude", con.weather.latitude);
    w.read("longitude", con.weather.longitude);
    w.read("place", con.weather.place);
    if (con.weather.latitude < -90 || con.weather.latitude > 90)
      w.problem("latitude", "must be between -90 and 90");
    if (con.weather.longitude < -180 || con.weather.longitude > 180)
      w.problem("longitude", "must be between -180 and 180");
  });
}

bool is_tenant_id(const std::string& id) {
  if (id.empty() || id.size() > 64 || id == "." || id == "..")
    return false;  // the dots alone name directories (media is kept per tenant)
  for (unsigned char ch : id)
    if (!std::isalnum(ch) && ch != '.' && ch != '-' && ch != '_')
      return false;
  return true;
}

/// A number or an Evolution instance routes to one tenant only.
void check_unique(object_reader& r, const tenant_config& t,
                  const std::vector<tenant_ptr>& others) {
  for (auto& o : others) {
    if (o->id == t.id)
      r.problem("id", "'" + t.id + "' appears twice");
    if (!t.phone_number_id.empty() && o->phone_number_id == t.phone_number_id)
      r.problem("phone_number_id", t.phone_number_id + " belongs to two tenants ('"
                                     + o->id + "' has it)");
    if (t.channel == "evolution" && o->channel == "evolution" && !t.instance.empty()
        && o->instance == t.instance)
      r.problem("instance", t.instance + " belongs to two tenants ('" + o->id + "' has it)");
  }
}

bool uses_google(const tenant_config& t) {
  return t.connectors.calendar.provider == "google" || t.connectors.mail.provider == "gmail"
         || t.business.calendar.provider == "google";
}

const char* google_needed = "a tenant uses Google (calendar, gmail or its bookings' calendar), so google.client_id_env "
                            "and client_secret_env must name variables that are set";

void read_tenant(object_reader& r, tenant_config& t, const config& c,
                 const env_lookup& env) {
  r.read("id", t.id);
  if (t.id.empty())
    r.problem("id", "is missing");
  else if (!is_tenant_id(t.id))
    r.problem("id", "'" + t.id + "' must be 1 to 64 letters, digits, '.', '-' or '_', "
                    "not only dots (it appears in URLs and file names)");
  r.read("kind", t.kind);
  r.read("channel", t.channel);
  r.read("phone_number_id", t.phone_number_id);
  t.access_token_env = r.secret("access_token_env", t.access_token, env);
  r.read("owner", t.owner);
  r.read("language", t.language);
  r.read("timezone", t.timezone);
  r.read("policy", t.policy);
  r.read("memory", t.memory);
  r.read("system_prompt", t.system_prompt);
  r.read("bot_name", t.bot_name);
  r.read("approvers", t.approvers);
  r.read("approval_ttl_s", t.approval_ttl_s);
  r.read("messages_per_second", t.messages_per_second);
  if (t.messages_per_second < 1 || t.messages_per_second > 1000)
    r.problem("messages_per_second", "must be between 1 and 1000");
  r.read("instance", t.instance);
  r.read("bot_number", t.bot_number);
  r.read("aliases", t.aliases);
  r.read("relevance_threshold", t.relevance_threshold);
  r.read("group_replies_per_minute", t.group_replies_per_minute);
  r.read("brief_at", t.brief_at);
  r.object("brief_template", [&](object_reader& b) {
    read_template(b, t.brief_template, t.language);
  });
  r.object("shell", [&](object_reader& sh) { read_shell(sh, t.shell); });
  r.object("connectors", [&](object_reader& con) {
    read_connectors(con, t.connectors, env);
  });
  if (r.object("business", [&](object_reader& b) { read_business(b, t.business, t.language, env); })
      && t.kind != "business")
    r.problem("business", "only a tenant of kind business has a business block");
  if (t.business.approve_bookings && (t.owner.empty() || t.owner == "console"))
    r.problem("business.approve_bookings", "needs the tenant's owner (a number), who approves");
  if (t.policy != "observe" && t.policy != "draft"
      && t.policy != "act_with_approval" && t.policy != "trusted_auto")
    r.problem("policy", "must be observe, draft, act_with_approval or trusted_auto");
  if (t.approval_ttl_s < 1)
    r.problem("approval_ttl_s", "must be >= 1");
  if (t.kind != "personal" && t.kind != "business" && t.kind != "group")
    r.problem("kind", "must be personal, business or group");
  if (t.memory < 1 || t.memory > 1000)
    r.problem("memory", "must be between 1 and 1000");
  if (t.language != "nl" && t.language != "en")
    r.problem("language", "must be nl or en");
  if (!tz::valid(t.timezone))
    r.problem("timezone", "'" + t.timezone + "' is not a known IANA time zone");
  if (!t.brief_at.empty() && !is_clock_time(t.brief_at))
    r.problem("brief_at", "must be HH:MM, got '" + t.brief_at + "'");
  if (t.channel != "meta" && t.channel != "evolution")
    r.problem("channel", "must be meta or evolution");
  if (t.channel == "evolution") {
    if (t.instance.empty())
      r.problem("instance", "is required for the evolution channel");
    if (!c.evolution.enabled())
      r.problem("channel", "is evolution, but evolution.base_url is missing");
  }
  if (!(t.relevance_threshold >= 0.0 && t.relevance_threshold <= 1.0))
    r.problem("relevance_threshold", "must be between 0 and 1");
  if (t.group_replies_per_minute < 0)
    r.problem("group_replies_per_minute", "must be >= 0");
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
  config c;
  config_problems problems;
  object_reader r(j, "", problems);
  read_listen(r, c);
  r.read("data_dir", c.data_dir);
  r.read("keep_media", c.keep_media);
  r.read("database_url", c.database_url);
  r.secret("admin_token_env", c.admin_token, env);
  r.read("public_url", c.public_url);
  trim_slashes(c.public_url);
  r.read("db_pool", c.db_pool);
  r.read("senders", c.senders);
  r.read("send_connections", c.send_connections);
  r.read("http_threads", c.http_threads);
  r.read("body_limit", c.body_limit);
  r.read("session_idle_s", c.session_idle_s);
  r.read("max_sessions", c.max_sessions);
  r.read("max_queued_messages", c.max_queued_messages);
  r.read("send_max_attempts", c.send_max_attempts);
  r.read("send_backoff_ms", c.send_backoff_ms);
  r.read("send_backoff_max_ms", c.send_backoff_max_ms);
  r.read("send_in_doubt_ms", c.send_in_doubt_ms);
  r.read("send_timeout_ms", c.send_timeout_ms);
  r.read("log_text", c.log_text);
  for (auto [key, value] : {std::pair{"db_pool", c.db_pool}, {"senders", c.senders},
                            {"send_connections", c.send_connections},
                            {"http_threads", c.http_threads}, {"max_sessions", c.max_sessions},
                            {"max_queued_messages", c.max_queued_messages}})
    if (value < 1)
      r.problem(key, "must be >= 1");
  r.read("trust_proxy", c.trust_proxy);
  r.object("dashboard", [&](object_reader& d) {
    d.read("session_s", c.dashboard.session_s);
    if (c.dashboard.session_s < 60)
      d.problem("session_s", "must be >= 60");
    auto var = d.secret("password_hash_env", c.dashboard.password_hash, env);
    if (!var.empty() && c.dashboard.password_hash.empty())
      d.problem("password_hash_env", "the environment variable " + var + " is not set");
    else if (!var.empty() && !password::recognised(c.dashboard.password_hash))
      d.problem("password_hash_env", "the value of " + var + " is not an Argon2id or scrypt"
                " hash (make one with `parley hash-password`)");
  });
  r.object("http", [&](object_reader& h) {
    auto& l = c.http;
    h.read("head_timeout_s", l.head_timeout_s);
    h.read("idle_timeout_s", l.idle_timeout_s);
    h.read("body_min_rate", l.body_min_rate);
    h.read("max_connections", l.max_connections);
    h.read("max_connections_per_address", l.max_connections_per_address);
    for (auto [key, value] : {std::pair{"head_timeout_s", l.head_timeout_s},
                              {"idle_timeout_s", l.idle_timeout_s},
                              {"body_min_rate", l.body_min_rate},
                              {"max_connections", l.max_connections},
                              {"max_connections_per_address", l.max_connections_per_address}})
      if (value < 1)
        h.problem(key, "must be >= 1");
  });
  r.object("llm", [&](object_reader& llm) { read_llm(llm, c.llm, env); });
  r.object("meta", [&](object_reader& m) {
    m.read("graph_url", c.meta.graph_url);
    m.read("api_version", c.meta.api_version);
    m.secret("app_secret_env", c.meta.app_secret, env);
    m.secret("verify_token_env", c.meta.verify_token, env);
    trim_slashes(c.meta.graph_url);
  });
  r.object("evolution", [&](object_reader& e) {
    e.read("base_url", c.evolution.base_url);
    e.secret("api_key_env", c.evolution.api_key, env);
    trim_slashes(c.evolution.base_url);
  });
  r.object("connectors", [&](object_reader& con) {
    con.read("timeout_ms", c.connectors.timeout_ms);
    con.read("cache_s", c.connectors.cache_s);
    if (c.connectors.timeout_ms < 1)
      con.problem("timeout_ms", "must be >= 1");
    if (c.connectors.cache_s < 0)
      con.problem("cache_s", "must be >= 0");
  });
  r.object("brief", [&](object_reader& b) {
    b.read("deadline_ms", c.brief.deadline_ms);
    b.read("catch_up_until", c.brief.catch_up_until);
    if (c.brief.deadline_ms < 1)
      b.problem("deadline_ms", "must be >= 1");
    if (!is_clock_time(c.brief.catch_up_until))
      b.problem("catch_up_until", "must be HH:MM, got '" + c.brief.catch_up_until + "'");
  });
  r.object("weather", [&](object_reader& w) {
    w.read("base_url", c.apis.weather_url);
    trim_slashes(c.apis.weather_url);
  });
  r.object("github", [&](object_reader& g) {
    g.read("api_url", c.apis.github_url);
    trim_slashes(c.apis.github_url);
  });
  r.object("google", [&](object_reader& g) {
    g.secret("client_id_env", c.apis.google_client_id, env);
    g.secret("client_secret_env", c.apis.google_client_secret, env);
    g.read("auth_url", c.apis.google_auth_url);
    g.read("token_url", c.apis.google_token_url);
    g.read("api_url", c.apis.google_api_url);
    trim_slashes(c.apis.google_api_url);
  });
  r.secret("secret_key_env", c.secret_key, env);
  r.read("log_format", c.log_format);
  if (c.log_format != "text" && c.log_format != "json")
    r.problem("log_format", "must be \"text\" or \"json\"");
  std::vector<tenant_ptr> read;
  bool wants_google = false;
  r.objects("tenants", [&](object_reader& tr, size_t) {
    auto t = std::make_shared<tenant_config>();
    read_tenant(tr, *t, c, env);
    check_unique(tr, *t, read);
    wants_google = wants_google || uses_google(*t);
    read.push_back(std::move(t));
  });
  for (auto& t : read)
    c.tenants->put(*t, /*from_file=*/true);
  read_automation(r, c, env);
  if (wants_google && (c.apis.google_client_id.empty() || c.apis.google_client_secret.empty()))
    r.problem("google", google_needed);
  r.finish();
  if (!problems.empty())
    throw config_error(std::move(problems));
  return c;
}

tenant_config parse_tenant(const std::string& text, const config& c, const env_lookup& env,
                           const std::string& replacing) {
  json j;
  try {
    j = json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    throw config_error(std::string("the tenant is not valid JSON: ") + e.what());
  }
  config_problems problems;
  object_reader r(j, "", problems);
  tenant_config t;
  read_tenant(r, t, c, env);
  // A shell runs commands on this server, and connectors hold credentials and
  // are started with the process: both belong in the file its owner edits.
  if (t.shell.enabled)
    r.problem("shell", "is set in the configuration file only (it runs commands on "
                       "this server); a tenant made over the API has none");
  if (j.is_object() && j.contains("connectors"))
    r.problem("connectors", "are set in the configuration file only (they are started "
                            "with parley); a tenant made over the API has none");
  std::vector<tenant_ptr> others;
  for (auto& o : c.tenants->all())
    if (o->id != replacing)
      others.push_back(o);
  check_unique(r, t, others);
  r.finish();
  if (!problems.empty())
    throw config_error(std::move(problems));
  return t;
}

config default_config() {
  config c;
  tenant_config t;
  t.id = "personal";
  t.owner = "console";
  c.tenants->put(t, /*from_file=*/true);
  return c;
}

} // namespace parley
