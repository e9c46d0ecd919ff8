// CASE/UCO JSON-LD manifest of an evidence package: builder and the reader the verifier uses.
// Terms are those of UCO 1.x / CASE 1.x (ontology.unifiedcyberontology.org,
// ontology.caseontology.org), as used in casework/CASE-Examples.
#include "vault/uco.h"

#include <openssl/evp.h>

#include <array>
#include <map>
#include <set>

namespace evidex::vault {
namespace {

using nlohmann::json;

// evidex's UUID namespace for name-based UUIDs (a fixed random UUID).
constexpr std::array<uint8_t, 16> kNamespace = {0x6f, 0x1c, 0x9e, 0x52, 0x8a, 0x43, 0x4c, 0x8e,
                                                0x9d, 0x7b, 0x3e, 0x2a, 0x51, 0xf0, 0xc4, 0xd7};

std::string Id(const std::string& uuid) { return "kb:" + uuid; }
json Ref(const std::string& uuid) { return json{{"@id", Id(uuid)}}; }
json DateTime(const std::string& t) { return json{{"@type", "xsd:dateTime"}, {"@value", t}}; }

json Context() {
  return json{
      {"kb", "urn:uuid:"},
      {"case-investigation", "https://ontology.caseontology.org/case/investigation/"},
      {"uco-action", "https://ontology.unifiedcyberontology.org/uco/action/"},
      {"uco-core", "https://ontology.unifiedcyberontology.org/uco/core/"},
      {"uco-identity", "https://ontology.unifiedcyberontology.org/uco/identity/"},
      {"uco-observable", "https://ontology.unifiedcyberontology.org/uco/observable/"},
      {"uco-tool", "https://ontology.unifiedcyberontology.org/uco/tool/"},
      {"uco-types", "https://ontology.unifiedcyberontology.org/uco/types/"},
      {"uco-vocabulary", "https://ontology.unifiedcyberontology.org/uco/vocabulary/"},
      {"xsd", "http://www.w3.org/2001/XMLSchema#"},
  };
}

json Hash(const std::string& owner, const char* method, const std::string& hex) {
  return json{
      {"@id", Id(NameUuid(owner + "/hash/" + method))},
      {"@type", "uco-types:Hash"},
      {"uco-types:hashMethod", {{"@type", "uco-vocabulary:HashNameVocab"}, {"@value", method}}},
      {"uco-types:hashValue", {{"@type", "xsd:hexBinary"}, {"@value", hex}}}};
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// A custody action as the InvestigativeAction's description: the record's place in the chain and
// its details, so the manifest alone tells what happened.
std::string ActionDescription(const CustodyRecord& r) {
  std::string d = "custody record " + std::to_string(r.seq) + " (hash " + r.hash + ", signed by " +
                  r.unit + ")";
  if (!r.details.empty())
    d += ": " + r.details.dump(-1, ' ', false, json::error_handler_t::replace);
  return d;
}

}  // namespace

std::string NameUuid(std::string_view name) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
  EVP_DigestUpdate(ctx, kNamespace.data(), kNamespace.size());
  EVP_DigestUpdate(ctx, name.data(), name.size());
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  md[6] = static_cast<unsigned char>((md[6] & 0x0f) | 0x50);  // version 5
  md[8] = static_cast<unsigned char>((md[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string hex = ToHex(md, 16);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

json BuildUcoManifest(const PackageInput& in, const std::string& created, const PublicKey& signer) {
  const std::string& case_uuid = in.case_info.uuid;
  const std::string ns = "evidex-package/" + case_uuid + "/" + created + "/";
  json graph = json::array();
  std::vector<std::string> members;  // the bundle's objects, in graph order

  auto add = [&](json node) {
    members.push_back(node["@id"].get<std::string>().substr(3));
    graph.push_back(std::move(node));
  };

  const std::string unit_id = NameUuid("unit/" + signer.Hex());
  add(json{
      {"@id", Id(unit_id)},
      {"@type", "uco-identity:Organization"},
      {"uco-core:name", in.unit.name},
      {"uco-core:description", "country " + in.unit.country + "; signing key " + signer.Text()}});

  const std::string tool_id = NameUuid("tool/" + in.tool);
  add(json{{"@id", Id(tool_id)},
           {"@type", "uco-tool:Tool"},
           {"uco-core:name", "evidex"},
           {"uco-tool:toolType", "Forensic"},
           {"uco-tool:version", in.tool}});

  // People: the examiner of the case and of each item, and every custody actor.
  std::map<std::string, std::string> people;  // name → uuid
  auto person = [&](const std::string& name) -> std::string {
    if (name.empty()) return "";
    auto it = people.find(name);
    if (it != people.end()) return it->second;
    std::string id = NameUuid("person/" + in.unit.name + "/" + name);
    people[name] = id;
    add(json{{"@id", Id(id)}, {"@type", "uco-identity:Person"}, {"uco-core:name", name}});
    return id;
  };
  person(in.case_info.examiner);
  for (const PackageEvidence& e : in.evidence) person(e.examiner);
  for (const CustodyRecord& r : in.custody) person(r.actor);

  // Evidence and its provenance records.
  std::map<std::string, std::string> provenance;  // evidence uuid → provenance record uuid
  std::set<std::string> packaged;                 // evidence uuids in this package
  for (const PackageEvidence& e : in.evidence) {
    packaged.insert(e.uuid);
    const std::string owner = "evidence/" + e.uuid;
    json content{{"@id", Id(NameUuid(owner + "/content-data-facet"))},
                 {"@type", "uco-observable:ContentDataFacet"},
                 {"uco-observable:sizeInBytes", e.size},
                 {"uco-observable:hash", json::array({Hash(owner, "MD5", e.digests.md5),
                                                      Hash(owner, "SHA1", e.digests.sha1),
                                                      Hash(owner, "SHA256", e.digests.sha256)})}};
    json facets = json::array();
    if (!e.member.empty()) {
      facets.push_back(json{{"@id", Id(NameUuid(owner + "/file-facet"))},
                            {"@type", "uco-observable:FileFacet"},
                            {"uco-observable:fileName", BaseName(e.member)},
                            {"uco-observable:filePath", e.member},
                            {"uco-observable:sizeInBytes", e.member_size}});
    }
    facets.push_back(std::move(content));
    json file{{"@id", Id(e.uuid)},
              {"@type", "uco-observable:File"},
              {"uco-core:name", e.label},
              {"uco-core:hasFacet", std::move(facets)}};
    std::string description = e.description;
    if (e.mode == "e01")
      description += " (stored as EWF/E01; the hashes are of the acquired media)";
    if (e.member.empty()) description += " (bytes not included in this package; hashes only)";
    if (!description.empty()) file["uco-core:description"] = description;
    add(std::move(file));

    const std::string prov_id = NameUuid(owner + "/provenance-record");
    provenance[e.uuid] = prov_id;
    json prov{{"@id", Id(prov_id)},
              {"@type", "case-investigation:ProvenanceRecord"},
              {"uco-core:description", e.label},
              {"uco-core:object", json::array({Ref(e.uuid)})}};
    if (!e.number.empty()) prov["case-investigation:exhibitNumber"] = e.number;
    add(std::move(prov));
  }

  // One InvestigativeAction per custody record; an acquisition without its record (it should not
  // happen, but the manifest must still say where each item came from) gets one from the item.
  std::set<std::string> acquired_seen;
  for (const CustodyRecord& r : in.custody) {
    json action{{"@id", Id(NameUuid("custody/" + case_uuid + "/" + r.hash))},
                {"@type", "case-investigation:InvestigativeAction"},
                {"uco-core:name", r.action},
                {"uco-core:description", ActionDescription(r)},
                {"uco-action:startTime", DateTime(r.time)},
                {"uco-action:instrument", Ref(tool_id)}};
    if (std::string p = person(r.actor); !p.empty()) action["uco-action:performer"] = Ref(p);
    if (!r.evidence.empty() && packaged.count(r.evidence)) {
      action["uco-action:object"] = json::array({Ref(r.evidence)});
      if (r.action == "acquired") {
        action["uco-action:result"] = json::array({Ref(provenance[r.evidence])});
        acquired_seen.insert(r.evidence);
      }
    }
    add(std::move(action));
  }
  for (const PackageEvidence& e : in.evidence) {
    if (acquired_seen.count(e.uuid)) continue;
    json action{{"@id", Id(NameUuid("evidence/" + e.uuid + "/acquisition"))},
                {"@type", "case-investigation:InvestigativeAction"},
                {"uco-core:name", "acquired"},
                {"uco-core:description", "acquisition (" + e.mode + ") of " + e.label},
                {"uco-action:instrument", Ref(tool_id)},
                {"uco-action:object", json::array({Ref(e.uuid)})},
                {"uco-action:result", json::array({Ref(provenance[e.uuid])})}};
    if (!e.acquired_started.empty()) action["uco-action:startTime"] = DateTime(e.acquired_started);
    if (!e.acquired_finished.empty()) action["uco-action:endTime"] = DateTime(e.acquired_finished);
    if (std::string p = person(e.examiner); !p.empty()) action["uco-action:performer"] = Ref(p);
    add(std::move(action));
  }

  json investigation{{"@id", Id(case_uuid)},
                     {"@type", "case-investigation:Investigation"},
                     {"uco-core:name", in.case_info.number},
                     {"uco-core:description", in.case_info.title}};
  if (!in.case_info.offence.empty())
    investigation["case-investigation:focus"] = json::array({in.case_info.offence});
  json inv_objects = json::array();
  for (const std::string& m : members) inv_objects.push_back(Ref(m));
  investigation["uco-core:object"] = std::move(inv_objects);
  add(std::move(investigation));

  const std::string bundle_id = NameUuid(ns + "bundle");
  json bundle_objects = json::array();
  for (const std::string& m : members) bundle_objects.push_back(Ref(m));
  json bundle{{"@id", Id(bundle_id)},
              {"@type", "uco-core:Bundle"},
              {"uco-core:name", "evidex evidence package"},
              {"uco-core:description", "Evidence package of case " + in.case_info.number + " (" +
                                           in.case_info.title + ") from " + in.unit.name},
              {"uco-core:objectCreatedTime", DateTime(created)},
              {"uco-core:createdBy", Ref(unit_id)},
              {"uco-core:object", std::move(bundle_objects)}};
  graph.insert(graph.begin(), std::move(bundle));
  return json{{"@context", Context()}, {"@graph", std::move(graph)}};
}

Result<std::vector<UcoEvidence>> ReadUcoEvidence(const json& manifest) {
  if (!manifest.is_object() || !manifest.contains("@graph") || !manifest["@graph"].is_array())
    return Corrupt("manifest has no @graph");
  std::vector<UcoEvidence> out;
  bool bundle = false;
  for (const json& node : manifest["@graph"]) {
    if (!node.is_object()) return Corrupt("manifest @graph holds a non-object");
    const json* type = node.contains("@type") ? &node["@type"] : nullptr;
    if (type == nullptr || !type->is_string()) continue;
    if (*type == "uco-core:Bundle") bundle = true;
    if (*type != "uco-observable:File") continue;
    if (!node.contains("@id") || !node["@id"].is_string())
      return Corrupt("manifest: a uco-observable:File has no @id");
    std::string id = node["@id"].get<std::string>();
    if (id.rfind("kb:", 0) != 0) return Corrupt("manifest: unexpected @id " + id);
    UcoEvidence ev;
    ev.uuid = id.substr(3);
    bool content = false;
    if (!node.contains("uco-core:hasFacet") || !node["uco-core:hasFacet"].is_array())
      return Corrupt("manifest: evidence " + ev.uuid + " has no facets");
    for (const json& f : node["uco-core:hasFacet"]) {
      if (!f.is_object() || f.value("@type", json()) != "uco-observable:ContentDataFacet") continue;
      content = true;
      const json& size = f.value("uco-observable:sizeInBytes", json());
      if (!size.is_number_unsigned())
        return Corrupt("manifest: evidence " + ev.uuid + " has no size");
      ev.size = size.get<uint64_t>();
      const json& hashes = f.value("uco-observable:hash", json());
      if (!hashes.is_array()) return Corrupt("manifest: evidence " + ev.uuid + " has no hashes");
      for (const json& h : hashes) {
        if (!h.is_object() || !h.contains("uco-types:hashMethod") ||
            !h.contains("uco-types:hashValue"))
          return Corrupt("manifest: evidence " + ev.uuid + " has a malformed hash");
        const json& m = h["uco-types:hashMethod"];
        const json& v = h["uco-types:hashValue"];
        if (!m.is_object() || !v.is_object() || !m.value("@value", json()).is_string() ||
            !v.value("@value", json()).is_string())
          return Corrupt("manifest: evidence " + ev.uuid + " has a malformed hash");
        std::string method = m["@value"].get<std::string>();
        std::string value = v["@value"].get<std::string>();
        if (method == "MD5")
          ev.digests.md5 = value;
        else if (method == "SHA1")
          ev.digests.sha1 = value;
        else if (method == "SHA256")
          ev.digests.sha256 = value;
      }
    }
    if (!content) return Corrupt("manifest: evidence " + ev.uuid + " has no ContentDataFacet");
    out.push_back(std::move(ev));
  }
  if (!bundle) return Corrupt("manifest has no uco-core:Bundle");
  return out;
}

}  // namespace evidex::vault
