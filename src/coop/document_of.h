// A request laid out as a Document for the renderers (docs/render.h): sections in the order of
// the T-CY templates, fields a type does not use left out, enumerated values as translation keys,
// free text as written.
#ifndef EVIDEX_COOP_DOCUMENT_OF_H_
#define EVIDEX_COOP_DOCUMENT_OF_H_

#include "coop/docs/document.h"
#include "store/store.h"

namespace evidex::coop {

// `signer` is "ed25519:<hex> / Unit (CC)" for a finalized request ("" for a draft: marked DRAFT).
Document DocumentOf(const store::CoopRequest& r, const std::string& signer);

}  // namespace evidex::coop

#endif  // EVIDEX_COOP_DOCUMENT_OF_H_
