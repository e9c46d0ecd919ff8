// The evidence package's on-disk layout: one constants header shared by the writer
// (package_writer.cc) and the reader (package_reader.cc). docs/FORMATS.md, "Evidence package",
// describes the format in words; a change here is a change of the format and of its version.
//
// A package is a POSIX pax tar (uncompressed). Members, in this order:
//   package.json                  what the package holds (format, version, unit, key, case,
//                                 evidence with hashes and member names, custody file names)
//   manifest.jsonld               CASE/UCO 1.x JSON-LD (uco.h)
//   custody/<case-uuid>.jsonl     the case's custody records, CustodyRecord::ToJson per line
//   custody/<case-uuid>.head.json the signed chain head (CustodyHead::ToJson)
//   unit.pub                      the signing unit's public key ("ed25519:<hex>\n")
//   evidence/<sha256>.raw|.E01    the evidence bytes (absent with --no-data)
//   SHA256SUMS                    `sha256sum -c` lines for every member above
//   certificate.html              the transfer certificate, showing SHA-256(SHA256SUMS)
//   certificate.pdf               the same, A4
//   SIGNATURE                     JSON: Ed25519 by the unit key over the exact bytes of
//                                 SHA256SUMS, and over the certificates' hashes
// The certificates show the SHA-256 of SHA256SUMS (the "package digest"), so they cannot be listed
// in SHA256SUMS themselves; SIGNATURE binds them instead (kCertificateContext).
#ifndef EVIDEX_VAULT_PACKAGE_FORMAT_H_
#define EVIDEX_VAULT_PACKAGE_FORMAT_H_

#include <cstdint>

namespace evidex::vault::package_format {

inline constexpr char kFormat[] = "evidex-package";
inline constexpr int kVersion = 1;  // the newest version this build writes and reads
inline constexpr char kSignatureFormat[] = "evidex-package-signature";

inline constexpr char kPackageJson[] = "package.json";
inline constexpr char kManifest[] = "manifest.jsonld";
inline constexpr char kCustodyDir[] = "custody/";
inline constexpr char kRecordsSuffix[] = ".jsonl";
inline constexpr char kHeadSuffix[] = ".head.json";
inline constexpr char kUnitPub[] = "unit.pub";
inline constexpr char kEvidenceDir[] = "evidence/";
inline constexpr char kRawSuffix[] = ".raw";
inline constexpr char kE01Suffix[] = ".E01";
inline constexpr char kSums[] = "SHA256SUMS";
inline constexpr char kCertificateHtml[] = "certificate.html";
inline constexpr char kCertificatePdf[] = "certificate.pdf";
inline constexpr char kSignature[] = "SIGNATURE";

// The certificates' signature is over this prefix, then the package digest, then one
// "<sha256>  <name>\n" line per certificate in the order above.
inline constexpr char kCertificateContext[] = "evidex-package-certificates-v1\n";

// Members other than evidence are read into memory to be parsed; larger ones are refused.
inline constexpr uint64_t kMaxSmallMember = 256ull << 20;
// Streaming block for evidence, in both directions.
inline constexpr size_t kBlockSize = 1u << 20;

}  // namespace evidex::vault::package_format

#endif  // EVIDEX_VAULT_PACKAGE_FORMAT_H_
