// Reading hash-set files into a hashset::Builder (docs/FORMATS.md, "Hash sets: what is read").
//
// Formats (`format`, or "auto" to recognize them from the content):
//   "nsrl-rds3"  NIST NSRL RDSv3, its SQLite publication (the METADATA table, or the FILE view):
//                every row's MD5, SHA-1 and SHA-256 (empty or NULL columns skipped); label 0.
//   "hashdeep"   hashdeep / md5deep -c output: "%%%% HASHDEEP-1.0", "%%%% size,md5,...,filename"
//                naming the columns, "## " comments, then CSV rows; every hash column read.
//   "list"       one digest per line (MD5, SHA-1 or SHA-256 by its length), optionally followed
//                by white space and anything (md5sum / sha1sum / sha256sum output, with or
//                without the '*' of binary mode); '#' comments and blank lines skipped.
//   "vics"       Project VIC VICS JSON (OData: {"value": [{"MD5", "SHA1", "Category", ...,
//                "MediaFiles": [...]}]}), as exported by Griffeye and by the UK's CAID: MD5 and
//                SHA-1 of each media item (and of its MediaFiles); the item's Category gives its
//                label ("VICS category 1: ..."), interned in the builder's label table.
// A line with a malformed digest, a row without any, or a JSON value of the wrong type is an
// error that names the line ("line 12") or the JSON pointer ("/value/3/SHA1"); the first error
// fails the import (nothing added) unless `partial`, which adds the good records and lists the
// bad ones (at most kMaxListedErrors listed, all counted).
#ifndef EVIDEX_HASHSET_IMPORT_H_
#define EVIDEX_HASHSET_IMPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "hashset/hashset.h"

namespace evidex::hashset {

inline constexpr size_t kMaxListedErrors = 100;

struct ImportOptions {
  std::string format = "auto";  // "auto", "nsrl-rds3", "hashdeep", "list", "vics"
  bool partial = false;
};

struct ImportError {
  std::string where;    // "line 12", "/value/3/SHA1", "row 5"
  std::string message;  // "not a hex digest of 32, 40 or 64 characters"
};

struct ImportReport {
  std::string format;           // the one used (what "auto" recognized)
  uint64_t records = 0;         // lines, rows or items read that held a digest
  uint64_t digests = 0;         // digests added to the builder (before duplicates are removed)
  uint64_t bad_records = 0;     // with partial: records left out
  std::vector<ImportError> errors;  // the first kMaxListedErrors of them
};

// Reads `path` (a regular file, opened read-only) into `builder`. Also sets builder's
// info().format and info().source_sha256 (of the file's bytes). Errors: a missing or unreadable
// file (kNotFound / kIoError), an unrecognized format (kInvalidArgument naming what was seen),
// a bad record without `partial` (kInvalidArgument: "<path>: line 12: ..."). Nothing is added
// to the builder when an error is returned.
Result<ImportReport> ImportFile(const std::string& path, const ImportOptions& options,
                                Builder* builder);

}  // namespace evidex::hashset

#endif  // EVIDEX_HASHSET_IMPORT_H_
