// Chain of custody: canonical form, sealing, and VerifyChain naming the first tampered record.
#include "vault/custody.h"

#include <gtest/gtest.h>

#include <regex>

#include "core/hash.h"

namespace evidex::vault {
namespace {

SigningKey NewKey() {
  Result<SigningKey> k = SigningKey::Generate();
  EXPECT_TRUE(k.ok());
  return std::move(k).value();
}

class CustodyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Six records: case-created, acquired, verified, scanned, exported, note.
    const char* actions[] = {"case-created", "acquired", "verified", "scanned", "exported", "note"};
    for (int i = 0; i < 6; ++i) records_.push_back(Make(actions[i], i, key_));
    head_ = SignHead(records_.back(), key_);
  }
  CustodyRecord Make(const std::string& action, int i, const SigningKey& key,
                     const std::vector<CustodyRecord>* chain = nullptr) {
    const std::vector<CustodyRecord>& c = chain ? *chain : records_;
    CustodyRecord r;
    r.case_uuid = "7d0e1b1e-0000-4000-8000-000000000001";
    r.time = "2026-12-02T04:10:00." + std::to_string(100 + i) + "Z";
    r.actor = "Insp. Perera";
    r.unit = "Cybercrime Unit, Colombo (LK)";
    r.action = action;
    r.evidence = i == 0 ? "" : "e-1";
    r.details = {{"step", i}, {"note", "ü ok"}};
    Seal(r, c.empty() ? nullptr : &c.back(), key);
    return r;
  }
  ChainReport Verify(const std::vector<CustodyRecord>& recs, bool with_head = true) const {
    return VerifyChain(recs, with_head ? std::optional<CustodyHead>(head_) : std::nullopt,
                       [this](const PublicKey& k) { return k == key_.public_key(); });
  }
  static std::string First(const ChainReport& r) {
    if (r.ok()) return "ok";
    return r.problems[0].kind + "@" + std::to_string(r.problems[0].seq);
  }
  SigningKey key_ = NewKey();
  std::vector<CustodyRecord> records_;
  CustodyHead head_;
};

TEST_F(CustodyTest, CanonicalFormIsSortedCompactAndHashed) {
  const CustodyRecord& r = records_[1];
  std::string c = r.Canonical();
  EXPECT_EQ(c, nlohmann::json::parse(c).dump());  // compact, keys sorted
  EXPECT_TRUE(c.starts_with("{\"action\":\"acquired\",\"actor\":\"Insp. Perera\",\"case_uuid\":"))
      << c;
  EXPECT_EQ(c.find("\"hash\""), std::string::npos);
  EXPECT_EQ(c.find("\"signature\""), std::string::npos);
  EXPECT_NE(c.find("\"note\":\"\xc3\xbc ok\""), std::string::npos);  // UTF-8, not \u escapes
  EXPECT_EQ(r.hash, Sha256Hex("evidex-custody-v1\n" + c));
  EXPECT_EQ(r.seq, 2);
  EXPECT_EQ(records_[0].prev_hash, std::string(64, '0'));
  EXPECT_EQ(r.prev_hash, records_[0].hash);
  EXPECT_EQ(r.signer, key_.public_key().Text());
  Result<Signature> sig = ParseSignatureHex(r.signature);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(VerifySignature(key_.public_key(), r.hash, *sig));
}

TEST_F(CustodyTest, JsonRoundTrip) {
  for (const CustodyRecord& r : records_) {
    Result<CustodyRecord> back = CustodyRecord::FromJson(nlohmann::json::parse(r.ToJson().dump()));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->Canonical(), r.Canonical());
    EXPECT_EQ(back->hash, r.hash);
    EXPECT_EQ(back->signature, r.signature);
  }
  Result<CustodyHead> h = CustodyHead::FromJson(head_.ToJson());
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->hash, head_.hash);
  EXPECT_EQ(h->seq, 6);
  nlohmann::json bad = records_[0].ToJson();
  bad.erase("prev_hash");
  EXPECT_FALSE(CustodyRecord::FromJson(bad).ok());
  bad = records_[0].ToJson();
  bad["seq"] = "1";
  EXPECT_FALSE(CustodyRecord::FromJson(bad).ok());
  EXPECT_FALSE(CustodyHead::FromJson(nlohmann::json::array()).ok());
}

TEST_F(CustodyTest, IntactChainVerifies) {
  ChainReport r = Verify(records_);
  EXPECT_TRUE(r.ok()) << r.problems[0].message;
  EXPECT_EQ(r.records, 6);
  EXPECT_TRUE(Verify(records_, false).ok());
  EXPECT_TRUE(Verify({}, false).ok());
}

TEST_F(CustodyTest, EditedRecordIsNamed) {
  records_[2].details["step"] = 99;
  ChainReport r = Verify(records_);
  EXPECT_EQ(First(r), "edited@3");
  EXPECT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].message, "record 3 was edited (its hash does not match its content)");
}

TEST_F(CustodyTest, EditedTopLevelFieldIsNamed) {
  records_[4].actor = "someone else";
  EXPECT_EQ(First(Verify(records_)), "edited@5");
}

TEST_F(CustodyTest, EditedAndRehashedRecordHasABadSignature) {
  records_[3].details["step"] = 42;
  records_[3].hash = records_[3].ComputeHash();
  ChainReport r = Verify(records_);
  EXPECT_EQ(First(r), "bad-signature@4");
}

