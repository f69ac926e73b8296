#include "protocol/media.hpp"

#include "protocol/base64.hpp"

#include <nlohmann/json.hpp>

#include <cctype>

namespace parley::media {

using json = nlohmann::json;

bool has_media(const std::string& kind) {
  return kind == "audio" || kind == "image" || kind == "document" || kind == "video"
         || kind == "sticker";
}

std::string plain_kind(const std::string& kind) {
  if (kind == "audioMessage")
    return "audio";
  if (kind == "imageMessage")
    return "image";
  if (kind == "documentMessage")
    return "document";
  return kind;
}

void read_evolution_media(const std::string& kind, const std::string& payload,
                          const std::string& message_id, std::string& id, std::string& mime,
                          std::string& name) {
  if (kind != "audioMessage" && kind != "imageMessage" && kind != "documentMessage")
    return;
  auto j = json::parse(payload, nullptr, false);
  if (!j.is_object() || !j.contains("message") || !j["message"].is_object())
    return;
  auto& message = j["message"];
  if (!message.contains(kind) || !message[kind].is_object())
    return;
  auto& m = message[kind];
  auto str = [&](const char* key) {
    return m.contains(key) && m[key].is_string() ? m[key].get<std::string>() : std::string();
  };
  id = message_id;
  mime = str("mimetype");
  name = str("fileName");
}

std::string evolution_media_body(const std::string& message_id) {
  return json{{"message", {{"key", {{"id", message_id}}}}}, {"convertToMp4", false}}.dump();
}

std::optional<fetched> parse_evolution_media(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("base64") || !j["base64"].is_string())
    return std::nullopt;
  // Standard base64 to the URL-safe alphabet the decoder reads.
  auto text = j["base64"].get<std::string>();
  std::string url;
  for (char c : text)
    if (c == '+')
      url += '-';
    else if (c == '/')
      url += '_';
    else if (c != '=' && c != '\n' && c != '\r')
      url += c;
  fetched f;
  if (!base64url_decode(url, f.bytes))
    return std::nullopt;
  if (j.contains("mimetype") && j["mimetype"].is_string())
    f.mime_type = j["mimetype"].get<std::string>();
  return f;
}

void read_media(const std::string& kind, const std::string& payload, std::string& id,
                std::string& mime, std::string& name) {
  if (!has_media(kind))
    return;
  auto j = json::parse(payload, nullptr, false);
  if (!j.is_object() || !j.contains(kind) || !j[kind].is_object())
    return;
  auto& m = j[kind];
  auto str = [&](const char* key) {
    return m.contains(key) && m[key].is_string() ? m[key].get<std::string>() : std::string();
  };
  id = str("id");
  mime = str("mime_type");
  name = str("filename");
}

std::optional<location> parse_location(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("url") || !j["url"].is_string())
    return std::nullopt;
  location l;
  l.url = j["url"].get<std::string>();
  if (j.contains("mime_type") && j["mime_type"].is_string())
    l.mime_type = j["mime_type"].get<std::string>();
  if (j.contains("file_size") && j["file_size"].is_number_unsigned())
    l.size = j["file_size"].get<size_t>();
  if (l.url.rfind("https://", 0) != 0 && l.url.rfind("http://", 0) != 0)
    return std::nullopt;
  return l;
}

size_t size_limit(const std::string& kind) {
  if (kind == "audio")
    return 16u << 20;
  if (kind == "image")
    return 5u << 20;
  return 0;
}

multipart transcription_body(const std::string& model, const std::string& file_name,
                             const std::string& mime_type, const std::string& bytes,
                             const std::string& boundary) {
  multipart m;
  m.content_type = "multipart/form-data; boundary=" + boundary;
  auto dash = "--" + boundary;
  m.body = dash + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n" + model + "\r\n"
           + dash + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + file_name
           + "\"\r\nContent-Type: " + mime_type + "\r\n\r\n" + bytes + "\r\n" + dash + "--\r\n";
  return m;
}

std::optional<std::string> parse_transcript(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("text") || !j["text"].is_string())
    return std::nullopt;
  return j["text"].get<std::string>();
}

std::string audio_file_name(const std::string& mime_type) {
  auto base = mime_type.substr(0, mime_type.find(';'));
  if (base == "audio/ogg" || base == "audio/opus")
    return "voice.ogg";
  if (base == "audio/mpeg")
    return "voice.mp3";
  if (base == "audio/mp4" || base == "audio/aac" || base == "audio/m4a")
    return "voice.m4a";
  if (base == "audio/amr")
    return "voice.amr";
  if (base == "audio/wav" || base == "audio/x-wav")
    return "voice.wav";
  return "voice.ogg";  // WhatsApp's voice notes
}

std::string kept_file_name(const std::string& media_id, const std::string& mime_type) {
  std::string name;
  for (char c : media_id.substr(0, 128))
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  if (name.empty())
    name = "media";
  auto base = mime_type.substr(0, mime_type.find(';'));
  std::string ext = "bin";
  if (base.rfind("audio/", 0) == 0) {
    auto voice = audio_file_name(mime_type);
    ext = voice.substr(voice.find('.') + 1);
  } else if (base == "image/jpeg") {
    ext = "jpg";
  } else if (base == "image/png") {
    ext = "png";
  } else if (base == "image/webp") {
    ext = "webp";
  } else if (base == "application/pdf") {
    ext = "pdf";
  }
  return name + "." + ext;
}

std::string failed_reply(const std::string& lang, const std::string& kind) {
  bool nl = lang == "nl";
  if (kind == "audio")
    return nl ? "Ik kon je spraakbericht niet beluisteren. Wil je het typen?"
              : "I could not listen to your voice note. Could you type it?";
  return nl ? "Ik kon de foto niet openen. Wil je in woorden zeggen wat erop staat?"
            : "I could not open the picture. Could you tell me in words what it shows?";
}

std::string unseen_picture_reply(const std::string& lang) {
  return lang == "nl" ? "Ik kan geen foto's bekijken. Wil je in woorden zeggen wat erop staat?"
                      : "I cannot look at pictures. Could you tell me in words what it shows?";
}

std::string uncaptioned_picture_text(const std::string& lang) {
  return lang == "nl" ? "(een foto)" : "(a picture)";
}

std::string unseen_picture_note(const std::string& lang) {
  return lang == "nl" ? "(Bij dit bericht zat een foto; die is niet bekeken, alleen het onderschrift.)"
                      : "(A picture came with this message; it was not looked at, only its caption.)";
}

std::string document_text(const std::string& lang, const std::string& file_name,
                          const std::string& caption) {
  auto head = "(document: "
              + (file_name.empty() ? std::string(lang == "nl" ? "zonder naam" : "no name")
                                   : file_name)
              + ")";
  return caption.empty() ? head : head + " " + caption;
}

std::string data_url(const std::string& mime_type, const std::string& bytes) {
  return "data:" + mime_type.substr(0, mime_type.find(';')) + ";base64," + base64_encode(bytes);
}

} // namespace parley::media
