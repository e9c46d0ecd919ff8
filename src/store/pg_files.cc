// The PostgreSQL back end's files inside evidence (pg_files.h).
//
// A writer batch is one transaction: its listing row updated first (the lock a superseding
// BeginFiles waits for), ids taken from the files' sequence, then files, hash-set matches and
// YARA matches each sent by one COPY. Reads page through a listing's files by (listing_id, id),
// 10,000 at a time, with the page's matches read by file id range beside them.
#include "store/pg_files.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "store/store_common.h"
#include "vault/custody.h"

namespace evidex::store {
namespace {

using Clock = std::chrono::steady_clock;

// As SQLite's writer (sqlite_files.cc).
constexpr size_t kBatchFiles = 20'000;
constexpr size_t kBatchBytes = 64 << 20;
constexpr auto kBatchAge = std::chrono::seconds(1);
// Files read per query.
constexpr int64_t kPage = 10'000;

// case id, case number, evidence id, evidence number, evidence label.
Sighting ReadWhere(const PgResult& r, int i, int at = 0) {
  Sighting g;
  g.case_id = r.Int(i, at);
  g.case_number = r.Text(i, at + 1);
  g.evidence_id = r.Int(i, at + 2);
  g.evidence_name = "E" + std::to_string(r.Int(i, at + 3));
  g.evidence_label = r.Text(i, at + 4);
  return g;
}

YaraMatchRecord ReadYara(const PgResult& r, int i, int at) {
  YaraMatchRecord y;
  y.rule = r.Text(i, at);
  y.ns = r.Text(i, at + 1);
  y.tags = ParseTags(r.Text(i, at + 2));
  y.meta = r.Text(i, at + 3);
  y.strings = r.Text(i, at + 4);
  return y;
}

// The listings not superseded (of one case when $1 != 0), by case then evidence number.
constexpr char kCurrentListings[] =
    "SELECT l.case_id, c.number, l.evidence_id, e.number, e.label, l.id FROM file_listings l "
    "JOIN cases c ON c.id = l.case_id JOIN evidence e ON e.id = l.evidence_id "
    "WHERE l.status <> 'superseded' AND ($1::bigint = 0 OR l.case_id = $1::bigint) "
    "ORDER BY l.case_id, e.number";

void CopyInt(std::string& row, int64_t v) { row += std::to_string(v); }
void CopyTime(std::string& row, const std::optional<int64_t>& t) {
  if (t)
    CopyInt(row, *t);
  else
    row += "\\N";
}

class PgFileWriter : public FileWriter {
 public:
  PgFileWriter(PgFiles* files, FileListing listing) : files_(files), listing_(std::move(listing)) {}

  const FileListing& listing() const override { return listing_; }

  Status Add(std::span<const FileIn> batch) override {
    if (finished_) return InvalidArgument("file listing " + listing_.uuid + " is finished");
    for (const FileIn& f : batch) {
      pending_.push_back(f);
      bytes_ += ApproximateSize(f);
      if (pending_.size() >= kBatchFiles || bytes_ >= kBatchBytes) EVIDEX_RETURN_IF_ERROR(Flush());
    }
    return FlushIfOld();
  }

  Status AddUnallocatedYara(uint64_t offset, const YaraMatchRecord& match) override {
    if (finished_) return InvalidArgument("file listing " + listing_.uuid + " is finished");
    unallocated_.emplace_back(offset, match);
    bytes_ += sizeof match + match.meta.size() + match.strings.size();
    if (bytes_ >= kBatchBytes) return Flush();
    return FlushIfOld();
  }

  Result<FileListing> Finish(const std::string& status, const std::string& error,
                             const std::string& report) override;

 private:
  Status FlushIfOld() {
    if ((pending_.empty() && unallocated_.empty()) || Clock::now() - last_flush_ < kBatchAge)
      return Status::Ok();
    return Flush();
  }
  Status Flush() {
    if (pending_.empty() && unallocated_.empty()) return Status::Ok();
    EVIDEX_RETURN_IF_ERROR(files_->RefuseInTransaction());  // keeps the buffer for a later call
    FileListing written = listing_;
    Status st =
        files_->Transaction([&] { return files_->WriteBatch(written, pending_, unallocated_); });
    last_flush_ = Clock::now();
    if (!st.ok()) return st;
    listing_ = written;
    pending_.clear();
    unallocated_.clear();
    bytes_ = 0;
    return Status::Ok();
  }

