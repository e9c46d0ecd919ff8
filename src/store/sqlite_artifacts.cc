// The SQLite back end's scans, artifacts, correlation and watchlists (sqlite_artifacts.h).
//
// The write path is built for ingest speed (store.h asks for tens of millions of occurrences):
// ScanWriter copies occurrences into one buffer, resolves (kind, value) to an artifact id through
// a bounded in-memory cache, and writes ~100,000 at a time in one transaction with reused
// statements. Occurrences are appended in id order (a rowid table, no secondary index during the
// scan); their (scan, artifact) index and the per-evidence counts are written at Finish, sorted, so
// neither takes a random insert per occurrence.
#include "store/sqlite_artifacts.h"
#include "store/sqlite_case_artifacts.h"
#include "store/store_common.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "vault/custody.h"

namespace evidex::store {

// Runs `body` in the store's transaction, waiting up to kWriterLockWaitSeconds for the write lock
// (the busy timeout is shorter; another writer's Finish may hold the lock for seconds). Outside a
// caller's transaction the commit is synchronous=NORMAL: in WAL mode that skips the fsync per
// commit, and a power cut can lose only the last scan batches, which a re-run stores again; the
// next synchronous=FULL commit (custody) makes them durable too.
// `may_nest`: whether a transaction the caller opened may hold it (the scan writer's may not: its
// id cache and counts assume that what it wrote is committed when the body returns).
Status WithWriteLock(Db& db, const TransactionRunner& transaction,
                     const std::function<Status()>& body, bool may_nest) {
  if (db.InTransaction()) {
    if (!may_nest)
      return InvalidArgument(
          "a scan or file writer commits its own batches; it cannot write inside "
          "Store::Transaction");
    return transaction(body);
  }
  EVIDEX_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = NORMAL"));
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + std::chrono::seconds(kWriterLockWaitSeconds);
  Status st;
  for (;;) {
    bool ran = false;
    st = transaction([&]() -> Status {
      ran = true;
      return body();
    });
    if (st.ok() || st.code() != Code::kLimit || ran || Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Status restore = db.Exec("PRAGMA synchronous = FULL");
  return st.ok() ? restore : st;
}

namespace {

using Clock = std::chrono::steady_clock;

// A batch is committed a second after the previous one, or sooner when it holds this many
// occurrences or bytes. Each commit rewrites every index page the batch touched (the artifacts'
// unique and suffix indexes take random inserts), so fewer, larger batches write far less: the
// contract's "at most every ~1 s or ~100,000 occurrences" is read as a bound on how often.
constexpr size_t kBatchOccurrences = 500'000;
constexpr size_t kBatchBytes = 64 << 20;
constexpr auto kBatchAge = std::chrono::seconds(1);
// Entries per generation of the (kind, value) -> id cache: at most twice this many are held
// (~100 bytes each), the older generation dropped when the newer fills.
constexpr size_t kCacheGeneration = 250'000;
// Occurrences per INSERT statement: one statement per row costs as much again in SQLite's
// per-statement work as the row itself.
constexpr int kRowsPerInsert = 64;
constexpr int kOccurrenceColumns = 7;
// Correlation lists at most this many other sightings per artifact (store.h).
constexpr size_t kElsewhere = 20;

// An artifact's cases and occurrences are not stored with it (updating them at every Finish was a
// random row write per artifact of the scan): they are read from its evidence_artifacts rows, one
// range of the covering index (artifact, case_id, count) each.
#define EVIDEX_CASES_OF_A \
  "(SELECT COUNT(DISTINCT x.case_id) FROM evidence_artifacts x WHERE x.artifact = a.id)"
#define EVIDEX_OCCURRENCES_OF_A \
  "(SELECT SUM(x.count) FROM evidence_artifacts x WHERE x.artifact = a.id)"
constexpr char kArtifactColumns[] =
    "a.id, a.kind, a.value, " EVIDEX_CASES_OF_A " AS n_cases, " EVIDEX_OCCURRENCES_OF_A;
// Held by a case: has at least one evidence_artifacts row.
constexpr char kHeld[] = " EXISTS (SELECT 1 FROM evidence_artifacts x WHERE x.artifact = a.id)";

// The distinct kinds, one index seek each (a loose index scan of UNIQUE (kind, value)): lets a
// look-up "of any kind" use that index without a second index on value alone.
constexpr char kKindsCte[] =
    "WITH RECURSIVE kinds(k) AS (SELECT MIN(kind) FROM artifacts UNION ALL "
    "SELECT (SELECT MIN(kind) FROM artifacts WHERE kind > k) FROM kinds WHERE k IS NOT NULL) ";

bool HasSuffixIndex(std::string_view kind) { return kind == "email" || kind == "domain"; }

std::string Reversed(std::string_view s) { return std::string(s.rbegin(), s.rend()); }

// The smallest string greater than every string starting with `s`; nullopt when there is none.
std::optional<std::string> PrefixEnd(std::string s) {
  while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xff) s.pop_back();
  if (s.empty()) return std::nullopt;
  s.back() = char(static_cast<unsigned char>(s.back()) + 1);
  return s;
}

Artifact ReadArtifact(const Statement& s, int first = 0) {
  Artifact a;
  a.id = s.Int(first);
  a.kind = s.Text(first + 1);
  a.value = s.Text(first + 2);
  a.cases = uint64_t(s.Int(first + 3));
  a.occurrences = uint64_t(s.Int(first + 4));
  return a;
}

// Maps "kind\0value" to an artifact id. Two generations bound the memory: lookups promote from
// the older one; when the newer fills, the older is dropped. Ids stay valid because artifacts are
// never deleted.
struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};
using KeyMap = std::unordered_map<std::string, int64_t, KeyHash, std::equal_to<>>;

class ArtifactIdCache {
 public:
  int64_t Find(std::string_view key) {
    if (auto it = current_.find(key); it != current_.end()) return it->second;
    auto it = previous_.find(key);
    if (it == previous_.end()) return 0;
    int64_t id = it->second;
    Put(previous_.extract(it));
    return id;
  }
  // Takes the entry over without copying its key.
  void Put(KeyMap::node_type&& entry) {
    if (current_.size() >= kCacheGeneration) {
      previous_.swap(current_);
      current_.clear();
    }
    current_.insert(std::move(entry));
  }

 private:
  KeyMap current_, previous_;
};

// Occurrences per artifact id (ids are > 0): open addressing, no allocation per entry.
class CountMap {
 public:
  void Add(int64_t id) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    size_t i = Slot(id);
    if (slots_[i].first == 0) {
      slots_[i].first = id;
      ++size_;
    }
    ++slots_[i].second;
  }
  std::vector<std::pair<int64_t, uint64_t>> Sorted() const {
    std::vector<std::pair<int64_t, uint64_t>> out;
    out.reserve(size_);
    for (const auto& e : slots_)
      if (e.first != 0) out.push_back(e);
    std::sort(out.begin(), out.end());
    return out;
  }
  void Clear() {
    slots_.clear();
    size_ = 0;
  }

 private:
  size_t Slot(int64_t id) const {
    size_t mask = slots_.size() - 1;
    size_t i = size_t(uint64_t(id) * 0x9E3779B97F4A7C15ull >> 20) & mask;
    while (slots_[i].first != 0 && slots_[i].first != id) i = (i + 1) & mask;
    return i;
  }
  void Grow() {
    std::vector<std::pair<int64_t, uint64_t>> old(std::max<size_t>(1024, slots_.size() * 2));
    old.swap(slots_);
    for (const auto& e : old)
      if (e.first != 0) slots_[Slot(e.first)] = e;
  }
  std::vector<std::pair<int64_t, uint64_t>> slots_;
  size_t size_ = 0;
};

class SqliteScanWriter : public ScanWriter {
 public:
  SqliteScanWriter(Db* db, TransactionRunner transaction, ScanRecord scan)
      : db_(db), bulk_(db), transaction_(std::move(transaction)), scan_(std::move(scan)) {}

