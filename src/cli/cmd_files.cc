// `evidex files` and `evidex timeline`: what the filesystems inside a source hold (fs/filesystem.h).
//
//   files SOURCE [--json | --jsonl | --csv] [-o FILE] [--no-hash] [--no-deleted] [--yara RULES]
//       every partition, filesystem, file and directory: path, type, size, deleted, MACB times
//       (UTC), metadata address; with MD5 / SHA-1 / SHA-256, the file type (libmagic) and the
//       workspace's hash sets (alert / known) unless --no-hash; with --yara, the rules (yara/yara.h)
//       matching each file's content, scanned from the same reads as the hashes
//   timeline SOURCE [--jsonl] [-o FILE] [--from TIME] [--to TIME] [--no-deleted]
//       every filesystem time as one sorted timeline in the columns plaso and Timesketch read
//       (datetime, timestamp, timestamp_desc, message, ...), CSV by default
#include <magic.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <deque>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/vault_cli.h"
#include "core/hash.h"
#include "exchange/csv.h"
#include "fs/filesystem.h"
#include "fuzzy/ssdeep.h"
#include "hashset/hashset.h"
#include "io/source.h"
#include "yara/yara.h"

namespace evidex::cli {
namespace {

using exchange::CsvField;

// "2026-11-02T10:11:12.123456Z" (microseconds: what Timesketch reads), or "" when not set.
std::string IsoTime(const fs::Timestamp& t, bool micro = true) {
  if (!t.set) return "";
  std::time_t s = std::time_t(t.seconds);
  std::tm tm;
  if (gmtime_r(&s, &tm) == nullptr) return "";
  char buf[48];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (micro) n += size_t(std::snprintf(buf + n, sizeof buf - n, ".%06uZ", t.nanoseconds / 1000));
  else n += size_t(std::snprintf(buf + n, sizeof buf - n, "Z"));
  return std::string(buf, n);
}

// "2026-11-02", "2026-11-02T10:11:12" or "...Z" as UTC seconds; false when not a time.
bool ParseUtc(const std::string& text, int64_t* out) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr) {
    tm = {};
    end = strptime(text.c_str(), "%Y-%m-%d", &tm);
  }
  if (end == nullptr || (*end != '\0' && std::string(end) != "Z")) return false;
  *out = int64_t(timegm(&tm));
  return true;
}

const char* TypeName(fs::FileEntry::Type t) {
  switch (t) {
    case fs::FileEntry::Type::kRegular: return "file";
    case fs::FileEntry::Type::kDirectory: return "dir";
    case fs::FileEntry::Type::kSymlink: return "link";
    case fs::FileEntry::Type::kOther: return "other";
  }
  return "other";
}

// Lower-case hex of bytes (YARA's matched data in the JSON output).
std::string HexBytes(const std::string& bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) out += kHex[c >> 4], out += kHex[c & 15];
  return out;
}

// Opens -o FILE when one is given (standard output otherwise); false, said, when it cannot.
bool OpenOutput(const std::string& path, std::ofstream* file) {
  if (path.empty()) return true;
  file->open(path, std::ios::binary | std::ios::trunc);
  if (*file) return true;
  PrintError("cannot write " + path);
  return false;
}

class Magic {
 public:
  Magic() : cookie_(magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF |
                               MAGIC_ERROR)) {
    if (cookie_ != nullptr && magic_load(cookie_, nullptr) != 0) {
      magic_close(cookie_);
      cookie_ = nullptr;
    }
  }
  ~Magic() {
    if (cookie_ != nullptr) magic_close(cookie_);
  }
  bool ok() const { return cookie_ != nullptr; }
  std::string Type(const std::string& head) {
    if (cookie_ == nullptr) return "";
    const char* t = magic_buffer(cookie_, head.data(), head.size());
    return t == nullptr ? "" : t;
  }

 private:
  magic_t cookie_;
};

// One listed entry on its way to the output; the hashing fields are filled by a FileHasher.
struct Pending {
  nlohmann::json j;
  std::string tag, path, modified_short;
  uint64_t size = 0;
  std::vector<fs::Extent> extents;
  bool hashed = false;   // a regular file whose content is read (hashed, scanned by YARA)
  bool done = false;     // guarded by the queue's mutex for queued entries
  Digests digests;
  std::array<std::vector<uint8_t>, 3> raw;
  std::string mime, error;
  std::vector<yara::Match> yara;
  std::string yara_error;  // the scan failed (a timeout) while the content was read
  std::string ssdeep;      // with --fuzzy, for files of at least kFuzzyMinSize bytes
};

