// The 24/7 directory: who to call abroad, when they answer, what they accept
// (../shared/COOPERATION.md, "24/7 directory entry"; docs/FORMATS.md, "24/7 directory").
//
// An entry is checked before it is stored (Validate): a country as ISO 3166-1 alpha-2, a time zone
// that is an IANA name (ICU's zone database), office hours this module can read ("24/7" or
// "Mon-Fri 08:00-17:00; Sat 09:00-12:00", in the contact's own time zone), languages as ISO 639-1,
// channels and legal bases from fixed lists, a last-verified date and its source. An entry
// verified more than six months ago is stale.
//
// Files: CSV (one entry a row; list fields separated by ';') and JSON (an object with an
// "entries" array). Exports are signed with the unit's key (JSON: inside; CSV: a detached
// FILE.sig); an import is all or nothing, and refuses unknown columns, duplicate keys and a
// signature that does not verify, naming the line or entry.
//
// Thread safety: free functions and values.
#ifndef EVIDEX_COOP_DIRECTORY_H_
#define EVIDEX_COOP_DIRECTORY_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "vault/keys.h"

namespace evidex::coop {

struct DirectoryEntry {
  std::string key;        // unique in the directory: "LK-CID-247" ([A-Za-z0-9._-], 1-64)
  std::string country;    // "LK"
  std::string authority;  // "Sri Lanka Police, Criminal Investigation Department"
  std::string unit;       // "Cyber Crime Investigation Division"
  std::vector<std::string> phones;
  std::string email, pgp_key;  // pgp_key: fingerprint or armored key
  std::string hours = "24/7";  // in time_zone
  std::string time_zone;       // IANA: "Asia/Colombo"
  std::vector<std::string> languages;    // ISO 639-1: "en", "si", "ta"
  std::vector<std::string> channels;     // email, portal, phone, federation
  std::vector<std::string> legal_bases;  // budapest, protocol2, untoc, bilateral, reciprocity,
                                         // eu-2023-1543, us-2703f
  bool budapest_art35 = false;     // the Budapest Convention Art. 35 24/7 point
  bool g7 = false;                 // the G7 24/7 network point
  bool central_authority = false;  // a central authority for MLA
  bool own = false;                // this unit's own card: requests are sent from it
  std::string last_verified;       // YYYY-MM-DD
  std::string source;              // who or what confirmed it: "T-CY list 2026-06", "phone call"
  std::string federation_key;      // the agency's federation public key, once it exists
};

// The list fields' allowed values.
const std::vector<std::string>& KnownChannels();
const std::vector<std::string>& KnownLegalBases();

// Every problem of the entry, as "field: what is wrong" (empty: valid). `today` is YYYY-MM-DD.
std::vector<std::string> Validate(const DirectoryEntry& e, const std::string& today);

// True for an IANA Area/Location name ICU's zone database knows ("Asia/Colombo",
// "America/Argentina/Buenos_Aires", "Etc/UTC") or "UTC"; false for "Mars/Olympus", offsets
// ("GMT+05:30") and three-letter IDs ("IST" is India, Israel or Ireland).
bool IsIanaTimeZone(const std::string& name);

// Offset from UTC in seconds of `zone` at `utc_seconds` (DST included); std::nullopt for a zone
// IsIanaTimeZone refuses.
std::optional<int32_t> UtcOffset(const std::string& zone, int64_t utc_seconds);

// Office hours. "24/7", or "; "-separated spans of days (Mon, Tue, ..., Sun; a range "Mon-Fri"
// or a list "Mon,Wed") with a time range "08:00-17:00" (an end before the start runs past
// midnight). kInvalidArgument naming what cannot be read.
struct HoursSpan {
  uint8_t days = 0;       // bit 0 Monday ... bit 6 Sunday
  int start = 0, end = 0;  // minutes from midnight; end may be < start (overnight)
};
Result<std::vector<HoursSpan>> ParseHours(std::string_view hours);  // "24/7": one span, all days, 0-1440

// Whether the entry answers at `utc_seconds` (its hours in its time zone); std::nullopt when its
// hours or zone cannot be read.
std::optional<bool> OpenAt(const DirectoryEntry& e, int64_t utc_seconds);

// Verified more than six months (183 days) before `today` (YYYY-MM-DD), or never.
bool IsStale(const DirectoryEntry& e, const std::string& today);

nlohmann::json ToJson(const DirectoryEntry& e);
// kInvalidArgument naming the field with the wrong type or an unknown field.
Result<DirectoryEntry> EntryFromJson(const nlohmann::json& j);

// ---- Files ----
// The CSV columns, in export order; an import needs key, country, authority, time_zone,
// last_verified and source, takes the others in any order, and refuses unknown ones.
const std::vector<std::string>& CsvColumns();
std::string ToCsv(const std::vector<DirectoryEntry>& entries);

struct ImportProblem {
  std::string where;    // "line 4", "entries/2"
  std::string message;  // "country: \"Lanka\" is not an ISO 3166-1 alpha-2 code"
};
struct ParsedDirectory {
  std::vector<DirectoryEntry> entries;
  std::vector<ImportProblem> problems;  // any: nothing may be imported
  // JSON exports carry their signer and signature; CSV's come from the detached .sig file.
  std::string signer, signature;  // "ed25519:<hex>", hex; "" when unsigned
  std::string signed_bytes;       // what the signature covers
};
// Reads CSV or JSON (by the first non-blank byte: '{' is JSON). Each entry is validated against
// `today`; duplicates of a key are problems. Never throws; fatal trouble (not JSON, no header) is
// one problem at "file".
ParsedDirectory ParseDirectoryFile(std::string_view data, const std::string& today);

// The signed JSON export: {"format": "evidex-directory", "version": 1, "unit": ..., "exported":
// ..., "entries": [...], "signer": "ed25519:...", "signature": hex}; the signature covers the
// compact JSON of the object without "signature".
std::string SignedJsonExport(const std::vector<DirectoryEntry>& entries, const std::string& unit,
                             const std::string& exported, const vault::SigningKey& key,
                             const std::string& signer);
// The detached signature of a CSV export (FILE.sig): {"format": "evidex-directory-signature",
// "file_sha256": ..., "signer": ..., "signature": hex over the file's bytes}.
std::string DetachedSignature(std::string_view file, const vault::SigningKey& key,
                              const std::string& signer);
// Reads a .sig file into `parsed` (signer, signature, signed_bytes = `file`); kCorrupt when it is
// not one.
Status ApplyDetachedSignature(std::string_view sig, std::string_view file, ParsedDirectory* parsed);
// Checks the parsed file's signature with `signer_key`; false when it does not verify.
bool SignatureValid(const ParsedDirectory& parsed, const vault::PublicKey& signer_key);

}  // namespace evidex::coop

#endif  // EVIDEX_COOP_DIRECTORY_H_
