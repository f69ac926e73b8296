#pragma once

// A QR code for pairing WhatsApp with the Evolution instance: drawn with
// Unicode half blocks for a terminal (`parley evolution connect`), or as SVG
// for the dashboard. Uses libqrencode; no I/O.

#include <string>

namespace parley {

/// The QR code of `text` as lines of "█", "▀", "▄" and spaces (filled =
/// light module, for dark terminals) with a quiet zone, two module rows per
/// line; empty when it cannot be encoded.
std::string qr_to_terminal(const std::string& text);

/// The QR code of `text` as a standalone SVG document: one path of dark
/// modules on a white square with a four-module quiet zone, scaled by the
/// viewer; empty when it cannot be encoded.
std::string qr_to_svg(const std::string& text);

} // namespace parley
