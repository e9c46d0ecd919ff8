#include "coop/directory.h"

#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <set>

#include "core/hash.h"
#include "exchange/csv.h"

namespace evidex::coop {
namespace {

bool IsKey(const std::string& k) {
  if (k.empty() || k.size() > 64) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  });
}

bool IsUpper2(const std::string& s) {
  return s.size() == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}
bool IsLower2(const std::string& s) {
  return s.size() == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z';
}

// Days since 1970-01-01 of a YYYY-MM-DD date that exists; std::nullopt otherwise.
std::optional<int64_t> DayNumber(const std::string& d) {
  int y, m, day;
  char tail;
  if (d.size() != 10 || std::sscanf(d.c_str(), "%4d-%2d-%2d%c", &y, &m, &day, &tail) != 3)
    return std::nullopt;
  if (d[4] != '-' || d[7] != '-' || m < 1 || m > 12 || day < 1) return std::nullopt;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (day > kDays[m - 1] + (m == 2 && leap ? 1 : 0)) return std::nullopt;
  // Howard Hinnant's days_from_civil.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}

constexpr const char* kDayNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::optional<int> DayIndex(std::string_view s) {
  std::string l(s);
  for (char& c : l) c = char(std::tolower(static_cast<unsigned char>(c)));
  for (int i = 0; i < 7; ++i)
    if (l == kDayNames[i]) return i;
  return std::nullopt;
}

std::optional<int> Minutes(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (size_t i : {0, 1, 3, 4})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t end = s.find(';', pos);
    if (end == std::string_view::npos) end = s.size();
    std::string_view part = Trim(s.substr(pos, end - pos));
    if (!part.empty()) out.emplace_back(part);
    pos = end + 1;
  }
  return out;
}

std::string JoinList(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ";") + s;
  return out;
}

}  // namespace

const std::vector<std::string>& KnownChannels() {
  static const std::vector<std::string> k{"email", "portal", "phone", "federation"};
  return k;
}
const std::vector<std::string>& KnownLegalBases() {
  static const std::vector<std::string> k{"budapest",    "protocol2",    "untoc",   "bilateral",
                                          "reciprocity", "eu-2023-1543", "us-2703f"};
  return k;
}

bool IsIanaTimeZone(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  // Area/Location names and UTC: ICU also knows legacy three-letter IDs ("IST", "EST") that are
  // not IANA zones and are ambiguous, so those are refused.
  if (name.find('/') == std::string::npos && name != "UTC") return false;
  icu::UnicodeString id = icu::UnicodeString::fromUTF8(name);
  icu::UnicodeString canonical;
  UBool system = false;
  UErrorCode status = U_ZERO_ERROR;
  icu::TimeZone::getCanonicalID(id, canonical, system, status);
  // System zones only: not "GMT+05:30"-style custom IDs.
  return U_SUCCESS(status) && system && canonical != UNICODE_STRING_SIMPLE("Etc/Unknown");
}

std::optional<int32_t> UtcOffset(const std::string& zone, int64_t utc_seconds) {
  if (!IsIanaTimeZone(zone)) return std::nullopt;
  std::unique_ptr<icu::TimeZone> tz(
      icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(zone)));
  int32_t raw = 0, dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  tz->getOffset(double(utc_seconds) * 1000.0, false, raw, dst, status);
  if (U_FAILURE(status)) return std::nullopt;
  return (raw + dst) / 1000;
}

