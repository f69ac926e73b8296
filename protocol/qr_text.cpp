#include "protocol/qr_text.hpp"

#include <qrencode.h>

#include <memory>

namespace parley {

std::string qr_to_terminal(const std::string& text) {
  std::unique_ptr<QRcode, void (*)(QRcode*)> qr(
    QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_L), &QRcode_free);
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

} // namespace parley
