// The CASE/UCO manifest: structure, only ontology terms we looked up, IRIs for every node,
// deterministic output, and the reader the verifier uses.
#include "vault/uco.h"

#include <gtest/gtest.h>

#include <set>

#include "vault/package_test_util.h"

namespace evidex::vault {
namespace {

using nlohmann::json;

class UcoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = std::make_unique<SigningKey>(std::move(SigningKey::Generate()).value());
    input_ = testing::SampleInput(dir_.path(), *key_, 2, 4096);
    for (PackageEvidence& e : input_.evidence) {
      e.member = EvidenceMemberName(e);
      e.member_size = e.size;
    }
    manifest_ = BuildUcoManifest(input_, input_.created, key_->public_key());
  }
  std::vector<json> OfType(const std::string& type) const {
    std::vector<json> out;
    for (const json& n : manifest_["@graph"])
      if (n["@type"] == type) out.push_back(n);
    return out;
  }
  testing::TempDir dir_;
  std::unique_ptr<SigningKey> key_;
  PackageInput input_;
  json manifest_;
};

TEST_F(UcoTest, GraphHasTheExpectedNodes) {
  ASSERT_TRUE(manifest_["@graph"].is_array());
  EXPECT_EQ(manifest_["@graph"][0]["@type"], "uco-core:Bundle");
  EXPECT_EQ(OfType("uco-core:Bundle").size(), 1u);
  ASSERT_EQ(OfType("case-investigation:Investigation").size(), 1u);
  EXPECT_EQ(OfType("case-investigation:Investigation")[0]["@id"], "kb:" + input_.case_info.uuid);
  EXPECT_EQ(OfType("case-investigation:Investigation")[0]["uco-core:name"], "2026/041");
  EXPECT_EQ(OfType("uco-observable:File").size(), 2u);
  EXPECT_EQ(OfType("case-investigation:ProvenanceRecord").size(), 2u);
  // One action per custody record (the acquisitions are among them).
  EXPECT_EQ(OfType("case-investigation:InvestigativeAction").size(), input_.custody.size());
  EXPECT_EQ(OfType("uco-identity:Organization").size(), 1u);
  EXPECT_EQ(OfType("uco-tool:Tool").size(), 1u);
  EXPECT_EQ(OfType("uco-identity:Person").size(), 1u);  // one examiner does everything

  json file = OfType("uco-observable:File")[0];
  EXPECT_EQ(file["@id"], "kb:" + input_.evidence[0].uuid);
  std::map<std::string, std::string> hashes;
  for (const json& f : file["uco-core:hasFacet"])
    if (f["@type"] == "uco-observable:ContentDataFacet")
      for (const json& h : f["uco-observable:hash"])
        hashes[h["uco-types:hashMethod"]["@value"]] = h["uco-types:hashValue"]["@value"];
  EXPECT_EQ(hashes["MD5"], input_.evidence[0].digests.md5);
  EXPECT_EQ(hashes["SHA1"], input_.evidence[0].digests.sha1);
  EXPECT_EQ(hashes["SHA256"], input_.evidence[0].digests.sha256);

  // The acquisition action points at the evidence and yields its provenance record.
  bool found = false;
  for (const json& a : OfType("case-investigation:InvestigativeAction")) {
    if (a["uco-core:name"] != "acquired") continue;
    if (a["uco-action:object"][0]["@id"] != "kb:" + input_.evidence[0].uuid) continue;
    found = true;
    EXPECT_TRUE(a.contains("uco-action:result"));
    EXPECT_TRUE(a.contains("uco-action:performer"));
    EXPECT_EQ(a["uco-action:startTime"]["@type"], "xsd:dateTime");
  }
  EXPECT_TRUE(found);
}

// Collects every key and @type used anywhere in the graph.
void Terms(const json& j, std::set<std::string>* keys, std::set<std::string>* types) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      keys->insert(it.key());
      if (it.key() == "@type" && it->is_string()) types->insert(it->get<std::string>());
      Terms(*it, keys, types);
    }
  } else if (j.is_array()) {
    for (const json& e : j) Terms(e, keys, types);
  }
}