// ssdeep says little about small files (a few pieces): hashes are given from 4 KiB on.
constexpr uint64_t kFuzzyMinSize = 4096;

// What a file's content is read for: hashes (and libmagic), YARA rules, or both.
struct ContentUse {
  bool hash = true;
  bool fuzzy = false;  // ssdeep too
  const yara::Rules* rules = nullptr;
  yara::ScanOptions yara;
};
constexpr size_t kMaxPending = 4096;  // entries waiting for their turn in the output

// MD5, SHA-1, SHA-256 and the type by content (libmagic on the first 4 KiB: enough for
// signatures, and libmagic costs as much as the three hashes when given more) of one file.
// With YARA rules, the same pieces feed a yara::Stream: the content is read once.
// One per thread: libmagic's handle is not thread-safe.
class FileHasher {
 public:
  static constexpr size_t kHead = 4096;
  explicit FileHasher(const ContentUse& use) : use_(use) {}
  void FromExtents(Source& source, Pending& p, std::atomic<uint64_t>& bytes) {
    Start(p);
    std::vector<std::byte>& buf = buf_;
    buf.resize(1 << 20);
    for (const fs::Extent& x : p.extents) {
      for (uint64_t done = 0; done < x.length;) {
        size_t want = size_t(std::min<uint64_t>(buf.size(), x.length - done));
        Result<size_t> n = source.ReadAt(x.source_offset + done, std::span(buf.data(), want));
        if (!n.ok() || *n < want) {
          p.error = p.path + ": cannot read its content at byte " + std::to_string(x.file_offset + done) +
                    (n.ok() ? std::string(" (the source ends)") : ": " + n.status().message());
          Abandon();
          return;
        }
        Piece(buf.data(), want);
        bytes += want;
        done += want;
      }
    }
    Done(p);
  }
  void FromReader(fs::ContentReader& content, Pending& p, std::atomic<uint64_t>& bytes) {
    Start(p);
    Status st = content.Read([&](std::span<const std::byte> piece) {
      Piece(piece.data(), piece.size());
      bytes += piece.size();
      return !g_cancel.load();
    });
    if (!st.ok()) {
      p.error = st.message();
      Abandon();
      return;
    }
    Done(p);
  }

 private:
  void Start(const Pending& p) {
    head_.clear();
    fuzzy_ = use_.fuzzy && p.size >= kFuzzyMinSize;
    if (fuzzy_) ssdeep_.Reset();
    if (use_.rules != nullptr) yara_.emplace(*use_.rules, p.size, use_.yara);
  }
  void Piece(const std::byte* data, size_t n) {
    if (head_.size() < kHead)
      head_.append(reinterpret_cast<const char*>(data), std::min(n, kHead - head_.size()));
    if (use_.hash) hasher_.Update(data, n);
    if (fuzzy_) ssdeep_.Update(data, n);
    if (yara_) yara_->Write(std::span(data, n));
  }
  void Abandon() {
    if (use_.hash) hasher_.Finish();
    if (yara_) (void)yara_->Finish(Status(Code::kIoError, "unreadable"));
    yara_.reset();
  }
  void Done(Pending& p) {
    if (use_.hash) {
      p.digests = hasher_.Finish(&p.raw);
      p.mime = magic_.Type(head_);
    }
    if (fuzzy_) p.ssdeep = ssdeep_.Finish();
    if (yara_) {
      Result<std::vector<yara::Match>> m = yara_->Finish();
      if (m.ok()) p.yara = std::move(*m);
      else p.yara_error = p.path + ": " + m.status().message();
      yara_.reset();
    }
  }
  const ContentUse& use_;
  std::optional<yara::Stream> yara_;
  StreamHasher hasher_;
  fuzzy::SsdeepHasher ssdeep_;
  bool fuzzy_ = false;
  Magic magic_;
  std::string head_;
  std::vector<std::byte> buf_;
};

class FilesCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "files", "list the partitions, filesystems and files inside a source, deleted ones too");
    cmd->add_option("SOURCE", source_, "raw image, device, split raw or E01")->required();
    cmd->add_flag("--json", json_, "one JSON document");
    cmd->add_flag("--jsonl", jsonl_, "one JSON object per file");
    cmd->add_flag("--csv", csv_, "CSV, one row per file");
    cmd->add_option("-o,--output", output_, "write there instead of standard output");
    cmd->add_flag("--no-hash", no_hash_, "no content hashes, file types or hash-set matches");
    cmd->add_flag("--no-deleted", no_deleted_, "leave deleted entries out");
    cmd->add_flag("--fuzzy", fuzzy_, "also an ssdeep hash of every file of 4 KiB or more");
    cmd->add_flag("--quiet", quiet_, "no progress line");
    cmd->add_option("--yara", yara_path_,
                    "YARA rules: a rule file or a directory of .yar/.yara files, run on every file");
    cmd->add_option("--yara-timeout", yara_timeout_, "seconds a file's YARA scan may take (60)")
        ->check(CLI::Range(0, 86400));
    cmd->add_option("--yara-whole", yara_whole_mib_,
                    "MiB up to which a file is scanned whole; larger ones in 16 MiB blocks (256)")
        ->check(CLI::Range(1, 1 << 20));
    return cmd;
  }

  int Run(const GlobalOptions& global) override {
    if (int(json_) + int(jsonl_) + int(csv_) > 1) {
      PrintError("give one of --json, --jsonl, --csv");
      return kExitUsage;
    }
    // The rules first: a rule that does not compile is the examiner's to fix before any reading.
    std::unique_ptr<yara::Rules> rules;
    ContentUse use;
    use.hash = !no_hash_;
    use.fuzzy = fuzzy_;
    if (!yara_path_.empty()) {
      Result<std::unique_ptr<yara::Rules>> r = yara::Rules::Compile(yara_path_);
      if (!r.ok()) {
        PrintError(r.status().message());
        return kExitUsage;  // the rules are the examiner's input, as an option is
      }
      rules = std::move(*r);
      use.rules = rules.get();
      use.yara.timeout_seconds = yara_timeout_;
      use.yara.whole_limit = uint64_t(yara_whole_mib_) << 20;
    }
    const bool reading = use.hash || use.fuzzy || rules != nullptr;
    Result<std::unique_ptr<Source>> source = OpenSource(source_);
    if (!source.ok()) {
      PrintError(source.status());
      return kExitSource;
    }
    // The workspace's hash sets, when there is a workspace (none otherwise).
    std::vector<std::unique_ptr<hashset::HashSet>> sets;
    if (!no_hash_) {
      Result<std::vector<std::unique_ptr<hashset::HashSet>>> s =
          hashset::OpenSets(WorkspaceDir(global.data) + "/hashsets");
      if (!s.ok()) {
        PrintError(s.status().message() + " (remove it with `evidex hashset remove`)");
        return kExitWorkspace;
      }
      sets = std::move(*s);
    }
    std::ofstream file;
    if (!OpenOutput(output_, &file)) return kExitOutput;
    std::ostream& out = output_.empty() ? std::cout : file;
    ProgressLine progress(quiet_);
    std::vector<std::vector<std::string>> table{
        {"fs", "path", "type", "size", "del", "modified (UTC)", "sha256", "match"}};
    nlohmann::json files = nlohmann::json::array();
    if (csv_)
      out << "fs,path,type,size,deleted,address,modified,accessed,changed,created,md5,sha1,sha256,"
             "mime,match,yara\r\n";
    uint64_t unreadable = 0, alerts = 0, known = 0, yara_matched = 0, yara_failed = 0;
    std::vector<std::string> yara_lines;  // "path: rule, rule" for the text output
    std::atomic<uint64_t> hashed_bytes{0};

    // Entries are written in walk order. A regular file whose extents cover its content is
    // hashed by a worker that reads those extents from the source itself (Source::ReadAt is
    // thread-safe; TSK is not), so hashing runs on every CPU while the walk goes on; other
    // content (resident, compressed, sparse) is read through TSK on the walking thread.
    std::deque<std::unique_ptr<Pending>> pending;
    std::mutex mu;
    std::condition_variable work_cv, done_cv;
    std::deque<Pending*> queue;
    bool closing = false;
    const unsigned workers = reading ? std::max(1u, std::thread::hardware_concurrency()) : 0;
    std::vector<std::thread> pool;
    for (unsigned w = 0; w < workers; ++w) {
      pool.emplace_back([&] {
        FileHasher hasher(use);
        for (;;) {
          Pending* p;
          {
            std::unique_lock lock(mu);
            work_cv.wait(lock, [&] { return closing || !queue.empty(); });
            if (queue.empty()) return;
            p = queue.front();
            queue.pop_front();
          }
          hasher.FromExtents(**source, *p, hashed_bytes);
          {
            std::lock_guard lock(mu);
            p->done = true;
          }
          done_cv.notify_all();
        }
      });
    }
    auto emit = [&](Pending& p) {
      std::string match_text, yara_text;
      if (p.hashed && p.error.empty() && rules != nullptr) {
        nlohmann::json matches = nlohmann::json::array();
        for (const yara::Match& m : p.yara) {
          nlohmann::json strings = nlohmann::json::array();
          for (const yara::StringMatch& s : m.strings)
            strings.push_back({{"id", s.id}, {"offset", s.offset}, {"length", s.length},
                               {"data", HexBytes(s.data)}});
          matches.push_back({{"rule", m.rule}, {"namespace", m.ns}, {"tags", m.tags},
                             {"meta", m.meta}, {"strings", strings}});
          if (m.strings_truncated) matches.back()["strings_truncated"] = true;
          yara_text += (yara_text.empty() ? "" : ";") + m.rule;
        }
        if (!p.yara.empty()) {
          ++yara_matched;
          yara_lines.push_back(p.tag + " " + p.path + ": " + yara_text);
        }
        p.j["yara"] = matches;
        if (!p.yara_error.empty()) {
          ++yara_failed;
          p.j["yara_error"] = p.yara_error;
          PrintError(p.yara_error);
        }
      }
      if (p.hashed && p.error.empty() && use.hash) {
        nlohmann::json matches = nlohmann::json::array();
        bool alert = false;
        for (const hashset::SetMatch& m : hashset::FindFileInSets(sets, p.raw)) {
          const hashset::SetInfo& i = m.set->info();
          alert = alert || i.category == hashset::Category::kAlert;
          matches.push_back({{"set", i.name}, {"category", hashset::CategoryName(i.category)}, {"label", m.label}});
          if (!match_text.empty()) match_text += "; ";
          match_text += std::string(i.category == hashset::Category::kAlert ? "ALERT " : "known ") +
                        i.name + (m.label.empty() ? "" : " (" + m.label + ")");
        }
        if (!matches.empty()) (alert ? alerts : known)++;
        p.j["md5"] = p.digests.md5, p.j["sha1"] = p.digests.sha1, p.j["sha256"] = p.digests.sha256;
        p.j["mime"] = p.mime;
        p.j["match"] = matches;
      }
      if (!p.ssdeep.empty() && p.error.empty()) p.j["ssdeep"] = p.ssdeep;
      if (!p.error.empty()) {
        ++unreadable;
        p.j["error"] = p.error;
        PrintError(p.error);
      }
      const nlohmann::json& j = p.j;
      if (jsonl_) {
        out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      } else if (csv_) {
        out << CsvField(p.tag) << ',' << CsvField(j["path"].get<std::string>()) << ','
            << j["type"].get<std::string>() << ',' << j["size"].get<uint64_t>() << ','
            << (j["deleted"].get<bool>() ? "yes" : "no") << ',' << j["address"].get<uint64_t>()
            << ',' << j["modified"].get<std::string>() << ',' << j["accessed"].get<std::string>()
            << ',' << j["changed"].get<std::string>() << ',' << j["created"].get<std::string>()
            << ',' << p.digests.md5 << ',' << p.digests.sha1 << ',' << p.digests.sha256 << ','
            << CsvField(p.mime) << ',' << CsvField(match_text) << ',' << CsvField(yara_text)
            << "\r\n";
      } else if (json_) {
        files.push_back(std::move(p.j));
      } else {
        table.push_back({p.tag, j["path"].get<std::string>(), j["type"].get<std::string>(),
                         std::to_string(j["size"].get<uint64_t>()),
                         j["deleted"].get<bool>() ? "yes" : "", p.modified_short,
                         p.digests.sha256.substr(0, std::min<size_t>(16, p.digests.sha256.size())),
                         yara_text.empty() ? match_text
                                           : match_text + (match_text.empty() ? "" : "; ") +
                                                 "YARA " + yara_text});
      }
    };
    // Writes the finished entries at the front; with `all`, waits for every one.
    auto flush = [&](bool all) {
      while (!pending.empty()) {
        Pending& front = *pending.front();
        {
          std::unique_lock lock(mu);
          if (!front.done) {
            if (!all && pending.size() < kMaxPending) return;
            done_cv.wait(lock, [&] { return front.done; });
          }
        }
        emit(front);
        pending.pop_front();
      }
    };
    FileHasher local(use);  // for content read through TSK on this thread
    fs::WalkOptions options;
    options.deleted = !no_deleted_;
    options.extents = reading;
    // A file's filesystem is named by its type and byte offset in the source ("fat16@1048576").
    Result<fs::WalkReport> report = fs::Walk(
        **source, options,
        [&](const fs::FileSystem& f, const fs::FileEntry& e, fs::ContentReader& content) {
          if (g_cancel.load()) return false;
          auto p = std::make_unique<Pending>();
          p->tag = f.type + "@" + std::to_string(f.offset);
          p->path = e.path;
          p->modified_short = IsoTime(e.modified, false);
          p->j = {{"fs_offset", f.offset}, {"fs_type", f.type}, {"path", e.path},
                  {"type", TypeName(e.type)}, {"size", e.size},
                  {"address", e.address}, {"deleted", e.deleted},
                  {"modified", IsoTime(e.modified)}, {"accessed", IsoTime(e.accessed)},
                  {"changed", IsoTime(e.changed)}, {"created", IsoTime(e.created)}};
          p->size = e.size;
          bool queued = false;
          if (reading && e.type == fs::FileEntry::Type::kRegular) {
            p->hashed = true;
            uint64_t covered = 0;
            for (const fs::Extent& x : e.extents) covered += x.length;
            if (covered == e.size && e.size > 0) {
              p->extents = e.extents;
              std::lock_guard lock(mu);
              queue.push_back(p.get());
              queued = true;
            } else {
              local.FromReader(content, *p, hashed_bytes);
            }
          }
          if (!queued) p->done = true;
          pending.push_back(std::move(p));
          if (queued) work_cv.notify_one();
          flush(false);
          progress.Update(hashed_bytes.load(), 0, e.path);
          return true;
        });
    flush(true);
    {
      std::lock_guard lock(mu);
      closing = true;
    }
    work_cv.notify_all();
    for (std::thread& t : pool) t.join();
    progress.Finish();
    if (!report.ok()) {
      PrintError(source_ + ": " + report.status().message());
      return kExitSource;
    }
    auto partitions_json = [&] {
      nlohmann::json p = nlohmann::json::array();
      for (const fs::Partition& x : report->partitions)
        p.push_back({{"slot", x.slot}, {"start", x.start}, {"length", x.length},
                     {"scheme", x.scheme}, {"description", x.description},
                     {"allocated", x.allocated}});
      return p;
    };
    auto filesystems_json = [&] {
      nlohmann::json p = nlohmann::json::array();
      for (const fs::FileSystem& x : report->filesystems)
        p.push_back({{"offset", x.offset}, {"type", x.type}, {"label", x.label},
                     {"block_size", x.block_size}, {"blocks", x.block_count},
                     {"partition", x.partition}});
      return p;
    };
    if (json_) {
      out << nlohmann::json{{"source", source_},
                            {"description", (*source)->Describe()},
                            {"size", (*source)->Size()},
                            {"partitions", partitions_json()},
                            {"filesystems", filesystems_json()},
                            {"notes", report->notes},
                            {"files", files},
                            {"entries", report->entries},
                            {"alert", alerts},
                            {"known", known},
                            {"yara_matched", yara_matched},
                            {"yara_failed", yara_failed},
                            {"unreadable", unreadable}}
                 .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
          << '\n';
    } else if (!jsonl_ && !csv_) {
      std::printf("%s: %s, %llu bytes\n", source_.c_str(), (*source)->Describe().c_str(),
                  (unsigned long long)(*source)->Size());
      for (const fs::Partition& p : report->partitions)
        std::printf("  partition %u (%s): bytes %llu-%llu, %s%s\n", p.slot, p.scheme.c_str(),
                    (unsigned long long)p.start, (unsigned long long)(p.start + p.length),
                    p.description.c_str(), p.allocated ? "" : " (unallocated)");
      for (const fs::FileSystem& f : report->filesystems)
        std::printf("  filesystem %s at byte %llu%s%s, %llu blocks of %u bytes\n", f.type.c_str(),
                    (unsigned long long)f.offset, f.label.empty() ? "" : ", label ",
                    f.label.c_str(), (unsigned long long)f.block_count, f.block_size);
      for (const std::string& n : report->notes) std::printf("  note: %s\n", n.c_str());
      if (!yara_lines.empty()) {
        std::printf("YARA matches:\n");
        for (const std::string& l : yara_lines) std::printf("  %s\n", l.c_str());
      }
      PrintTable(table);
      std::printf("%llu entries; %llu in an alert set, %llu known; %llu unreadable\n",
                  (unsigned long long)report->entries, (unsigned long long)alerts,
                  (unsigned long long)known, (unsigned long long)unreadable);
      if (rules != nullptr)
        std::printf("%llu file(s) matched YARA rules (%zu rules from %zu file(s)); %llu scan(s) failed\n",
                    (unsigned long long)yara_matched, rules->rule_count(), rules->files().size(),
                    (unsigned long long)yara_failed);
    }
    for (const std::string& n : report->notes)
      if (json_ || jsonl_ || csv_) PrintError("note: " + n);
    out.flush();
    if (!out) {
      PrintError("cannot write " + (output_.empty() ? std::string("standard output") : output_));
      return kExitOutput;
    }
    if (g_cancel.load()) return kExitInterrupted;
    return unreadable > 0 ? kExitPartial : kExitOk;
  }

 private:
  std::string source_, output_;
  bool json_ = false, jsonl_ = false, csv_ = false, no_hash_ = false, no_deleted_ = false,
       quiet_ = false, fuzzy_ = false;
  std::string yara_path_;
  int yara_timeout_ = 60;
  int yara_whole_mib_ = 256;
};

class TimelineCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "timeline", "every filesystem time of a source as one sorted timeline (plaso/Timesketch CSV)");
    cmd->add_option("SOURCE", source_, "raw image, device, split raw or E01")->required();
    cmd->add_flag("--jsonl", jsonl_, "JSON lines instead of CSV");
    cmd->add_option("-o,--output", output_, "write there instead of standard output");
    cmd->add_option("--from", from_, "first time kept, UTC (2026-11-02 or 2026-11-02T10:00:00)");
    cmd->add_option("--to", to_, "last time kept, UTC (inclusive)");
    cmd->add_flag("--no-deleted", no_deleted_, "leave deleted entries out");
    return cmd;
  }

  int Run(const GlobalOptions&) override {
    int64_t from = INT64_MIN, to = INT64_MAX;
    if ((!from_.empty() && !ParseUtc(from_, &from)) || (!to_.empty() && !ParseUtc(to_, &to))) {
      PrintError("times are YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (UTC)");
      return kExitUsage;
    }
    if (!to_.empty() && to_.find('T') == std::string::npos) to += 86399;  // the whole day
    Result<std::unique_ptr<Source>> source = OpenSource(source_);
    if (!source.ok()) {
      PrintError(source.status());
      return kExitSource;
    }
    struct Row {
      fs::Timestamp t;
      uint8_t which;  // 0 M, 1 A, 2 C, 3 B
      uint32_t entry;
    };
    struct Entry {
      std::string fs, path;
      uint64_t size, address;
      bool deleted;
      const char* type;
    };
    std::vector<Entry> entries;
    std::vector<Row> rows;
    fs::WalkOptions options;
    options.deleted = !no_deleted_;
    Result<fs::WalkReport> report = fs::Walk(
        **source, options, [&](const fs::FileSystem& f, const fs::FileEntry& e, fs::ContentReader&) {
          const fs::Timestamp* times[4] = {&e.modified, &e.accessed, &e.changed, &e.created};
          bool any = false;
          for (uint8_t w = 0; w < 4; ++w) {
            if (!times[w]->set || times[w]->seconds < from || times[w]->seconds > to) continue;
            rows.push_back({*times[w], w, uint32_t(entries.size())});
            any = true;
          }
          if (any)
            entries.push_back({f.type + "@" + std::to_string(f.offset), e.path, e.size, e.address,
                               e.deleted, TypeName(e.type)});
          return !g_cancel.load();
        });
    if (!report.ok()) {
      PrintError(source_ + ": " + report.status().message());
      return kExitSource;
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      return std::tie(a.t.seconds, a.t.nanoseconds) < std::tie(b.t.seconds, b.t.nanoseconds);
    });
    std::ofstream file;
    if (!OpenOutput(output_, &file)) return kExitOutput;
    std::ostream& out = output_.empty() ? std::cout : file;
    // plaso's descriptions of the four filesystem times.
    static const char* kDesc[4] = {"Content Modification Time", "Last Access Time",
                                   "Metadata Modification Time", "Creation Time"};
    static const char* kMacb[4] = {"M...", ".A..", "..C.", "...B"};
    if (!jsonl_)
      out << "datetime,timestamp,timestamp_desc,macb,message,source,source_long,filename,inode,"
             "deleted,size,fs\r\n";
    for (const Row& r : rows) {
      const Entry& e = entries[r.entry];
      const int64_t micros = r.t.seconds * 1000000 + r.t.nanoseconds / 1000;
      const std::string message = std::string(e.type) + " " + e.path + (e.deleted ? " (deleted)" : "") +
                                  " size " + std::to_string(e.size);
      if (jsonl_) {
        out << nlohmann::json{{"datetime", IsoTime(r.t)}, {"timestamp", micros},
                              {"timestamp_desc", kDesc[r.which]}, {"macb", kMacb[r.which]},
                              {"message", message}, {"source", "FILE"},
                              {"source_long", "File system " + e.fs}, {"filename", e.path},
                              {"inode", e.address}, {"deleted", e.deleted}, {"size", e.size},
                              {"fs", e.fs}}
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
            << '\n';
      } else {
        out << IsoTime(r.t) << ',' << micros << ',' << kDesc[r.which] << ',' << kMacb[r.which]
            << ',' << CsvField(message) << ",FILE," << CsvField("File system " + e.fs) << ','
            << CsvField(e.path) << ',' << e.address << ',' << (e.deleted ? "yes" : "no") << ','
            << e.size << ',' << CsvField(e.fs) << "\r\n";
      }
    }
    for (const std::string& n : report->notes) PrintError("note: " + n);
    out.flush();
    if (!out) {
      PrintError("cannot write " + (output_.empty() ? std::string("standard output") : output_));
      return kExitOutput;
    }
    if (!output_.empty())
      std::fprintf(stderr, "%zu time(s) of %zu entries written to %s\n", rows.size(), entries.size(),
                   output_.c_str());
    return g_cancel.load() ? kExitInterrupted : kExitOk;
  }

 private:
  std::string source_, output_, from_, to_;
  bool jsonl_ = false, no_deleted_ = false;
};