  const ScanRecord& scan() const override { return scan_; }

  Status Add(std::span<const OccurrenceIn> batch) override {
    if (finished_) return InvalidArgument("scan " + scan_.uuid + " is finished");
    for (const OccurrenceIn& o : batch) {
      Pending p;
      key_.assign(o.kind);
      key_.push_back('\0');
      key_.append(o.value);
      p.artifact = cache_.Find(key_);
      if (p.artifact == 0) p.key = Append(key_);
      p.path = Append(o.path);
      // The context holds the feature's bytes (16 before, the feature, 16 after): store them once.
      size_t cut = std::string_view::npos;
      if (!o.feature.empty() && !o.utf16) cut = o.context.find(o.feature);
      if (cut != std::string_view::npos) {
        p.cut = int32_t(cut);
        p.context = Append(o.context.substr(0, cut));
        p.context.size += Append(o.context.substr(cut + o.feature.size())).size;
      } else {
        p.context = Append(o.context);
      }
      p.feature_is_value = o.feature == o.value;
      if (!p.feature_is_value) p.feature = Append(o.feature);
      p.utf16 = o.utf16;
      pending_.push_back(p);
      if (pending_.size() >= kBatchOccurrences || arena_.size() >= kBatchBytes)
        EVIDEX_RETURN_IF_ERROR(Flush());
    }
    if (!pending_.empty() && Clock::now() - last_write_ >= kBatchAge) return Flush();
    return Status::Ok();
  }

  Status Progress(uint64_t bytes_done) override {
    if (finished_) return InvalidArgument("scan " + scan_.uuid + " is finished");
    scan_.bytes_done = bytes_done;
    if (Clock::now() - last_write_ < kBatchAge) return Status::Ok();
    return Flush();
  }

  Result<ScanRecord> Finish(const std::string& status, const std::string& error) override;

 private:
  struct Span {
    uint32_t offset = 0, size = 0;
  };
  struct Pending {
    int64_t artifact = 0;  // 0: resolve `key` ("kind\0value") when written
    Span key, path, context, feature;
    int32_t cut = -1;  // the feature was cut out of the context here
    bool feature_is_value = false;
    bool utf16 = false;
  };

  Span Append(std::string_view s) {
    Span span{uint32_t(arena_.size()), uint32_t(s.size())};
    arena_.append(s);
    return span;
  }
  std::string_view View(Span s) const { return std::string_view(arena_).substr(s.offset, s.size); }

  Status Prepare();
  Status CheckRunning();
  Status Flush();
  Status WriteBatch();
  Result<int64_t> ResolveArtifact(std::string_view key);
  Status WriteCounts(const std::vector<std::pair<int64_t, uint64_t>>& counts,
                     const std::string& status, const std::string& error, const std::string& now);

  Db* db_;
  BulkWrites bulk_;
  TransactionRunner transaction_;
  ScanRecord scan_;
  bool finished_ = false;
  int64_t first_occurrence_ = 0, last_occurrence_ = 0;

  std::string arena_;
  std::vector<Pending> pending_;
  std::string key_;  // scratch
  Clock::time_point last_write_ = Clock::now();

  ArtifactIdCache cache_;
  // Resolved in the batch being written; published to cache_ when it commits.
  KeyMap staged_;
  std::vector<int64_t> batch_ids_;
  CountMap counts_;  // artifact -> occurrences in this scan (committed batches)