TEST_F(UcoTest, UsesOnlyOntologyTermsWeChecked) {
  // Looked up in UCO 1.x core/action/identity/observable/tool/types/vocabulary and CASE 1.x
  // investigation (ontology files and casework/CASE-Examples). A new term must be checked there
  // before it is added here.
  const std::set<std::string> known_types = {"uco-core:Bundle",
                                             "case-investigation:Investigation",
                                             "uco-identity:Organization",
                                             "uco-identity:Person",
                                             "uco-tool:Tool",
                                             "uco-observable:File",
                                             "uco-observable:FileFacet",
                                             "uco-observable:ContentDataFacet",
                                             "uco-types:Hash",
                                             "uco-vocabulary:HashNameVocab",
                                             "xsd:hexBinary",
                                             "xsd:dateTime",
                                             "case-investigation:ProvenanceRecord",
                                             "case-investigation:InvestigativeAction"};
  const std::set<std::string> known_keys = {"@context",
                                            "@graph",
                                            "@id",
                                            "@type",
                                            "@value",
                                            "kb",
                                            "case-investigation",
                                            "uco-action",
                                            "uco-core",
                                            "uco-identity",
                                            "uco-observable",
                                            "uco-tool",
                                            "uco-types",
                                            "uco-vocabulary",
                                            "xsd",
                                            "uco-core:name",
                                            "uco-core:description",
                                            "uco-core:object",
                                            "uco-core:hasFacet",
                                            "uco-core:objectCreatedTime",
                                            "uco-core:createdBy",
                                            "uco-tool:toolType",
                                            "uco-tool:version",
                                            "uco-observable:sizeInBytes",
                                            "uco-observable:hash",
                                            "uco-observable:fileName",
                                            "uco-observable:filePath",
                                            "uco-types:hashMethod",
                                            "uco-types:hashValue",
                                            "case-investigation:exhibitNumber",
                                            "case-investigation:focus",
                                            "uco-action:startTime",
                                            "uco-action:endTime",
                                            "uco-action:performer",
                                            "uco-action:instrument",
                                            "uco-action:object",
                                            "uco-action:result"};
  std::set<std::string> keys, types;
  Terms(manifest_, &keys, &types);
  for (const std::string& t : types) EXPECT_TRUE(known_types.count(t)) << t;
  for (const std::string& k : keys) EXPECT_TRUE(known_keys.count(k)) << k;
}

TEST_F(UcoTest, EveryNodeIsAnIriEndingInAUuidAndIdsAreUnique) {
  std::set<std::string> ids;
  std::function<void(const json&)> walk = [&](const json& j) {
    if (j.is_object()) {
      if (j.contains("@type") && j["@type"].is_string() &&
          j["@type"].get<std::string>().rfind("xsd:", 0) != 0 &&
          j["@type"] != "uco-vocabulary:HashNameVocab") {
        ASSERT_TRUE(j.contains("@id")) << j.dump();  // UCO: no blank nodes
        std::string id = j["@id"];
        EXPECT_EQ(id.rfind("kb:", 0), 0u) << id;
        EXPECT_EQ(id.size(), 3u + 36u) << id;
        EXPECT_TRUE(ids.insert(id).second) << "duplicate " << id;
      }
      for (const auto& [k, v] : j.items()) walk(v);
    } else if (j.is_array()) {
      for (const json& e : j) walk(e);
    }
  };
  walk(manifest_["@graph"]);
  EXPECT_GT(ids.size(), 20u);
  // Every reference points at a node in the graph.
  std::function<void(const json&)> refs = [&](const json& j) {
    if (j.is_object()) {
      if (j.size() == 1 && j.contains("@id")) {
        EXPECT_TRUE(ids.count(j["@id"])) << j.dump();
      }
      for (const auto& [k, v] : j.items()) refs(v);
    } else if (j.is_array()) {
      for (const json& e : j) refs(e);
    }
  };
  refs(manifest_["@graph"]);
}

TEST_F(UcoTest, SameInputSameGraph) {
  EXPECT_EQ(BuildUcoManifest(input_, input_.created, key_->public_key()).dump(), manifest_.dump());
}

TEST_F(UcoTest, ReaderRoundTrip) {
  Result<std::vector<UcoEvidence>> ev = ReadUcoEvidence(manifest_);
  ASSERT_TRUE(ev.ok()) << ev.status().ToString();
  ASSERT_EQ(ev->size(), 2u);
  EXPECT_EQ((*ev)[1].uuid, input_.evidence[1].uuid);
  EXPECT_EQ((*ev)[1].size, input_.evidence[1].size);
  EXPECT_EQ((*ev)[1].digests, input_.evidence[1].digests);
}

TEST_F(UcoTest, ReaderRefusesMalformedManifests) {
  EXPECT_FALSE(ReadUcoEvidence(json::array()).ok());
  EXPECT_FALSE(ReadUcoEvidence(json{{"@graph", 3}}).ok());
  json no_bundle = manifest_;
  no_bundle["@graph"].erase(0);
  EXPECT_FALSE(ReadUcoEvidence(no_bundle).ok());
  json bad_hash = manifest_;
  for (json& n : bad_hash["@graph"])
    if (n["@type"] == "uco-observable:File")
      for (json& f : n["uco-core:hasFacet"])
        if (f["@type"] == "uco-observable:ContentDataFacet") f["uco-observable:hash"][0] = 7;
  Result<std::vector<UcoEvidence>> r = ReadUcoEvidence(bad_hash);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCorrupt);
}

TEST(NameUuid, Version5AndDeterministic) {
  std::string a = NameUuid("x"), b = NameUuid("x"), c = NameUuid("y");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '5');
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b') << a;
  EXPECT_EQ(a[8], '-');
  EXPECT_EQ(a[23], '-');
}

}  // namespace
}  // namespace evidex::vault
