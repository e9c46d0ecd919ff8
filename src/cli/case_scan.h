// Storing a case scan's artifacts: one store scan (store::ScanWriter) per evidence item, fed by
// the scan job's hit sink in source order, finished with the scan's outcome.
//
// Each item's scan starts with its own three hashes as occurrences (kinds md5, sha1, sha256, path
// "evidence"), so the same image in two cases correlates and hash watchlists match it. Beginning
// a scan supersedes the item's earlier scans (store.h): running a scan again never doubles.
//
// Thread safety: the sink and Finish run on the thread that runs the scan (RunScan's caller).
#ifndef EVIDEX_CLI_CASE_SCAN_H_
#define EVIDEX_CLI_CASE_SCAN_H_

#include <memory>
#include <string>
#include <vector>

#include "cli/evidence_cli.h"
#include "core/status.h"
#include "scan/scan_job.h"
#include "store/store.h"

namespace evidex::cli {

class CaseScanRecorder {
 public:
  // Begins one stored scan per item (items[i] is ScanJobOptions::sources[i]); `parameters` is the
  // JSON object recorded with each (scanners, keywords, tool version).
  static Result<std::unique_ptr<CaseScanRecorder>> Begin(store::Store& store,
                                                          const std::vector<UsableEvidence>& items,
                                                          const std::string& parameters);
  // Routes hits to their item's scan by SourceReport::source; records progress.
  scan::HitSink Sink();
  // Finishes every item's scan: "complete", "interrupted" or "failed" (with `error`); the bytes
  // each item had scanned come from `summary` when there is one.
  Result<std::vector<store::ScanRecord>> Finish(const scan::ScanSummary* summary,
                                                const std::string& status, const std::string& error);

 private:
  std::vector<std::unique_ptr<store::ScanWriter>> writers_;
  std::vector<uint64_t> done_;
  std::vector<store::OccurrenceIn> batch_;
  std::vector<std::string> paths_;  // storage behind batch_'s path views
};

}  // namespace evidex::cli

#endif  // EVIDEX_CLI_CASE_SCAN_H_