  bool prepared_ = false;
  Statement check_, insert_artifact_, select_artifact_, update_scan_;
  Statement insert_one_, insert_many_;  // 1 and kRowsPerInsert occurrences
};

Status SqliteScanWriter::Prepare() {
  if (prepared_) return Status::Ok();
  auto prep = [&](Statement& s, const char* sql) -> Status {
    Result<Statement> r = db_->Prepare(sql);
    if (!r.ok()) return r.status();
    s = std::move(r).value();
    return Status::Ok();
  };
  EVIDEX_RETURN_IF_ERROR(prep(check_, "SELECT status FROM scans WHERE id = ?1"));
  EVIDEX_RETURN_IF_ERROR(prep(insert_artifact_,
                              "INSERT INTO artifacts (kind, value, rvalue) VALUES (?1, ?2, ?3) "
                              "ON CONFLICT (kind, value) DO NOTHING"));
  EVIDEX_RETURN_IF_ERROR(
      prep(select_artifact_, "SELECT id FROM artifacts WHERE kind = ?1 AND value = ?2"));
  auto insert = [](int rows) {
    std::string sql =
        "INSERT INTO occurrences (scan, artifact, path, context, cut, feature, utf16) VALUES ";
    for (int r = 0; r < rows; ++r) {
      sql += r ? ", (" : "(";
      for (int c = 0; c < kOccurrenceColumns; ++c)
        sql += (c ? ", ?" : "?") + std::to_string(r * kOccurrenceColumns + c + 1);
      sql += ")";
    }
    return sql;
  };
  EVIDEX_RETURN_IF_ERROR(prep(insert_one_, insert(1).c_str()));
  EVIDEX_RETURN_IF_ERROR(prep(insert_many_, insert(kRowsPerInsert).c_str()));
  EVIDEX_RETURN_IF_ERROR(
      prep(update_scan_,
           "UPDATE scans SET occurrences = occurrences + ?2, "
           "first_occurrence = COALESCE(first_occurrence, ?3), "
           "last_occurrence = COALESCE(?4, last_occurrence), bytes_done = ?5, updated = ?6 "
           "WHERE id = ?1"));
  prepared_ = true;
  return Status::Ok();
}

Status SqliteScanWriter::CheckRunning() {
  check_.Reset();
  check_.Bind(1, scan_.id);
  Result<bool> row = check_.Step();
  if (!row.ok()) return row.status();
  std::string status = *row ? check_.Text(0) : "";
  check_.Reset();
  if (status != "running")
    return InvalidArgument("scan " + scan_.uuid +
                           " was superseded by a later scan of the same evidence (or removed); "
                           "nothing more of it is stored");
  return Status::Ok();
}

Result<int64_t> SqliteScanWriter::ResolveArtifact(std::string_view key) {
  // Not in the cache when it was added (Add looked), and the cache changes only between batches.
  if (auto it = staged_.find(key); it != staged_.end()) return it->second;
  size_t nul = key.find('\0');
  std::string_view kind = key.substr(0, nul), value = key.substr(nul + 1);
  insert_artifact_.Reset();
  insert_artifact_.BindView(1, kind).BindView(2, value);
  std::string reversed;
  if (HasSuffixIndex(kind)) {
    reversed = Reversed(value);
    insert_artifact_.BindBlobView(3, reversed);
  } else {
    insert_artifact_.BindNull(3);
  }
  EVIDEX_RETURN_IF_ERROR(insert_artifact_.Run());
  int64_t id = 0;
  if (db_->Changes() == 1) {
    id = db_->LastInsertId();
  } else {
    // Another writer stored it first (ON CONFLICT DO NOTHING): read its id.
    select_artifact_.Reset();
    select_artifact_.BindView(1, kind).BindView(2, value);
    Result<bool> row = select_artifact_.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Internal("artifact neither inserted nor found");
    id = select_artifact_.Int(0);
    select_artifact_.Reset();
  }
  staged_.emplace(std::string(key), id);
  return id;
}

// One batch, in the caller's transaction. Touches no member state that outlives a rollback
// except through staged_ / batch_ids_, which Flush publishes only after the commit.
Status SqliteScanWriter::WriteBatch() {
  staged_.clear();
  batch_ids_.clear();
  EVIDEX_RETURN_IF_ERROR(CheckRunning());
  // The values the cache does not know, resolved in (kind, value) order ("kind\0value" sorts as
  // the unique index does): consecutive inserts land on neighbouring index pages, which stay in
  // the CPU and page caches, instead of a random page each.
  std::vector<std::string_view> unknown;
  for (const Pending& p : pending_)
    if (p.artifact == 0) unknown.push_back(View(p.key));
  std::sort(unknown.begin(), unknown.end());
  unknown.erase(std::unique(unknown.begin(), unknown.end()), unknown.end());
  for (std::string_view key : unknown) {
    Result<int64_t> r = ResolveArtifact(key);
    if (!r.ok()) return r.status();
  }
  for (const Pending& p : pending_)
    batch_ids_.push_back(p.artifact != 0 ? p.artifact : staged_.find(View(p.key))->second);
  // Rows get consecutive ids in statement order: one writer holds the lock.
  int64_t first = 0, last = 0;
  for (size_t i = 0; i < pending_.size();) {
    int rows = pending_.size() - i >= size_t(kRowsPerInsert) ? kRowsPerInsert : 1;
    Statement& s = rows == 1 ? insert_one_ : insert_many_;
    s.Reset();
    for (int r = 0; r < rows; ++r, ++i) {
      const Pending& p = pending_[i];
      int b = r * kOccurrenceColumns;
      s.Bind(b + 1, scan_.id).Bind(b + 2, batch_ids_[i]).BindView(b + 3, View(p.path));
      s.BindBlobView(b + 4, View(p.context));
      if (p.cut >= 0)
        s.Bind(b + 5, int64_t(p.cut));
      else
        s.BindNull(b + 5);
      if (p.feature_is_value)
        s.BindNull(b + 6);
      else
        s.BindView(b + 6, View(p.feature));
      s.Bind(b + 7, int64_t(p.utf16 ? 1 : 0));
    }
    EVIDEX_RETURN_IF_ERROR(s.Run());
    last = db_->LastInsertId();
    if (first == 0) first = last - rows + 1;
  }
  update_scan_.Reset();
  update_scan_.Bind(1, scan_.id).Bind(2, int64_t(pending_.size()));
  if (first != 0)
    update_scan_.Bind(3, first).Bind(4, last);
  else
    update_scan_.BindNull(3).BindNull(4);
  update_scan_.Bind(5, int64_t(scan_.bytes_done)).Bind(6, vault::UtcNow());
  EVIDEX_RETURN_IF_ERROR(update_scan_.Run());
  if (first != 0) {
    if (first_occurrence_ == 0) first_occurrence_ = first;
    last_occurrence_ = last;
  }
  return Status::Ok();
}

Status SqliteScanWriter::Flush() {
  EVIDEX_RETURN_IF_ERROR(Prepare());
  int64_t first_before = first_occurrence_, last_before = last_occurrence_;
  Status st = WithWriteLock(*db_, transaction_, [&] { return WriteBatch(); });
  last_write_ = Clock::now();
  if (!st.ok()) {
    first_occurrence_ = first_before;
    last_occurrence_ = last_before;
    return st;
  }
  while (!staged_.empty()) cache_.Put(staged_.extract(staged_.begin()));
  for (int64_t id : batch_ids_) counts_.Add(id);
  scan_.occurrences += pending_.size();
  pending_.clear();
  arena_.clear();
  return Status::Ok();
}

Status SqliteScanWriter::WriteCounts(const std::vector<std::pair<int64_t, uint64_t>>& counts,
                                     const std::string& status, const std::string& error,
                                     const std::string& now) {
  EVIDEX_RETURN_IF_ERROR(CheckRunning());
  // kRowsPerInsert (artifact, count) pairs per statement, from ?3; ?1 the case, ?2 the evidence.
  // The artifacts' own rows are not touched: their case and occurrence counts are read from
  // these rows (kArtifactColumns).
  auto statement = [&](int rows, Statement* ins) -> Status {
    std::string quads;
    for (int r = 0; r < rows; ++r) {
      std::string a = "?" + std::to_string(3 + 2 * r), n = "?" + std::to_string(4 + 2 * r);
      quads += (r ? ", (?1, " : "(?1, ") + a + ", ?2, " + n + ")";
    }
    Result<Statement> i = db_->Prepare(
        "INSERT INTO evidence_artifacts (case_id, artifact, evidence, count) VALUES " + quads);
    if (!i.ok()) return i.status();
    *ins = std::move(i).value();
    return Status::Ok();
  };
  Statement ins_many, ins_one;
  EVIDEX_RETURN_IF_ERROR(statement(kRowsPerInsert, &ins_many));
  EVIDEX_RETURN_IF_ERROR(statement(1, &ins_one));
  for (size_t i = 0; i < counts.size();) {
    int rows = counts.size() - i >= size_t(kRowsPerInsert) ? kRowsPerInsert : 1;
    Statement& ins = rows == 1 ? ins_one : ins_many;
    ins.Reset();
    ins.Bind(1, scan_.case_id).Bind(2, scan_.evidence_id);
    for (int r = 0; r < rows; ++r, ++i)
      ins.Bind(3 + 2 * r, counts[i].first).Bind(4 + 2 * r, int64_t(counts[i].second));
    EVIDEX_RETURN_IF_ERROR(ins.Run());
  }
  // The case artifact table's summary (schema 4).
  EVIDEX_RETURN_IF_ERROR(AddEvidenceToCaseSummary(*db_, scan_.case_id, scan_.evidence_id));
  // Watch hits: this evidence's artifacts against every indicator, driven from the smaller side
  // (CROSS JOIN fixes SQLite's join order).
  int64_t indicators = 0;
  EVIDEX_RETURN_IF_ERROR(Query(*db_, "SELECT COALESCE(SUM(indicators), 0) FROM watchlists", nullptr,
                               [&](const Statement& s) {
                                 indicators = s.Int(0);
                                 return false;
                               }));
  if (indicators > 0 && !counts.empty()) {
    const char* sql =
        uint64_t(indicators) < counts.size()
            ? "INSERT OR IGNORE INTO watch_hits (indicator, artifact, case_id, found) "
              "SELECT i.id, a.id, ?2, ?3 FROM indicators i "
              "CROSS JOIN artifacts a ON a.kind = i.kind AND a.value = i.value "
              "CROSS JOIN evidence_artifacts ea "
              "ON ea.case_id = ?2 AND ea.artifact = a.id AND ea.evidence = ?1"
            : "INSERT OR IGNORE INTO watch_hits (indicator, artifact, case_id, found) "
              "SELECT i.id, a.id, ?2, ?3 FROM evidence_artifacts ea "
              "CROSS JOIN artifacts a ON a.id = ea.artifact "
              "CROSS JOIN indicators i ON i.kind = a.kind AND i.value = a.value "
              "WHERE ea.case_id = ?2 AND ea.evidence = ?1";
    EVIDEX_RETURN_IF_ERROR(Exec(*db_, sql, [&](Statement& s) {
      s.Bind(1, scan_.evidence_id).Bind(2, scan_.case_id).Bind(3, now);
    }));
  }
  return Exec(*db_,
              "UPDATE scans SET status = ?2, error = ?3, finished = ?4, updated = ?4, "
              "artifacts = ?5, occurrences = ?6, bytes_done = ?7 WHERE id = ?1",
              [&](Statement& s) {
                s.Bind(1, scan_.id).Bind(2, status).Bind(3, error).Bind(4, now);
                s.Bind(5, int64_t(counts.size())).Bind(6, int64_t(scan_.occurrences));
                s.Bind(7, int64_t(scan_.bytes_done));
              });
}

Result<ScanRecord> SqliteScanWriter::Finish(const std::string& status, const std::string& error) {
  if (finished_) return InvalidArgument("scan " + scan_.uuid + " is finished already");
  if (status != "complete" && status != "interrupted" && status != "failed")
    return InvalidArgument("a scan finishes as complete, interrupted or failed, not '" + status +
                           "'");
  EVIDEX_RETURN_IF_ERROR(Prepare());
  // One transaction: the last batch, the (scan, artifact) index in one sorted pass (an append to
  // its B-tree), the counts and the watch hits. A page the last batch and the counts both touch
  // (a new artifact's row) is written once; and nothing is counted unless all of it commits.
  std::string now = vault::UtcNow();
  std::vector<std::pair<int64_t, uint64_t>> counts;
  int64_t first_before = first_occurrence_, last_before = last_occurrence_;
  Status st = WithWriteLock(*db_, transaction_, [&]() -> Status {
    first_occurrence_ = first_before;
    last_occurrence_ = last_before;
    EVIDEX_RETURN_IF_ERROR(WriteBatch());  // checks that the scan is still running
    CountMap all = counts_;
    for (int64_t id : batch_ids_) all.Add(id);
    counts = all.Sorted();
    if (first_occurrence_ != 0)
      EVIDEX_RETURN_IF_ERROR(Exec(*db_,
                                  "INSERT INTO occurrence_index (scan, artifact, occurrence) "
                                  "SELECT scan, artifact, id FROM occurrences "
                                  "WHERE id BETWEEN ?2 AND ?3 AND scan = ?1 ORDER BY artifact, id",
                                  [&](Statement& s) {
                                    s.Bind(1, scan_.id).Bind(2, first_occurrence_);
                                    s.Bind(3, last_occurrence_);
                                  }));
    scan_.occurrences += pending_.size();  // undone below unless committed
    Status written = WriteCounts(counts, status, error, now);
    scan_.occurrences -= pending_.size();
    return written;
  });
  if (!st.ok()) {
    first_occurrence_ = first_before;
    last_occurrence_ = last_before;
    return st;
  }
  scan_.occurrences += pending_.size();
  pending_.clear();
  arena_.clear();
  staged_.clear();
  finished_ = true;
  counts_.Clear();
  scan_.status = status;
  scan_.error = error;
  scan_.finished = scan_.updated = now;
  scan_.artifacts = counts.size();
  return scan_;
}

}  // namespace

