#pragma once

// Voice notes, pictures and documents: what the Graph API says about a
// media id, the multipart body of a transcription request, and how a
// transcript or a picture becomes the message's text. Pure: no I/O.

#include <cstddef>
#include <optional>
#include <string>

namespace parley::media {

/// Whether a message of `kind` carries a file parley may read.
bool has_media(const std::string& kind);

/// What a message of `kind` is, whichever bridge it came by: "audio",
/// "image", "document" (Evolution's audioMessage, imageMessage,
/// documentMessage too), or `kind` itself.
std::string plain_kind(const std::string& kind);

/// The media of an Evolution message as stored (`payload`, its `data`):
/// the id to ask the bridge with is the message's own (`message_id`).
void read_evolution_media(const std::string& kind, const std::string& payload,
                          const std::string& message_id, std::string& id, std::string& mime,
                          std::string& name);

/// POST {base_url}/chat/getBase64FromMediaMessage/{instance}: the body, and
/// the bytes and type in its answer (nothing when it has none).
std::string evolution_media_body(const std::string& message_id);
struct fetched {
  std::string mime_type;
  std::string bytes;
};
std::optional<fetched> parse_evolution_media(const std::string& body);

/// The media of a Meta message as stored (`payload`, the message's JSON):
/// sets `id`, `mime` and `name` (a document's file name).
void read_media(const std::string& kind, const std::string& payload, std::string& id,
                std::string& mime, std::string& name);

/// GET {graph_url}/{version}/{media-id}: where the bytes are (valid five
/// minutes, fetched with the same bearer token) and what they are.
struct location {
  std::string url;
  std::string mime_type;
  size_t size = 0;  ///< file_size, 0 when not told
};
std::optional<location> parse_location(const std::string& body);

/// The largest file parley fetches of a kind ("audio", "image"): Meta's own
/// limits (16 MB audio, 5 MB images); 0 for kinds it does not fetch.
size_t size_limit(const std::string& kind);

/// A multipart/form-data body for POST {llm.base_url}/audio/transcriptions:
/// the `model` field and the audio as `file`.
struct multipart {
  std::string content_type;  ///< with its boundary
  std::string body;
};
multipart transcription_body(const std::string& model, const std::string& file_name,
                             const std::string& mime_type, const std::string& bytes,
                             const std::string& boundary);

/// The transcript in the server's answer ({"text": ...}); nothing when the
/// answer has none.
std::optional<std::string> parse_transcript(const std::string& body);

/// A file name for audio of `mime_type` (the server reads the format from it).
std::string audio_file_name(const std::string& mime_type);

/// The file name a kept media file gets: the id with anything but letters,
/// digits, `-` and `_` replaced (it comes from the sender's side), and an
/// extension for its type ("3EB0….ogg", "65463453.jpg"; ".bin" if unknown).
std::string kept_file_name(const std::string& media_id, const std::string& mime_type);

/// "data:<mime>;base64,<bytes>" for an image_url content part.
std::string data_url(const std::string& mime_type, const std::string& bytes);

/// What the person hears when a voice note ("audio") or a picture ("image")
/// could not be read: a request to type it, never silence.
std::string failed_reply(const std::string& lang, const std::string& kind);

/// A picture without a caption, for a model that does not see.
std::string unseen_picture_reply(const std::string& lang);

/// Put after a picture's caption when the model does not see the picture.
std::string unseen_picture_note(const std::string& lang);

/// The text of a picture sent without a caption, for a model that sees it.
std::string uncaptioned_picture_text(const std::string& lang);

/// A document's message text: its file name and caption.
std::string document_text(const std::string& lang, const std::string& file_name,
                          const std::string& caption);

} // namespace parley::media
