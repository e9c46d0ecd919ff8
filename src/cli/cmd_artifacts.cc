// The case store's commands: `search`, `correlate`, `artifacts`, `hits`, `watchlist`.
//
// search VALUE finds a value across every case: VALUE is normalized for every kind it can be
// (a phone in national form with --region, default the unit's country), "@mail.ru" or "*.mail.ru"
// searches by suffix, "john.doe*" by prefix. correlate CASE lists what the case shares with other
// cases, rarest first. artifacts CASE lists or exports a case's artifacts (CSV, JSONL, MISP).
// watchlist import FILE stores partners' indicators (CSV, MISP event, STIX 2.1 bundle) and matches
// them against everything stored; hits [CASE] lists the matches. Card numbers are masked (first 6,
// last 4) unless --unmask.
#include <cmath>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/vault_cli.h"
#include "core/hash.h"
#include "exchange/artifact_export.h"
#include "exchange/normalize.h"
#include "exchange/watchlist.h"
#include "scan/hostname.h"
#include "vault/custody.h"

namespace evidex::cli {
namespace {

constexpr size_t kSuffixLimit = 200;

std::string Shown(const store::Artifact& a, bool unmask) {
  return unmask ? a.value : exchange::Mask(a.kind, a.value);
}

nlohmann::json SightingJson(const store::Sighting& s) {
  return {{"case", s.case_number},
          {"evidence", s.evidence_name},
          {"label", s.evidence_label},
          {"occurrences", s.occurrences}};
}

nlohmann::json ArtifactJson(const store::Artifact& a, bool unmask) {
  return {{"kind", a.kind},
          {"value", Shown(a, unmask)},
          {"cases", a.cases},
          {"occurrences", a.occurrences}};
}

// "2026/041 E1 (3), 2026/052 E2 (1)", or "E1 (3), E2 (1)" without the case.
std::string SightingsText(const std::vector<store::Sighting>& list, bool with_case = true,
                          size_t max = 4) {
  std::string out;
  for (size_t i = 0; i < list.size() && i < max; ++i) {
    if (!out.empty()) out += ", ";
    if (with_case) out += list[i].case_number + " ";
    out += list[i].evidence_name + " (" + std::to_string(list[i].occurrences) + ")";
  }
  if (list.size() > max) out += ", +" + std::to_string(list.size() - max) + " more";
  return out;
}

std::string Printable(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) out += (c >= 0x20 && c < 0x7f) ? char(c) : '.';
  return out;
}

class SearchCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "search", "find a value (email, phone, wallet, card, IP, ...) across every case");
    cmd->add_option("VALUE", value_,
                    "the value; \"@mail.ru\" or \"*.mail.ru\": by suffix; \"john*\": by prefix")
        ->required();
    cmd->add_option("--kind", kind_, "only this kind (email, phone, btc, ...)");
    cmd->add_option("--region", region_,
                    "country for phone numbers in national form (default: the unit's country)");
    cmd->add_option("--occurrences", show_occurrences_, "occurrences shown per evidence (default 3)");
    cmd->add_flag("--unmask", unmask_, "show card numbers in full");
    cmd->add_flag("--json", json_, "print the result as JSON");
    return cmd;
  }

  int Run(const GlobalOptions& global) override {
    int exit_code = kExitOk;
    std::optional<vault::Workspace> ws = OpenWorkspace(global, &exit_code);
    if (!ws) return exit_code;
    if (!scan::LoadPublicSuffixList()) return kExitUsage;  // domains and emails are checked against it
    store::Store& st = ws->store();
    std::string region = region_.empty() ? ws->unit().country : region_;
    std::string v = value_;
    while (!v.empty() && std::isspace((unsigned char)v.back())) v.pop_back();
    while (!v.empty() && std::isspace((unsigned char)v.front())) v.erase(0, 1);
    if (v.empty()) {
      PrintError("search needs a value");
      return kExitUsage;
    }
    if (!kind_.empty() && !IsKind(kind_)) {
      PrintError("unknown kind '" + kind_ + "'");
      return kExitUsage;
    }

    std::vector<store::Artifact> found;
    std::string how;
    Status status;
    auto add = [&](Result<std::vector<store::Artifact>> r) {
      if (!r.ok()) {
        if (status.ok()) status = r.status();
        return;
      }
      for (store::Artifact& a : *r) {
        bool dup = false;
        for (const store::Artifact& f : found) dup |= f.id == a.id;
        if (!dup) found.push_back(std::move(a));
      }
    };
    if (v.size() > 1 && (v[0] == '@' || v[0] == '*')) {
      std::string suffix = v[0] == '*' ? v.substr(1) : v;
      for (char& c : suffix) c = char(std::tolower((unsigned char)c));
      how = "ending with " + suffix;
      add(st.FindArtifactsBySuffix(kind_, suffix, kSuffixLimit));
    } else if (v.size() > 1 && v.back() == '*') {
      std::string prefix = v.substr(0, v.size() - 1);
      how = "starting with " + prefix;
      add(st.FindArtifactsByPrefix(kind_, prefix, kSuffixLimit));
      std::string lower = prefix;
      for (char& c : lower) c = char(std::tolower((unsigned char)c));
      if (lower != prefix) add(st.FindArtifactsByPrefix(kind_, lower, kSuffixLimit));
    } else {
      std::vector<exchange::Candidate> cands;
      if (!kind_.empty()) {
        if (std::optional<std::string> n = exchange::Normalize(kind_, v, region))
          cands.push_back({kind_, *n});
        else if (kind_ == "keyword")
          cands.push_back({kind_, v});
      } else {
        cands = exchange::Classify(v, region);
      }
      how = "equal to " + v;
      for (const exchange::Candidate& c : cands) add(st.FindArtifacts(c.kind, c.value));
      // What was typed, as stored (keywords, or a kind whose form we did not guess).
      if (kind_.empty()) add(st.FindArtifacts("", v));
      // A domain also finds its subdomains and the email addresses at it.
      for (const exchange::Candidate& c : cands)
        if (c.kind == "domain") {
          add(st.FindArtifactsBySuffix("domain", "." + c.value, kSuffixLimit));
          add(st.FindArtifactsBySuffix("email", "@" + c.value, kSuffixLimit));
        }
    }
    if (!status.ok()) {
      PrintError(status);
      return StoreExit(status);
    }

    nlohmann::json out = nlohmann::json::array();
    for (const store::Artifact& a : found) {
      Result<std::vector<store::Sighting>> s = st.Sightings(a.id);
      if (!s.ok()) {
        PrintError(s.status());
        return StoreExit(s.status());
      }
      nlohmann::json j = ArtifactJson(a, unmask_);
      j["sightings"] = nlohmann::json::array();
      if (!json_)
        std::printf("%s %s: %llu case(s), %llu occurrence(s)\n", a.kind.c_str(),
                    Shown(a, unmask_).c_str(), (unsigned long long)a.cases,
                    (unsigned long long)a.occurrences);
      for (const store::Sighting& sg : *s) {
        nlohmann::json sj = SightingJson(sg);
        sj["at"] = nlohmann::json::array();
        if (!json_)
          std::printf("  %-12s %-4s %-24s %llu occurrence(s)\n", sg.case_number.c_str(),
                      sg.evidence_name.c_str(), sg.evidence_label.c_str(),
                      (unsigned long long)sg.occurrences);
        if (show_occurrences_ > 0) {
          Result<std::vector<store::OccurrenceOut>> occ =
              st.Occurrences(a.id, sg.evidence_id, size_t(show_occurrences_));
          if (occ.ok())
            for (const store::OccurrenceOut& o : *occ) {
              sj["at"].push_back({{"path", o.path},
                                  {"context", Printable(o.context)},
                                  {"encoding", o.utf16 ? "utf16le" : "utf8"}});
              if (!json_)
                std::printf("      at %-24s %s\n", o.path.c_str(),
                            o.path == "evidence" ? "(the evidence's own hash)"
                                                 : ("\"" + Printable(o.context) + "\"").c_str());
            }
        }
        j["sightings"].push_back(std::move(sj));
      }
      out.push_back(std::move(j));
    }
    // A hash also finds the files inside evidence that have it (evidex files --case).
    nlohmann::json files = nlohmann::json::array();
    if ((v.size() == 32 || v.size() == 40 || v.size() == 64) &&
        std::all_of(v.begin(), v.end(), [](char c) { return std::isxdigit((unsigned char)c); })) {
      Result<std::vector<std::pair<store::StoredFile, store::Sighting>>> fr = st.FindFilesByHash(v);
      if (!fr.ok()) {
        PrintError(fr.status());
        return StoreExit(fr.status());
      }
      if (!json_ && !fr->empty()) std::printf("files with this hash: %zu\n", fr->size());
      for (const auto& [f, sg] : *fr) {
        files.push_back({{"case", sg.case_number}, {"evidence", sg.evidence_name},
                         {"evidence_label", sg.evidence_label}, {"fs", f.fs}, {"path", f.path},
                         {"size", f.size}, {"deleted", f.deleted}, {"sha256", f.sha256}});
        if (!json_)
          std::printf("  %-12s %-4s %s:%s%s\n", sg.case_number.c_str(), sg.evidence_name.c_str(),
                      f.fs.c_str(), f.path.c_str(), f.deleted ? " (deleted)" : "");
      }
    }
    if (json_) {
      std::printf("%s\n", nlohmann::json{{"query", v}, {"results", out}, {"files", files}}
                              .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                              .c_str());
    } else if (found.empty() && files.empty()) {
      std::printf("no stored artifact %s (region %s for phone numbers)\n", how.c_str(),
                  region.c_str());
    }
    return kExitOk;
  }

 private:
  static bool IsKind(const std::string& k) {
    for (const std::string& x : exchange::ArtifactKinds())
      if (x == k) return true;
    return false;
  }
  std::string value_, kind_, region_;
  int show_occurrences_ = 3;
  bool unmask_ = false, json_ = false;
};

class CorrelateCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "correlate", "list what a case shares with other cases, rarest first");
    cmd->add_option("CASE", case_, "case number or local id")->required();
    cmd->add_option("--kind", kinds_, "only these kinds (repeatable)");
    cmd->add_option("--limit", limit_, "artifacts listed (default 50; 0: all)");
    cmd->add_option("--max-cases", max_cases_, "skip values held by more cases than this");
    cmd->add_flag("--unmask", unmask_, "show card numbers in full");
    cmd->add_flag("--json", json_, "print the result as JSON");
    return cmd;
  }

  int Run(const GlobalOptions& global) override {
    int exit_code = kExitOk;
    std::optional<vault::Workspace> ws = OpenWorkspace(global, &exit_code);
    if (!ws) return exit_code;
    std::optional<store::Case> c = ResolveCase(*ws, case_, &exit_code);
    if (!c) return exit_code;
    store::CorrelateOptions o;
    o.kinds = kinds_;
    o.limit = limit_;
    o.max_cases = max_cases_;
    Result<std::vector<store::Correlation>> r = ws->store().Correlate(c->id, o);
    if (!r.ok()) {
      PrintError(r.status());
      return StoreExit(r.status());
    }
    if (json_) {
      nlohmann::json out = nlohmann::json::array();
      for (const store::Correlation& k : *r) {
        nlohmann::json j = ArtifactJson(k.artifact, unmask_);
        j["occurrences_here"] = k.occurrences_here;
        j["score"] = std::round(k.score * 1000) / 1000;
        j["elsewhere"] = nlohmann::json::array();
        for (const store::Sighting& s : k.elsewhere) j["elsewhere"].push_back(SightingJson(s));
        out.push_back(std::move(j));
      }
      std::printf("%s\n", nlohmann::json{{"case", c->number}, {"shared", out}}.dump(2).c_str());
      return kExitOk;
    }
    if (r->empty()) {
      std::printf("case %s shares no stored artifact with another case\n", c->number.c_str());
      return kExitOk;
    }
    std::printf("case %s shares these artifacts with other cases, rarest first:\n",
                c->number.c_str());
    std::vector<std::vector<std::string>> rows{{"kind", "value", "cases", "here", "elsewhere"}};
    for (const store::Correlation& k : *r)
      rows.push_back({k.artifact.kind, Shown(k.artifact, unmask_),
                      std::to_string(k.artifact.cases), std::to_string(k.occurrences_here),
                      SightingsText(k.elsewhere)});
    PrintTable(rows);
    return kExitOk;
  }

 private:
  std::string case_;
  std::vector<std::string> kinds_;
  size_t limit_ = 50, max_cases_ = 0;
  bool unmask_ = false, json_ = false;
};

class ArtifactsCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "artifacts", "list or export a case's artifacts (table, CSV, JSONL, MISP event)");
    cmd->add_option("CASE", case_, "case number or local id")->required();
    cmd->add_option("--format", format_, "table (default), csv, jsonl or misp")
        ->check(CLI::IsMember({"table", "csv", "jsonl", "misp"}));
    cmd->add_option("-o,--output", output_, "write to this file (default: standard output)");
    cmd->add_option("--kind", kinds_, "only these kinds (repeatable)");
    cmd->add_flag("--unmask", unmask_, "card numbers in full");
    return cmd;
  }

  int Run(const GlobalOptions& global) override {
    int exit_code = kExitOk;
    std::optional<vault::Workspace> ws = OpenWorkspace(global, &exit_code);
    if (!ws) return exit_code;
    std::optional<store::Case> c = ResolveCase(*ws, case_, &exit_code);
    if (!c) return exit_code;
    store::Store& st = ws->store();
    // Evidence names for the rows: per-artifact sightings are read only for the case's items.
    std::ofstream file;
    if (!output_.empty()) {
      file.open(output_, std::ios::binary | std::ios::trunc);
      if (!file) {
        PrintError("cannot write " + output_);
        return kExitOutput;
      }
    }
    std::ostream& out = output_.empty() ? std::cout : file;
    std::unique_ptr<exchange::ArtifactWriter> w;
    if (format_ != "table") {
      exchange::ExportFormat f = format_ == "csv"     ? exchange::ExportFormat::kCsv
                                 : format_ == "jsonl" ? exchange::ExportFormat::kJsonl
                                                      : exchange::ExportFormat::kMisp;
      w = exchange::MakeArtifactWriter(f, out);
      exchange::ExportCase h;
      h.c = *c;
      h.unit = ws->unit();
      h.exported = vault::UtcNow();
      h.mask_cards = !unmask_;
      w->Begin(h);
    }
    std::set<std::string> kinds(kinds_.begin(), kinds_.end());
    uint64_t n = 0;
    Status done;
    if (w) {
      done = ExportRows(st, *c, kinds, *w, &n);
      if (done.ok()) w->End();
    } else {
      std::vector<std::vector<std::string>> rows{{"kind", "value", "occurrences", "cases"}};
      done = st.ForEachCaseArtifact(c->id, [&](const store::Artifact& a, uint64_t occ) {
        if (kinds.empty() || kinds.count(a.kind)) {
          ++n;
          rows.push_back({a.kind, Shown(a, unmask_), std::to_string(occ), std::to_string(a.cases)});
        }
        return true;
      });
      if (done.ok()) PrintTable(rows);
    }
    if (!done.ok()) {
      PrintError(done);
      return StoreExit(done);
    }
    out.flush();
    if (!out) {
      PrintError("cannot write " + (output_.empty() ? std::string("standard output") : output_));
      return kExitOutput;
    }
    if (!output_.empty())
      std::fprintf(stderr, "evidex: %llu artifacts of case %s written to %s (%s)\n",
                   (unsigned long long)n, c->number.c_str(), output_.c_str(), format_.c_str());
    return kExitOk;
  }

 private:
  // The rows first, then each row's evidence: a store is used by one thread and one statement at
  // a time, so sightings are not read while ForEachCaseArtifact's cursor is open.
  Status ExportRows(store::Store& st, const store::Case& c, const std::set<std::string>& kinds,
                    exchange::ArtifactWriter& w, uint64_t* n) {
    std::vector<std::pair<store::Artifact, uint64_t>> all;
    Status s = st.ForEachCaseArtifact(c.id, [&](const store::Artifact& a, uint64_t occ) {
      if (kinds.empty() || kinds.count(a.kind)) all.emplace_back(a, occ);
      return true;
    });
    if (!s.ok()) return s;
    for (auto& [a, occ] : all) {
      Result<std::vector<store::Sighting>> sg = st.Sightings(a.id);
      if (!sg.ok()) return sg.status();
      exchange::ExportRow row;
      row.artifact = a;
      row.occurrences = occ;
      for (store::Sighting& x : *sg)
        if (x.case_id == c.id) row.sightings.push_back(std::move(x));
      w.Row(row);
      ++*n;
    }
    return Status::Ok();
  }

  std::string case_, format_ = "table", output_;
  std::vector<std::string> kinds_;
  bool unmask_ = false;
};

class HitsCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "hits", "list alerts on files (hash sets, YARA) and artifacts matching a watchlist (one case, or all)");
    cmd->add_option("CASE", case_, "case number or local id (default: every case)");
    cmd->add_flag("--unmask", unmask_, "show card numbers in full");
    cmd->add_flag("--json", json_, "print the result as JSON");
    return cmd;
  }

  int Run(const GlobalOptions& global) override {
    int exit_code = kExitOk;
    std::optional<vault::Workspace> ws = OpenWorkspace(global, &exit_code);
    if (!ws) return exit_code;
    int64_t case_id = 0;
    if (!ResolveCaseFilter(*ws, case_, &case_id, &exit_code)) return exit_code;
    // Alerts on files first (known illegal or malicious files, YARA rules), then the artifacts
    // matching a watchlist.
    Result<std::vector<store::FileAlert>> alerts = ws->store().ListFileAlerts(case_id);
    if (!alerts.ok()) {
      PrintError(alerts.status());
      return StoreExit(alerts.status());
    }
    Result<std::vector<store::WatchHit>> r = ws->store().ListHits(case_id);
    if (!r.ok()) {
      PrintError(r.status());
      return StoreExit(r.status());
    }
    auto where = [](const store::FileAlert& a) {
      if (!a.file) return std::string("unallocated space at byte ") + std::to_string(a.offset);
      return a.file->fs + ":" + a.file->path + (a.file->deleted ? " (deleted)" : "");
    };
    if (json_) {
      nlohmann::json out = nlohmann::json::array();
      for (const store::FileAlert& a : *alerts) {
        nlohmann::json j = {{"type", a.kind == "watchlist" ? "file-watchlist" : a.kind},
                            {"case", a.case_number},
                            {"evidence", a.evidence_name},
                            {"evidence_label", a.evidence_label},
                            {"where", where(a)}};
        if (a.file) {
          j["file"] = {{"fs", a.file->fs}, {"path", a.file->path}, {"size", a.file->size},
                       {"deleted", a.file->deleted}, {"md5", a.file->md5},
                       {"sha1", a.file->sha1}, {"sha256", a.file->sha256},
                       {"mime", a.file->mime}};
        } else {
          j["offset"] = a.offset;
        }
        if (a.kind == "hashset")
          j["set"] = {{"name", a.set.set}, {"category", a.set.category}, {"label", a.set.label}};
        if (a.kind == "yara")
          j["yara"] = {{"rule", a.yara.rule}, {"namespace", a.yara.ns}, {"tags", a.yara.tags},
                       {"meta", nlohmann::json::parse(a.yara.meta, nullptr, false)},
                       {"strings", nlohmann::json::parse(a.yara.strings, nullptr, false)}};
        if (a.kind == "watchlist")
          j["indicator"] = {{"watchlist", a.watchlist}, {"kind", a.indicator.kind},
                            {"value", a.indicator.value}, {"type", a.indicator.type},
                            {"comment", a.indicator.comment}, {"reference", a.indicator.reference}};
        out.push_back(std::move(j));
      }
      for (const store::WatchHit& h : *r) {
        nlohmann::json j = {{"type", "watchlist"},
                            {"watchlist", h.watchlist_name},
                            {"watchlist_id", h.watchlist_id},
                            {"kind", h.artifact.kind},
                            {"value", Shown(h.artifact, unmask_)},
                            {"indicator_type", h.indicator.type},
                            {"comment", h.indicator.comment},
                            {"reference", h.indicator.reference},
                            {"case", h.case_number},
                            {"found", h.found},
                            {"evidence", nlohmann::json::array()}};
        for (const store::Sighting& s : h.sightings) j["evidence"].push_back(SightingJson(s));
        out.push_back(std::move(j));
      }
      std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      return kExitOk;
    }
    if (!alerts->empty()) {
      std::printf("ALERTS on files (%zu):\n", alerts->size());
      std::vector<std::vector<std::string>> rows{{"case", "evidence", "alert", "file", "sha256"}};
      for (const store::FileAlert& a : *alerts) {
        std::string what;
        if (a.kind == "hashset")
          what = "hash set " + a.set.set + (a.set.label.empty() ? "" : " (" + a.set.label + ")");
        else if (a.kind == "yara")
          what = "YARA " + a.yara.rule;
        else
          what = "watchlist " + a.watchlist + (a.indicator.comment.empty() ? "" : " (" + a.indicator.comment + ")");
        rows.push_back({a.case_number, a.evidence_name, what, where(a),
                        a.file ? a.file->sha256 : ""});
      }
      PrintTable(rows);
      if (!r->empty()) std::printf("\n");
    }
    if (r->empty()) {
      if (alerts->empty())
        std::printf("no alerts and no watchlist hits%s\n",
                    case_.empty() ? "" : (" in case " + case_).c_str());
      return kExitOk;
    }
    std::printf("watchlist hits (%zu):\n", r->size());
    std::vector<std::vector<std::string>> rows{
        {"case", "kind", "value", "watchlist", "evidence", "comment"}};
    for (const store::WatchHit& h : *r)
      rows.push_back({h.case_number, h.artifact.kind, Shown(h.artifact, unmask_),
                      h.watchlist_name, SightingsText(h.sightings, false), h.indicator.comment});
    PrintTable(rows);
    return kExitOk;
  }

 private:
  std::string case_;
  bool unmask_ = false, json_ = false;
};

class WatchlistCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "watchlist", "partners' indicators (CSV, MISP event, STIX 2.1): import, list, remove");
    cmd->require_subcommand(1);
    import_ = cmd->add_subcommand("import", "import a watchlist and match it against every case");
    import_->add_option("FILE", file_, "CSV, MISP event JSON or STIX 2.1 bundle")->required();
    import_->add_option("--name", name_, "its name (default: the MISP event info or file name)");
    import_->add_option("--source", source_, "who sent it (default: from the file)");
    import_->add_option("--format", format_, "auto (default), csv, misp or stix")
        ->check(CLI::IsMember({"auto", "csv", "misp", "stix"}));
    import_->add_option("--region", region_,
                        "country for phone numbers in national form (default: the unit's)");
    import_->add_flag("--partial", partial_, "import the good records when some are bad");
    import_->add_flag("--json", json_, "print the result as JSON");
    list_ = cmd->add_subcommand("list", "list the watchlists");
    list_->add_flag("--json", json_, "print as JSON");
    remove_ = cmd->add_subcommand("remove", "remove a watchlist and its hits");
    remove_->add_option("ID", remove_id_, "the watchlist's id (see list)")->required();
    return cmd;
  }

  int Run(const GlobalOptions& global) override {
    int exit_code = kExitOk;
    std::optional<vault::Workspace> ws = OpenWorkspace(global, &exit_code);
    if (!ws) return exit_code;
    if (list_->parsed()) return List(*ws);
    if (remove_->parsed()) {
      Status s = ws->store().RemoveWatchlist(remove_id_);
      if (!s.ok()) {
        PrintError(s);
        return s.code() == Code::kNotFound ? kExitUsage : StoreExit(s);
      }
      std::printf("watchlist %lld removed\n", (long long)remove_id_);
      return kExitOk;
    }
    return Import(*ws);
  }

 private:
  int List(vault::Workspace& ws) {
    Result<std::vector<store::Watchlist>> r = ws.store().ListWatchlists();
    if (!r.ok()) {
      PrintError(r.status());
      return StoreExit(r.status());
    }
    if (json_) {
      nlohmann::json out = nlohmann::json::array();
      for (const store::Watchlist& w : *r)
        out.push_back({{"id", w.id},
                       {"uuid", w.uuid},
                       {"name", w.name},
                       {"source", w.source},
                       {"format", w.format},
                       {"indicators", w.indicators},
                       {"imported", w.imported},
                       {"file_sha256", w.file_sha256},
                       {"reference", w.reference}});
      std::printf("%s\n", out.dump(2).c_str());
      return kExitOk;
    }
    std::vector<std::vector<std::string>> rows{
        {"id", "name", "source", "format", "indicators", "imported"}};
    for (const store::Watchlist& w : *r)
      rows.push_back({std::to_string(w.id), w.name, w.source, w.format,
                      std::to_string(w.indicators), w.imported});
    PrintTable(rows);
    return kExitOk;
  }

  int Import(vault::Workspace& ws) {
    if (!scan::LoadPublicSuffixList()) return kExitUsage;
    std::ifstream in(file_, std::ios::binary);
    if (!in) {
      PrintError("cannot read " + file_);
      return kExitSource;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    if (in.bad()) {
      PrintError("cannot read " + file_);
      return kExitSource;
    }
    const std::string data = ss.str();
    exchange::ParseOptions po;
    po.format = format_ == "csv"    ? exchange::WatchlistFormat::kCsv
                : format_ == "misp" ? exchange::WatchlistFormat::kMisp
                : format_ == "stix" ? exchange::WatchlistFormat::kStix
                                    : exchange::WatchlistFormat::kAuto;
    po.region = region_.empty() ? ws.unit().country : region_;
    po.partial = partial_;
    Result<exchange::ParsedWatchlist> parsed = exchange::ParseWatchlist(data, po);
    if (!parsed.ok()) {
      PrintError(file_ + ": " + parsed.status().message() +
                 (partial_ ? "" : "; nothing imported (--partial imports the good records)"));
      return kExitSource;
    }
    for (const exchange::RecordError& e : parsed->errors)
      PrintError(file_ + ": " + e.where + ": " + e.message + " (skipped)");
    uint64_t unknown = 0;
    for (const auto& [type, n] : parsed->unknown_types) {
      unknown += n;
      if (!json_)
        PrintError(file_ + ": " + std::to_string(n) + " indicator(s) of type '" + type +
                   "' not imported (no evidex kind)");
    }
    store::Watchlist w;
    w.name = !name_.empty()              ? name_
             : !parsed->name.empty()     ? parsed->name
                                         : std::filesystem::path(file_).filename().string();
    w.source = !source_.empty() ? source_ : parsed->source;
    w.format = exchange::FormatName(parsed->format);
    w.file_sha256 = Sha256Hex(data);
    w.reference = parsed->reference;
    Result<store::Watchlist> added = ws.store().AddWatchlist(w, parsed->indicators);
    if (!added.ok()) {
      PrintError("cannot store the watchlist: " + added.status().message());
      return StoreExit(added.status());
    }
    Result<std::vector<store::WatchHit>> after = ws.store().ListHits(0);
    size_t new_hits = 0;
    std::set<std::string> cases;
    if (after.ok())
      for (const store::WatchHit& h : *after)
        if (h.watchlist_id == added->id) {
          ++new_hits;
          cases.insert(h.case_number);
        }
    if (json_) {
      nlohmann::json unknown_j = nlohmann::json::object();
      for (const auto& [type, n] : parsed->unknown_types) unknown_j[type] = n;
      nlohmann::json bad = nlohmann::json::array();
      for (const exchange::RecordError& e : parsed->errors)
        bad.push_back({{"where", e.where}, {"message", e.message}});
      std::printf("%s\n", nlohmann::json{{"id", added->id},
                                         {"name", added->name},
                                         {"format", added->format},
                                         {"indicators", added->indicators},
                                         {"unknown_types", unknown_j},
                                         {"skipped", bad},
                                         {"hits", new_hits},
                                         {"cases_hit", cases.size()}}
                              .dump(2)
                              .c_str());
    } else {
      std::printf(
          "watchlist %lld \"%s\" (%s): %llu indicators imported, %llu of unknown types, %zu "
          "skipped; %zu hits in %zu case(s)%s\n",
          (long long)added->id, added->name.c_str(), added->format.c_str(),
          (unsigned long long)added->indicators, (unsigned long long)unknown,
          parsed->errors.size(), new_hits, cases.size(), new_hits ? " (evidex hits)" : "");
    }
    return kExitOk;
  }

  CLI::App *import_ = nullptr, *list_ = nullptr, *remove_ = nullptr;
  std::string file_, name_, source_, format_ = "auto", region_;
  int64_t remove_id_ = 0;
  bool partial_ = false, json_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeSearchCommand() { return std::make_unique<SearchCommand>(); }
std::unique_ptr<Command> MakeCorrelateCommand() { return std::make_unique<CorrelateCommand>(); }
std::unique_ptr<Command> MakeArtifactsCommand() { return std::make_unique<ArtifactsCommand>(); }
std::unique_ptr<Command> MakeHitsCommand() { return std::make_unique<HitsCommand>(); }
std::unique_ptr<Command> MakeWatchlistCommand() { return std::make_unique<WatchlistCommand>(); }

}  // namespace evidex::cli