std::string EffectiveScanStatus(const ScanRecord& scan, const std::string& now) {
  if (scan.status != "running") return scan.status;
  // UTC RFC 3339 as vault::UtcNow() writes it: "2026-12-02T04:10:00.123Z".
  auto seconds = [](const std::string& t) -> std::optional<int64_t> {
    struct tm tm {};
    int n = 0;
    if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
        n < 19)
      return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return int64_t(timegm(&tm));
  };
  std::optional<int64_t> updated = seconds(scan.updated), at = seconds(now);
  if (!updated || !at) return scan.status;
  return *at - *updated > kScanStaleSeconds ? "interrupted" : scan.status;
}

// ---- Scans ----

Status SqliteArtifacts::Supersede(int64_t evidence_id, int64_t case_id) {
  struct Old {
    int64_t id, first, last;
  };
  std::vector<Old> old;
  EVIDEX_RETURN_IF_ERROR(Query(
      *db_,
      "SELECT id, COALESCE(first_occurrence, 0), COALESCE(last_occurrence, 0) FROM scans "
      "WHERE evidence_id = ?1 AND status <> 'superseded'",
      [&](Statement& s) { s.Bind(1, evidence_id); },
      [&](const Statement& s) {
        old.push_back({s.Int(0), s.Int(1), s.Int(2)});
        return true;
      }));
  std::string now = vault::UtcNow();
  for (const Old& o : old) {
    EVIDEX_RETURN_IF_ERROR(Exec(*db_, "DELETE FROM occurrence_index WHERE scan = ?1",
                                [&](Statement& s) { s.Bind(1, o.id); }));
    if (o.first != 0)
      EVIDEX_RETURN_IF_ERROR(
          Exec(*db_, "DELETE FROM occurrences WHERE id BETWEEN ?2 AND ?3 AND scan = ?1",
               [&](Statement& s) { s.Bind(1, o.id).Bind(2, o.first).Bind(3, o.last); }));
    EVIDEX_RETURN_IF_ERROR(
        Exec(*db_, "UPDATE scans SET status = 'superseded', updated = ?2 WHERE id = ?1",
             [&](Statement& s) { s.Bind(1, o.id).Bind(2, now); }));
  }
  // The counts of the evidence's counted scan (at most one: every other was superseded before).
  // Another evidence of the same case holding an artifact keeps the case's count and hits.
  auto bind = [&](Statement& s) { s.Bind(1, evidence_id).Bind(2, case_id); };
  EVIDEX_RETURN_IF_ERROR(
      Exec(*db_,
           "DELETE FROM watch_hits WHERE case_id = ?2 AND artifact IN (SELECT ea.artifact FROM "
           "evidence_artifacts ea WHERE ea.case_id = ?2 AND ea.evidence = ?1 AND NOT EXISTS "
           "(SELECT 1 FROM "
           "evidence_artifacts o WHERE o.artifact = ea.artifact AND o.case_id = ?2 AND "
           "o.evidence <> ?1))",
           bind));
  EVIDEX_RETURN_IF_ERROR(RemoveEvidenceFromCaseSummary(*db_, case_id, evidence_id));
  return Exec(*db_, "DELETE FROM evidence_artifacts WHERE case_id = ?2 AND evidence = ?1", bind);
}

