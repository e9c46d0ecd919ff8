// The SQLite back end's files inside evidence (sqlite_files.h).
//
// The writer copies what it is handed into a buffer and writes it in batches, one transaction
// each, with reused statements: a files row, then its matches under the id SQLite gave it. Reads
// walk a listing's files by the (listing_id, id) index and, with matches, its file_matches and
// yara_matches in file order beside them (a merge, not a look-up per file).
#include "store/sqlite_files.h"

#include <chrono>
#include <optional>

#include "store/store_common.h"
#include "vault/custody.h"

namespace evidex::store {
namespace {

using Clock = std::chrono::steady_clock;

// A batch is committed a second after the previous one, or at this many files or bytes buffered.
constexpr size_t kBatchFiles = 20'000;
constexpr size_t kBatchBytes = 64 << 20;
constexpr auto kBatchAge = std::chrono::seconds(1);

void BindTime(Statement& s, int index, const std::optional<int64_t>& t) {
  if (t)
    s.Bind(index, *t);
  else
    s.BindNull(index);
}

// Columns after a file's kFileColumns in the match queries.
YaraMatchRecord ReadYara(const Statement& s, int at) {
  YaraMatchRecord y;
  y.rule = s.Text(at);
  y.ns = s.Text(at + 1);
  y.tags = ParseTags(s.Text(at + 2));
  y.meta = s.Text(at + 3);
  y.strings = s.Text(at + 4);
  return y;
}

// case id, case number, evidence id, evidence number, evidence label.
Sighting ReadWhere(const Statement& s, int at = 0) {
  Sighting g;
  g.case_id = s.Int(at);
  g.case_number = s.Text(at + 1);
  g.evidence_id = s.Int(at + 2);
  g.evidence_name = "E" + std::to_string(s.Int(at + 3));
  g.evidence_label = s.Text(at + 4);
  return g;
}

// The listings not superseded (of one case when case_id != 0), by case then evidence number;
// joined as `l`, `c` and `e`, the where columns first.
constexpr char kCurrentListings[] =
    "SELECT l.case_id, c.number, l.evidence_id, e.number, e.label, l.id FROM file_listings l "
    "JOIN cases c ON c.id = l.case_id JOIN evidence e ON e.id = l.evidence_id "
    "WHERE l.status <> 'superseded' AND (?1 = 0 OR l.case_id = ?1) ORDER BY l.case_id, e.number";

class SqliteFileWriter : public FileWriter {
 public:
  SqliteFileWriter(Db* db, TransactionRunner transaction, FileListing listing)
      : db_(db), bulk_(db), transaction_(std::move(transaction)), listing_(std::move(listing)) {}

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
    if ((pending_.empty() && unallocated_.empty()) || Clock::now() - last_write_ < kBatchAge)
      return Status::Ok();
    return Flush();
  }
  Status Prepare();
  Status CheckRunning();
  // The buffer, in the caller's transaction; `counts` gets what it added.
  Status WriteBatch(uint64_t counts[3]);
  Status Flush();
  void Published(const uint64_t counts[3]) {
    listing_.files += counts[0];
    listing_.alerts += counts[1];
    listing_.yara_matches += counts[2];
    pending_.clear();
    unallocated_.clear();
    bytes_ = 0;
  }

  Db* db_;
  BulkWrites bulk_;
  TransactionRunner transaction_;
  FileListing listing_;
  bool finished_ = false;
  std::vector<FileIn> pending_;
  std::vector<std::pair<uint64_t, YaraMatchRecord>> unallocated_;
  size_t bytes_ = 0;
  Clock::time_point last_write_ = Clock::now();

