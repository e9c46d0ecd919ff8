#include "server/http_util.h"

#include <gtest/gtest.h>

namespace evidex::server {
namespace {

TEST(HttpUtil, Ids) {
  EXPECT_EQ(ParseId("1"), 1);
  EXPECT_EQ(ParseId("123456789012345678"), 123456789012345678);
  for (const char* bad : {"", "0", "01", "-1", "+1", "1a", "1 ", "..", "1/2", "1234567890123456789",
                          "1' OR '1'='1", "%2e%2e"})
    EXPECT_FALSE(ParseId(bad)) << bad;
}

TEST(HttpUtil, EvidenceNamesAndUserNames) {
  EXPECT_EQ(ParseEvidenceName("E1"), "E1");
  EXPECT_EQ(ParseEvidenceName("12"), "E12");
  EXPECT_EQ(ParseEvidenceName("e3"), "E3");
  for (const char* bad : {"", "E", "E0", "E-1", "../E1", "E1/..", "E1;DROP"})
    EXPECT_FALSE(ParseEvidenceName(bad)) << bad;
  EXPECT_TRUE(ValidUserName("a.perera-2_x"));
  for (const char* bad : {"", ".hidden", "A", "a b", "../etc", "a/b", "a\\b", "ä"})
    EXPECT_FALSE(ValidUserName(bad)) << bad;
  EXPECT_FALSE(ValidUserName(std::string(65, 'a')));
}

TEST(HttpUtil, JsonAnswersAreEscaped) {
  httplib::Response res;
  SendJson(res, 200, {{"v", "<script>alert(1)</script>\"\x01"}});
  EXPECT_EQ(res.get_header_value("Cache-Control"), "no-store");
  EXPECT_EQ(res.body, "{\"v\":\"<script>alert(1)</script>\\\"\\u0001\"}");
  SendError(res, 404, "not_found", "x");
  EXPECT_EQ(nlohmann::json::parse(res.body)["code"], "not_found");
  EXPECT_EQ(HexEncode("\x00\xff", 2), "00ff");
}

}  // namespace
}  // namespace evidex::server
