// Evidence packages: write → verify round trip checked with coreutils and tar, every tampering
// the issue names (evidence byte, manifest byte, custody record edited / removed / reordered, a
// forger's re-signed package, a newer format), damaged files, --no-data, E01 evidence, extraction.
#include "vault/package.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "vault/package_format.h"
#include "vault/package_test_util.h"

namespace evidex::vault {
namespace {

using testing::FindMember;
using testing::Members;
using testing::Quote;
using testing::ReadFile;
using testing::ReadTar;
using testing::RecomputeSums;
using testing::Sh;
using testing::TempDir;
using testing::WriteFile;
using testing::WriteTar;

const PackageCheck* Check(const PackageReport& r, const std::string& name) {
  for (const PackageCheck& c : r.checks)
    if (c.name == name) return &c;
  return nullptr;
}

bool Failed(const PackageReport& r, const std::string& name) {
  const PackageCheck* c = Check(r, name);
  return c != nullptr && c->state == PackageCheck::State::kFailed;
}

std::string Dump(const PackageReport& r) { return r.ToJson().dump(2); }

class PackageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = std::make_unique<SigningKey>(std::move(SigningKey::Generate()).value());
    input_ = testing::SampleInput(dir_.path(), *key_);
    path_ = dir_ / "case.evidex.tar";
  }
  PackageResult Write(const PackageInput& in) {
    Result<PackageResult> r = WritePackage(in, *key_, path_, {});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : PackageResult{};
  }
  PackageReport Verify(const std::string& path, VerifyOptions options = {}) {
    Result<PackageReport> r = VerifyPackage(path, options);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : PackageReport{};
  }
  // Rewrites the package with `edit` applied to its members; returns the new path.
  std::string Tamper(const std::function<void(Members&)>& edit) {
    Members m = ReadTar(path_);
    EXPECT_GT(m.size(), 8u);
    edit(m);
    std::string out = dir_ / "tampered.tar";
    std::filesystem::remove(out);
    WriteTar(out, m);
    return out;
  }

  TempDir dir_;
  std::unique_ptr<SigningKey> key_;
  PackageInput input_;
  std::string path_;
};

TEST_F(PackageTest, RoundTripVerifiesAndCoreutilsAgree) {
  PackageResult res = Write(input_);
  EXPECT_EQ(res.path, path_);
  EXPECT_FALSE(std::filesystem::exists(path_ + ".partial"));
  PackageReport r = Verify(path_);
  EXPECT_TRUE(r.ok()) << Dump(r);
  for (const char* name : {"archive", "format", "signature", "certificates", "sums", "manifest",
                           "custody", "agreement", "evidence Laptop HDD", "evidence USB stick 1"}) {
    const PackageCheck* c = Check(r, name);
    ASSERT_NE(c, nullptr) << name << "\n" << Dump(r);
    EXPECT_EQ(c->state, PackageCheck::State::kOk) << name << ": " << c->message;
  }
  EXPECT_EQ(r.digest, res.digest);
  EXPECT_EQ(r.case_info.number, "2026/041");
  ASSERT_EQ(r.evidence.size(), 2u);
  EXPECT_EQ(r.evidence[0].digests, input_.evidence[0].digests);
  EXPECT_EQ(r.custody.size(), input_.custody.size());
  ASSERT_TRUE(r.signer.has_value());
  EXPECT_EQ(*r.signer, key_->public_key());

  // Any tar reads it, and sha256sum checks it without evidex.
  ASSERT_TRUE(testing::HaveTool("tar"));
  std::string x = dir_ / "x";
  std::filesystem::create_directory(x);
  ASSERT_EQ(Sh("tar -xf " + Quote(path_) + " -C " + Quote(x)).code, 0);
  testing::ShellResult sums = Sh("cd " + Quote(x) + " && sha256sum -c SHA256SUMS 2>&1");
  EXPECT_EQ(sums.code, 0) << sums.out;
  EXPECT_NE(sums.out.find("evidence/" + input_.evidence[0].digests.sha256 + ".raw: OK"),
            std::string::npos)
      << sums.out;
  EXPECT_EQ(Sh("sha256sum " + Quote(x + "/SHA256SUMS")).out.substr(0, 64), res.digest);
  // The evidence member is the acquired bytes.
  EXPECT_EQ(ReadFile(x + "/evidence/" + input_.evidence[1].digests.sha256 + ".raw"),
            ReadFile(input_.evidence[1].data_path));
  EXPECT_EQ(ReadFile(x + "/unit.pub"), key_->public_key().Text() + "\n");
  // Member order: package.json first, SIGNATURE last.
  Members m = ReadTar(path_);
  EXPECT_EQ(m.front().first, "package.json");
  EXPECT_EQ(m.back().first, "SIGNATURE");
}

