// Who may do what (docs/API.md, "Roles"): the rights of each role, and what a role sees of
// values (card numbers masked for prosecutors and viewers). Membership (which cases a user sees)
// is read from the store by the API (api.h, Api::OpenCase); this file is the rule table only.
//
// Thread safety: pure functions.
#ifndef EVIDEX_SERVER_ACCESS_H_
#define EVIDEX_SERVER_ACCESS_H_

#include <string>

#include "store/store.h"

namespace evidex::server {

enum class Right {
  kReadCase,  // read a case the user is a member of (admin: every case)
  kCreateCase,
  kManageMembers,  // add / remove members of a case
  kAcquire,        // acquire evidence, verify it
  kScan,           // start / cancel a scan
  kReadBytes,      // the hex view
  kReport,
  kManageUsers,
  kManageDirectory,  // add / remove 24/7 directory entries
  kDraftRequest,     // write and change cooperation requests of a case
  kFinalizeRequest,  // finalize (sign) a request, record it sent, answered, ...
};

bool Allowed(store::Role role, Right right);
// Admins see every case without being a member.
inline bool SeesAllCases(store::Role role) { return role == store::Role::kAdmin; }
// True when the role sees card numbers masked.
bool MasksCards(store::Role role);
// "4111 1111 1111 1111" → "411111******1111" (digits only, first 6 and last 4 kept); a value of
// fewer than 11 digits is masked whole.
std::string MaskCardNumber(const std::string& value);
// `value` as the role may see it: masked when `kind` is "ccn" and the role masks cards.
std::string VisibleValue(store::Role role, const std::string& kind, const std::string& value);

}  // namespace evidex::server

#endif  // EVIDEX_SERVER_ACCESS_H_
