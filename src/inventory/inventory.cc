// The file inventory (inventory.h): a walk on the calling thread, content readers on workers.
#include "inventory/inventory.h"

#include <magic.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "fuzzy/ssdeep.h"
#include "fuzzy/tlsh.h"

namespace evidex::inventory {

bool Entry::Alert() const {
  for (const hashset::SetMatch& m : matches)
    if (m.set->info().category == hashset::Category::kAlert) return true;
  return false;
}

bool Entry::Known() const { return !matches.empty() && !Alert(); }

namespace {

class Magic {
 public:
  Magic()
      : cookie_(magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF |
                           MAGIC_ERROR)) {
    if (cookie_ != nullptr && magic_load(cookie_, nullptr) != 0) {
      magic_close(cookie_);
      cookie_ = nullptr;
    }
  }
  ~Magic() {
    if (cookie_ != nullptr) magic_close(cookie_);
  }
  Magic(const Magic&) = delete;
  Magic& operator=(const Magic&) = delete;
  std::string Type(const std::string& head) {
    if (cookie_ == nullptr) return "";
    const char* t = magic_buffer(cookie_, head.data(), head.size());
    return t == nullptr ? "" : t;
  }

 private:
  magic_t cookie_;
};

bool Cancelled(const Options& o) { return o.cancel != nullptr && o.cancel->load(); }

// Reads one file's content for everything asked. One per thread: libmagic's handle, the hashers
// and the YARA stream are not shared.
class ContentReader {
 public:
  static constexpr size_t kHead = 4096;  // libmagic gets this much: enough for signatures
  explicit ContentReader(const Options& o) : o_(o), hasher_(o.algorithms) {}

  void FromExtents(Source& source, Entry& e, std::atomic<uint64_t>& bytes) {
    Start(e);
    buf_.resize(1 << 20);
    for (const fs::Extent& x : e.file.extents) {
      for (uint64_t done = 0; done < x.length;) {
        if (Cancelled(o_)) {
          e.error = e.file.path + ": not read whole (interrupted)";
          Abandon();
          return;
        }
        size_t want = size_t(std::min<uint64_t>(buf_.size(), x.length - done));
        Result<size_t> n = source.ReadAt(x.source_offset + done, std::span(buf_.data(), want));
        if (!n.ok() || *n < want) {
          e.error = e.file.path + ": cannot read its content at byte " +
                    std::to_string(x.file_offset + done) +
                    (n.ok() ? std::string(" (the source ends)") : ": " + n.status().message());
          Abandon();
          return;
        }
        Piece(buf_.data(), want);
        bytes += want;
        done += want;
      }
    }
    Done(e);
  }

  void FromTsk(fs::ContentReader& content, Entry& e, std::atomic<uint64_t>& bytes) {
    Start(e);
    Status st = content.Read([&](std::span<const std::byte> piece) {
      Piece(piece.data(), piece.size());
      bytes += piece.size();
      return !Cancelled(o_);
    });
    if (st.ok() && Cancelled(o_)) st = Status(Code::kIoError, "not read whole (interrupted)");
    if (!st.ok()) {
      e.error = e.file.path + ": " + st.message();
      Abandon();
      return;
    }
    Done(e);
  }

 private:
  void Start(const Entry& e) {
    head_.clear();
    fuzzy_ = o_.fuzzy && e.file.size >= kFuzzyMinSize;
    if (fuzzy_) {
      ssdeep_.Reset();
      tlsh_.Reset();
    }
    if (o_.hash) hasher_.Reset();
    if (o_.rules != nullptr) yara_.emplace(*o_.rules, e.file.size, o_.yara);
  }
  void Piece(const std::byte* data, size_t n) {
    if (o_.hash && o_.magic && head_.size() < kHead)
      head_.append(reinterpret_cast<const char*>(data), std::min(n, kHead - head_.size()));
    if (o_.hash) hasher_.Update(data, n);
    if (fuzzy_) {
      ssdeep_.Update(data, n);
      tlsh_.Update(data, n);
    }
    if (yara_) yara_->Write(std::span(data, n));
  }
  void Abandon() {
    if (o_.hash) (void)hasher_.Finish();
    if (yara_) (void)yara_->Finish(Status(Code::kIoError, "unreadable"));
    yara_.reset();
  }
  void Done(Entry& e) {
    if (o_.hash) {
      e.digests = hasher_.Finish(&e.raw);
      if (o_.magic) e.mime = magic_.Type(head_);
      if (o_.sets != nullptr) e.matches = hashset::FindFileInSets(*o_.sets, e.raw);
    }
    if (fuzzy_) {
      e.ssdeep = ssdeep_.Finish();
      e.tlsh = tlsh_.Finish();
    }
    if (yara_) {
      Result<std::vector<yara::Match>> m = yara_->Finish();
      if (m.ok()) e.yara = std::move(*m);
      else e.yara_error = e.file.path + ": " + m.status().message();
      yara_.reset();
    }
  }