Result<std::vector<HoursSpan>> ParseHours(std::string_view hours) {
  std::string_view t = Trim(hours);
  if (t == "24/7") return std::vector<HoursSpan>{{0x7f, 0, 1440}};
  std::vector<HoursSpan> spans;
  for (const std::string& part : SplitList(t)) {
    size_t space = part.find(' ');
    if (space == std::string::npos)
      return InvalidArgument("hours: \"" + part + "\" is not DAYS HH:MM-HH:MM");
    std::string_view days = Trim(std::string_view(part).substr(0, space));
    std::string_view times = Trim(std::string_view(part).substr(space + 1));
    HoursSpan span;
    size_t pos = 0;
    while (pos <= days.size()) {
      size_t comma = days.find(',', pos);
      if (comma == std::string_view::npos) comma = days.size();
      std::string_view d = days.substr(pos, comma - pos);
      size_t dash = d.find('-');
      std::optional<int> a = DayIndex(dash == std::string_view::npos ? d : d.substr(0, dash));
      std::optional<int> b = dash == std::string_view::npos ? a : DayIndex(d.substr(dash + 1));
      if (!a || !b) return InvalidArgument("hours: unknown day in \"" + std::string(days) + "\"");
      for (int i = *a;; i = (i + 1) % 7) {  // "Sat-Mon" wraps
        span.days |= uint8_t(1u << i);
        if (i == *b) break;
      }
      pos = comma + 1;
    }
    size_t dash = times.find('-');
    std::optional<int> start = dash == std::string_view::npos ? std::nullopt : Minutes(times.substr(0, dash));
    std::optional<int> end = dash == std::string_view::npos ? std::nullopt : Minutes(times.substr(dash + 1));
    if (!start || !end || *start == *end)
      return InvalidArgument("hours: \"" + std::string(times) + "\" is not HH:MM-HH:MM");
    span.start = *start;
    span.end = *end;
    spans.push_back(span);
  }
  if (spans.empty()) return InvalidArgument("hours: empty (write 24/7 or e.g. Mon-Fri 08:00-17:00)");
  return spans;
}

std::optional<bool> OpenAt(const DirectoryEntry& e, int64_t utc_seconds) {
  Result<std::vector<HoursSpan>> spans = ParseHours(e.hours);
  std::optional<int32_t> offset = UtcOffset(e.time_zone, utc_seconds);
  if (!spans.ok() || !offset) return std::nullopt;
  const int64_t local = utc_seconds + *offset;
  int64_t day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  const int minute = int((local - day * 86400) / 60);
  const int weekday = int(((day % 7) + 7 + 3) % 7);  // 1970-01-01 was a Thursday (3 from Monday)
  const int yesterday = (weekday + 6) % 7;
  for (const HoursSpan& s : *spans) {
    if (s.start < s.end) {
      if ((s.days >> weekday & 1) && minute >= s.start && minute < s.end) return true;
    } else {  // overnight: from start on the day to end the next morning
      if ((s.days >> weekday & 1) && minute >= s.start) return true;
      if ((s.days >> yesterday & 1) && minute < s.end) return true;
    }
  }
  return false;
}

bool IsStale(const DirectoryEntry& e, const std::string& today) {
  std::optional<int64_t> v = DayNumber(e.last_verified), t = DayNumber(today);
  return !v || !t || *t - *v > 183;
}

std::vector<std::string> Validate(const DirectoryEntry& e, const std::string& today) {
  std::vector<std::string> p;
  if (!IsKey(e.key)) p.push_back("key: \"" + e.key + "\" must be 1-64 of A-Z a-z 0-9 . _ -");
  if (!IsUpper2(e.country))
    p.push_back("country: \"" + e.country + "\" is not an ISO 3166-1 alpha-2 code (e.g. LK)");
  if (Trim(e.authority).empty()) p.push_back("authority: missing");
  if (e.phones.empty() && e.email.empty()) p.push_back("phones, email: at least one is needed");
  if (!e.email.empty() && (e.email.find('@') == std::string::npos || e.email.find(' ') != std::string::npos))
    p.push_back("email: \"" + e.email + "\" is not an e-mail address");
  if (!IsIanaTimeZone(e.time_zone))
    p.push_back("time_zone: \"" + e.time_zone + "\" is not an IANA time zone (e.g. Asia/Colombo)");
  if (Result<std::vector<HoursSpan>> h = ParseHours(e.hours); !h.ok()) p.push_back(h.status().message());
  for (const std::string& l : e.languages)
    if (!IsLower2(l)) p.push_back("languages: \"" + l + "\" is not an ISO 639-1 code (e.g. en)");
  for (const std::string& c : e.channels)
    if (std::find(KnownChannels().begin(), KnownChannels().end(), c) == KnownChannels().end())
      p.push_back("channels: unknown \"" + c + "\" (email, portal, phone, federation)");
  for (const std::string& b : e.legal_bases)
    if (std::find(KnownLegalBases().begin(), KnownLegalBases().end(), b) == KnownLegalBases().end())
      p.push_back("legal_bases: unknown \"" + b +
                  "\" (budapest, protocol2, untoc, bilateral, reciprocity, eu-2023-1543, us-2703f)");
  std::optional<int64_t> v = DayNumber(e.last_verified), t = DayNumber(today);
  if (!v) p.push_back("last_verified: \"" + e.last_verified + "\" is not a date YYYY-MM-DD");
  else if (t && *v > *t) p.push_back("last_verified: " + e.last_verified + " is in the future");
  if (Trim(e.source).empty()) p.push_back("source: missing (who or what confirmed the entry)");
  return p;
}