TEST_F(CustodyTest, AlteredSignatureIsNamed) {
  std::string& s = records_[1].signature;
  s[5] = s[5] == '0' ? '1' : '0';
  EXPECT_EQ(First(Verify(records_)), "bad-signature@2");
}

TEST_F(CustodyTest, DeletedMiddleRecordIsNamedAtTheNextOne) {
  records_.erase(records_.begin() + 2);
  ChainReport r = Verify(records_);
  EXPECT_EQ(First(r), "deleted@4");
  EXPECT_NE(r.problems[0].message.find("record 3 was deleted"), std::string::npos)
      << r.problems[0].message;
  // Without the head too: the gap is there.
  EXPECT_EQ(First(Verify(records_, false)), "deleted@4");
}

TEST_F(CustodyTest, DeletedMiddleRecordWithRenumberingIsStillADeletion) {
  records_.erase(records_.begin() + 2);
  for (size_t i = 2; i < records_.size(); ++i) records_[i].seq = int64_t(i) + 1;
  ChainReport r = Verify(records_);
  EXPECT_EQ(First(r), "deleted@3");
  EXPECT_NE(r.problems[0].message.find("record 3 was deleted"), std::string::npos);
}

TEST_F(CustodyTest, DeletedLastRecordIsFoundThroughTheHead) {
  records_.pop_back();
  ChainReport r = Verify(records_);
  EXPECT_EQ(First(r), "truncated@6");
  EXPECT_NE(r.problems[0].message.find("record 6 was deleted"), std::string::npos);
  records_.pop_back();
  r = Verify(records_);
  EXPECT_EQ(First(r), "truncated@5");
  EXPECT_NE(r.problems[0].message.find("records 5 to 6 were deleted"), std::string::npos);
  // Without the head a truncated chain cannot be told from a short one: that is why it is signed.
  EXPECT_TRUE(Verify(records_, false).ok());
}

TEST_F(CustodyTest, AllRecordsDeletedIsTruncated) { EXPECT_EQ(First(Verify({})), "truncated@1"); }

TEST_F(CustodyTest, InsertedRecordIsNamed) {
  // Someone with another key inserts a record after 3 and renumbers the rest.
  SigningKey intruder = NewKey();
  std::vector<CustodyRecord> prefix(records_.begin(), records_.begin() + 3);
  CustodyRecord x = Make("note", 50, intruder, &prefix);
  std::vector<CustodyRecord> tampered = prefix;
  tampered.push_back(x);
  for (size_t i = 3; i < records_.size(); ++i) {
    tampered.push_back(records_[i]);
    tampered.back().seq += 1;
  }
  ChainReport r = Verify(tampered);
  EXPECT_EQ(First(r), "inserted@4");
  // Without renumbering: a second record 4.
  tampered = records_;
  tampered.insert(tampered.begin() + 3, x);
  EXPECT_EQ(First(Verify(tampered)), "inserted@4");
  // A record of ours, copied again later.
  tampered = records_;
  tampered.push_back(records_[1]);
  tampered.back().seq = 7;
  EXPECT_EQ(First(Verify(tampered, false)), "inserted@7");
}

TEST_F(CustodyTest, RecordFromAnotherCaseIsInserted) {
  std::vector<CustodyRecord> other;
  CustodyRecord o = Make("note", 0, key_, &other);
  o.case_uuid = "another";
  Seal(o, &records_.back(), key_);
  records_.push_back(o);
  EXPECT_EQ(First(Verify(records_)), "inserted@7");
}

TEST_F(CustodyTest, SwappedSeqIsReordered) {
  std::swap(records_[2].seq, records_[3].seq);
  std::swap(records_[2], records_[3]);  // stored order follows seq, as a store reads it
  ChainReport r = Verify(records_);
  EXPECT_EQ(First(r), "reordered@3");
  EXPECT_NE(r.problems[0].message.find("it was signed as record 4"), std::string::npos)
      << r.problems[0].message;
}

TEST_F(CustodyTest, RecordsInTheWrongOrderAreReordered) {
  std::swap(records_[1], records_[4]);  // e.g. lines of custody.jsonl moved
  ChainReport r = Verify(records_);
  EXPECT_EQ(First(r), "reordered@5");
  EXPECT_NE(r.problems[0].message.find("out of order"), std::string::npos);
}

TEST_F(CustodyTest, UnknownSignerIsNamed) {
  SigningKey stranger = NewKey();
  std::vector<CustodyRecord> theirs;
  for (int i = 0; i < 3; ++i) theirs.push_back(Make("note", i, stranger, &theirs));
  ChainReport r = VerifyChain(theirs, SignHead(theirs.back(), stranger),
                              [this](const PublicKey& k) { return k == key_.public_key(); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(First(r), "unknown-signer@1");
  EXPECT_NE(r.problems[0].message.find(stranger.public_key().Text()), std::string::npos);
  // Trusting their key makes it fine.
  EXPECT_TRUE(VerifyChain(theirs, SignHead(theirs.back(), stranger), [](const PublicKey&) {
                return true;
              }).ok());
}

TEST_F(CustodyTest, ForgedHeadIsNamed) {
  CustodyHead h = head_;
  h.seq = 7;
  ChainReport r =
      VerifyChain(records_, h, [this](const PublicKey& k) { return k == key_.public_key(); });
  EXPECT_EQ(First(r), "bad-signature@7");
}

TEST_F(CustodyTest, UtcNowIsRfc3339WithMilliseconds) {
  EXPECT_TRUE(std::regex_match(UtcNow(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << UtcNow();
}

}  // namespace
}  // namespace evidex::vault
