#pragma once

// A QR code drawn with Unicode half blocks, for pairing WhatsApp from a
// terminal (`parley evolution connect`). Uses libqrencode; no I/O.

#include <string>

namespace parley {

/// The QR code of `text` as lines of "█", "▀", "▄" and spaces (filled =
/// light module, for dark terminals) with a quiet zone, two module rows per
/// line; empty when it cannot be encoded.
std::string qr_to_terminal(const std::string& text);

} // namespace parley
