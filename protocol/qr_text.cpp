#include "protocol/qr_text.hpp"

#include <qrencode.h>

#include <memory>

namespace parley {

namespace {

using qr_ptr = std::unique_ptr<QRcode, void (*)(QRcode*)>;

qr_ptr encode(const std::string& text) {
  return {QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_L), &QRcode_free};
}

} // namespace

std::string qr_to_terminal(const std::string& text) {
  auto qr = encode(text);
  if (!qr)
    return {};
  const int quiet = 2;
  const int size = qr->width + 2 * quiet;
  // Terminals mostly draw light text on a dark background, so a filled
  // block is a *light* module (the quiet zone included): the code then
  // looks as printed on paper.
  auto light = [&](int x, int y) {
    x -= quiet;
    y -= quiet;
    if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
      return true;
    return (qr->data[y * qr->width + x] & 1) == 0;
  };
  std::string out;
  for (int y = 0; y < size; y += 2) {
    for (int x = 0; x < size; ++x) {
      bool top = light(x, y), bottom = y + 1 < size && light(x, y + 1);
      out += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
    }
    out += '\n';
  }
  return out;
}

std::string qr_to_svg(const std::string& text) {
  auto qr = encode(text);
  if (!qr)
    return {};
  const int quiet = 4;  // what scanners expect around the code
  const int size = qr->width + 2 * quiet;
  auto n = std::to_string(size);
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + n + " " + n
                    + "\" shape-rendering=\"crispEdges\" role=\"img\">"
                      "<rect width=\"" + n + "\" height=\"" + n + "\" fill=\"#fff\"/>"
                      "<path fill=\"#000\" d=\"";
  for (int y = 0; y < qr->width; ++y)
    for (int x = 0; x < qr->width; ++x)
      if (qr->data[y * qr->width + x] & 1)
        out += "M" + std::to_string(x + quiet) + " " + std::to_string(y + quiet) + "h1v1h-1z";
  return out + "\"/></svg>";
}

} // namespace parley
