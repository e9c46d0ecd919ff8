// The transfer certificate of an evidence package, for people: the unit, the case, the date, each
// item (label, size, MD5, SHA-1, SHA-256), the custody records, the package digest (SHA-256 of
// SHA256SUMS), the signer's key and fingerprint, and signature lines for the officer handing over
// and the officer receiving. Two renderings of the same content:
//   HTML — one self-contained file (inline CSS, no external resources), printable;
//   PDF  — A4, drawn with cairo + pango (DejaVu fonts), hashes in a monospace font on one line
//          each so that they survive copy and `pdftotext`.
//
// Pure functions of their input; thread-safe (cairo and pango objects are local to each call).
#ifndef EVIDEX_VAULT_CERTIFICATE_H_
#define EVIDEX_VAULT_CERTIFICATE_H_

#include <string>

#include "core/status.h"
#include "vault/keys.h"
#include "vault/package.h"

namespace evidex::vault {

struct CertificateContent {
  const PackageInput* input = nullptr;  // evidence members filled in
  std::string created;                  // UTC RFC 3339
  std::string digest;                   // SHA-256 of SHA256SUMS
  PublicKey signer;
};

std::string RenderCertificateHtml(const CertificateContent& c);

// The PDF's bytes. Fails (kInternal) only when cairo reports an error.
Result<std::string> RenderCertificatePdf(const CertificateContent& c);

}  // namespace evidex::vault

#endif  // EVIDEX_VAULT_CERTIFICATE_H_
