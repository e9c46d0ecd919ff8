// Shared pieces of the workspace commands (vault_cli.h).
#include "cli/vault_cli.h"

#include <set>

#include <algorithm>
#include <cstdio>

#include "cli/common.h"

namespace evidex::cli {
namespace {

// Display width of UTF-8 text: code points (continuation bytes do not count).
size_t Width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xc0) != 0x80;
  return w;
}

}  // namespace

int StoreExit(const Status& status) {
  switch (status.code()) {
    case Code::kLimit:
    case Code::kUnsupported:
      return kExitWorkspace;
    case Code::kCorrupt:
      return kExitVerifyFailed;
    default:
      return ExitCodeFor(status);
  }
}

std::optional<vault::Workspace> OpenWorkspace(const GlobalOptions& global, int* exit_code) {
  std::string dir = WorkspaceDir(global.data);
  Result<vault::Workspace> ws = vault::Workspace::Open(dir, 5000, global.db);
  if (!ws.ok()) {
    PrintError(ws.status());
    *exit_code = ws.status().code() == Code::kNotFound || ws.status().code() == Code::kCorrupt
                     ? kExitWorkspace
                     : StoreExit(ws.status());
    return std::nullopt;
  }
  return std::move(ws).value();
}

std::optional<store::Case> ResolveCase(vault::Workspace& ws, const std::string& name,
                                       int* exit_code) {
  Result<std::optional<store::Case>> c = ws.store().FindCase(name);
  if (!c.ok()) {
    PrintError(c.status());
    *exit_code = StoreExit(c.status());
    return std::nullopt;
  }
  if (!c->has_value()) {
    PrintError("no case " + name + " (see 'evidex case list')");
    *exit_code = kExitUsage;
    return std::nullopt;
  }
  return **c;
}

bool ResolveCaseFilter(vault::Workspace& ws, const std::string& name, int64_t* case_id,
                       int* exit_code) {
  *case_id = 0;
  if (name.empty()) return true;
  std::optional<store::Case> c = ResolveCase(ws, name, exit_code);
  if (!c) return false;
  *case_id = c->id;
  return true;
}

bool SelectEvidence(vault::Workspace& ws, const store::Case& c,
                    const std::vector<std::string>& names, const std::string& purpose,
                    std::vector<store::Evidence>* items, int* exit_code) {
  if (names.empty()) {
    Result<std::vector<store::Evidence>> all = ws.store().ListEvidence(c.id);
    if (!all.ok()) {
      PrintError(all.status());
      *exit_code = StoreExit(all.status());
      return false;
    }
    for (const store::Evidence& e : *all)
      if (e.state == store::EvidenceState::kComplete) items->push_back(e);
    return true;
  }
  std::set<std::string> seen;
  for (const std::string& name : names) {
    Result<std::optional<store::Evidence>> e = ws.store().FindEvidence(c.id, name);
    if (!e.ok()) {
      PrintError(e.status());
      *exit_code = StoreExit(e.status());
      return false;
    }
    if (!e->has_value()) {
      PrintError("no evidence " + name + " in case " + c.number);
      *exit_code = kExitUsage;
      return false;
    }
    if (!purpose.empty() && (*e)->state != store::EvidenceState::kComplete) {
      PrintError((*e)->Name() + " " + (*e)->label + " is " + StateText(**e) +
                 ": only complete evidence can be " + purpose);
      *exit_code = kExitUsage;
      return false;
    }
    if (seen.insert((*e)->uuid).second) items->push_back(**e);
  }
  return true;
}

std::optional<vault::SigningKey> LoadKey(vault::Workspace& ws, const std::string& passphrase_file,
                                         int* exit_code) {
  Result<vault::SigningKey> key = ws.LoadSigningKey(passphrase_file);
  if (!key.ok()) {
    PrintError(key.status());
    *exit_code = kExitAuth;
    return std::nullopt;
  }
  return std::move(key).value();
}

void AddPassphraseOption(CLI::App* cmd, std::string* passphrase_file) {
  cmd->add_option("--passphrase-file", *passphrase_file,
                  "read the unit key's passphrase from the first line of FILE "
                  "(else $EVIDEX_PASSPHRASE, else a prompt on a terminal)");
}

nlohmann::json CaseJson(const store::Case& c) {
  return {{"id", c.id},           {"uuid", c.uuid},       {"number", c.number},
          {"title", c.title},     {"offence", c.offence}, {"examiner", c.examiner},
          {"created", c.created}, {"status", c.status}};
}

nlohmann::json EvidenceJson(const store::Evidence& e) {
  return {{"name", e.Name()},
          {"uuid", e.uuid},
          {"number", e.number},
          {"label", e.label},
          {"mode", e.mode},
          {"source_path", e.source_path},
          {"source_description", e.source_description},
          {"device_model", e.device_model},
          {"device_serial", e.device_serial},
          {"size", e.size},
          {"md5", e.md5},
          {"sha1", e.sha1},
          {"sha256", e.sha256},
          {"stored_path", e.stored_path},
          {"tool", e.tool},
          {"tool_version", e.tool_version},
          {"started", e.started},
          {"finished", e.finished},
          {"examiner", e.examiner},
          {"state", store::StateName(e.state)},
          {"complete", e.state == store::EvidenceState::kComplete},
          {"bad_sectors", e.bad_sectors}};
}

std::string StateText(const store::Evidence& e) {
  switch (e.state) {
    case store::EvidenceState::kComplete:
      return e.bad_sectors ? "complete (" + std::to_string(e.bad_sectors) + " bad sectors)"
                           : "complete";
    case store::EvidenceState::kDisposed:
      return "disposed";
    case store::EvidenceState::kAcquiring:
      return "incomplete (acquiring)";
    case store::EvidenceState::kFailed:
      return "incomplete (failed)";
  }
  return "incomplete";
}

void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (widths.size() <= i) widths.push_back(0);
      widths[i] = std::max(widths[i], Width(row[i]));
    }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - Width(row[i]) + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

}  // namespace evidex::cli
