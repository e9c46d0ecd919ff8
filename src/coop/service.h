// Cooperation requests over the store: a draft written from the case, its check, its freezing and
// signing, its life (draft → finalized → sent → acknowledged → answered / refused / withdrawn /
// expired), its clocks, extensions and follow-ups. The CLI (`evidex request`) and the server call
// these; every change of state is an event of the request (store::CoopEvent) and, from
// finalizing on, a record in the case's signed chain of custody.
//
// Nothing finalized changes: an edit of a finalized request makes a new draft version (same
// reference, version + 1) that names the one it replaces; finalizing it marks the old one
// "superseded" when that one was not sent yet.
//
// Errors: kNotFound (no such request, case, directory entry or artifact), kInvalidArgument (a
// request that is incomplete, in the wrong state, or a bad field), the store's own.
//
// Thread safety: functions over a Store, which one thread uses at a time.
#ifndef EVIDEX_COOP_SERVICE_H_
#define EVIDEX_COOP_SERVICE_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "coop/directory.h"
#include "coop/request.h"
#include "store/store.h"
#include "vault/keys.h"

namespace evidex::coop {

struct NewRequestArgs {
  int64_t case_id = 0;
  std::string type;    // RequestTypes()
  std::string to;      // the addressee's directory key
  // Identifiers from the case: an artifact id ("123"), or a value ("kind:value" or a value found
  // under one kind in the case).
  std::vector<std::string> identifiers;
  std::string category;  // for them all; "" the type's usual one
  std::string language = "en", target_language;  // "" the addressee's first language
  std::string actor;     // "Insp. A. Perera (aperera)": who writes it
  std::string today;     // YYYY-MM-DD
};
// A draft filled from the case (number, title, offence), the addressee's directory entry, the
// unit's own card (the entry marked own; else the unit's name and country) and the identifiers.
Result<store::CoopRequest> NewRequest(store::Store& store, const NewRequestArgs& args);

// "12" (id), or a reference ("LK-2026-0003", its latest version; "LK-2026-0003@2" one version).
Result<store::CoopRequest> FindRequest(store::Store& store, const std::string& name);

// The request's problems, with the case's artifacts looked up (identifiers whose artifact is gone).
Result<std::vector<Problem>> CheckRequest(store::Store& store, const store::CoopRequest& r,
                                          const std::string& today);

// Applies `change` (a JSON merge patch of the document) to a draft; to a finalized request it
// makes and returns a new draft version. `actor` is recorded in the new version's first event.
Result<store::CoopRequest> EditRequest(store::Store& store, const store::CoopRequest& r,
                                       const nlohmann::json& change, const std::string& actor);

struct Signer {
  const vault::SigningKey* key = nullptr;
  std::string public_key;  // vault::PublicKey::Text()
  std::string unit;        // store::Unit::Display()
};
// Refuses (kInvalidArgument, "N fields are missing or wrong: ...") while Check finds a problem;
// otherwise signs the document's compact JSON, moves the request to "finalized" and appends a
// "request-finalized" record to the case's custody chain, in one transaction.
Result<store::CoopRequest> Finalize(store::Store& store, const store::CoopRequest& r,
                                    const Signer& signer, const std::string& actor,
                                    const std::string& today);

// The states a request may move to from `state`.
std::vector<std::string> NextStates(const std::string& state);
// Moves the request to `to` at `now` (UTC seconds). "sent" starts its clock (ClockOf); an
// extension, once sent, moves the clock of the request it extends (ExtensionOf); "answered",
// "refused", "withdrawn", "expired" stop it. Recorded as an event and in the custody chain.
Result<store::CoopRequest> Transition(store::Store& store, const store::CoopRequest& r,
                                      const std::string& to, const std::string& note,
                                      const std::string& actor, int64_t now, const Signer& signer);

// A new draft asking to extend a preservation request that was sent (status "extension").
Result<store::CoopRequest> Extend(store::Store& store, const store::CoopRequest& r,
                                  const std::string& actor, const std::string& today);
// A new MLA draft that follows a preservation (or emergency) request, carrying its data over,
// addressed to the central authority of the same country when the directory has one.
Result<store::CoopRequest> FollowUp(store::Store& store, const store::CoopRequest& r,
                                    const std::string& actor, const std::string& today);

struct DueItem {
  store::CoopRequest request;
  int64_t due = 0;     // UTC seconds
  bool overdue = false;
};
// Sent or acknowledged requests (of one case, or all with case_id 0) whose clock ends before
// now + within, soonest first.
Result<std::vector<DueItem>> Due(store::Store& store, int64_t case_id, int64_t now, int64_t within);

// ---- Directory over the store ----
Result<std::vector<DirectoryEntry>> ListEntries(store::Store& store, const std::string& country);
Result<std::optional<DirectoryEntry>> GetEntry(store::Store& store, const std::string& key);
// Validated (kInvalidArgument naming every problem), then stored (replacing the same key).
Status PutEntries(store::Store& store, const std::vector<DirectoryEntry>& entries,
                  const std::string& today);

// The JSON the API and `--json` give for a request: the row's fields with the document inside.
nlohmann::json RequestJson(const store::CoopRequest& r);

}  // namespace evidex::coop

#endif  // EVIDEX_COOP_SERVICE_H_
