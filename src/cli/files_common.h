// What `evidex files`, `timeline` and `similar` share: times, entry types, -o FILE.
#ifndef EVIDEX_CLI_FILES_COMMON_H_
#define EVIDEX_CLI_FILES_COMMON_H_

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>

#include "fs/filesystem.h"

namespace evidex::cli {

// "2026-11-02T10:11:12.123456Z" (microseconds: what Timesketch reads), or "Z" without them;
// "" when not set.
std::string IsoTime(const fs::Timestamp& t, bool micro = true);
// The same from microseconds since 1970 (a stored time); "" for std::nullopt.
std::string IsoTimeMicros(const std::optional<int64_t>& micros, bool micro = true);
// A Timestamp as stored: microseconds since 1970, or std::nullopt when not set.
std::optional<int64_t> Micros(const fs::Timestamp& t);
// "2026-11-02", "2026-11-02T10:11:12" or "...Z" as UTC seconds; false when not a time.
bool ParseUtc(const std::string& text, int64_t* out);
// "file", "dir", "link", "other".
const char* TypeName(fs::FileEntry::Type t);
// Lower-case hex of bytes (YARA's matched data).
std::string HexBytes(const std::string& bytes);
// Opens -o FILE when one is given (standard output otherwise); false, said, when it cannot.
bool OpenOutput(const std::string& path, std::ofstream* file);

}  // namespace evidex::cli

#endif  // EVIDEX_CLI_FILES_COMMON_H_