Status CheckEvidenceInCase(Db& db, int64_t evidence_id, int64_t case_id) {
  std::optional<int64_t> owner;
  EVIDEX_RETURN_IF_ERROR(Query(
      db, "SELECT case_id FROM evidence WHERE id = ?1",
      [&](Statement& s) { s.Bind(1, evidence_id); },
      [&](const Statement& s) {
        owner = s.Int(0);
        return false;
      }));
  if (!owner) return NotFound("no evidence with id " + std::to_string(evidence_id));
  if (*owner != case_id)
    return InvalidArgument("evidence " + std::to_string(evidence_id) + " is not in case " +
                           std::to_string(case_id));
  return Status::Ok();
}

Result<std::unique_ptr<ScanWriter>> SqliteArtifacts::BeginScan(ScanRecord scan) {
  scan.id = 0;
  scan.uuid = NewUuid();
  scan.started = scan.updated = vault::UtcNow();
  scan.finished.clear();
  scan.status = "running";
  scan.bytes_done = scan.occurrences = scan.artifacts = 0;
  scan.error.clear();
  if (scan.parameters.empty()) scan.parameters = "{}";
  Status st = WithWriteLock(
      *db_, transaction_,
      [&]() -> Status {
        EVIDEX_RETURN_IF_ERROR(CheckEvidenceInCase(*db_, scan.evidence_id, scan.case_id));
        EVIDEX_RETURN_IF_ERROR(Supersede(scan.evidence_id, scan.case_id));
        EVIDEX_RETURN_IF_ERROR(Exec(
            *db_,
            "INSERT INTO scans (uuid, case_id, evidence_id, started, updated, status, parameters, "
            "bytes_total) VALUES (?1, ?2, ?3, ?4, ?4, 'running', ?5, ?6)",
            [&](Statement& s) {
              s.Bind(1, scan.uuid).Bind(2, scan.case_id).Bind(3, scan.evidence_id);
              s.Bind(4, scan.started).Bind(5, scan.parameters).Bind(6, int64_t(scan.bytes_total));
            }));
        scan.id = db_->LastInsertId();
        return Status::Ok();
      },
      /*may_nest=*/true);
  if (!st.ok()) return st;
  return std::unique_ptr<ScanWriter>(new SqliteScanWriter(db_, transaction_, std::move(scan)));
}