nlohmann::json ToJson(const DirectoryEntry& e) {
  return {{"key", e.key},
          {"country", e.country},
          {"authority", e.authority},
          {"unit", e.unit},
          {"phones", e.phones},
          {"email", e.email},
          {"pgp_key", e.pgp_key},
          {"hours", e.hours},
          {"time_zone", e.time_zone},
          {"languages", e.languages},
          {"channels", e.channels},
          {"legal_bases", e.legal_bases},
          {"budapest_art35", e.budapest_art35},
          {"g7", e.g7},
          {"central_authority", e.central_authority},
          {"own", e.own},
          {"last_verified", e.last_verified},
          {"source", e.source},
          {"federation_key", e.federation_key}};
}

Result<DirectoryEntry> EntryFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return InvalidArgument("an entry must be a JSON object");
  DirectoryEntry e;
  std::map<std::string, std::string*> texts{
      {"key", &e.key},         {"country", &e.country},     {"authority", &e.authority},
      {"unit", &e.unit},       {"email", &e.email},         {"pgp_key", &e.pgp_key},
      {"hours", &e.hours},     {"time_zone", &e.time_zone}, {"last_verified", &e.last_verified},
      {"source", &e.source},   {"federation_key", &e.federation_key}};
  std::map<std::string, std::vector<std::string>*> lists{{"phones", &e.phones},
                                                         {"languages", &e.languages},
                                                         {"channels", &e.channels},
                                                         {"legal_bases", &e.legal_bases}};
  std::map<std::string, bool*> flags{{"budapest_art35", &e.budapest_art35},
                                     {"g7", &e.g7},
                                     {"central_authority", &e.central_authority},
                                     {"own", &e.own}};
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (auto t = texts.find(k); t != texts.end()) {
      if (!it->is_string()) return InvalidArgument(k + ": must be a string");
      *t->second = it->get<std::string>();
    } else if (auto l = lists.find(k); l != lists.end()) {
      if (!it->is_array()) return InvalidArgument(k + ": must be an array of strings");
      for (const nlohmann::json& v : *it) {
        if (!v.is_string()) return InvalidArgument(k + ": must be an array of strings");
        l->second->push_back(v.get<std::string>());
      }
    } else if (auto f = flags.find(k); f != flags.end()) {
      if (!it->is_boolean()) return InvalidArgument(k + ": must be true or false");
      *f->second = it->get<bool>();
    } else {
      return InvalidArgument("unknown field \"" + k + "\"");
    }
  }
  return e;
}

const std::vector<std::string>& CsvColumns() {
  static const std::vector<std::string> k{
      "key",      "country",     "authority",      "unit",  "phones",
      "email",    "pgp_key",     "hours",          "time_zone", "languages",
      "channels", "legal_bases", "budapest_art35", "g7",    "central_authority",
      "own",      "last_verified", "source",       "federation_key"};
  return k;
}

