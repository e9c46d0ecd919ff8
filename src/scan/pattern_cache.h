// A cache of compiled Hyperscan databases.
//
// Compiling the scanners' patterns takes about 60 ms, a fixed cost at the start of every scan (3 %
// of a 1 GiB scan on two cores). CompileCached keeps each compiled database, serialized, in a cache
// directory keyed by the SHA-256 of Hyperscan's version, this CPU's platform, and the expressions,
// flags and ids; a later scan with the same patterns deserializes it in about a millisecond.
// The directory is $EVIDEX_CACHE_DIR, else $XDG_CACHE_HOME/evidex, else $HOME/.cache/evidex;
// EVIDEX_CACHE_DIR=off disables the cache. A cache file is checked against its own SHA-256
// before use; anything unreadable, corrupt or unwritable is ignored (compiled as if no cache).
#ifndef EVIDEX_SCAN_PATTERN_CACHE_H_
#define EVIDEX_SCAN_PATTERN_CACHE_H_

#include <hs/hs.h>

#include <vector>

namespace evidex::scan {

// As hs_compile_multi in HS_MODE_BLOCK with no platform argument.
hs_error_t CompileCached(const std::vector<const char*>& expressions,
                         const std::vector<unsigned>& flags, const std::vector<unsigned>& ids,
                         hs_database_t** db, hs_compile_error_t** error);

}  // namespace evidex::scan

#endif  // EVIDEX_SCAN_PATTERN_CACHE_H_