Result<std::vector<ScanRecord>> SqliteArtifacts::ListScans(int64_t case_id) {
  std::vector<ScanRecord> out;
  Status st = Query(
      *db_, std::string("SELECT ") + kScanColumns + " FROM scans WHERE case_id = ?1 ORDER BY id",
      [&](Statement& s) { s.Bind(1, case_id); },
      [&](const Statement& s) {
        out.push_back(ScanFromRow(s));
        return true;
      });
  if (!st.ok()) return st;
  return out;
}

// ---- Search ----

Result<std::vector<Artifact>> SqliteArtifacts::FindArtifacts(const std::string& kind,
                                                             const std::string& value) {
  std::vector<Artifact> out;
  std::string sql =
      kind.empty() ? std::string(kKindsCte) + "SELECT " + kArtifactColumns +
                         " FROM kinds CROSS JOIN artifacts a ON a.kind = kinds.k AND a.value = ?2 "
                         "WHERE" +
                         kHeld + " ORDER BY a.kind"
                   : std::string("SELECT ") + kArtifactColumns +
                         " FROM artifacts a WHERE a.kind = ?1 AND a.value = ?2 AND" + kHeld;
  Status st = Query(
      *db_, sql,
      [&](Statement& s) {
        if (!kind.empty()) s.Bind(1, kind);
        s.Bind(2, value);
      },
      [&](const Statement& s) {
        out.push_back(ReadArtifact(s));
        return true;
      });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<Artifact>> SqliteArtifacts::FindRange(const std::string& kind,
                                                         const std::string& lo,
                                                         const std::string& hi, bool reversed,
                                                         size_t limit) {
  std::string sql;
  std::string range = reversed ? "a.rvalue >= ?2" : "a.value >= ?2";
  if (!hi.empty()) range += reversed ? " AND a.rvalue < ?3" : " AND a.value < ?3";
  if (reversed) {
    sql = std::string("SELECT ") + kArtifactColumns + " FROM artifacts a WHERE " + range +
          " AND a.rvalue IS NOT NULL" + (kind.empty() ? "" : " AND a.kind = ?1");
  } else if (kind.empty()) {
    sql = std::string(kKindsCte) + "SELECT " + kArtifactColumns +
          " FROM kinds CROSS JOIN artifacts a ON a.kind = kinds.k AND " + range + " WHERE 1";
  } else {
    sql = std::string("SELECT ") + kArtifactColumns + " FROM artifacts a WHERE a.kind = ?1 AND " +
          range;
  }
  sql += std::string(" AND") + kHeld + " ORDER BY n_cases DESC, a.kind, a.value LIMIT ?4";
  std::vector<Artifact> out;
  Status st = Query(
      *db_, sql,
      [&](Statement& s) {
        if (!kind.empty()) s.Bind(1, kind);
        if (reversed) {
          s.BindBlob(2, lo);
          if (!hi.empty()) s.BindBlob(3, hi);
        } else {
          s.Bind(2, lo);
          if (!hi.empty()) s.Bind(3, hi);
        }
        s.Bind(4, limit == 0 ? int64_t(-1) : int64_t(limit));
      },
      [&](const Statement& s) {
        out.push_back(ReadArtifact(s));
        return true;
      });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<Artifact>> SqliteArtifacts::FindArtifactsByPrefix(const std::string& kind,
                                                                     const std::string& prefix,
                                                                     size_t limit) {
  return FindRange(kind, prefix, PrefixEnd(prefix).value_or(""), false, limit);
}

Result<std::vector<Artifact>> SqliteArtifacts::FindArtifactsBySuffix(const std::string& kind,
                                                                     const std::string& suffix,
                                                                     size_t limit) {
  if (!kind.empty() && !HasSuffixIndex(kind))
    return InvalidArgument("suffix search is for email and domain values, not " + kind);
  std::string r = Reversed(suffix);
  return FindRange(kind, r, PrefixEnd(r).value_or(""), true, limit);
}

Result<std::vector<Sighting>> SqliteArtifacts::SightingsWhere(int64_t artifact_id,
                                                              int64_t only_case,
                                                              int64_t except_case, size_t limit) {
  std::string sql =
      "SELECT ea.case_id, c.number, ea.evidence, e.number, e.label, ea.count "
      "FROM evidence_artifacts ea JOIN evidence e ON e.id = ea.evidence "
      "JOIN cases c ON c.id = ea.case_id WHERE ea.artifact = ?1";
  if (only_case != 0) sql += " AND ea.case_id = ?2";
  if (except_case != 0) sql += " AND ea.case_id <> ?3";
  sql += " ORDER BY ea.case_id, e.number LIMIT ?4";
  std::vector<Sighting> out;
  Status st = Query(
      *db_, sql,
      [&](Statement& s) {
        s.Bind(1, artifact_id);
        if (only_case != 0) s.Bind(2, only_case);
        if (except_case != 0) s.Bind(3, except_case);
        s.Bind(4, limit == 0 ? int64_t(-1) : int64_t(limit));
      },
      [&](const Statement& s) {
        Sighting g;
        g.case_id = s.Int(0);
        g.case_number = s.Text(1);
        g.evidence_id = s.Int(2);
        g.evidence_name = "E" + std::to_string(s.Int(3));
        g.evidence_label = s.Text(4);
        g.occurrences = uint64_t(s.Int(5));
        out.push_back(std::move(g));
        return true;
      });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<Sighting>> SqliteArtifacts::Sightings(int64_t artifact_id) {
  return SightingsWhere(artifact_id, 0, 0, 0);
}

Result<std::vector<OccurrenceOut>> SqliteArtifacts::Occurrences(int64_t artifact_id,
                                                                int64_t evidence_id, size_t limit) {
  std::vector<OccurrenceOut> out;
  std::optional<std::string> value;
  EVIDEX_RETURN_IF_ERROR(Query(
      *db_, "SELECT value FROM artifacts WHERE id = ?1",
      [&](Statement& s) { s.Bind(1, artifact_id); },
      [&](const Statement& s) {
        value = s.Text(0);
        return false;
      }));
  if (!value) return out;
  // The counted scan of each evidence holding it, then its index range: a LIMIT stops reading.
  std::vector<std::pair<int64_t, int64_t>> scans;  // evidence, scan
  std::string sql =
      "SELECT ea.evidence, s.id FROM evidence_artifacts ea JOIN scans s ON "
      "s.evidence_id = ea.evidence AND s.finished <> '' AND s.status <> 'superseded' "
      "WHERE ea.artifact = ?1";
  if (evidence_id != 0) sql += " AND ea.evidence = ?2";
  sql += " ORDER BY ea.evidence";
  EVIDEX_RETURN_IF_ERROR(Query(
      *db_, sql,
      [&](Statement& s) {
        s.Bind(1, artifact_id);
        if (evidence_id != 0) s.Bind(2, evidence_id);
      },
      [&](const Statement& s) {
        scans.emplace_back(s.Int(0), s.Int(1));
        return true;
      }));
  Result<Statement> q = db_->Prepare(
      "SELECT o.path, o.context, o.cut, o.feature, o.utf16 FROM occurrence_index x "
      "JOIN occurrences o ON o.id = x.occurrence WHERE x.scan = ?1 AND x.artifact = ?2 "
      "ORDER BY x.occurrence LIMIT ?3");
  if (!q.ok()) return q.status();
  for (const auto& [evidence, scan] : scans) {
    if (limit != 0 && out.size() >= limit) break;
    q->Reset();
    q->Bind(1, scan).Bind(2, artifact_id);
    q->Bind(3, limit == 0 ? int64_t(-1) : int64_t(limit - out.size()));
    for (;;) {
      Result<bool> row = q->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      OccurrenceOut o;
      o.evidence_id = evidence;
      o.path = q->Text(0);
      o.context = q->Text(1);
      o.feature = q->IsNull(3) ? *value : q->Text(3);
      if (!q->IsNull(2)) {
        size_t cut = size_t(q->Int(2));
        if (cut <= o.context.size()) o.context.insert(cut, o.feature);
      }
      o.utf16 = q->Int(4) != 0;
      out.push_back(std::move(o));
    }
  }
  return out;
}

// ---- Correlation ----

Result<std::vector<Correlation>> SqliteArtifacts::Correlate(int64_t case_id,
                                                            const CorrelateOptions& options) {
  Result<uint64_t> total = CountCases();
  if (!total.ok()) return total.status();
  std::string sql = std::string("SELECT ") + kArtifactColumns +
                    ", SUM(ea.count) AS here FROM evidence_artifacts ea "
                    "CROSS JOIN artifacts a ON a.id = ea.artifact "
                    "WHERE ea.case_id = ?1";
  if (!options.kinds.empty()) {
    sql += " AND a.kind IN (";
    for (size_t i = 0; i < options.kinds.size(); ++i)
      sql += (i ? ", ?" : "?") + std::to_string(i + 4);
    sql += ")";
  }
  sql +=
      " GROUP BY ea.artifact HAVING n_cases >= 2 AND (?2 = 0 OR n_cases <= ?2) "
      "ORDER BY n_cases, here DESC, a.kind, a.value LIMIT ?3";
  std::vector<Correlation> out;
  Status st = Query(
      *db_, sql,
      [&](Statement& s) {
        s.Bind(1, case_id).Bind(2, int64_t(options.max_cases));
        s.Bind(3, options.limit == 0 ? int64_t(-1) : int64_t(options.limit));
        for (size_t i = 0; i < options.kinds.size(); ++i) s.Bind(int(i + 4), options.kinds[i]);
      },
      [&](const Statement& s) {
        Correlation c;
        c.artifact = ReadArtifact(s);
        c.occurrences_here = uint64_t(s.Int(5));
        c.score = std::log(double(*total) / double(c.artifact.cases));
        out.push_back(std::move(c));
        return true;
      });
  if (!st.ok()) return st;
  for (Correlation& c : out) {
    Result<std::vector<Sighting>> elsewhere = SightingsWhere(c.artifact.id, 0, case_id, kElsewhere);
    if (!elsewhere.ok()) return elsewhere.status();
    c.elsewhere = std::move(elsewhere).value();
  }
  return out;
}

Status SqliteArtifacts::ForEachCaseArtifact(
    int64_t case_id,
    const std::function<bool(const Artifact&, uint64_t occurrences_in_case)>& each) {
  return Query(
      *db_,
      std::string("SELECT ") + kArtifactColumns +
          ", SUM(ea.count) FROM evidence_artifacts ea CROSS JOIN artifacts a "
          "ON a.id = ea.artifact WHERE ea.case_id = ?1 GROUP BY ea.artifact "
          "ORDER BY a.kind, a.value",
      [&](Statement& s) { s.Bind(1, case_id); },
      [&](const Statement& s) { return each(ReadArtifact(s), uint64_t(s.Int(5))); });
}

Result<uint64_t> SqliteArtifacts::CountCases() {
  uint64_t n = 0;
  Status st = Query(*db_, "SELECT COUNT(*) FROM cases", nullptr, [&](const Statement& s) {
    n = uint64_t(s.Int(0));
    return false;
  });
  if (!st.ok()) return st;
  return n;
}

// ---- Watchlists ----

Result<Watchlist> SqliteArtifacts::AddWatchlist(Watchlist list,
                                                std::span<const Indicator> indicators) {
  if (list.uuid.empty()) list.uuid = NewUuid();
  if (list.imported.empty()) list.imported = vault::UtcNow();
  Status st = transaction_([&]() -> Status {
    EVIDEX_RETURN_IF_ERROR(Exec(
        *db_,
        "INSERT INTO watchlists (uuid, name, source, format, file_sha256, imported, reference) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        [&](Statement& s) {
          s.Bind(1, list.uuid).Bind(2, list.name).Bind(3, list.source).Bind(4, list.format);
          s.Bind(5, list.file_sha256).Bind(6, list.imported).Bind(7, list.reference);
        }));
    list.id = db_->LastInsertId();
    Result<Statement> ins = db_->Prepare(
        "INSERT INTO indicators (watchlist, kind, value, original, type, comment, reference) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (watchlist, kind, value) DO NOTHING");
    if (!ins.ok()) return ins.status();
    uint64_t stored = 0;
    for (const Indicator& i : indicators) {
      ins->Reset();
      ins->Bind(1, list.id).BindView(2, i.kind).BindView(3, i.value).BindView(4, i.original);
      ins->BindView(5, i.type).BindView(6, i.comment).BindView(7, i.reference);
      EVIDEX_RETURN_IF_ERROR(ins->Run());
      stored += uint64_t(db_->Changes());
    }
    list.indicators = stored;
    EVIDEX_RETURN_IF_ERROR(
        Exec(*db_, "UPDATE watchlists SET indicators = ?2 WHERE id = ?1",
             [&](Statement& s) { s.Bind(1, list.id).Bind(2, int64_t(stored)); }));
    // Each new indicator against the artifacts: one index seek each, then the cases holding it.
    return Exec(*db_,
                "INSERT OR IGNORE INTO watch_hits (indicator, artifact, case_id, found) "
                "SELECT i.id, a.id, ea.case_id, ?2 FROM indicators i "
                "CROSS JOIN artifacts a ON a.kind = i.kind AND a.value = i.value "
                "CROSS JOIN evidence_artifacts ea ON ea.artifact = a.id "
                "WHERE i.watchlist = ?1",
                [&](Statement& s) { s.Bind(1, list.id).Bind(2, list.imported); });
  });
  if (!st.ok()) return st;
  return list;
}

Result<std::vector<Watchlist>> SqliteArtifacts::ListWatchlists() {
  std::vector<Watchlist> out;
  Status st =
      Query(*db_, std::string("SELECT ") + kWatchlistColumns + " FROM watchlists ORDER BY id",
            nullptr, [&](const Statement& s) {
              out.push_back(WatchlistFromRow(s));
              return true;
            });
  if (!st.ok()) return st;
  return out;
}

Status SqliteArtifacts::RemoveWatchlist(int64_t id) {
  return transaction_([&]() -> Status {
    auto bind = [&](Statement& s) { s.Bind(1, id); };
    EVIDEX_RETURN_IF_ERROR(Exec(
        *db_,
        "DELETE FROM watch_hits WHERE indicator IN (SELECT id FROM indicators WHERE watchlist = "
        "?1)",
        bind));
    EVIDEX_RETURN_IF_ERROR(Exec(*db_, "DELETE FROM indicators WHERE watchlist = ?1", bind));
    int changed = 0;
    EVIDEX_RETURN_IF_ERROR(Exec(*db_, "DELETE FROM watchlists WHERE id = ?1", bind, &changed));
    if (changed == 0) return NotFound("no watchlist with id " + std::to_string(id));
    return Status::Ok();
  });
}

Result<std::vector<WatchHit>> SqliteArtifacts::ListHits(int64_t case_id) {
  std::vector<WatchHit> out;
  std::string sql =
      std::string("SELECT ") + kArtifactColumns +
      ", h.case_id, c.number, h.found, w.id, w.name, i.kind, i.value, i.original, i.type, "
      "i.comment, i.reference FROM watch_hits h JOIN indicators i ON i.id = h.indicator "
      "JOIN watchlists w ON w.id = i.watchlist JOIN artifacts a ON a.id = h.artifact "
      "JOIN cases c ON c.id = h.case_id";
  if (case_id != 0) sql += " WHERE h.case_id = ?1";
  sql += " ORDER BY h.found DESC, h.case_id, w.id, i.id, a.id";
  Status st = Query(
      *db_, sql,
      [&](Statement& s) {
        if (case_id != 0) s.Bind(1, case_id);
      },
      [&](const Statement& s) {
        WatchHit h;
        h.artifact = ReadArtifact(s);
        h.case_id = s.Int(5);
        h.case_number = s.Text(6);
        h.found = s.Text(7);
        h.watchlist_id = s.Int(8);
        h.watchlist_name = s.Text(9);
        h.indicator = {s.Text(10), s.Text(11), s.Text(12), s.Text(13), s.Text(14), s.Text(15)};
        out.push_back(std::move(h));
        return true;
      });
  if (!st.ok()) return st;
  // Every hit's sightings in one query (one per hit costs seconds at 100,000 hits).
  std::map<std::pair<int64_t, int64_t>, std::vector<Sighting>> where;  // (artifact, case)
  std::string sightings =
      "SELECT ea.artifact, ea.case_id, c.number, ea.evidence, e.number, e.label, ea.count "
      "FROM (SELECT DISTINCT artifact, case_id FROM watch_hits" +
      std::string(case_id != 0 ? " WHERE case_id = ?1" : "") +
      ") h CROSS JOIN evidence_artifacts ea ON ea.case_id = h.case_id AND ea.artifact = h.artifact "
      "JOIN evidence e ON e.id = ea.evidence JOIN cases c ON c.id = ea.case_id "
      "ORDER BY ea.artifact, ea.case_id, e.number";
  st = Query(
      *db_, sightings,
      [&](Statement& s) {
        if (case_id != 0) s.Bind(1, case_id);
      },
      [&](const Statement& s) {
        Sighting g;
        g.case_id = s.Int(1);
        g.case_number = s.Text(2);
        g.evidence_id = s.Int(3);
        g.evidence_name = "E" + std::to_string(s.Int(4));
        g.evidence_label = s.Text(5);
        g.occurrences = uint64_t(s.Int(6));
        where[{s.Int(0), g.case_id}].push_back(std::move(g));
        return true;
      });
  if (!st.ok()) return st;
  for (WatchHit& h : out) {
    auto it = where.find({h.artifact.id, h.case_id});
    if (it != where.end()) h.sightings = it->second;
  }
  return out;
}

}  // namespace evidex::store