std::string ToCsv(const std::vector<DirectoryEntry>& entries) {
  std::string out;
  for (const std::string& c : CsvColumns()) out += (out.empty() ? "" : ",") + c;
  out += "\r\n";
  for (const DirectoryEntry& e : entries) {
    nlohmann::json j = ToJson(e);
    std::string line;
    for (size_t i = 0; i < CsvColumns().size(); ++i) {
      const nlohmann::json& v = j[CsvColumns()[i]];
      std::string text = v.is_array()     ? JoinList(v.get<std::vector<std::string>>())
                         : v.is_boolean() ? (v.get<bool>() ? "yes" : "no")
                                          : v.get<std::string>();
      // Not CsvField: its formula guard would change "+94 11 ..." phone numbers; quote only.
      bool quote = text.find_first_of(",\"\r\n") != std::string::npos;
      std::string field = quote ? "\"" : "";
      for (char ch : text) field += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      if (quote) field += '"';
      line += (i == 0 ? "" : ",") + field;
    }
    out += line + "\r\n";
  }
  return out;
}

namespace {

void ReadCsvDirectory(std::string_view data, const std::string& today, ParsedDirectory* out) {
  exchange::CsvReader reader(data);
  exchange::CsvRecord r;
  std::vector<std::string> header;
  std::set<std::string> seen_keys;
  while (reader.Next(&r)) {
    std::string where = "line " + std::to_string(r.line);
    if (!r.error.empty()) {
      out->problems.push_back({where, r.error});
      continue;
    }
    bool blank = std::all_of(r.fields.begin(), r.fields.end(),
                             [](const std::string& f) { return Trim(f).empty(); });
    if (blank) continue;
    if (header.empty()) {
      for (const std::string& f : r.fields) {
        std::string name(Trim(f));
        for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
        if (std::find(CsvColumns().begin(), CsvColumns().end(), name) == CsvColumns().end())
          out->problems.push_back({where, "unknown column \"" + name + "\""});
        else if (std::find(header.begin(), header.end(), name) != header.end())
          out->problems.push_back({where, "column \"" + name + "\" twice"});
        header.push_back(name);
      }
      for (const char* need : {"key", "country", "authority", "time_zone", "last_verified", "source"})
        if (std::find(header.begin(), header.end(), need) == header.end())
          out->problems.push_back({where, std::string("missing column \"") + need + "\""});
      if (!out->problems.empty()) return;
      continue;
    }
    if (r.fields.size() != header.size()) {
      out->problems.push_back({where, std::to_string(r.fields.size()) + " fields, the header has " +
                                          std::to_string(header.size())});
      continue;
    }
    nlohmann::json j = nlohmann::json::object();
    bool bad = false;
    for (size_t i = 0; i < header.size(); ++i) {
      std::string v(Trim(r.fields[i]));
      const std::string& c = header[i];
      if (c == "phones" || c == "languages" || c == "channels" || c == "legal_bases") {
        j[c] = SplitList(v);
      } else if (c == "budapest_art35" || c == "g7" || c == "central_authority" || c == "own") {
        std::string l = v;
        for (char& ch : l) ch = char(std::tolower(static_cast<unsigned char>(ch)));
        if (l == "yes" || l == "true" || l == "1") j[c] = true;
        else if (l.empty() || l == "no" || l == "false" || l == "0") j[c] = false;
        else {
          out->problems.push_back({where, c + ": \"" + v + "\" is not yes or no"});
          bad = true;
        }
      } else {
        j[c] = v;
      }
    }
    if (bad) continue;
    Result<DirectoryEntry> e = EntryFromJson(j);
    if (!e.ok()) {
      out->problems.push_back({where, e.status().message()});
      continue;
    }
    for (const std::string& p : Validate(*e, today)) out->problems.push_back({where, p});
    if (!seen_keys.insert(e->key).second)
      out->problems.push_back({where, "key \"" + e->key + "\" is already in this file"});
    out->entries.push_back(std::move(e).value());
  }
  if (header.empty()) out->problems.push_back({"file", "no header line (see evidex directory export)"});
}

void ReadJsonDirectory(std::string_view data, const std::string& today, ParsedDirectory* out) {
  nlohmann::json doc = nlohmann::json::parse(data, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    out->problems.push_back({"file", "not a JSON object"});
    return;
  }
  if (doc.value("format", "") != "evidex-directory") {
    out->problems.push_back({"file", "\"format\" is not \"evidex-directory\""});
    return;
  }
  if (!doc.contains("entries") || !doc["entries"].is_array()) {
    out->problems.push_back({"file", "no \"entries\" array"});
    return;
  }
  if (doc.contains("signature")) {
    if (!doc["signature"].is_string() || !doc.contains("signer") || !doc["signer"].is_string()) {
      out->problems.push_back({"file", "\"signer\" and \"signature\" must be strings"});
      return;
    }
    out->signature = doc["signature"].get<std::string>();
    out->signer = doc["signer"].get<std::string>();
    nlohmann::json body = doc;
    body.erase("signature");
    out->signed_bytes = body.dump();
  }
  std::set<std::string> seen_keys;
  const nlohmann::json& entries = doc["entries"];
  for (size_t i = 0; i < entries.size(); ++i) {
    std::string where = "entries/" + std::to_string(i);
    Result<DirectoryEntry> e = EntryFromJson(entries[i]);
    if (!e.ok()) {
      out->problems.push_back({where, e.status().message()});
      continue;
    }
    for (const std::string& p : Validate(*e, today)) out->problems.push_back({where, p});
    if (!seen_keys.insert(e->key).second)
      out->problems.push_back({where, "key \"" + e->key + "\" is already in this file"});
    out->entries.push_back(std::move(e).value());
  }
}

}  // namespace