  bool prepared_ = false;
  Statement check_, insert_file_, insert_match_, insert_yara_, update_;
};

Status SqliteFileWriter::Prepare() {
  if (prepared_) return Status::Ok();
  auto prep = [&](Statement& s, const char* sql) -> Status {
    Result<Statement> r = db_->Prepare(sql);
    if (!r.ok()) return r.status();
    s = std::move(r).value();
    return Status::Ok();
  };
  EVIDEX_RETURN_IF_ERROR(prep(check_, "SELECT status FROM file_listings WHERE id = ?1"));
  EVIDEX_RETURN_IF_ERROR(prep(
      insert_file_,
      "INSERT INTO files (listing_id, evidence_id, fs, path, type, size, address, deleted, "
      "modified, accessed, changed, created, md5, sha1, sha256, mime, ssdeep, tlsh, error) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
      "?19)"));
  EVIDEX_RETURN_IF_ERROR(prep(insert_match_,
                              "INSERT INTO file_matches (listing_id, file_id, set_name, category, "
                              "label) VALUES (?1, ?2, ?3, ?4, ?5)"));
  EVIDEX_RETURN_IF_ERROR(
      prep(insert_yara_,
           "INSERT INTO yara_matches (listing_id, evidence_id, file_id, region_offset, rule, ns, "
           "tags, meta, strings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  EVIDEX_RETURN_IF_ERROR(prep(update_,
                              "UPDATE file_listings SET files = files + ?2, alerts = alerts + ?3, "
                              "yara_matches = yara_matches + ?4, updated = ?5 WHERE id = ?1"));
  prepared_ = true;
  return Status::Ok();
}

Status SqliteFileWriter::CheckRunning() {
  check_.Reset();
  check_.Bind(1, listing_.id);
  Result<bool> row = check_.Step();
  if (!row.ok()) return row.status();
  std::string status = *row ? check_.Text(0) : "";
  check_.Reset();
  if (status != "running")
    return InvalidArgument("file listing " + listing_.uuid +
                           " was superseded by a later listing of the same evidence (or "
                           "finished); nothing more of it is stored");
  return Status::Ok();
}

Status SqliteFileWriter::WriteBatch(uint64_t counts[3]) {
  counts[0] = counts[1] = counts[2] = 0;
  EVIDEX_RETURN_IF_ERROR(CheckRunning());
  auto yara = [&](const YaraMatchRecord& y, std::optional<int64_t> file_id,
                  uint64_t offset) -> Status {
    Statement& s = insert_yara_;
    s.Reset();
    s.Bind(1, listing_.id).Bind(2, listing_.evidence_id);
    if (file_id)
      s.Bind(3, *file_id);
    else
      s.BindNull(3);
    s.Bind(4, int64_t(offset)).BindView(5, y.rule).BindView(6, y.ns).Bind(7, DumpTags(y.tags));
    s.BindView(8, y.meta.empty() ? std::string_view("{}") : std::string_view(y.meta));
    s.BindView(9, y.strings.empty() ? std::string_view("[]") : std::string_view(y.strings));
    ++counts[2];
    return s.Run();
  };
  for (const FileIn& in : pending_) {
    const StoredFile& f = in.file;
    Statement& s = insert_file_;
    s.Reset();
    s.Bind(1, listing_.id).Bind(2, listing_.evidence_id).BindView(3, f.fs).BindView(4, f.path);
    s.BindView(5, f.type).Bind(6, int64_t(f.size)).Bind(7, int64_t(f.address));
    s.Bind(8, int64_t(f.deleted ? 1 : 0));
    BindTime(s, 9, f.modified);
    BindTime(s, 10, f.accessed);
    BindTime(s, 11, f.changed);
    BindTime(s, 12, f.created);
    s.BindView(13, f.md5).BindView(14, f.sha1).BindView(15, f.sha256).BindView(16, f.mime);
    s.BindView(17, f.ssdeep).BindView(18, f.tlsh).BindView(19, f.error);
    EVIDEX_RETURN_IF_ERROR(s.Run());
    int64_t id = db_->LastInsertId();
    ++counts[0];
    if (IsAlertFile(in)) ++counts[1];
    for (const FileSetMatch& m : in.matches) {
      Statement& q = insert_match_;
      q.Reset();
      q.Bind(1, listing_.id).Bind(2, id).BindView(3, m.set).BindView(4, m.category);
      q.BindView(5, m.label);
      EVIDEX_RETURN_IF_ERROR(q.Run());
    }
    for (const YaraMatchRecord& y : in.yara) EVIDEX_RETURN_IF_ERROR(yara(y, id, 0));
  }
  for (const auto& [offset, y] : unallocated_)
    EVIDEX_RETURN_IF_ERROR(yara(y, std::nullopt, offset));
  update_.Reset();
  update_.Bind(1, listing_.id).Bind(2, int64_t(counts[0])).Bind(3, int64_t(counts[1]));
  update_.Bind(4, int64_t(counts[2])).Bind(5, vault::UtcNow());
  return update_.Run();
}

Status SqliteFileWriter::Flush() {
  EVIDEX_RETURN_IF_ERROR(Prepare());
  uint64_t counts[3];
  Status st = WithWriteLock(*db_, transaction_, [&] { return WriteBatch(counts); });
  last_write_ = Clock::now();
  if (!st.ok()) return st;
  Published(counts);
  return Status::Ok();
}

Result<FileListing> SqliteFileWriter::Finish(const std::string& status, const std::string& error,
                                             const std::string& report) {
  if (finished_) return InvalidArgument("file listing " + listing_.uuid + " is finished already");
  if (status != "complete" && status != "interrupted" && status != "failed")
    return InvalidArgument("a file listing finishes as complete, interrupted or failed, not '" +
                           status + "'");
  EVIDEX_RETURN_IF_ERROR(Prepare());
  uint64_t counts[3];
  std::optional<FileListing> done;
  Status st = WithWriteLock(*db_, transaction_, [&]() -> Status {
    EVIDEX_RETURN_IF_ERROR(WriteBatch(counts));  // checks that the listing is still running
    std::string now = vault::UtcNow();
    EVIDEX_RETURN_IF_ERROR(Exec(*db_,
                                "UPDATE file_listings SET status = ?2, error = ?3, report = ?4, "
                                "finished = ?5, updated = ?5 WHERE id = ?1",
                                [&](Statement& s) {
                                  s.Bind(1, listing_.id).Bind(2, status).Bind(3, error);
                                  s.Bind(4, report.empty() ? std::string("{}") : report);
                                  s.Bind(5, now);
                                }));
    return Query(
        *db_, std::string("SELECT ") + kListingColumns + " FROM file_listings WHERE id = ?1",
        [&](Statement& s) { s.Bind(1, listing_.id); },
        [&](const Statement& s) {
          done = ListingFromRow(s);
          return false;
        });
  });
  last_write_ = Clock::now();
  if (!st.ok()) return st;
  if (!done) return Internal("file listing " + listing_.uuid + " vanished while finishing");
  Published(counts);
  finished_ = true;
  listing_ = *done;
  return listing_;
}

// One stream of matches in file order, merged beside a listing's files.
class MatchStream {
 public:
  Status Open(Db& db, const std::string& sql, int64_t listing_id) {
    Result<Statement> s = db.Prepare(sql);
    if (!s.ok()) return s.status();
    s_ = std::move(s).value();
    s_.Bind(1, listing_id);
    return Next();
  }
  // The current row's file id; 0 when done (ids are > 0).
  int64_t file() const { return done_ ? 0 : s_.Int(0); }
  const Statement& row() const { return s_; }
  Status Next() {
    Result<bool> more = s_.Step();
    if (!more.ok()) return more.status();
    done_ = !*more;
    return Status::Ok();
  }
  // Passes the rows of file `id` to `take` (rows of files before it, which cannot exist, are
  // skipped).
  Status TakeFor(int64_t id, const std::function<void(const Statement&)>& take) {
    while (!done_ && s_.Int(0) <= id) {
      if (s_.Int(0) == id) take(s_);
      EVIDEX_RETURN_IF_ERROR(Next());
    }
    return Status::Ok();
  }

