// The package manifest in CASE/UCO 1.x JSON-LD (https://caseontology.org), so that other
// forensic tools can read what a package holds without knowing evidex.
//
// The graph (docs/FORMATS.md, "manifest.jsonld"): one uco-core:Bundle holding a
// case-investigation:Investigation (the case), a uco-identity:Organization (the unit), a
// uco-identity:Person per examiner and custody actor, a uco-tool:Tool (evidex), a
// uco-observable:File per evidence item with a FileFacet and a ContentDataFacet carrying
// uco-types:Hash (MD5, SHA1, SHA256), a case-investigation:ProvenanceRecord per item, and a
// case-investigation:InvestigativeAction per custody record (acquisition included).
// Every node's @id is "kb:<uuid>" with kb = "urn:uuid:"; evidence and the case keep their own
// UUIDs, the other nodes get name-based UUIDs (version 5), so the same input gives the same graph.
//
// Pure functions of their input; thread-safe.
#ifndef EVIDEX_VAULT_UCO_H_
#define EVIDEX_VAULT_UCO_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/hash.h"
#include "core/status.h"
#include "vault/keys.h"
#include "vault/package.h"

namespace evidex::vault {

// The manifest for `input` (evidence members and member digests already filled in).
nlohmann::json BuildUcoManifest(const PackageInput& input, const std::string& created,
                                const PublicKey& signer);

// What the verifier reads back: each uco-observable:File's UUID, size and hashes.
struct UcoEvidence {
  std::string uuid;
  uint64_t size = 0;
  Digests digests;
};
// Fails (kCorrupt, naming what is missing) when the graph is not a manifest evidex can read.
Result<std::vector<UcoEvidence>> ReadUcoEvidence(const nlohmann::json& manifest);

// A name-based UUID (RFC 4122 version 5, SHA-1) in evidex's namespace: "xxxxxxxx-xxxx-5xxx-...".
std::string NameUuid(std::string_view name);

}  // namespace evidex::vault

#endif  // EVIDEX_VAULT_UCO_H_