  PgFiles* files_;
  FileListing listing_;
  bool finished_ = false;
  std::vector<FileIn> pending_;
  std::vector<std::pair<uint64_t, YaraMatchRecord>> unallocated_;
  size_t bytes_ = 0;
  Clock::time_point last_flush_ = Clock::now();
};

Result<FileListing> PgFileWriter::Finish(const std::string& status, const std::string& error,
                                         const std::string& report) {
  if (finished_) return InvalidArgument("file listing " + listing_.uuid + " is finished already");
  if (status != "complete" && status != "interrupted" && status != "failed")
    return InvalidArgument("a file listing finishes as complete, interrupted or failed, not '" +
                           status + "'");
  EVIDEX_RETURN_IF_ERROR(files_->RefuseInTransaction());
  FileListing written = listing_;
  std::optional<FileListing> done;
  Status st = files_->Transaction([&]() -> Status {
    // The last batch (even an empty one: it checks that the listing is still running).
    EVIDEX_RETURN_IF_ERROR(files_->WriteBatch(written, pending_, unallocated_));
    Result<PgResult> r = files_->conn().Query(
        std::string("UPDATE file_listings SET status = $2, error = $3, report = $4, "
                    "finished = $5, updated = $5 WHERE id = $1 RETURNING ") +
            kListingColumns,
        PgParams()
            .Add(listing_.id)
            .Add(status)
            .Add(ValidUtf8(error))
            .Add(ValidUtf8(report.empty() ? "{}" : report))
            .Add(vault::UtcNow()));
    if (!r.ok()) return r.status();
    if (r->rows() == 0) return Internal("file listing " + listing_.uuid + " vanished");
    done = ListingFromRow(PgRow{*r, 0});
    return Status::Ok();
  });
  last_flush_ = Clock::now();
  if (!st.ok()) return st;
  pending_.clear();
  unallocated_.clear();
  bytes_ = 0;
  finished_ = true;
  listing_ = *done;
  return listing_;
}

// "{1,2,3}": a bigint[] parameter.
std::string IdArray(const std::vector<int64_t>& ids) {
  std::string a = "{";
  for (size_t i = 0; i < ids.size(); ++i) a += (i ? "," : "") + std::to_string(ids[i]);
  return a + "}";
}

}  // namespace

Status PgFiles::RefuseInTransaction() const {
  if (!in_transaction_()) return Status::Ok();
  return InvalidArgument(
      "a file writer commits its own batches; it cannot write inside Store::Transaction");
}

Status PgFiles::WriteBatch(FileListing& listing, const std::vector<FileIn>& files,
                           const std::vector<std::pair<uint64_t, YaraMatchRecord>>& unallocated) {
  int64_t alerts = 0, yara = int64_t(unallocated.size());
  for (const FileIn& f : files) {
    alerts += IsAlertFile(f) ? 1 : 0;
    yara += int64_t(f.yara.size());
  }
  std::string now = vault::UtcNow();
  // The listing row first: its lock orders this batch against a superseding BeginFiles.
  Result<PgResult> l = conn_->Query(
      "UPDATE file_listings SET files = files + $2, alerts = alerts + $3, "
      "yara_matches = yara_matches + $4, updated = $5 WHERE id = $1 AND status = 'running' "
      "RETURNING files, alerts, yara_matches",
      PgParams().Add(listing.id).Add(int64_t(files.size())).Add(alerts).Add(yara).Add(now));
  if (!l.ok()) return l.status();
  if (l->rows() == 0)
    return InvalidArgument("file listing " + listing.uuid +
                           " was superseded by a later listing of the same evidence (or "
                           "finished); nothing more of it is stored");
  // As a scan batch: the commit does not wait for the disk; a crash may lose the last batches
  // of a listing that then stays "running", never corrupt anything.
  EVIDEX_RETURN_IF_ERROR(conn_->Exec("SET LOCAL synchronous_commit = off"));
  std::vector<int64_t> ids;
  if (!files.empty()) {
    Result<PgResult> r = conn_->Query(
        "SELECT nextval(pg_get_serial_sequence('files', 'id')) FROM generate_series(1, $1::int)",
        PgParams().Add(int64_t(files.size())));
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->rows(); ++i) ids.push_back(r->Int(i, 0));
    if (ids.size() != files.size()) return Internal("the files' sequence gave too few ids");
    std::sort(ids.begin(), ids.end());
  }
  std::string file_rows, match_rows, yara_rows;
  std::string listing_id = std::to_string(listing.id);
  std::string evidence_id = std::to_string(listing.evidence_id);
  auto yara_row = [&](const YaraMatchRecord& y, const std::string& file_id, uint64_t offset) {
    std::string& row = yara_rows;
    row += listing_id + '\t' + evidence_id + '\t' + file_id + '\t';
    CopyInt(row, int64_t(offset));
    row += '\t';
    CopyText(row, y.rule);
    row += '\t';
    CopyText(row, y.ns);
    row += '\t';
    CopyText(row, DumpTags(y.tags));
    row += '\t';
    CopyText(row, y.meta.empty() ? "{}" : y.meta);
    row += '\t';
    CopyText(row, y.strings.empty() ? "[]" : y.strings);
    row += '\n';
  };
  for (size_t k = 0; k < files.size(); ++k) {
    const StoredFile& f = files[k].file;
    std::string id = std::to_string(ids[k]);
    std::string& row = file_rows;
    row += id + '\t' + listing_id + '\t' + evidence_id;
    for (const std::string* t : {&f.fs, &f.path, &f.type}) {
      row += '\t';
      CopyText(row, *t);
    }
    row += '\t';
    CopyInt(row, int64_t(f.size));
    row += '\t';
    CopyInt(row, int64_t(f.address));
    row += f.deleted ? "\tt" : "\tf";
    for (const std::optional<int64_t>* t : {&f.modified, &f.accessed, &f.changed, &f.created}) {
      row += '\t';
      CopyTime(row, *t);
    }
    for (const std::string* t :
         {&f.md5, &f.sha1, &f.sha256, &f.mime, &f.ssdeep, &f.tlsh, &f.error}) {
      row += '\t';
      CopyText(row, *t);
    }
    row += '\n';
    for (const FileSetMatch& m : files[k].matches) {
      match_rows += listing_id + '\t' + id + '\t';
      CopyText(match_rows, m.set);
      match_rows += '\t';
      CopyText(match_rows, m.category);
      match_rows += '\t';
      CopyText(match_rows, m.label);
      match_rows += '\n';
    }
    for (const YaraMatchRecord& y : files[k].yara) yara_row(y, id, 0);
  }
  for (const auto& [offset, y] : unallocated) yara_row(y, "\\N", offset);
  if (!file_rows.empty())
    EVIDEX_RETURN_IF_ERROR(conn_->CopyIn(
        "COPY files (id, listing_id, evidence_id, fs, path, type, size, address, deleted, "
        "modified, accessed, changed, created, md5, sha1, sha256, mime, ssdeep, tlsh, error) "
        "FROM STDIN",
        file_rows));
  if (!match_rows.empty())
    EVIDEX_RETURN_IF_ERROR(conn_->CopyIn(
        "COPY file_matches (listing_id, file_id, set_name, category, label) FROM STDIN",
        match_rows));
  if (!yara_rows.empty())
    EVIDEX_RETURN_IF_ERROR(
        conn_->CopyIn("COPY yara_matches (listing_id, evidence_id, file_id, region_offset, rule, "
                      "ns, tags, meta, strings) FROM STDIN",
                      yara_rows));
  listing.files = uint64_t(l->Int(0, 0));
  listing.alerts = uint64_t(l->Int(0, 1));
  listing.yara_matches = uint64_t(l->Int(0, 2));
  listing.updated = now;
  return Status::Ok();
}

