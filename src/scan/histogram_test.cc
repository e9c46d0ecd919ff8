#include "scan/histogram.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

namespace evidex::scan {
namespace {

TEST(Histogram, CountsSortsAndClears) {
  Histogram h;
  h.Add("b@x.org", false);
  h.Add("a@x.org", true);
  h.Add("b@x.org", true);
  h.Add("c@x.org", false);
  h.Add("a@x.org", false);
  h.Add(std::string_view("z\0y", 3), false);  // bytes, not C strings
  ASSERT_EQ(h.size(), 4u);
  std::vector<Histogram::Row> rows = h.Sorted();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].value, "a@x.org");  // 2 each: value order breaks the tie
  EXPECT_EQ(rows[0].count, 2u);
  EXPECT_EQ(rows[0].utf16, 1u);
  EXPECT_EQ(rows[1].value, "b@x.org");
  EXPECT_EQ(rows[1].utf16, 1u);
  EXPECT_EQ(rows[2].value, "c@x.org");
  EXPECT_EQ(rows[2].utf16, 0u);
  EXPECT_EQ(rows[3].value, std::string_view("z\0y", 3));
  h.Clear();
  EXPECT_EQ(h.size(), 0u);
  EXPECT_TRUE(h.Sorted().empty());
  h.Add("again", false);
  EXPECT_EQ(h.Sorted().at(0).count, 1u);
}

// Against std::map over many values and growth steps, with values that share prefixes.
TEST(Histogram, AgreesWithAMapThroughGrowth) {
  Histogram h;
  std::map<std::string, std::pair<uint64_t, uint64_t>> want;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    std::string v = "user" + std::to_string(rng() % 50000) + "@example.org";
    bool u = rng() % 5 == 0;
    h.Add(v, u);
    auto& w = want[v];
    ++w.first;
    if (u) ++w.second;
  }
  std::vector<Histogram::Row> rows = h.Sorted();
  ASSERT_EQ(rows.size(), want.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    auto it = want.find(std::string(rows[i].value));
    ASSERT_NE(it, want.end()) << rows[i].value;
    EXPECT_EQ(rows[i].count, it->second.first);
    EXPECT_EQ(rows[i].utf16, it->second.second);
    if (i > 0) {
      ASSERT_TRUE(rows[i - 1].count > rows[i].count ||
                  (rows[i - 1].count == rows[i].count && rows[i - 1].value < rows[i].value));
    }
  }
}

}  // namespace
}  // namespace evidex::scan
