#pragma once

// IMAP (RFC 3501) answers as the mail connector reads them: SEARCH results,
// FETCHed header fields (literals included), and RFC 5322 header values
// (display names, MIME encoded-words, dates).

#include "protocol/live_data.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace parley::imap {

/// The UIDs of a "* SEARCH 1 2 3" answer, ascending.
std::vector<uint64_t> parse_search(const std::string& answer);

struct fetched {
  uint64_t uid = 0;
  std::map<std::string, std::string> headers;  ///< lower-case name -> unfolded value
  std::string literal;  ///< the literal as sent (a whole message for BODY.PEEK[])
};

/// The literals of a "UID FETCH ... (BODY.PEEK[HEADER.FIELDS (...)])" or
/// "(BODY.PEEK[]<0.N>)" answer.
std::vector<fetched> parse_fetch(const std::string& answer);

/// "UID FETCH 4,7 (UID BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])": PEEK,
/// so that reading the inbox does not mark anything read.
std::string fetch_headers_command(const std::vector<uint64_t>& uids,
                                  const std::string& fields);

/// An RFC 5322 date ("Tue, 01 Dec 2026 20:29:53 +0000") in ms; 0 if unreadable.
int64_t parse_date(const std::string& value);

/// IMAP's search date ("01-Dec-2026") for a local date "2026-12-01".
std::string search_date(const std::string& date);

/// A header value with MIME encoded-words (=?UTF-8?B?...?=, =?...?Q?...?=) decoded.
std::string decode_words(const std::string& value);

/// The display name of an address ("Alice <a@x>" -> "Alice"), else the address.
std::string display_name(const std::string& value);

/// The bare address ("Alice <a@x>" -> "a@x"), safe inside a quoted IMAP string.
std::string address_of(const std::string& value);

/// A mail item from fetched headers.
mail_item item_of(const fetched& f, const char* who_field);

} // namespace parley::imap
