#include "protocol/rfc822.hpp"

#include <gmime/gmime.h>

#include <memory>
#include <mutex>

namespace parley::rfc822 {

namespace {

void init_once() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

/// Owns one GObject reference.
struct unref {
  void operator()(void* p) const {
    if (p)
      g_object_unref(p);
  }
};
template <class T>
using owned = std::unique_ptr<T, unref>;

std::string text_of(const char* s) { return s ? s : ""; }

std::string taken(char* s) {
  std::string out = text_of(s);
  g_free(s);
  return out;
}

/// Valid UTF-8: a raw 8-bit header or body would otherwise reach the gate's
/// JSON line and come back changed (each bad byte replaced there).
std::string valid_utf8(const std::string& s) {
  return taken(g_utf8_make_valid(s.data(), static_cast<gssize>(s.size())));
}

/// A header value on one line: a CR or LF would start a header of its own.
std::string one_line(const std::string& raw) {
  auto s = valid_utf8(raw);
  std::string out;
  for (char c : s) {
    bool line_end = c == '\r' || c == '\n';
    if (!line_end)
      out += c;
    else if (out.empty() || out.back() != ' ')
      out += ' ';
  }
  return out;
}

void find_plain_text(GMimeObject*, GMimeObject* part, gpointer data) {
  auto* out = static_cast<std::string*>(data);
  if (!out->empty() || !GMIME_IS_TEXT_PART(part))
    return;
  auto* type = g_mime_object_get_content_type(part);
  if (!g_mime_content_type_is_type(type, "text", "plain")
      || g_mime_part_is_attachment(GMIME_PART(part)))
    return;
  *out = taken(g_mime_text_part_get_text(GMIME_TEXT_PART(part)));
}

} // namespace

mail_message read(const std::string& raw) {
  init_once();
  mail_message m;
  owned<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  owned<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  owned<GMimeMessage> msg(g_mime_parser_construct_message(parser.get(), nullptr));
  if (!msg)
    return m;
  m.subject = one_line(text_of(g_mime_message_get_subject(msg.get())));
  m.message_id = one_line(text_of(g_mime_message_get_message_id(msg.get())));
  m.references = one_line(text_of(g_mime_object_get_header(GMIME_OBJECT(msg.get()), "References")));
  auto* from = g_mime_message_get_from(msg.get());
  if (from && internet_address_list_length(from) > 0) {
    auto* who = internet_address_list_get_address(from, 0);
    m.from = one_line(text_of(internet_address_get_name(who)));
    if (INTERNET_ADDRESS_IS_MAILBOX(who))
      m.address = one_line(text_of(
        internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(who))));
    if (m.from.empty())
      m.from = m.address;
  }
  if (auto* date = g_mime_message_get_date(msg.get()))
    m.date_ms = g_date_time_to_unix(date) * 1000;
  g_mime_message_foreach(msg.get(), find_plain_text, &m.text);
  m.text = valid_utf8(m.text);
  return m;
}

std::string write_reply(const reply_envelope& e, const std::string& body) {
  init_once();
  owned<GMimeMessage> msg(g_mime_message_new(TRUE));
  // Gmail fills in the account's own address when there is no From.
  if (!e.from_address.empty())
    g_mime_message_add_mailbox(msg.get(), GMIME_ADDRESS_TYPE_FROM,
                               one_line(e.from_name).c_str(), one_line(e.from_address).c_str());
  g_mime_message_add_mailbox(msg.get(), GMIME_ADDRESS_TYPE_TO, "", one_line(e.to).c_str());
  g_mime_message_set_subject(msg.get(), one_line(e.subject).c_str(), "utf-8");
  g_mime_message_set_message_id(msg.get(), one_line(e.message_id).c_str());
  auto* date = g_date_time_new_from_unix_utc(e.date_ms / 1000);
  g_mime_message_set_date(msg.get(), date);
  g_date_time_unref(date);
  if (!e.in_reply_to.empty()) {
    auto parent = "<" + one_line(e.in_reply_to) + ">";
    auto refs = one_line(e.references);
    g_mime_object_set_header(GMIME_OBJECT(msg.get()), "In-Reply-To", parent.c_str(), nullptr);
    g_mime_object_set_header(GMIME_OBJECT(msg.get()), "References",
                             (refs.empty() ? parent : refs + " " + parent).c_str(), nullptr);
  }
  owned<GMimeTextPart> part(g_mime_text_part_new_with_subtype("plain"));
  g_mime_text_part_set_text(part.get(), body.c_str());
  g_mime_part_set_content_encoding(GMIME_PART(part.get()), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  g_mime_message_set_mime_part(msg.get(), GMIME_OBJECT(part.get()));
  auto* options = g_mime_format_options_new();
  g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_DOS);
  auto out = taken(g_mime_object_to_string(GMIME_OBJECT(msg.get()), options));
  g_mime_format_options_free(options);
  return out;
}

} // namespace parley::rfc822
