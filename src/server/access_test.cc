#include "server/access.h"

#include <gtest/gtest.h>

namespace evidex::server {
namespace {

using store::Role;

TEST(Access, RightsTable) {
  const Role roles[] = {Role::kAdmin, Role::kExaminer, Role::kInvestigator, Role::kProsecutor,
                        Role::kViewer};
  // docs/API.md, "Roles": one row per right, one column per role above.
  const std::pair<Right, std::array<bool, 5>> table[] = {
      {Right::kReadCase, {true, true, true, true, true}},
      {Right::kCreateCase, {true, true, true, false, false}},
      {Right::kManageMembers, {true, true, false, false, false}},
      {Right::kAcquire, {true, true, false, false, false}},
      {Right::kScan, {true, true, true, false, false}},
      {Right::kReadBytes, {true, true, true, true, false}},
      {Right::kReport, {true, true, true, true, true}},
      {Right::kManageUsers, {true, false, false, false, false}},
  };
  for (const auto& [right, allowed] : table)
    for (int i = 0; i < 5; ++i)
      EXPECT_EQ(Allowed(roles[i], right), allowed[i])
          << int(right) << " " << store::RoleName(roles[i]);
  EXPECT_TRUE(SeesAllCases(Role::kAdmin));
  EXPECT_FALSE(SeesAllCases(Role::kExaminer));
}

TEST(Access, CardNumbersMasked) {
  EXPECT_EQ(MaskCardNumber("4111111111111111"), "411111******1111");
  EXPECT_EQ(MaskCardNumber("4111 1111 1111 1111"), "411111******1111");
  EXPECT_EQ(MaskCardNumber("1234"), "****");
  EXPECT_EQ(VisibleValue(Role::kProsecutor, "ccn", "4111111111111111"), "411111******1111");
  EXPECT_EQ(VisibleValue(Role::kViewer, "ccn", "4111111111111111"), "411111******1111");
  EXPECT_EQ(VisibleValue(Role::kInvestigator, "ccn", "4111111111111111"), "4111111111111111");
  EXPECT_EQ(VisibleValue(Role::kViewer, "email", "a@b.example"), "a@b.example");
}

}  // namespace
}  // namespace evidex::server