  const Options& o_;
  std::optional<yara::Stream> yara_;
  StreamHasher hasher_;
  fuzzy::SsdeepHasher ssdeep_;
  fuzzy::TlshHasher tlsh_;
  bool fuzzy_ = false;
  Magic magic_;
  std::string head_;
  std::vector<std::byte> buf_;
};

// Entries walked but not yet handed out: at most this many wait for their content.
constexpr size_t kMaxPending = 4096;

struct Pending {
  Entry entry;
  bool done = false;  // guarded by the mutex once queued
};

}  // namespace

Result<fs::WalkReport> Run(Source& source, const Options& o,
                           const std::function<bool(Entry&)>& each,
                           const std::function<void(const Progress&)>& progress) {
  const bool reading = o.hash || o.fuzzy || o.rules != nullptr;
  std::deque<std::unique_ptr<Pending>> pending;
  std::mutex mu;
  std::condition_variable work_cv, done_cv;
  std::deque<Pending*> queue;
  bool closing = false;
  std::atomic<uint64_t> bytes{0};
  const unsigned workers =
      !reading ? 0 : o.threads != 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned w = 0; w < workers; ++w) {
    pool.emplace_back([&] {
      ContentReader reader(o);
      for (;;) {
        Pending* p;
        {
          std::unique_lock lock(mu);
          work_cv.wait(lock, [&] { return closing || !queue.empty(); });
          if (queue.empty()) return;
          p = queue.front();
          queue.pop_front();
        }
        reader.FromExtents(source, p->entry, bytes);
        {
          std::lock_guard lock(mu);
          p->done = true;
        }
        done_cv.notify_all();
      }
    });
  }
  bool stopped = false;  // `each` said stop
  // Hands out the finished entries at the front; with `all`, waits for every one.
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
      if (!stopped && !each(front.entry)) stopped = true;
      pending.pop_front();
    }
  };
  ContentReader local(o);  // content read through TSK, on this thread
  fs::WalkOptions walk;
  walk.deleted = o.deleted;
  walk.extents = reading || o.extents;
  uint64_t walked = 0;
  Result<fs::WalkReport> report = fs::Walk(
      source, walk,
      [&](const fs::FileSystem& f, const fs::FileEntry& fe, fs::ContentReader& content) {
        if (stopped || Cancelled(o)) return false;
        auto p = std::make_unique<Pending>();
        Entry& e = p->entry;
        e.fs_type = f.type;
        e.fs_offset = f.offset;
        e.fs = f.type + "@" + std::to_string(f.offset);
        e.file = fe;
        bool queued = false;
        if (reading && fe.type == fs::FileEntry::Type::kRegular) {
          e.read = true;
          uint64_t covered = 0;
          for (const fs::Extent& x : fe.extents) covered += x.length;
          if (covered == fe.size && fe.size > 0) {
            std::lock_guard lock(mu);
            queue.push_back(p.get());
            queued = true;
          } else {
            local.FromTsk(content, e, bytes);
          }
        }
        if (!queued) p->done = true;
        pending.push_back(std::move(p));
        if (queued) work_cv.notify_one();
        flush(false);
        ++walked;
        if (progress) progress(Progress{bytes.load(), walked, &fe.path});
        return !stopped;
      });
  flush(true);
  {
    std::lock_guard lock(mu);
    closing = true;
  }
  work_cv.notify_all();
  for (std::thread& t : pool) t.join();
  return report;
}

}  // namespace evidex::inventory
