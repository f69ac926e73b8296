#pragma once

// `parley backup FILE` and `parley restore FILE`: the whole database (the
// embedded cluster's or an external one) through PostgreSQL's own pg_dump
// and pg_restore, in their custom format.

#include <stdexcept>
#include <string>

namespace parley::storage {

struct backup_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Writes a dump of the database at `conninfo` to `file`: first to
/// FILE.partial, renamed when pg_dump succeeded, so that a failed backup
/// never leaves a file that looks whole. Throws backup_error.
void backup_database(const std::string& conninfo, const std::string& file);

/// Replaces the database's contents with the dump in `file`, in one
/// transaction: a dump that cannot be restored changes nothing. Throws
/// backup_error.
void restore_database(const std::string& conninfo, const std::string& file);

} // namespace parley::storage
