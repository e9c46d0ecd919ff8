// The three artifact writers. Each writes a row as it comes; the MISP writer keeps the event
// object open between Begin and End.
#include "exchange/artifact_export.h"

#include <ctime>
#include <nlohmann/json.hpp>

#include "exchange/csv.h"
#include "exchange/normalize.h"

namespace evidex::exchange {
namespace {

using nlohmann::json;

// Values may hold any bytes (keywords are found as written): invalid UTF-8 becomes U+FFFD
// rather than an exception.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string ShownValue(const ExportCase& header, const store::Artifact& a) {
  return header.mask_cards ? Mask(a.kind, a.value) : a.value;
}

std::string EvidenceList(const ExportRow& row, char sep) {
  std::string out;
  for (const store::Sighting& s : row.sightings) {
    if (!out.empty()) out += sep;
    out += s.evidence_name;
  }
  return out;
}

class CsvWriter : public ArtifactWriter {
 public:
  explicit CsvWriter(std::ostream& out) : out_(out) {}
  void Begin(const ExportCase& header) override {
    header_ = header;
    out_ << "kind,value,occurrences,evidence,cases\r\n";
  }
  void Row(const ExportRow& row) override {
    out_ << CsvField(row.artifact.kind) << ',' << CsvField(ShownValue(header_, row.artifact)) << ','
         << row.occurrences << ',' << CsvField(EvidenceList(row, ';')) << ',' << row.artifact.cases
         << "\r\n";
  }
  void End() override { out_.flush(); }

 private:
  std::ostream& out_;
  ExportCase header_;
};

class JsonlWriter : public ArtifactWriter {
 public:
  explicit JsonlWriter(std::ostream& out) : out_(out) {}
  void Begin(const ExportCase& header) override { header_ = header; }
  void Row(const ExportRow& row) override {
    json evidence = json::array();
    for (const store::Sighting& s : row.sightings) evidence.push_back(s.evidence_name);
    json line = {{"kind", row.artifact.kind},
                 {"value", ShownValue(header_, row.artifact)},
                 {"occurrences", row.occurrences},
                 {"evidence", std::move(evidence)},
                 {"cases", row.artifact.cases}};
    out_ << Dump(line) << '\n';
  }
  void End() override { out_.flush(); }

 private:
  std::ostream& out_;
  ExportCase header_;
};

struct MispType {
  const char* type;
  const char* category;
};

// evidex kind -> MISP attribute type and category (each a pair MISP's validation accepts).
MispType MispTypeFor(std::string_view kind, bool masked_card) {
  if (kind == "email") return {"email-src", "Payload delivery"};
  if (kind == "ipv4" || kind == "ipv6") return {"ip-dst", "Network activity"};
  if (kind == "domain" || kind == "onion") return {"domain", "Network activity"};
  if (kind == "url") return {"url", "Network activity"};
  if (kind == "btc") return {"btc", "Financial fraud"};
  if (kind == "xmr") return {"xmr", "Financial fraud"};
  if (kind == "iban") return {"iban", "Financial fraud"};
  if (kind == "ccn")
    return masked_card ? MispType{"text", "Financial fraud"}
                       : MispType{"cc-number", "Financial fraud"};
  if (kind == "eth") return {"text", "Financial fraud"};
  if (kind == "phone") return {"phone-number", "Person"};
  if (kind == "md5") return {"md5", "Payload delivery"};
  if (kind == "sha1") return {"sha1", "Payload delivery"};
  if (kind == "sha256") return {"sha256", "Payload delivery"};
  return {"text", "Other"};
}

std::string TodayUtc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

bool IsDate(std::string_view s) {
  if (s.size() < 10) return false;
  for (size_t i = 0; i < 10; ++i) {
    bool digit = s[i] >= '0' && s[i] <= '9';
    if ((i == 4 || i == 7) ? s[i] != '-' : !digit) return false;
  }
  return true;
}

class MispWriter : public ArtifactWriter {
 public:
  explicit MispWriter(std::ostream& out) : out_(out) {}
  void Begin(const ExportCase& header) override {
    header_ = header;
    first_ = true;
    std::string date = IsDate(header.exported) ? header.exported.substr(0, 10) : TodayUtc();
    json event = {
        {"info", "evidex case " + header.c.number + ": " + header.c.title},
        {"date", date},
        {"threat_level_id", "4"},  // undefined
        {"analysis", "2"},         // completed
        {"distribution", "0"},     // this organisation only, until someone decides otherwise
        {"published", false},
        {"uuid", store::NewUuid()},
        {"Orgc", {{"name", header.unit.name}}},
    };
    // The event's members, then the attribute list left open for the rows.
    std::string text = Dump({{"Event", event}});
    text.resize(text.size() - 2);  // drop the closing "}}"
    out_ << text << ",\"Attribute\":[";
  }
  void Row(const ExportRow& row) override {
    const store::Artifact& a = row.artifact;
    bool masked = header_.mask_cards && a.kind == "ccn";
    MispType t = MispTypeFor(a.kind, masked);
    std::string comment;
    if (std::string_view(t.type) == "text" || a.kind == "onion") comment = a.kind + "; ";
    if (masked) comment += "masked; ";
    comment += "seen in";
    for (size_t i = 0; i < row.sightings.size(); ++i) {
      const store::Sighting& s = row.sightings[i];
      comment += (i == 0 ? " " : ", ") + s.evidence_name;
      if (!s.evidence_label.empty()) comment += " (" + s.evidence_label + ")";
    }
    if (row.sightings.empty()) comment += " this case";
    comment +=
        "; " + std::to_string(row.occurrences) + " occurrence" + (row.occurrences == 1 ? "" : "s");
    json attribute = {
        {"type", t.type},     {"category", t.category},  {"value", ShownValue(header_, a)},
        {"to_ids", false},    {"distribution", "5"},  // as the event
        {"comment", comment}, {"uuid", store::NewUuid()}};
    out_ << (first_ ? "" : ",") << '\n' << Dump(attribute);
    first_ = false;
  }
  void End() override {
    out_ << "]}}\n";
    out_.flush();
  }

 private:
  std::ostream& out_;
  ExportCase header_;
  bool first_ = true;
};

}  // namespace

std::unique_ptr<ArtifactWriter> MakeArtifactWriter(ExportFormat format, std::ostream& out) {
  switch (format) {
    case ExportFormat::kCsv:
      return std::make_unique<CsvWriter>(out);
    case ExportFormat::kJsonl:
      return std::make_unique<JsonlWriter>(out);
    case ExportFormat::kMisp:
      return std::make_unique<MispWriter>(out);
  }
  return nullptr;
}

}  // namespace evidex::exchange