// `evidex similar TARGET SOURCE...`: files like TARGET (a file, or an ssdeep hash) among the files
// inside images and the files on disk given, by ssdeep score.
class SimilarCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "similar", "find near-duplicates of a file (or of an ssdeep hash) inside images and folders");
    cmd->add_option("TARGET", target_, "a file, or an ssdeep hash (BLOCKSIZE:HASH:HASH)")->required();
    cmd->add_option("SOURCE", sources_, "images (their filesystems are walked) or files and folders")
        ->required();
    cmd->add_option("--threshold", threshold_, "lowest ssdeep score listed, 1-100 (default 40)")
        ->check(CLI::Range(1, 100));
    cmd->add_flag("--json", json_, "print as JSON");
    return cmd;
  }

  int Run(const GlobalOptions&) override {
    std::string target = target_;
    std::error_code ec;
    if (std::filesystem::is_regular_file(target_, ec)) {
      Result<std::string> h = HashWhole(target_);
      if (!h.ok()) {
        PrintError(h.status());
        return kExitSource;
      }
      target = *h;
    } else if (!fuzzy::SsdeepCompare(target_, target_).has_value()) {
      PrintError(target_ + " is neither a file nor an ssdeep hash (BLOCKSIZE:HASH:HASH)");
      return kExitUsage;
    }
    struct Found {
      int score;
      std::string source, where, ssdeep;
      uint64_t size;
    };
    std::vector<Found> found;
    bool partial = false;
    uint64_t compared = 0;
    auto consider = [&](const std::string& source, const std::string& where, uint64_t size,
                        const std::string& hash) {
      ++compared;
      std::optional<int> score = fuzzy::SsdeepCompare(target, hash);
      if (score && *score >= threshold_) found.push_back({*score, source, where, hash, size});
    };
    fuzzy::SsdeepHasher hasher;
    for (const std::string& src : sources_) {
      if (std::filesystem::is_directory(src, ec)) {
        Result<Enumeration> items = EnumerateEvidence(src);
        if (!items.ok()) {
          PrintError(items.status());
          return kExitSource;
        }
        for (const EvidenceItem& it : items->items) {
          Result<std::string> h = HashWhole(it.path);
          if (!h.ok()) {
            PrintError(h.status());
            partial = true;
            continue;
          }
          consider(src, it.path, std::filesystem::file_size(it.path, ec), *h);
        }
        continue;
      }
      Result<std::unique_ptr<Source>> source = OpenSource(src);
      if (!source.ok()) {
        PrintError(source.status());
        return kExitSource;
      }
      Result<fs::WalkReport> report = fs::Walk(
          **source, fs::WalkOptions{},
          [&](const fs::FileSystem& f, const fs::FileEntry& e, fs::ContentReader& content) {
            if (e.type != fs::FileEntry::Type::kRegular || e.size < kFuzzyMinSize) return true;
            hasher.Reset();
            Status st = content.Read([&](std::span<const std::byte> piece) {
              hasher.Update(piece.data(), piece.size());
              return !g_cancel.load();
            });
            if (!st.ok()) {
              PrintError(st);
              partial = true;
              return !g_cancel.load();
            }
            consider(src, f.type + "@" + std::to_string(f.offset) + ":" + e.path +
                              (e.deleted ? " (deleted)" : ""),
                     e.size, hasher.Finish());
            return !g_cancel.load();
          });
      if (!report.ok()) {
        PrintError(src + ": " + report.status().message());
        return kExitSource;
      }
      if (report->filesystems.empty()) {  // a plain file: itself
        Result<std::string> h = HashWhole(src);
        if (h.ok()) consider(src, src, (*source)->Size(), *h);
      }
    }
    std::stable_sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.score > b.score; });
    if (json_) {
      nlohmann::json out = nlohmann::json::array();
      for (const Found& f : found)
        out.push_back({{"score", f.score}, {"source", f.source}, {"file", f.where}, {"size", f.size},
                       {"ssdeep", f.ssdeep}});
      std::printf("%s\n", nlohmann::json{{"target", target}, {"threshold", threshold_},
                                         {"compared", compared}, {"similar", out}}
                              .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                              .c_str());
    } else {
      std::printf("target %s\n", target.c_str());
      std::vector<std::vector<std::string>> rows{{"score", "file", "size", "source"}};
      for (const Found& f : found)
        rows.push_back({std::to_string(f.score), f.where, std::to_string(f.size), f.source});
      PrintTable(rows);
      std::printf("%zu of %llu file(s) at %d or more\n", found.size(), (unsigned long long)compared,
                  threshold_);
    }
    return partial ? kExitPartial : kExitOk;
  }

 private:
  // The ssdeep hash of a file on disk.
  static Result<std::string> HashWhole(const std::string& path) {
    Result<std::unique_ptr<Source>> src = OpenRawFile(path);
    if (!src.ok()) return src.status();
    fuzzy::SsdeepHasher h;
    std::vector<std::byte> buf(1 << 20);
    for (uint64_t off = 0;;) {
      Result<size_t> n = (*src)->ReadAt(off, buf);
      if (!n.ok()) return n.status();
      if (*n == 0) break;
      h.Update(buf.data(), *n);
      off += *n;
    }
    return h.Finish();
  }

  std::string target_;
  std::vector<std::string> sources_;
  int threshold_ = 40;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeFilesCommand() { return std::make_unique<FilesCommand>(); }
std::unique_ptr<Command> MakeTimelineCommand() { return std::make_unique<TimelineCommand>(); }
std::unique_ptr<Command> MakeSimilarCommand() { return std::make_unique<SimilarCommand>(); }

}  // namespace evidex::cli