TEST_F(PackageTest, ExistingOutputIsRefused) {
  WriteFile(path_, "keep me");
  Result<PackageResult> r = WritePackage(input_, *key_, path_, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ReadFile(path_), "keep me");
}

TEST_F(PackageTest, EvidenceChangedSinceAcquisitionIsNotPackaged) {
  std::string bytes = ReadFile(input_.evidence[1].data_path);
  bytes[bytes.size() / 2] ^= 1;
  WriteFile(input_.evidence[1].data_path, bytes);
  Result<PackageResult> r = WritePackage(input_, *key_, path_, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCorrupt);
  EXPECT_NE(r.status().message().find("USB stick 1"), std::string::npos) << r.status().message();
  EXPECT_FALSE(std::filesystem::exists(path_));
  EXPECT_FALSE(std::filesystem::exists(path_ + ".partial"));
}

TEST_F(PackageTest, LeftoverPartialIsReplaced) {
  WriteFile(path_ + ".partial", "half a package from a killed run");
  Write(input_);
  EXPECT_FALSE(std::filesystem::exists(path_ + ".partial"));
  EXPECT_TRUE(Verify(path_).ok());
}

TEST_F(PackageTest, CancelledLeavesNothing) {
  std::atomic<bool> cancel{true};
  PackageOptions o;
  o.cancel = &cancel;
  Result<PackageResult> r = WritePackage(input_, *key_, path_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kLimit);
  EXPECT_FALSE(std::filesystem::exists(path_));
  EXPECT_FALSE(std::filesystem::exists(path_ + ".partial"));
}

TEST_F(PackageTest, NoDataCarriesHashesOnly) {
  input_.include_data = false;
  Write(input_);
  for (const auto& [name, data] : ReadTar(path_)) EXPECT_NE(name.rfind("evidence/", 0), 0u) << name;
  PackageReport r = Verify(path_);
  EXPECT_TRUE(r.ok()) << Dump(r);
  EXPECT_FALSE(r.data_included);
  const PackageCheck* c = Check(r, "evidence Laptop HDD");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->state, PackageCheck::State::kSkipped);
  EXPECT_NE(c->message.find("not included"), std::string::npos);
  EXPECT_NE(c->message.find(input_.evidence[0].digests.sha256), std::string::npos);
}

TEST_F(PackageTest, SameBytesTwiceShareOneMember) {
  input_.evidence[1].data_path = input_.evidence[0].data_path;
  input_.evidence[1].size = input_.evidence[0].size;
  input_.evidence[1].digests = input_.evidence[0].digests;
  // The acquisition record of item 2 must carry its (now identical) hashes.
  input_ = [&] {
    PackageInput in = input_;
    for (CustodyRecord& r : in.custody)
      if (r.evidence == in.evidence[1].uuid && r.action == "acquired")
        r.details = {{"sha256", in.evidence[1].digests.sha256}};
    std::vector<CustodyRecord> resealed;
    for (CustodyRecord r : in.custody) {
      Seal(r, resealed.empty() ? nullptr : &resealed.back(), *key_);
      resealed.push_back(r);
    }
    in.custody = resealed;
    return in;
  }();
  Write(input_);
  int evidence_members = 0;
  for (const auto& [name, data] : ReadTar(path_))
    evidence_members += name.rfind("evidence/", 0) == 0;
  EXPECT_EQ(evidence_members, 1);
  PackageReport r = Verify(path_);
  EXPECT_TRUE(r.ok()) << Dump(r);
}

