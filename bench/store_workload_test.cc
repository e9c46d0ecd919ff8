// The store workload: deterministic by seed, values injective in g (so the truth can count
// distinct artifacts without a table of strings), counts that add up, the big case's exact size.
#include "bench/store_workload.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <unordered_set>

namespace evidex::bench {
namespace {

// Keeps every row's (kind, value) and counts rows per evidence.
class CollectSink : public WorkloadSink {
 public:
  Status BeginEvidence(int c, int e) override {
    evidences.push_back({c, e});
    rows_in_evidence.push_back(0);
    return Status::Ok();
  }
  Status Rows(std::span<const WorkloadRow> rows) override {
    for (const WorkloadRow& r : rows) {
      EXPECT_FALSE(r.value.empty());
      EXPECT_NE(r.context.find(r.feature), std::string::npos);
      EXPECT_FALSE(r.path.empty());
      values.insert(std::string(r.kind) + "\t" + r.value);
      per_case[evidences.back().first].insert(std::string(r.kind) + "\t" + r.value);
      rows_in_evidence.back()++;
      total++;
    }
    return Status::Ok();
  }
  Status EndEvidence() override { return Status::Ok(); }

  std::vector<std::pair<int, int>> evidences;
  std::vector<uint64_t> rows_in_evidence;
  std::unordered_set<std::string> values;
  std::map<int, std::unordered_set<std::string>> per_case;
  uint64_t total = 0;
};

WorkloadOptions Small() {
  WorkloadOptions o;
  o.occurrences = 200'000;
  o.cases = 20;
  o.seed = 7;
  o.big_case_artifacts = 5'000;
  return o;
}

TEST(StoreWorkload, TruthMatchesWhatWasGenerated) {
  Workload w(Small());
  CollectSink sink;
  WorkloadTruth truth;
  ASSERT_TRUE(w.Run(&sink, 1000, &truth).ok());
  EXPECT_EQ(sink.total, 200'000u);
  EXPECT_EQ(truth.occurrences, 200'000u);
  EXPECT_EQ(truth.distinct, sink.values.size());
  EXPECT_EQ(truth.cases[0].distinct(), 5'000u);
  for (auto& [c, set] : sink.per_case) EXPECT_EQ(truth.cases[size_t(c)].distinct(), set.size());
  // Shared values: some in many cases, most in one or two.
  EXPECT_GT(truth.artifacts_by_cases[20], 0u);
  EXPECT_GT(truth.artifacts_by_cases[1], truth.artifacts_by_cases[2]);
  EXPECT_GT(truth.artifacts_by_cases[2], truth.artifacts_by_cases[10]);
}

TEST(StoreWorkload, SameSeedSameWorkload) {
  WorkloadTruth a, b, c;
  CollectSink sa, sb, sc;
  ASSERT_TRUE(Workload(Small()).Run(&sa, 4096, &a).ok());
  ASSERT_TRUE(Workload(Small()).Run(&sb, 17, &b).ok());
  EXPECT_EQ(a.Digest(), b.Digest());
  EXPECT_EQ(sa.values, sb.values);
  EXPECT_EQ(sa.rows_in_evidence, sb.rows_in_evidence);
  WorkloadOptions other = Small();
  other.seed = 8;
  ASSERT_TRUE(Workload(other).Run(&sc, 4096, &c).ok());
  EXPECT_NE(a.Digest(), c.Digest());
}

TEST(StoreWorkload, ValuesAreInjectiveAndAbsentOnesAreNeverStored) {
  Workload w(Small());
  std::set<std::string> seen;
  std::set<std::string> kinds;
  std::string v;
  for (uint64_t g = 0; g < 300'000; ++g) {
    w.Value(g, &v);
    kinds.insert(w.KindOf(g));
    ASSERT_TRUE(seen.insert(std::string(w.KindOf(g)) + "\t" + v).second) << g << " " << v;
  }
  EXPECT_EQ(kinds.size(), 10u);
  ASSERT_GT(w.AbsentG(), w.pool() + Small().occurrences);
}

TEST(StoreWorkload, ParseCount) {
  EXPECT_EQ(ParseCount("50M"), 50'000'000u);
  EXPECT_EQ(ParseCount("1m"), 1'000'000u);
  EXPECT_EQ(ParseCount("20k"), 20'000u);
  EXPECT_EQ(ParseCount("1.5M"), 1'500'000u);
  EXPECT_EQ(ParseCount("123"), 123u);
  EXPECT_EQ(ParseCount("x"), 0u);
  EXPECT_EQ(ParseCount(""), 0u);
}

}  // namespace
}  // namespace evidex::bench