 private:
  Statement s_;
  bool done_ = true;
};

}  // namespace

// ---- Listings ----

Status SqliteFiles::Supersede(int64_t evidence_id) {
  std::vector<int64_t> old;
  EVIDEX_RETURN_IF_ERROR(Query(
      *db_, "SELECT id FROM file_listings WHERE evidence_id = ?1 AND status <> 'superseded'",
      [&](Statement& s) { s.Bind(1, evidence_id); },
      [&](const Statement& s) {
        old.push_back(s.Int(0));
        return true;
      }));
  std::string now = vault::UtcNow();
  for (int64_t id : old) {
    auto bind = [&](Statement& s) { s.Bind(1, id); };
    EVIDEX_RETURN_IF_ERROR(Exec(*db_, "DELETE FROM file_matches WHERE listing_id = ?1", bind));
    EVIDEX_RETURN_IF_ERROR(Exec(*db_, "DELETE FROM yara_matches WHERE listing_id = ?1", bind));
    EVIDEX_RETURN_IF_ERROR(Exec(*db_, "DELETE FROM files WHERE listing_id = ?1", bind));
    EVIDEX_RETURN_IF_ERROR(
        Exec(*db_, "UPDATE file_listings SET status = 'superseded', updated = ?2 WHERE id = ?1",
             [&](Statement& s) { s.Bind(1, id).Bind(2, now); }));
  }
  return Status::Ok();
}

