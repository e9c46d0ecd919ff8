// Fuzzes the cooperation parsers (coop/directory.h, coop/request.h): the input is read as a
// directory file (CSV or signed JSON), as office hours, as a time, a date and a duration; when it is
// JSON, as a merge patch of an empty request of each type, which is then checked, clocked and laid
// out as a document (coop/document_of.h; not rendered); and, split at its first NUL, as a FIELD and
// VALUE for SetField. Whatever the bytes: no crash, hang or exception; a directory file read
// without problems is written back to CSV and read again without problems; a patch or SetField that
// fails leaves the request as it was.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "coop/directory.h"
#include "coop/document_of.h"
#include "coop/request.h"

namespace {

using nlohmann::json;
constexpr char kToday[] = "2026-06-15";

void Use(const json& request) {
  (void)evidex::coop::Check(request, kToday);
  std::optional<evidex::coop::Clock> clock = evidex::coop::ClockOf(request);
  if (clock) (void)clock->DueFrom(1'780'000'000);
  (void)evidex::coop::ExtensionOf(request);
  evidex::store::CoopRequest r;
  r.reference = request.value("reference", "");
  r.type = request.value("type", "");
  r.state = "draft";
  r.doc = request.dump();
  (void)evidex::coop::DocumentOf(r, "");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evidex::coop;
  std::string_view s(reinterpret_cast<const char*>(data), size);
  std::string text(s);

  ParsedDirectory parsed = ParseDirectoryFile(s, kToday);
  if (parsed.problems.empty()) {
    for (const DirectoryEntry& e : parsed.entries) {
      (void)OpenAt(e, 1'780'000'000);
      (void)IsStale(e, kToday);
      (void)EntryFromJson(ToJson(e));
    }
    if (!parsed.entries.empty()) {
      ParsedDirectory again = ParseDirectoryFile(ToCsv(parsed.entries), kToday);
      if (!again.problems.empty() || again.entries.size() != parsed.entries.size()) __builtin_trap();
    }
  }
  ParsedDirectory sig;
  (void)ApplyDetachedSignature(s, "a,b\n", &sig);

  (void)ParseHours(s);
  (void)IsIanaTimeZone(text);
  (void)UtcOffset(text, 1'780'000'000);
  (void)ParseUtc(text);
  (void)ParseDuration(text);

  json patch = json::parse(s, nullptr, false);
  if (!patch.is_discarded()) {
    for (const std::string& type : RequestTypes()) {
      json request = EmptyRequest(type);
      const json before = request;
      if (Patch(&request, patch).ok()) {
        Use(request);
      } else if (request != before) {
        __builtin_trap();
      }
    }
    if (patch.is_object()) (void)EntryFromJson(patch);
  }

  size_t nul = s.find('\0');
  if (nul != std::string_view::npos) {
    std::string path(s.substr(0, nul)), value(s.substr(nul + 1));
    for (const std::string& type : RequestTypes()) {
      // On an empty request and on one whose lists hold elements (legal_basis, offences, ...).
      json filled = EmptyRequest(type);
      (void)Patch(&filled, {{"legal_basis", {"budapest"}},
                            {"offences", {{{"description", "fraud"}}}},
                            {"identifiers", {{{"kind", "ip"}, {"value", "203.0.113.7"}}}},
                            {"addressee", {{"phones", {"+33 1 00 00 00 00"}}}}});
      for (json request : {EmptyRequest(type), filled}) {
        const json before = request;
        if (SetField(&request, path, value).ok()) Use(request);
        else if (request != before) __builtin_trap();
      }
    }
  }
  return 0;
}
