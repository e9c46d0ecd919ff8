// A case's artifacts out: CSV, JSONL and a MISP event JSON that MISP's "Add event from JSON"
// (and its /events/add API) imports.
//
// Rows are written as they come (a store iterates, the writer streams), so a case with millions
// of artifacts needs no memory beyond one row.
#ifndef EVIDEX_EXCHANGE_ARTIFACT_EXPORT_H_
#define EVIDEX_EXCHANGE_ARTIFACT_EXPORT_H_

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "store/store.h"

namespace evidex::exchange {

enum class ExportFormat { kCsv, kJsonl, kMisp };

struct ExportCase {
  store::Case c;
  store::Unit unit;        // the exporting unit (MISP Orgc)
  std::string exported;    // UTC RFC 3339
  bool mask_cards = true;  // ccn values as exchange::Mask() unless false
};

struct ExportRow {
  store::Artifact artifact;                // artifact.cases: cases in the whole store holding it
  uint64_t occurrences = 0;                // in this case
  std::vector<store::Sighting> sightings;  // this case's evidence holding it
};

// CSV columns: kind,value,occurrences,evidence,cases (evidence as "E1;E2"). RFC 4180 quoting.
// JSONL: {"kind","value","occurrences","evidence":["E1"],"cases":N} per line.
// MISP: {"Event": {"info": "evidex case NUMBER: TITLE", "date", "threat_level_id": "4",
//   "analysis": "2", "distribution": "0", "published": false, "uuid", "Orgc": {"name"},
//   "Attribute": [...]}}, kinds mapped to MISP types (email -> email-src, ipv4/ipv6 -> ip-dst,
//   domain and onion -> domain, url, btc, xmr, iban, phone -> phone-number, md5/sha1/sha256,
//   ccn -> cc-number when unmasked, eth/masked ccn/keyword -> text with a comment naming the
//   kind), each with a uuid, a category MISP accepts for its type, to_ids false and a comment
//   naming the evidence. docs/FORMATS.md, "Artifact export (written)".
// Writers are not thread-safe; write errors are the stream's (check `out` after End()).
class ArtifactWriter {
 public:
  virtual ~ArtifactWriter() = default;
  virtual void Begin(const ExportCase& header) = 0;
  virtual void Row(const ExportRow& row) = 0;
  virtual void End() = 0;  // closes the JSON document (MISP)
};
std::unique_ptr<ArtifactWriter> MakeArtifactWriter(ExportFormat format, std::ostream& out);

}  // namespace evidex::exchange

#endif  // EVIDEX_EXCHANGE_ARTIFACT_EXPORT_H_