// ---- Listings ----

Status PgFiles::Supersede(int64_t evidence_id) {
  Result<PgResult> r = conn_->Query(
      "UPDATE file_listings SET status = 'superseded', updated = $2 "
      "WHERE evidence_id = $1 AND status <> 'superseded' RETURNING id",
      PgParams().Add(evidence_id).Add(vault::UtcNow()));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return Status::Ok();
  std::vector<int64_t> ids;
  for (int i = 0; i < r->rows(); ++i) ids.push_back(r->Int(i, 0));
  PgParams old;
  old.Add(IdArray(ids));
  EVIDEX_RETURN_IF_ERROR(
      conn_->Run("DELETE FROM file_matches WHERE listing_id = ANY($1::bigint[])", old));
  EVIDEX_RETURN_IF_ERROR(
      conn_->Run("DELETE FROM yara_matches WHERE listing_id = ANY($1::bigint[])", old));
  return conn_->Run("DELETE FROM files WHERE listing_id = ANY($1::bigint[])", old);
}

Result<std::unique_ptr<FileWriter>> PgFiles::BeginFiles(FileListing listing) {
  listing.id = 0;
  listing.uuid = NewUuid();
  listing.started = listing.updated = vault::UtcNow();
  listing.finished.clear();
  listing.status = "running";
  listing.report = "{}";
  listing.files = listing.alerts = listing.yara_matches = 0;
  listing.error.clear();
  if (listing.parameters.empty()) listing.parameters = "{}";
  Status st = transaction_([&]() -> Status {
    // The evidence row's lock: two BeginFiles of one evidence take turns.
    Result<PgResult> e = conn_->Query("SELECT case_id FROM evidence WHERE id = $1 FOR UPDATE",
                                      PgParams().Add(listing.evidence_id));
    if (!e.ok()) return e.status();
    if (e->rows() == 0)
      return NotFound("no evidence with id " + std::to_string(listing.evidence_id));
    if (e->Int(0, 0) != listing.case_id)
      return InvalidArgument("evidence " + std::to_string(listing.evidence_id) +
                             " is not in case " + std::to_string(listing.case_id));
    EVIDEX_RETURN_IF_ERROR(Supersede(listing.evidence_id));
    Result<PgResult> r = conn_->Query(
        "INSERT INTO file_listings (uuid, case_id, evidence_id, started, updated, status, "
        "parameters, report) VALUES ($1, $2, $3, $4, $4, 'running', $5, '{}') RETURNING id",
        PgParams()
            .Add(listing.uuid)
            .Add(listing.case_id)
            .Add(listing.evidence_id)
            .Add(listing.started)
            .Add(ValidUtf8(listing.parameters)));
    if (!r.ok()) return r.status();
    listing.id = r->Int(0, 0);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return std::unique_ptr<FileWriter>(std::make_unique<PgFileWriter>(this, std::move(listing)));
}

Result<std::vector<FileListing>> PgFiles::ListFileListings(int64_t case_id) {
  Result<PgResult> r = conn_->Query(std::string("SELECT ") + kListingColumns +
                                        " FROM file_listings WHERE case_id = $1 ORDER BY id",
                                    PgParams().Add(case_id));
  if (!r.ok()) return r.status();
  std::string now = vault::UtcNow();
  std::vector<FileListing> out;
  for (int i = 0; i < r->rows(); ++i) {
    out.push_back(ListingFromRow(PgRow{*r, i}));
    out.back().status = EffectiveListingStatus(out.back(), now);
  }
  return out;
}

// ---- Reading files ----

Status PgFiles::ForEachFile(int64_t evidence_id, bool with_matches,
                            const std::function<bool(const FileIn&)>& each) {
  Result<PgResult> l = conn_->Query(
      "SELECT id FROM file_listings WHERE evidence_id = $1 AND status <> 'superseded' "
      "ORDER BY id DESC LIMIT 1",
      PgParams().Add(evidence_id));
  if (!l.ok()) return l.status();
  if (l->rows() == 0) return Status::Ok();
  int64_t listing = l->Int(0, 0);
  FileIn in;
  for (int64_t after = 0;;) {
    Result<PgResult> f = conn_->Query(std::string("SELECT ") + kFileColumns +
                                          " FROM files f WHERE f.listing_id = $1 AND f.id > $2 "
                                          "ORDER BY f.id LIMIT $3",
                                      PgParams().Add(listing).Add(after).Add(kPage));
    if (!f.ok()) return f.status();
    int n = f->rows();
    if (n == 0) return Status::Ok();
    int64_t last = f->Int(n - 1, 0);
    PgResult matches, yara;
    if (with_matches) {
      PgParams range;
      range.Add(listing).Add(after).Add(last);
      Result<PgResult> m = conn_->Query(
          "SELECT file_id, set_name, category, label FROM file_matches WHERE listing_id = $1 "
          "AND file_id > $2 AND file_id <= $3 ORDER BY file_id, id",
          range);
      if (!m.ok()) return m.status();
      matches = std::move(m).value();
      Result<PgResult> y = conn_->Query(
          "SELECT file_id, rule, ns, tags, meta, strings FROM yara_matches WHERE listing_id = $1 "
          "AND file_id > $2 AND file_id <= $3 ORDER BY file_id, id",
          range);
      if (!y.ok()) return y.status();
      yara = std::move(y).value();
    }
    int mi = 0, yi = 0;
    for (int i = 0; i < n; ++i) {
      in.file = FileFromRow(PgRow{*f, i});
      in.matches.clear();
      in.yara.clear();
      if (with_matches) {
        for (; mi < matches.rows() && matches.Int(mi, 0) <= in.file.id; ++mi)
          if (matches.Int(mi, 0) == in.file.id)
            in.matches.push_back({matches.Text(mi, 1), matches.Text(mi, 2), matches.Text(mi, 3)});
        for (; yi < yara.rows() && yara.Int(yi, 0) <= in.file.id; ++yi)
          if (yara.Int(yi, 0) == in.file.id) in.yara.push_back(ReadYara(yara, yi, 1));
      }
      if (!each(in)) return Status::Ok();
    }
    if (n < kPage) return Status::Ok();
    after = last;
  }
}

Status PgFiles::ForEachFuzzyFile(
    int64_t case_id, const std::function<bool(const StoredFile&, const Sighting&)>& each) {
  Result<PgResult> l = conn_->Query(kCurrentListings, PgParams().Add(case_id));
  if (!l.ok()) return l.status();
  for (int k = 0; k < l->rows(); ++k) {
    Sighting where = ReadWhere(*l, k);
    int64_t listing = l->Int(k, 5);
    for (int64_t after = 0;;) {
      Result<PgResult> f =
          conn_->Query(std::string("SELECT ") + kFileColumns +
                           " FROM files f WHERE f.listing_id = $1 AND f.id > $2 AND "
                           "(ssdeep <> '' OR tlsh <> '') ORDER BY f.id LIMIT $3",
                       PgParams().Add(listing).Add(after).Add(kPage));
      if (!f.ok()) return f.status();
      int n = f->rows();
      for (int i = 0; i < n; ++i)
        if (!each(FileFromRow(PgRow{*f, i}), where)) return Status::Ok();
      if (n < kPage) break;
      after = f->Int(n - 1, 0);
    }
  }
  return Status::Ok();
}

Result<std::vector<std::pair<StoredFile, Sighting>>> PgFiles::FindFilesByHash(
    const std::string& hash) {
  std::vector<std::pair<StoredFile, Sighting>> out;
  std::string h = Lower(hash);
  std::string column = HashColumn(h);
  if (column.empty()) return out;
  Result<PgResult> r = conn_->Query(
      std::string("SELECT l.case_id, c.number, l.evidence_id, e.number, e.label, ") + kFileColumns +
          " FROM files f JOIN file_listings l ON l.id = f.listing_id " +
          "JOIN cases c ON c.id = l.case_id JOIN evidence e ON e.id = l.evidence_id " + "WHERE f." +
          column + " = $1 AND f." + column + " <> '' AND l.status <> 'superseded' " +
          "ORDER BY l.case_id, e.number, f.id",
      PgParams().Add(ValidUtf8(h)));
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i)
    out.emplace_back(FileFromRow(PgRow{*r, i}, 5), ReadWhere(*r, i));
  return out;
}

// ---- Alerts ----

Result<std::vector<FileAlert>> PgFiles::ListFileAlerts(int64_t case_id) {
  std::vector<NumberedAlert> all;
  auto start = [&](const PgResult& r, int i, const char* kind) -> FileAlert& {
    NumberedAlert& n = all.emplace_back();
    n.evidence_number = r.Int(i, 3);
    Sighting where = ReadWhere(r, i);
    FileAlert& a = n.alert;
    a.kind = kind;
    a.case_id = where.case_id;
    a.case_number = where.case_number;
    a.evidence_id = where.evidence_id;
    a.evidence_name = where.evidence_name;
    a.evidence_label = where.evidence_label;
    return a;
  };
  const std::string listings =
      "FROM file_listings l JOIN cases c ON c.id = l.case_id JOIN evidence e ON e.id = "
      "l.evidence_id ";
  const std::string current =
      "l.status <> 'superseded' AND ($1::bigint = 0 OR l.case_id = $1::bigint)";
  const std::string where = std::string("SELECT l.case_id, c.number, l.evidence_id, e.number, ") +
                            "e.label, " + kFileColumns;
  const int at = 5 + kFileColumnCount;
  PgParams params;
  params.Add(case_id);

  Result<PgResult> h =
      conn_->Query(where + ", m.set_name, m.category, m.label " + listings +
                       "JOIN file_matches m ON m.listing_id = l.id AND m.category = 'alert' "
                       "JOIN files f ON f.id = m.file_id WHERE " +
                       current + " ORDER BY l.case_id, e.number, m.file_id, m.id",
                   params);
  if (!h.ok()) return h.status();
  for (int i = 0; i < h->rows(); ++i) {
    FileAlert& a = start(*h, i, "hashset");
    a.file = FileFromRow(PgRow{*h, i}, 5);
    a.set = {h->Text(i, at), h->Text(i, at + 1), h->Text(i, at + 2)};
  }

  Result<PgResult> y = conn_->Query(
      where + ", y.file_id IS NULL, y.region_offset, y.rule, y.ns, y.tags, y.meta, y.strings " +
          listings +
          "JOIN yara_matches y ON y.listing_id = l.id LEFT JOIN files f ON f.id = y.file_id "
          "WHERE " +
          current +
          " ORDER BY l.case_id, e.number, y.file_id IS NULL, y.file_id, y.region_offset, y.id",
      params);
  if (!y.ok()) return y.status();
  for (int i = 0; i < y->rows(); ++i) {
    FileAlert& a = start(*y, i, "yara");
    if (!y->Bool(i, at)) a.file = FileFromRow(PgRow{*y, i}, 5);
    a.offset = uint64_t(y->Int(i, at + 1));
    a.yara = ReadYara(*y, i, at + 2);
  }

  std::string watch;
  for (const char* column : {"md5", "sha1", "sha256"}) {
    if (!watch.empty()) watch += " UNION ALL ";
    std::string col = column;
    watch += where + ", w.id, w.name, i.id, i.kind, i.value, i.original, i.type, i.comment, " +
             "i.reference FROM indicators i JOIN files f ON f." + col + " = i.value AND f." + col +
             " <> '' JOIN file_listings l ON l.id = f.listing_id " +
             "JOIN cases c ON c.id = l.case_id JOIN evidence e ON e.id = l.evidence_id " +
             "JOIN watchlists w ON w.id = i.watchlist_id WHERE i.kind = '" + col + "' AND " +
             current;
  }
  // Result columns: 1 case id, 4 evidence number, 6 file id, 25 watchlist id, 27 indicator id.
  watch += " ORDER BY 1, 4, 6, 25, 27";
  Result<PgResult> w = conn_->Query(watch, params);
  if (!w.ok()) return w.status();
  for (int i = 0; i < w->rows(); ++i) {
    FileAlert& a = start(*w, i, "watchlist");
    a.file = FileFromRow(PgRow{*w, i}, 5);
    a.watchlist = w->Text(i, at + 1);
    a.indicator = {w->Text(i, at + 3), w->Text(i, at + 4), w->Text(i, at + 5),
                   w->Text(i, at + 6), w->Text(i, at + 7), w->Text(i, at + 8)};
  }
  return OrderAlerts(std::move(all));
}

}  // namespace evidex::store
