// Internal to io/: the concrete Source factories that OpenSource() dispatches to.
#ifndef EVIDEX_IO_SOURCES_INTERNAL_H_
#define EVIDEX_IO_SOURCES_INTERNAL_H_

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "io/source.h"

namespace evidex::io_internal {

// A single regular file or block device: "raw file P" / "raw device P".
Result<std::unique_ptr<Source>> OpenRawSource(const std::string& path);

// If `path`'s name ends in a '.' and three or more digits whose value is 0 or 1 (".000", ".001",
// ".0001"), sets *base to the part before the '.', *first to that value and *width to the digit
// count, and returns true.
bool ParseSplitRawName(const std::string& path, std::string* base, uint64_t* first, int* width);

// The name of part `number` of a split set: base + "." + number zero-padded to `width` digits.
std::string SplitPartName(const std::string& base, uint64_t number, int width);

// A split raw set given by its first part: "split raw set P (N parts)".
Result<std::unique_ptr<Source>> OpenSplitRawSource(const std::string& first_part);

// Whether `path` looks like an EWF (E01) file: libewf's signature check, or a .E01/.e01 name.
bool LooksLikeEwf(const std::string& path);

// An E01 set given by any of its segments: "E01 set P (N segments)".
Result<std::unique_ptr<Source>> OpenEwfSource(const std::string& path);

// EWF segment numbering: 1..99 -> "E01".."E99", then "EAA".."EZZ", "FAA".., (first letter given).
std::string EwfSegmentExtension(uint32_t number, char first_letter);
// The inverse: 0 when `ext` (without the dot) is not a segment extension for `first_letter`.
uint32_t EwfSegmentNumber(const std::string& ext, char first_letter);

}  // namespace evidex::io_internal

#endif  // EVIDEX_IO_SOURCES_INTERNAL_H_