Result<std::unique_ptr<FileWriter>> SqliteFiles::BeginFiles(FileListing listing) {
  listing.id = 0;
  listing.uuid = NewUuid();
  listing.started = listing.updated = vault::UtcNow();
  listing.finished.clear();
  listing.status = "running";
  listing.report = "{}";
  listing.files = listing.alerts = listing.yara_matches = 0;
  listing.error.clear();
  if (listing.parameters.empty()) listing.parameters = "{}";
  Status st = WithWriteLock(
      *db_, transaction_,
      [&]() -> Status {
        EVIDEX_RETURN_IF_ERROR(CheckEvidenceInCase(*db_, listing.evidence_id, listing.case_id));
        EVIDEX_RETURN_IF_ERROR(Supersede(listing.evidence_id));
        EVIDEX_RETURN_IF_ERROR(
            Exec(*db_,
                 "INSERT INTO file_listings (uuid, case_id, evidence_id, started, updated, status, "
                 "parameters, report) VALUES (?1, ?2, ?3, ?4, ?4, 'running', ?5, '{}')",
                 [&](Statement& s) {
                   s.Bind(1, listing.uuid).Bind(2, listing.case_id).Bind(3, listing.evidence_id);
                   s.Bind(4, listing.started).Bind(5, listing.parameters);
                 }));
        listing.id = db_->LastInsertId();
        return Status::Ok();
      },
      /*may_nest=*/true);
  if (!st.ok()) return st;
  return std::unique_ptr<FileWriter>(new SqliteFileWriter(db_, transaction_, std::move(listing)));
}

Result<std::vector<FileListing>> SqliteFiles::ListFileListings(int64_t case_id) {
  std::vector<FileListing> out;
  std::string now = vault::UtcNow();
  Status st = Query(
      *db_,
      std::string("SELECT ") + kListingColumns +
          " FROM file_listings WHERE case_id = ?1 ORDER BY id",
      [&](Statement& s) { s.Bind(1, case_id); },
      [&](const Statement& s) {
        out.push_back(ListingFromRow(s));
        out.back().status = EffectiveListingStatus(out.back(), now);
        return true;
      });
  if (!st.ok()) return st;
  return out;
}

// ---- Reading files ----

