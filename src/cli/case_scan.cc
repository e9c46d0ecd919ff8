#include "cli/case_scan.h"

#include <utility>

namespace evidex::cli {

Result<std::unique_ptr<CaseScanRecorder>> CaseScanRecorder::Begin(
    store::Store& store, const std::vector<UsableEvidence>& items, const std::string& parameters) {
  auto rec = std::unique_ptr<CaseScanRecorder>(new CaseScanRecorder());
  for (const UsableEvidence& e : items) {
    store::ScanRecord s;
    s.case_id = e.row.case_id;
    s.evidence_id = e.row.id;
    s.parameters = parameters;
    s.bytes_total = e.row.size;
    Result<std::unique_ptr<store::ScanWriter>> w = store.BeginScan(std::move(s));
    if (!w.ok()) return w.status();
    const Digests& d = e.signed_digests;
    const store::OccurrenceIn hashes[] = {
        {"md5", d.md5, d.md5, "evidence", "", false},
        {"sha1", d.sha1, d.sha1, "evidence", "", false},
        {"sha256", d.sha256, d.sha256, "evidence", "", false},
    };
    EVIDEX_RETURN_IF_ERROR((*w)->Add(hashes));
    rec->writers_.push_back(std::move(w).value());
    rec->done_.push_back(0);
  }
  return rec;
}

scan::HitSink CaseScanRecorder::Sink() {
  return [this](const scan::SourceReport& source, std::span<const scan::Hit> hits,
                std::span<const scan::ScannerDef* const> scanners) -> Status {
    if (source.source >= writers_.size()) return Internal("hit from an unknown source");
    batch_.clear();
    paths_.clear();
    // A file inside a directory item: its relative path heads the forensic path.
    const bool in_dir = !source.relative.empty();
    if (in_dir) {
      paths_.reserve(hits.size());
      for (const scan::Hit& h : hits) paths_.push_back(source.relative + ":" + h.path);
    }
    batch_.reserve(hits.size());
    for (size_t i = 0; i < hits.size(); ++i) {
      const scan::Hit& h = hits[i];
      batch_.push_back({scanners[h.scanner]->name, h.normalized, h.feature,
                        in_dir ? std::string_view(paths_[i]) : std::string_view(h.path), h.context,
                        h.utf16});
    }
    store::ScanWriter& w = *writers_[source.source];
    EVIDEX_RETURN_IF_ERROR(w.Add(batch_));
    // Hits arrive a page at a time: the page's end is a fair progress mark.
    uint64_t& done = done_[source.source];
    done = std::max(done, hits.back().offset);
    return w.Progress(done);
  };
}

Result<std::vector<store::ScanRecord>> CaseScanRecorder::Finish(const scan::ScanSummary* summary,
                                                                const std::string& status,
                                                                const std::string& error) {
  if (summary != nullptr) {
    std::vector<uint64_t> scanned(writers_.size(), 0);
    for (const scan::SourceReport& r : summary->sources)
      if (r.source < scanned.size()) scanned[r.source] += r.bytes_scanned + r.bytes_skipped;
    for (size_t i = 0; i < writers_.size(); ++i) done_[i] = scanned[i];
  }
  std::vector<store::ScanRecord> out;
  Status first;
  for (size_t i = 0; i < writers_.size(); ++i) {
    auto& w = writers_[i];
    if (Status p = w->Progress(done_[i]); !p.ok() && first.ok()) first = p;
    Result<store::ScanRecord> r = w->Finish(status, error);
    if (!r.ok()) {
      if (first.ok()) first = r.status();
      continue;
    }
    out.push_back(std::move(r).value());
  }
  if (!first.ok()) return first;
  return out;
}

}  // namespace evidex::cli
