// Store logic both back ends share (sqlite_store.cc, pg_store.cc): what does not depend on SQL.
// Free functions over values the back end has read; no I/O. Thread-safe (no shared state).
#ifndef EVIDEX_STORE_STORE_COMMON_H_
#define EVIDEX_STORE_STORE_COMMON_H_

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/store.h"
#include "vault/custody.h"
#include "vault/keys.h"

namespace evidex::store {

// CheckChainEnd's verdict on what the back end read for case `c`: OK when the chain ends where
// its signed head says (no records and no head; or a last record whose seq and hash the head
// names, whose own hash is right, under a head for this case signed by `signer` or one of
// `known`). Code::kCorrupt, naming the case and `evidex custody verify`, otherwise.
Status CheckChainEndOf(const Case& c, const std::optional<vault::CustodyRecord>& last,
                       const std::optional<vault::CustodyHead>& head,
                       const vault::PublicKey& signer, const std::vector<KnownKey>& known);

// The refusal of a store at schema `version` > kSchemaVersion (Code::kUnsupported).
Status NewerSchema(int version);

// A custody record's details column as stored: compact JSON (invalid UTF-8 replaced).
std::string DumpCustodyDetails(const nlohmann::json& details);
// And back. A column that is not a JSON object (hand-edited) is kept as a string inside an
// object, so the record still loads and its hash check reports it as edited.
nlohmann::json ParseCustodyDetails(const std::string& text);

// True for 1..18 decimal digits (a local id, an evidence number).
bool AllDigits(const std::string& s);

}  // namespace evidex::store

#endif  // EVIDEX_STORE_STORE_COMMON_H_