Status SqliteFiles::ForEachFile(int64_t evidence_id, bool with_matches,
                                const std::function<bool(const FileIn&)>& each) {
  std::optional<int64_t> listing;
  EVIDEX_RETURN_IF_ERROR(Query(
      *db_,
      "SELECT id FROM file_listings WHERE evidence_id = ?1 AND status <> 'superseded' "
      "ORDER BY id DESC LIMIT 1",
      [&](Statement& s) { s.Bind(1, evidence_id); },
      [&](const Statement& s) {
        listing = s.Int(0);
        return false;
      }));
  if (!listing) return Status::Ok();
  MatchStream matches, yara;
  if (with_matches) {
    EVIDEX_RETURN_IF_ERROR(matches.Open(*db_,
                                        "SELECT file_id, set_name, category, label FROM "
                                        "file_matches WHERE listing_id = ?1 ORDER BY file_id, id",
                                        *listing));
    EVIDEX_RETURN_IF_ERROR(
        yara.Open(*db_,
                  "SELECT file_id, rule, ns, tags, meta, strings FROM yara_matches "
                  "WHERE listing_id = ?1 AND file_id IS NOT NULL ORDER BY file_id, id",
                  *listing));
  }
  Result<Statement> files = db_->Prepare(std::string("SELECT ") + kFileColumns +
                                         " FROM files f WHERE f.listing_id = ?1 ORDER BY f.id");
  if (!files.ok()) return files.status();
  files->Bind(1, *listing);
  FileIn in;
  for (;;) {
    Result<bool> more = files->Step();
    if (!more.ok()) return more.status();
    if (!*more) return Status::Ok();
    in.file = FileFromRow(*files);
    in.matches.clear();
    in.yara.clear();
    if (with_matches) {
      EVIDEX_RETURN_IF_ERROR(matches.TakeFor(in.file.id, [&](const Statement& s) {
        in.matches.push_back({s.Text(1), s.Text(2), s.Text(3)});
      }));
      EVIDEX_RETURN_IF_ERROR(
          yara.TakeFor(in.file.id, [&](const Statement& s) { in.yara.push_back(ReadYara(s, 1)); }));
    }
    if (!each(in)) return Status::Ok();
  }
}

Status SqliteFiles::ForEachFuzzyFile(
    int64_t case_id, const std::function<bool(const StoredFile&, const Sighting&)>& each) {
  std::vector<std::pair<Sighting, int64_t>> listings;
  EVIDEX_RETURN_IF_ERROR(Query(
      *db_, kCurrentListings, [&](Statement& s) { s.Bind(1, case_id); },
      [&](const Statement& s) {
        listings.emplace_back(ReadWhere(s), s.Int(5));
        return true;
      }));
  Result<Statement> q = db_->Prepare(std::string("SELECT ") + kFileColumns +
                                     " FROM files f WHERE f.listing_id = ?1 AND "
                                     "(ssdeep <> '' OR tlsh <> '') ORDER BY f.id");
  if (!q.ok()) return q.status();
  for (const auto& [where, listing] : listings) {
    q->Reset();
    q->Bind(1, listing);
    for (;;) {
      Result<bool> more = q->Step();
      if (!more.ok()) return more.status();
      if (!*more) break;
      if (!each(FileFromRow(*q), where)) return Status::Ok();
    }
  }
  return Status::Ok();
}

Result<std::vector<std::pair<StoredFile, Sighting>>> SqliteFiles::FindFilesByHash(
    const std::string& hash) {
  std::vector<std::pair<StoredFile, Sighting>> out;
  std::string h = Lower(hash);
  std::string column = HashColumn(h);
  if (column.empty()) return out;
  Status st = Query(
      *db_,
      std::string("SELECT l.case_id, c.number, l.evidence_id, e.number, e.label, ") + kFileColumns +
          " FROM files f JOIN file_listings l ON l.id = f.listing_id " +
          "JOIN cases c ON c.id = l.case_id JOIN evidence e ON e.id = l.evidence_id " + "WHERE f." +
          column + " = ?1 AND f." + column + " <> '' AND l.status <> 'superseded' " +
          "ORDER BY l.case_id, e.number, f.id",
      [&](Statement& s) { s.Bind(1, h); },
      [&](const Statement& s) {
        out.emplace_back(FileFromRow(s, 5), ReadWhere(s));
        return true;
      });
  if (!st.ok()) return st;
  return out;
}

// ---- Alerts ----