TEST_F(PackageTest, OneEvidenceByteChanged) {
  Write(input_);
  std::string bad = Tamper([&](Members& m) {
    std::string* ev = FindMember(m, "evidence/" + input_.evidence[0].digests.sha256);
    ASSERT_NE(ev, nullptr);
    (*ev)[12345] ^= 0x20;
  });
  PackageReport r = Verify(bad);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(Failed(r, "sums")) << Dump(r);
  EXPECT_TRUE(Failed(r, "evidence Laptop HDD")) << Dump(r);
  EXPECT_FALSE(Failed(r, "evidence USB stick 1")) << Dump(r);
  EXPECT_NE(
      Check(r, "sums")->message.find("changed: evidence/" + input_.evidence[0].digests.sha256),
      std::string::npos);
  EXPECT_FALSE(Failed(r, "signature"));  // SHA256SUMS itself is intact
}

TEST_F(PackageTest, OneManifestByteChanged) {
  Write(input_);
  std::string bad = Tamper([&](Members& m) {
    std::string* man = FindMember(m, "manifest.jsonld");
    ASSERT_NE(man, nullptr);
    size_t at = man->find(input_.evidence[0].digests.md5);
    ASSERT_NE(at, std::string::npos);
    (*man)[at] = (*man)[at] == '0' ? '1' : '0';
  });
  PackageReport r = Verify(bad);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(Failed(r, "sums")) << Dump(r);
  EXPECT_TRUE(Failed(r, "manifest")) << Dump(r);
  EXPECT_NE(Check(r, "sums")->message.find("manifest.jsonld"), std::string::npos);
}

// Lines of the custody member.
std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}
std::string Unlines(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& l : v) s += l + "\n";
  return s;
}

TEST_F(PackageTest, CustodyRecordEdited) {
  Write(input_);
  std::string bad = Tamper([&](Members& m) {
    std::string* rec = FindMember(m, "custody/" + input_.case_info.uuid + ".jsonl");
    ASSERT_NE(rec, nullptr);
    size_t at = rec->find("\"scanned\"");
    ASSERT_NE(at, std::string::npos);
    rec->replace(at, 9, "\"scannex\"");  // one byte
  });
  PackageReport r = Verify(bad);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(Failed(r, "sums")) << Dump(r);
  ASSERT_TRUE(Failed(r, "custody")) << Dump(r);
  EXPECT_NE(Check(r, "custody")->message.find("edited"), std::string::npos) << Dump(r);
}

TEST_F(PackageTest, CustodyRecordEditedAndSumsRecomputed) {
  Write(input_);
  std::string bad = Tamper([&](Members& m) {
    std::string* rec = FindMember(m, "custody/" + input_.case_info.uuid + ".jsonl");
    size_t at = rec->find("\"A. Perera\"");
    rec->replace(at, 11, "\"B. Perera\"");
    RecomputeSums(m);
  });
  PackageReport r = Verify(bad);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(Failed(r, "sums")) << Dump(r);  // consistent, but...
  EXPECT_TRUE(Failed(r, "signature")) << Dump(r);
  EXPECT_TRUE(Failed(r, "custody")) << Dump(r);
}

TEST_F(PackageTest, CustodyRecordRemoved) {
  Write(input_);
  std::string bad = Tamper([&](Members& m) {
    std::string* rec = FindMember(m, "custody/" + input_.case_info.uuid + ".jsonl");
    std::vector<std::string> lines = Lines(*rec);
    lines.erase(lines.begin() + 2);
    *rec = Unlines(lines);
  });
  PackageReport r = Verify(bad);
  EXPECT_FALSE(r.ok());
  ASSERT_TRUE(Failed(r, "custody")) << Dump(r);
  EXPECT_NE(Check(r, "custody")->message.find("3"), std::string::npos) << Dump(r);
}

TEST_F(PackageTest, LastCustodyRecordRemoved) {
  Write(input_);
  std::string bad = Tamper([&](Members& m) {
    std::string* rec = FindMember(m, "custody/" + input_.case_info.uuid + ".jsonl");
    std::vector<std::string> lines = Lines(*rec);
    lines.pop_back();
    *rec = Unlines(lines);
  });
  PackageReport r = Verify(bad);
  ASSERT_TRUE(Failed(r, "custody")) << Dump(r);
  EXPECT_NE(Check(r, "custody")->message.find("record 5 was deleted"), std::string::npos)
      << Dump(r);
}

