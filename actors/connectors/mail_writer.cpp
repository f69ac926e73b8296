#include "actors/connectors/mail_writer.hpp"

#include "actors/connectors/google_tokens.hpp"
#include "net/http_client.hpp"
#include "net/smtp_client.hpp"
#include "protocol/gmail_api.hpp"
#include "protocol/google_api.hpp"
#include "protocol/mail_reply.hpp"
#include "protocol/rfc822.hpp"

#include <cctype>

namespace parley {

namespace {

/// "<parley.salon.42@example.com>": the tenant and approval, at the sender's domain.
std::string message_id_of(const std::string& tenant, int64_t approval_id, const std::string& from) {
  std::string safe;
  for (unsigned char c : tenant)
    safe += std::isalnum(c) || c == '-' ? static_cast<char>(c) : '-';
  auto at = from.find('@');
  return "parley." + safe + "." + std::to_string(approval_id) + "@"
         + (at == std::string::npos ? "parley.invalid" : from.substr(at + 1));
}

write_outcome send_by_gmail(const config& cfg, const tenant_config& t, const google_access& access,
                            const mail_reply& r, const std::string& message) {
  google_tokens tokens(cfg.apis, cfg.connectors.timeout_ms, t.id, access.conninfo, access.key);
  net::client_request req;
  req.url = cfg.apis.google_api_url + gmail::send_target();
  req.headers = {{"Content-Type", "application/json"}};
  req.body = gmail::send_body(message, r.thread_id);
  std::string error;
  auto res = tokens.send(std::move(req), error);
  if (!error.empty())
    return {false, error};
  if (res.status == 200)
    return {true, "sent to " + r.to + " through Gmail"};
  return {false, describe_failure("Gmail", outcome_of(res, cfg.connectors.timeout_ms,
                                                      google::error_message(res.body)),
                                  "")};
}

write_outcome send_by_smtp(const config& cfg, const mail_source& mail, const mail_reply& r,
                           const std::string& message) {
  net::imap_account server;
  server.host = mail.smtp_host;
  server.port = mail.smtp_port;
  server.implicit_tls = mail.smtp_tls;
  server.username = mail.username;
  server.password = mail.password;
  server.timeout = std::chrono::milliseconds(cfg.connectors.timeout_ms);
  auto sent = net::smtp_send(server, mail.address, r.to, message);
  if (!sent.ok) {
    if (sent.login_denied)
      return {false, "the SMTP server refused the login of " + mail.username
                       + ": check tenants[].connectors.mail.password_env"};
    if (sent.timed_out)
      return {false, "the SMTP server at " + server.host + ":" + std::to_string(server.port)
                       + " did not confirm within " + std::to_string(server.timeout.count())
                       + " ms; the mail may have gone out, so look in Sent before sending it again"};
    return {false, "the SMTP server at " + server.host + ":" + std::to_string(server.port)
                     + " did not take the mail: " + sent.error};
  }
  // The copy in Sent is what the followups read; the mail is out either way.
  net::imap_account imap = server;
  imap.host = mail.host;
  imap.port = mail.port;
  imap.implicit_tls = mail.tls;
  auto kept = net::imap_client().append(imap, mail.sent_folder, message);
  if (!kept.ok)
    return {true, "sent to " + r.to + "; no copy in " + mail.sent_folder + ": " + kept.error};
  return {true, "sent to " + r.to + "; a copy is in " + mail.sent_folder};
}

} // namespace

write_outcome send_mail_reply(const config& cfg, const tenant_config& t,
                              const google_access& google,
                              const std::vector<std::string>& argv, int64_t approval_id) {
  auto& mail = t.connectors.mail;
  auto r = reply_of_argv(argv);
  if (r.to.empty() || r.body.empty())
    return {false, "the reply is incomplete"};
  if (mail.provider == "imap" && mail.address.empty())
    return {false, "set tenants[].connectors.mail.address: the sender of replies"};
  rfc822::reply_envelope e;
  e.from_address = mail.address;
  e.to = r.to;
  e.subject = r.subject;
  e.in_reply_to = r.in_reply_to;
  e.references = r.references;
  e.message_id = message_id_of(t.id, approval_id, mail.address);
  e.date_ms = wall_ms();
  auto message = rfc822::write_reply(e, r.body);
  if (mail.provider == "gmail")
    return send_by_gmail(cfg, t, google, r, message);
  if (mail.provider == "imap")
    return send_by_smtp(cfg, mail, r, message);
  return {false, "this tenant has no mailbox to send from"};
}

} // namespace parley
