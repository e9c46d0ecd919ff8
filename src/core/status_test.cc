#include "core/status.h"

#include <cerrno>

#include <gtest/gtest.h>

namespace evidex {
namespace {

TEST(Status, OkAndError) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = IoError("cannot read /x");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kIoError);
  EXPECT_EQ(s.ToString(), "io-error: cannot read /x");
}

TEST(Status, ErrnoMapsMissingToNotFound) {
  EXPECT_EQ(ErrnoStatus("open /nope", ENOENT).code(), Code::kNotFound);
  EXPECT_EQ(ErrnoStatus("open /x", EACCES).code(), Code::kIoError);
  EXPECT_NE(ErrnoStatus("open /x", EACCES).message().find("Permission denied"), std::string::npos);
}

TEST(Result, HoldsValueOrStatus) {
  Result<int> good(7);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  Result<int> bad(Corrupt("bad header"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kCorrupt);
}

}  // namespace
}  // namespace evidex