TEST_F(PackageTest, CustodyRecordsReordered) {
  Write(input_);
  std::string bad = Tamper([&](Members& m) {
    std::string* rec = FindMember(m, "custody/" + input_.case_info.uuid + ".jsonl");
    std::vector<std::string> lines = Lines(*rec);
    std::swap(lines[1], lines[2]);
    *rec = Unlines(lines);
  });
  PackageReport r = Verify(bad);
  ASSERT_TRUE(Failed(r, "custody")) << Dump(r);
  EXPECT_NE(Check(r, "custody")->message.find("out of order"), std::string::npos) << Dump(r);
}

TEST_F(PackageTest, ForgedPackageFailsOnlyWithPinnedKey) {
  // A forger rebuilds the whole package with their own key: self-consistent, so only pinning the
  // sender's key (--key) or the receiver's known keys can tell.
  SigningKey forger = std::move(SigningKey::Generate()).value();
  TempDir other;
  PackageInput forged = testing::SampleInput(other.path(), forger);
  std::string path = other / "forged.tar";
  ASSERT_TRUE(WritePackage(forged, forger, path, {}).ok());
  EXPECT_TRUE(Verify(path).ok());
  VerifyOptions pinned;
  pinned.expected_key = key_->public_key();
  PackageReport r = Verify(path, pinned);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.FirstFailure().find(forger.public_key().Text()), std::string::npos) << Dump(r);
  EXPECT_NE(r.FirstFailure().find("not by the expected key"), std::string::npos) << Dump(r);
  // The same with a trust callback (receive): stops before reading evidence.
  VerifyOptions trust;
  trust.signer_trusted = [&](const PublicKey& k) { return k == key_->public_key(); };
  r = Verify(path, trust);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.FirstFailure().find("unknown key"), std::string::npos) << Dump(r);
  EXPECT_EQ(r.checks.size(), 1u);
}

TEST_F(PackageTest, SignatureByAnotherKeyOverTheSameSums) {
  Write(input_);
  SigningKey other = std::move(SigningKey::Generate()).value();
  std::string bad = Tamper([&](Members& m) {
    std::string sums = *FindMember(m, "SHA256SUMS");
    nlohmann::json sig = nlohmann::json::parse(*FindMember(m, "SIGNATURE"));
    sig["signature"] = SignatureHex(other.Sign(sums));
    *FindMember(m, "SIGNATURE") = sig.dump();
  });
  PackageReport r = Verify(bad);
  EXPECT_TRUE(Failed(r, "signature")) << Dump(r);
}

TEST_F(PackageTest, CertificateSwapped) {
  Write(input_);
  std::string bad = Tamper([&](Members& m) {
    std::string* html = FindMember(m, "certificate.html");
    size_t at = html->find(input_.evidence[0].digests.sha256);
    ASSERT_NE(at, std::string::npos);
    (*html)[at] = (*html)[at] == 'a' ? 'b' : 'a';
  });
  PackageReport r = Verify(bad);
  EXPECT_TRUE(Failed(r, "certificates")) << Dump(r);
  EXPECT_FALSE(Failed(r, "sums")) << Dump(r);
}

TEST_F(PackageTest, ExtraAndMissingMembers) {
  Write(input_);
  std::string bad = Tamper([&](Members& m) {
    m.insert(m.begin() + 3, {"evidence/extra.raw", "smuggled"});
    m.erase(std::remove_if(m.begin(), m.end(), [](auto& p) { return p.first == "unit.pub"; }),
            m.end());
  });
  PackageReport r = Verify(bad);
  ASSERT_TRUE(Failed(r, "sums")) << Dump(r);
  EXPECT_NE(Check(r, "sums")->message.find("missing: unit.pub"), std::string::npos) << Dump(r);
  EXPECT_NE(Check(r, "sums")->message.find("evidence/extra.raw"), std::string::npos) << Dump(r);
}