Result<std::vector<FileAlert>> SqliteFiles::ListFileAlerts(int64_t case_id) {
  std::vector<NumberedAlert> all;
  auto start = [&](const Statement& s, const char* kind) -> FileAlert& {
    NumberedAlert& n = all.emplace_back();
    n.evidence_number = s.Int(3);
    Sighting where = ReadWhere(s);
    FileAlert& a = n.alert;
    a.kind = kind;
    a.case_id = where.case_id;
    a.case_number = where.case_number;
    a.evidence_id = where.evidence_id;
    a.evidence_name = where.evidence_name;
    a.evidence_label = where.evidence_label;
    return a;
  };
  auto bind = [&](Statement& s) { s.Bind(1, case_id); };
  // The current listings as `l` (joined to `c` and `e`), then the kind's rows; ordered within an
  // evidence by file. Every query starts from the few listings and their alert rows.
  const std::string listings =
      "FROM file_listings l JOIN cases c ON c.id = l.case_id JOIN evidence e ON e.id = "
      "l.evidence_id ";
  const std::string current = "l.status <> 'superseded' AND (?1 = 0 OR l.case_id = ?1)";
  const std::string where = std::string("SELECT l.case_id, c.number, l.evidence_id, e.number, ") +
                            "e.label, " + kFileColumns;
  EVIDEX_RETURN_IF_ERROR(
      Query(*db_,
            where + ", m.set_name, m.category, m.label " + listings +
                "CROSS JOIN file_matches m ON m.listing_id = l.id AND m.category = 'alert' "
                "CROSS JOIN files f ON f.id = m.file_id WHERE " +
                current + " ORDER BY l.case_id, e.number, m.file_id, m.id",
            bind, [&](const Statement& s) {
              FileAlert& a = start(s, "hashset");
              a.file = FileFromRow(s, 5);
              int at = 5 + kFileColumnCount;
              a.set = {s.Text(at), s.Text(at + 1), s.Text(at + 2)};
              return true;
            }));
  EVIDEX_RETURN_IF_ERROR(Query(
      *db_,
      where + ", y.file_id IS NULL, y.region_offset, y.rule, y.ns, y.tags, y.meta, y.strings " +
          listings +
          "CROSS JOIN yara_matches y ON y.listing_id = l.id "
          "LEFT JOIN files f ON f.id = y.file_id WHERE " +
          current +
          " ORDER BY l.case_id, e.number, y.file_id IS NULL, y.file_id, y.region_offset, y.id",
      bind, [&](const Statement& s) {
        FileAlert& a = start(s, "yara");
        int at = 5 + kFileColumnCount;
        if (s.Int(at) == 0) a.file = FileFromRow(s, 5);
        a.offset = uint64_t(s.Int(at + 1));
        a.yara = ReadYara(s, at + 2);
        return true;
      }));
  // Watchlists: from the hash indicators (a few thousand, usually) into the files' hash indexes.
  std::string watch;
  for (const char* column : {"md5", "sha1", "sha256"}) {
    if (!watch.empty()) watch += " UNION ALL ";
    std::string col = column;
    watch += where + ", w.id, w.name, i.id, i.kind, i.value, i.original, i.type, i.comment, " +
             "i.reference FROM indicators i CROSS JOIN files f ON f." + col + " = i.value AND f." +
             col + " <> '' JOIN file_listings l ON l.id = f.listing_id " +
             "JOIN cases c ON c.id = l.case_id JOIN evidence e ON e.id = l.evidence_id " +
             "JOIN watchlists w ON w.id = i.watchlist WHERE i.kind = '" + col + "' AND " + current;
  }
  // Result columns: 1 case id, 4 evidence number, 6 file id, 25 watchlist id, 27 indicator id.
  watch += " ORDER BY 1, 4, 6, 25, 27";
  EVIDEX_RETURN_IF_ERROR(Query(*db_, watch, bind, [&](const Statement& s) {
    FileAlert& a = start(s, "watchlist");
    a.file = FileFromRow(s, 5);
    int at = 5 + kFileColumnCount;
    a.watchlist = s.Text(at + 1);
    a.indicator = {s.Text(at + 3), s.Text(at + 4), s.Text(at + 5),
                   s.Text(at + 6), s.Text(at + 7), s.Text(at + 8)};
    return true;
  }));
  return OrderAlerts(std::move(all));
}

}  // namespace evidex::store