ParsedDirectory ParseDirectoryFile(std::string_view data, const std::string& today) {
  ParsedDirectory out;
  size_t first = data.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    out.problems.push_back({"file", "empty"});
    return out;
  }
  if (data[first] == '{') ReadJsonDirectory(data, today, &out);
  else ReadCsvDirectory(data, today, &out);
  return out;
}

std::string SignedJsonExport(const std::vector<DirectoryEntry>& entries, const std::string& unit,
                             const std::string& exported, const vault::SigningKey& key,
                             const std::string& signer) {
  nlohmann::json doc = {{"format", "evidex-directory"},
                        {"version", 1},
                        {"unit", unit},
                        {"exported", exported},
                        {"entries", nlohmann::json::array()},
                        {"signer", signer}};
  for (const DirectoryEntry& e : entries) doc["entries"].push_back(ToJson(e));
  std::string body = doc.dump();
  doc["signature"] = vault::SignatureHex(key.Sign(body));
  return doc.dump(2) + "\n";
}

std::string DetachedSignature(std::string_view file, const vault::SigningKey& key,
                              const std::string& signer) {
  nlohmann::json sig = {{"format", "evidex-directory-signature"},
                        {"file_sha256", Sha256Hex(file)},
                        {"signer", signer},
                        {"signature", vault::SignatureHex(key.Sign(file))}};
  return sig.dump(2) + "\n";
}

Status ApplyDetachedSignature(std::string_view sig, std::string_view file, ParsedDirectory* parsed) {
  nlohmann::json j = nlohmann::json::parse(sig, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("format", "") != "evidex-directory-signature" ||
      !j.contains("signer") || !j["signer"].is_string() || !j.contains("signature") ||
      !j["signature"].is_string())
    return Corrupt("the signature file is not an evidex directory signature");
  parsed->signer = j["signer"].get<std::string>();
  parsed->signature = j["signature"].get<std::string>();
  parsed->signed_bytes = std::string(file);
  return Status::Ok();
}

bool SignatureValid(const ParsedDirectory& parsed, const vault::PublicKey& signer_key) {
  Result<vault::Signature> sig = vault::ParseSignatureHex(parsed.signature);
  if (!sig.ok()) return false;
  return vault::VerifySignature(signer_key, parsed.signed_bytes, *sig);
}

}  // namespace evidex::coop