TEST_F(PackageTest, NewerFormatVersion) {
  Write(input_);
  std::string bad = Tamper([&](Members& m) {
    nlohmann::json pkg = nlohmann::json::parse(*FindMember(m, "package.json"));
    pkg["version"] = package_format::kVersion + 1;
    *FindMember(m, "package.json") = pkg.dump(2);
  });
  PackageReport r = Verify(bad);
  EXPECT_FALSE(r.ok());
  ASSERT_TRUE(Failed(r, "format")) << Dump(r);
  EXPECT_NE(Check(r, "format")->message.find("newer than this evidex reads"), std::string::npos);
}

TEST_F(PackageTest, TruncatedPackage) {
  Write(input_);
  std::string bytes = ReadFile(path_);
  // (The last 1024 bytes are the end-of-archive marker: cut into the last member instead.)
  for (size_t keep : {bytes.size() / 2, size_t(700), bytes.size() - 1024 - 100}) {
    std::string cut = dir_ / "cut.tar";
    WriteFile(cut, bytes.substr(0, keep));
    PackageReport r = Verify(cut);
    EXPECT_FALSE(r.ok()) << keep;
    EXPECT_TRUE(Failed(r, "archive") || Failed(r, "signature") || Failed(r, "format"))
        << keep << Dump(r);
  }
}

TEST_F(PackageTest, NotATar) {
  std::string junk = dir_ / "junk.bin";
  WriteFile(junk, testing::RandomBytes(100000, 7));
  PackageReport r = Verify(junk);
  EXPECT_FALSE(r.ok());
  ASSERT_TRUE(Failed(r, "archive")) << Dump(r);
  EXPECT_NE(Check(r, "archive")->message.find("not a tar archive"), std::string::npos) << Dump(r);
  WriteFile(junk, "");
  EXPECT_FALSE(Verify(junk).ok());
}

