// What the workspace commands (init, case, custody, acquire) share: opening the workspace with the
// right exit code, naming a case, loading the key, the JSON and table forms of cases and evidence.
// Each function that fails prints its one-line error and gives the exit code to return.
#ifndef EVIDEX_CLI_VAULT_CLI_H_
#define EVIDEX_CLI_VAULT_CLI_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/status.h"
#include "store/store.h"
#include "vault/workspace.h"

namespace evidex::cli {

// Exit code for an error from the store or the workspace: locked (kLimit), newer schema
// (kUnsupported) and no workspace (kNotFound from Open) are kExitWorkspace; a custody chain that
// does not end at its head (kCorrupt) is kExitVerifyFailed; the rest as ExitCodeFor.
int StoreExit(const Status& status);

// Opens the workspace named by --data / $EVIDEX_DATA / ./evidex-data; prints the error and sets
// *exit_code on failure.
std::optional<vault::Workspace> OpenWorkspace(const GlobalOptions& global, int* exit_code);

// The case named CASE (number or local id); "no case X (see 'evidex case list')" -> kExitUsage.
std::optional<store::Case> ResolveCase(vault::Workspace& ws, const std::string& name,
                                       int* exit_code);

// The local id of the case named `name`, or 0 ("every case") when `name` is empty; false, said,
// with *exit_code set, when there is no such case.
bool ResolveCaseFilter(vault::Workspace& ws, const std::string& name, int64_t* case_id,
                       int* exit_code);

// The case's evidence items named (each once, in the order given), or every complete one when
// `names` is empty. `purpose` ("packaged") makes an incomplete named item an error ("E2 ... is
// incomplete (failed): only complete evidence can be packaged"); empty accepts it. False, said,
// with *exit_code set, for an unknown name or a store error.
bool SelectEvidence(vault::Workspace& ws, const store::Case& c,
                    const std::vector<std::string>& names, const std::string& purpose,
                    std::vector<store::Evidence>* items, int* exit_code);

// The unit's signing key (passphrase from --passphrase-file, $EVIDEX_PASSPHRASE or a prompt);
// any failure is kExitAuth.
std::optional<vault::SigningKey> LoadKey(vault::Workspace& ws, const std::string& passphrase_file,
                                         int* exit_code);

// Adds --passphrase-file to a signing command.
void AddPassphraseOption(CLI::App* cmd, std::string* passphrase_file);

nlohmann::json CaseJson(const store::Case& c);
nlohmann::json EvidenceJson(const store::Evidence& e);

// "complete", or "incomplete (acquiring)" / "incomplete (failed)" for rows that never completed.
std::string StateText(const store::Evidence& e);

// Prints rows as aligned columns (the first row is the header); the last column is not padded.
void PrintTable(const std::vector<std::vector<std::string>>& rows);

}  // namespace evidex::cli

#endif  // EVIDEX_CLI_VAULT_CLI_H_
