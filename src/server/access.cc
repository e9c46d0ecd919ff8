#include "server/access.h"

namespace evidex::server {

bool Allowed(store::Role role, Right right) {
  using store::Role;
  switch (right) {
    case Right::kReadCase:
    case Right::kReport:
      return true;
    case Right::kCreateCase:
      return role == Role::kAdmin || role == Role::kExaminer || role == Role::kInvestigator;
    case Right::kManageMembers:
    case Right::kAcquire:
      return role == Role::kAdmin || role == Role::kExaminer;
    case Right::kScan:
      return role == Role::kAdmin || role == Role::kExaminer || role == Role::kInvestigator;
    case Right::kReadBytes:
      return role != Role::kViewer;
    case Right::kManageUsers:
      return role == Role::kAdmin;
    case Right::kManageDirectory:
      return role == Role::kAdmin || role == Role::kExaminer || role == Role::kInvestigator;
    case Right::kDraftRequest:
    case Right::kFinalizeRequest:
      return role != Role::kViewer;
  }
  return false;
}

bool MasksCards(store::Role role) {
  return role == store::Role::kProsecutor || role == store::Role::kViewer;
}

std::string MaskCardNumber(const std::string& value) {
  std::string digits;
  for (char c : value)
    if (c >= '0' && c <= '9') digits += c;
  if (digits.size() < 11) return std::string(digits.empty() ? value.size() : digits.size(), '*');
  for (size_t i = 6; i + 4 < digits.size(); ++i) digits[i] = '*';
  return digits;
}

std::string VisibleValue(store::Role role, const std::string& kind, const std::string& value) {
  return kind == "ccn" && MasksCards(role) ? MaskCardNumber(value) : value;
}

}  // namespace evidex::server