TEST_F(PackageTest, MissingFileIsAnError) {
  Result<PackageReport> r = VerifyPackage(dir_ / "nope.tar", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  r = VerifyPackage(dir_.path(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
}

TEST_F(PackageTest, UnsafeMemberNamesAreRefused) {
  Write(input_);
  for (const char* name : {"../escape", "/abs/path", "evidence/../../x"}) {
    std::string bad = Tamper([&](Members& m) { m.insert(m.begin() + 1, {name, "x"}); });
    PackageReport r = Verify(bad);
    ASSERT_TRUE(Failed(r, "archive")) << name << Dump(r);
  }
}

TEST_F(PackageTest, ExtractWritesVerifiedEvidence) {
  Write(input_);
  std::string x = dir_ / "extract";
  std::filesystem::create_directory(x);
  VerifyOptions o;
  o.extract_dir = x;
  PackageReport r = Verify(path_, o);
  EXPECT_TRUE(r.ok()) << Dump(r);
  ASSERT_EQ(r.extracted.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const std::string file = x + "/" + input_.evidence[i].digests.sha256 + ".raw";
    EXPECT_EQ(ReadFile(file), ReadFile(input_.evidence[i].data_path));
    EXPECT_TRUE(VerifyMedia(file, r.evidence[i]).ok());
  }
  // A changed extracted file is caught by VerifyMedia.
  std::string file = x + "/" + input_.evidence[0].digests.sha256 + ".raw";
  std::filesystem::permissions(file, std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  std::string bytes = ReadFile(file);
  bytes[0] ^= 1;
  WriteFile(file, bytes);
  Status s = VerifyMedia(file, r.evidence[0]);
  EXPECT_EQ(s.code(), Code::kCorrupt);
}

TEST_F(PackageTest, SinksGetEveryEvidenceMemberAndTheirFailureIsOurs) {
  Write(input_);
  struct Collect : MemberSink {
    std::string bytes;
    bool finished = false;
    Status Write(const std::byte* d, size_t n) override {
      bytes.append(reinterpret_cast<const char*>(d), n);
      return Status::Ok();
    }
    Status Finish() override {
      finished = true;
      return Status::Ok();
    }
  };
  std::map<std::string, std::unique_ptr<Collect>> sinks;
  VerifyOptions o;
  o.sink = [&](const PackageEvidence& item, int segment, uint64_t size) -> Result<MemberSink*> {
    EXPECT_EQ(segment, 0);
    EXPECT_EQ(size, item.size);
    sinks[item.uuid] = std::make_unique<Collect>();
    return static_cast<MemberSink*>(sinks[item.uuid].get());
  };
  PackageReport r = Verify(path_, o);
  EXPECT_TRUE(r.ok()) << Dump(r);
  ASSERT_EQ(sinks.size(), 2u);
  for (const PackageEvidence& e : input_.evidence) {
    ASSERT_TRUE(sinks.count(e.uuid));
    EXPECT_TRUE(sinks[e.uuid]->finished);
    EXPECT_EQ(sinks[e.uuid]->bytes, ReadFile(e.data_path));
  }
  // A sink that cannot write (a full vault) is the receiver's error, not a bad package.
  struct Full : MemberSink {
    Status Write(const std::byte*, size_t) override { return IoError("vault disk full"); }
    Status Finish() override { return Status::Ok(); }
  } full;
  o.sink = [&](const PackageEvidence&, int, uint64_t) -> Result<MemberSink*> {
    return static_cast<MemberSink*>(&full);
  };
  Result<PackageReport> failed = VerifyPackage(path_, o);
  ASSERT_FALSE(failed.ok()) << Dump(*failed);
  EXPECT_EQ(failed.status().code(), Code::kIoError);
  EXPECT_EQ(failed.status().message(), "vault disk full");
}

TEST_F(PackageTest, E01EvidenceRoundTrip) {
  if (!testing::HaveTool("ewfacquire")) GTEST_SKIP() << "ewfacquire (ewf-tools) not installed";
  // An E01 of item 0's bytes (a whole number of sectors), made by ewfacquire.
  std::string raw = dir_ / "media.raw";
  WriteFile(raw, testing::RandomBytes(512 * 600, 42));
  ASSERT_EQ(Sh("ewfacquire -u -q -c deflate:fast -t " + Quote(dir_ / "media") +
               " -D test -e tester -N note -C case -E 1 " + Quote(raw) + " >/dev/null 2>&1")
                .code,
            0);
  PackageEvidence& e = input_.evidence[0];
  e.data = EvidenceData::kE01;
  e.mode = "e01";
  e.data_path = dir_ / "media.E01";
  e.size = 512 * 600;
  e.digests = testing::DigestsOf(raw);
  std::vector<CustodyRecord> resealed;
  for (CustodyRecord r : input_.custody) {
    if (r.evidence == e.uuid && r.action == "acquired")
      r.details = {{"md5", e.digests.md5}, {"sha1", e.digests.sha1}, {"sha256", e.digests.sha256}};
    Seal(r, resealed.empty() ? nullptr : &resealed.back(), *key_);
    resealed.push_back(r);
  }
  input_.custody = resealed;
  Write(input_);
  std::string x = dir_ / "extract";
  std::filesystem::create_directory(x);
  VerifyOptions o;
  o.extract_dir = x;
  PackageReport r = Verify(path_, o);
  EXPECT_TRUE(r.ok()) << Dump(r);
  const PackageCheck* c = Check(r, "evidence Laptop HDD");
  ASSERT_NE(c, nullptr);
  EXPECT_NE(c->message.find("E01 set of 1 segment(s) intact"), std::string::npos) << c->message;
  std::string file = x + "/" + e.digests.sha256 + ".E01";
  EXPECT_EQ(ReadFile(file), ReadFile(e.data_path));
  Status media = VerifyMedia(file, r.evidence[0]);
  EXPECT_TRUE(media.ok()) << media.ToString();
}

TEST_F(PackageTest, EvidenceFileGoneIsAnError) {
  std::filesystem::remove(input_.evidence[1].data_path);
  Result<PackageResult> r = WritePackage(input_, *key_, path_, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound) << r.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(path_ + ".partial"));
}

TEST_F(PackageTest, ReportJson) {
  Write(input_);
  PackageReport r = Verify(path_);
  nlohmann::json j = r.ToJson();
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["signer"], key_->public_key().Text());
  EXPECT_EQ(j["evidence"].size(), 2u);
  EXPECT_GE(j["checks"].size(), 9u);
}

}  // namespace
}  // namespace evidex::vault
