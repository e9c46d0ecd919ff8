// Host name checks shared by the email, url and domain scanners.
//
// Backed by libpsl with the system's public suffix list (Debian package publicsuffix), loaded
// once on first use; lookups are read-only and safe from any thread.
#ifndef EVIDEX_SCAN_HOSTNAME_H_
#define EVIDEX_SCAN_HOSTNAME_H_

#include <string_view>

namespace evidex::scan {

// True when `host` is a syntactically valid DNS name (labels 1..63 of [A-Za-z0-9-], not starting
// or ending with '-', at least two labels, 253 chars at most) whose last label is a top-level
// domain in the public suffix list (explicit rule, not the '*' default), written all lower-case
// or all upper-case, and which is not itself a public suffix (it has a registrable part).
bool IsRegistrableHost(std::string_view host);

// Loads the public suffix list now; false (with a reason on stderr) if it cannot be loaded.
bool LoadPublicSuffixList();

}  // namespace evidex::scan

#endif  // EVIDEX_SCAN_HOSTNAME_H_
