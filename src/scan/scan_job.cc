#include "scan/scan_job.h"

#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <new>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/version.h"
#include "io/source.h"
#include "scan/output.h"

namespace evidex::scan {
namespace {

constexpr size_t kSalvageBlock = 64 * 1024;

struct Item {
  std::string path;
  std::string name;
  size_t report;  // index into ScanSummary::sources
  bool in_directory;
};

// A page's bytes: grown, never zero-filled (every byte is read into before use). Backed by
// transparent huge pages where the kernel allows it (madvise mode): a 17 MiB page then takes 9
// page faults instead of 4,352, and the copy from the page cache and the scans miss the TLB less.
struct PageBuffer {
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  static constexpr size_t kHuge = 2u << 20;
  std::unique_ptr<uint8_t[], Free> bytes;
  size_t capacity = 0;
  size_t size = 0;
  void Resize(size_t n) {
    if (n > capacity) {
      size_t rounded = (n + kHuge - 1) / kHuge * kHuge;
      bytes.reset(static_cast<uint8_t*>(std::aligned_alloc(kHuge, rounded)));
      if (bytes == nullptr) throw std::bad_alloc();
      madvise(bytes.get(), rounded, MADV_HUGEPAGE);  // advice only: failure changes nothing
      capacity = rounded;
    }
    size = n;
  }
  std::span<uint8_t> span() { return {bytes.get(), size}; }
};

// The length of the page at `off` of a source of `size` bytes, nominally `page`. The first pages
// are shorter (page/8, then growing with the offset) so that a worker starts after a short read,
// not after a whole page, and so are the last ones (a quarter of what is left, down to page/8) so
// that the workers finish together instead of one scanning the last whole page alone. The layout
// depends on the source's size only, never on the thread count.
uint64_t PageLength(uint64_t page, uint64_t off, uint64_t size) {
  const uint64_t least = std::min<uint64_t>(page, std::max<uint64_t>(page / 8, 64 * 1024));
  uint64_t len = std::min({page, std::max(least, off), std::max(least, (size - off) / 4)});
  if (size - off - std::min(len, size - off) < least) len = size - off;  // no sliver at the end
  return len;
}

// The ranges of one source left out of the scan: sorted, merged, non-empty, within the source.
class SkipRanges {
 public:
  struct Span {
    uint64_t begin, end;
  };

  SkipRanges(const std::vector<ByteRange>& ranges, uint64_t size) {
    spans_.reserve(ranges.size());
    for (const ByteRange& r : ranges)
      if (r.offset < size && r.length > 0)
        spans_.push_back({r.offset, r.offset + std::min(r.length, size - r.offset)});
    std::sort(spans_.begin(), spans_.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
    size_t n = 0;
    for (const Span& sp : spans_) {
      if (n > 0 && sp.begin <= spans_[n - 1].end)
        spans_[n - 1].end = std::max(spans_[n - 1].end, sp.end);
      else
        spans_[n++] = sp;
    }
    spans_.resize(n);
  }

  bool empty() const { return spans_.empty(); }
  // The spans overlapping [begin, end), not clipped. Binary searches: no walk over the others.
  std::span<const Span> Overlapping(uint64_t begin, uint64_t end) const {
    auto first = std::upper_bound(spans_.begin(), spans_.end(), begin,
                                  [](uint64_t v, const Span& sp) { return v < sp.end; });
    auto last = std::lower_bound(first, spans_.end(), end,
                                 [](const Span& sp, uint64_t v) { return sp.begin < v; });
    return {first, last};
  }
  // Bytes of [begin, end) inside the spans.
  uint64_t Covered(uint64_t begin, uint64_t end) const {
    uint64_t n = 0;
    for (const Span& sp : Overlapping(begin, end)) n += std::min(sp.end, end) - std::max(sp.begin, begin);
    return n;
  }
  bool Contains(uint64_t offset) const {
    std::span<const Span> o = Overlapping(offset, offset + 1);
    return !o.empty();
  }

 private:
  std::vector<Span> spans_;
};

// A source whose skipped ranges read as zeros: the pages read through it, and the decoders that
// read on past a page, see zeros there. A skipped stretch at either end of a read, or of
// kMinUnread bytes or more, is not read from the source underneath; shorter ones inside a read
// are read with the bytes around them and cleared (one read rather than many small ones).
class SkippingSource : public Source {
 public:
  static constexpr uint64_t kMinUnread = 64 * 1024;

  SkippingSource(std::shared_ptr<Source> inner, SkipRanges ranges)
      : inner_(std::move(inner)), ranges_(std::move(ranges)) {}
  const SkipRanges& ranges() const { return ranges_; }
  uint64_t Size() const override { return inner_->Size(); }
  std::string Describe() const override { return inner_->Describe(); }

  Result<size_t> ReadAt(uint64_t offset, std::span<std::byte> out) override {
    const uint64_t size = inner_->Size();
    if (offset >= size || out.empty()) return size_t(0);
    uint64_t end = offset + std::min<uint64_t>(out.size(), size - offset);
    std::span<const SkipRanges::Span> skip = ranges_.Overlapping(offset, end);
    uint64_t next = offset;  // the first byte neither read nor left unread yet
    auto read_to = [&](uint64_t to) -> Status {
      if (to <= next) return Status::Ok();
      Result<size_t> n = inner_->ReadAt(next, out.subspan(size_t(next - offset), size_t(to - next)));
      if (!n.ok()) return n.status();
      if (*n < to - next) end = next + *n;  // the source ended early (shrunk)
      next = std::min(to, end);
      return Status::Ok();
    };
    for (const SkipRanges::Span& sp : skip) {
      uint64_t b = std::max(sp.begin, offset), e = std::min(sp.end, end);
      if (b > offset && e < end && e - b < kMinUnread) continue;  // read through, cleared below
      EVIDEX_RETURN_IF_ERROR(read_to(b));
      if (end <= b) break;
      next = e;
    }
    if (next < end) EVIDEX_RETURN_IF_ERROR(read_to(end));
    for (const SkipRanges::Span& sp : skip) {
      uint64_t b = std::max(sp.begin, offset), e = std::min(sp.end, end);
      if (b >= e) break;
      std::memset(out.data() + (b - offset), 0, size_t(e - b));
    }
    return size_t(end - offset);
  }

 private:
  std::shared_ptr<Source> inner_;
  const SkipRanges ranges_;
};

struct Task {
  size_t report = 0;
  std::shared_ptr<Source> source;  // a SkippingSource when the source has skipped ranges
  const SkipRanges* skip = nullptr;  // its ranges (owned by `source`), or null
  uint64_t skipped = 0;              // bytes of the keep region inside them
  PageBuffer buf;
  uint64_t data_offset = 0;
  size_t keep_begin = 0, keep_end = 0;
  std::string name;  // the evidence item's name in forensic paths ("" for a single source)
  std::shared_ptr<const HitLocator> locator;  // may be null
  std::vector<Hit> hits;
  RenderedHits rendered;  // the hits as output text, rendered by the worker
  PageStats stats;
  bool done = false;
};

// Reads [offset, offset + out.size()) as far as the source goes; unreadable 64 KiB blocks are
// zero-filled and counted. Returns the bytes obtained (short only at the end of the source).
size_t ReadSalvaging(Source& source, uint64_t offset, std::span<uint8_t> out, SourceReport& report) {
  Result<size_t> n = source.ReadAt(offset, std::as_writable_bytes(out));
  if (n.ok()) return *n;
  size_t got = 0;
  while (got < out.size()) {
    size_t want = std::min(kSalvageBlock, out.size() - got);
    Result<size_t> r = source.ReadAt(offset + got, std::as_writable_bytes(out.subspan(got, want)));
    if (r.ok()) {
      got += *r;
      if (*r < want) break;  // end of source
      continue;
    }
    if (report.errors.size() < 20) report.errors.push_back(r.status().message());
    std::fill(out.begin() + std::ptrdiff_t(got), out.begin() + std::ptrdiff_t(got + want), 0);
    report.bad_bytes += want;
    got += want;
  }
  return got;
}

class Pool {
 public:
  Pool(const Engine& engine, int threads, bool jsonl) : scanners_(engine.scanners()), jsonl_(jsonl) {
    for (int i = 0; i < threads; ++i) {
      std::unique_ptr<Worker> w = engine.NewWorker();
      threads_.emplace_back([this, w = std::move(w)]() mutable { Run(*w); });
    }
  }
  ~Pool() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  void Submit(Task* t) {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(t);
    }
    work_cv_.notify_one();
  }
  void WaitDone(Task* t) {
    std::unique_lock lock(mu_);
    done_cv_.wait(lock, [t] { return t->done; });
  }

 private:
  void Run(Worker& w) {
    while (true) {
      Task* t;
      {
        std::unique_lock lock(mu_);
        work_cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;
        t = queue_.front();
        queue_.pop_front();
      }
      Page page;
      page.data = std::span<const uint8_t>(t->buf.bytes.get(), t->buf.size);
      page.data_offset = t->data_offset;
      page.keep_begin = t->keep_begin;
      page.keep_end = t->keep_end;
      page.source = t->source.get();
      w.ScanPage(page, &t->hits, &t->stats);
      // Zeros can still match a keyword pattern: nothing is reported from inside skipped bytes.
      if (t->skip != nullptr)
        std::erase_if(t->hits, [t](const Hit& h) { return t->skip->Contains(h.offset); });
      RenderHits(t->hits, t->name, scanners_, jsonl_, &t->rendered, t->locator.get());
      {
        std::lock_guard lock(mu_);
        t->done = true;
      }
      done_cv_.notify_all();
    }
  }

  std::span<const ScannerDef* const> scanners_;
  bool jsonl_;
  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<Task*> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

Result<ScanSummary> RunScan(const ScanJobOptions& options,
                            const std::function<void(const ScanProgress&)>& progress) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  if (options.sources.empty()) return InvalidArgument("no SOURCE given");
  if (options.threads < 1) return InvalidArgument("-j must be at least 1");

  Result<std::unique_ptr<Engine>> engine_or = Engine::Create(options.engine);
  if (!engine_or.ok()) return engine_or.status();
  const Engine& engine = **engine_or;

  ScanSummary summary;
  summary.threads = options.threads;
  std::vector<Item> items;
  bool unreadable_source = false, partial = false;
  for (size_t si = 0; si < options.sources.size(); ++si) {
    const std::string& arg = options.sources[si];
    const std::string& label = si < options.source_names.size() ? options.source_names[si] : arg;
    Result<Enumeration> e = EnumerateEvidence(arg);
    if (!e.ok()) {
      SourceReport r;
      r.path = arg;
      r.source = si;
      r.errors.push_back(e.status().message());
      summary.errors.push_back(e.status().message());
      summary.sources.push_back(std::move(r));
      unreadable_source = true;
      continue;
    }
    for (const Status& st : e->errors) {
      summary.errors.push_back(st.message());
      partial = true;
    }
    for (const EvidenceItem& it : e->items) {
      std::string name = it.relative;
      if (options.sources.size() > 1) name = it.relative.empty() ? label : label + "/" + it.relative;
      SourceReport r;
      r.path = it.path;
      r.name = name;
      r.source = si;
      r.relative = it.relative;
      items.push_back({it.path, name, summary.sources.size(), !it.relative.empty()});
      summary.sources.push_back(std::move(r));
    }
  }

  OutputWriter::Options wopts;
  wopts.outdir = options.outdir;
  wopts.jsonl = options.jsonl;
  wopts.banner_filename = options.sources.size() == 1 ? options.sources[0] : "(several sources)";
  Result<std::unique_ptr<OutputWriter>> writer_or = OutputWriter::Open(wopts, engine.scanners());
  if (!writer_or.ok()) return writer_or.status();
  OutputWriter& writer = **writer_or;

  ScanProgress prog;
  for (const Item& it : items) {
    std::error_code ec;
    uint64_t sz = std::filesystem::file_size(it.path, ec);
    if (!ec) prog.bytes_total += sz;
  }
  auto last_progress = Clock::now();
  auto report_progress = [&](bool force) {
    if (!progress) return;
    auto now = Clock::now();
    if (!force && now - last_progress < std::chrono::milliseconds(200)) return;
    last_progress = now;
    prog.seconds = std::chrono::duration<double>(now - start).count();
    prog.hits = summary.hits;
    progress(prog);
  };

  const size_t lead = std::max<size_t>(8192, engine.max_artifact_len() + 256);
  const size_t margin = std::max(options.margin, engine.max_artifact_len() + 256);
  const size_t page = options.page_size;
  // One page more than threads + 2: a worker that finishes early then finds the next page queued
  // while the writer waits for a slower page at the front (17 MiB more memory).
  const size_t max_in_flight = size_t(options.threads) + 3;
  Pool pool(engine, options.threads, options.jsonl);
  std::deque<std::unique_ptr<Task>> in_flight;
  std::vector<PageBuffer> free_buffers;
  Status write_status;

  auto finish_front = [&]() {
    std::unique_ptr<Task> t = std::move(in_flight.front());
    in_flight.pop_front();
    pool.WaitDone(t.get());
    SourceReport& r = summary.sources[t->report];
    if (write_status.ok()) write_status = writer.AddPage(t->hits, t->rendered);
    if (write_status.ok() && options.hit_sink && !t->hits.empty())
      write_status = options.hit_sink(r, t->hits, engine.scanners());
    summary.hits += t->hits.size();
    uint64_t kept = t->keep_end - t->keep_begin;
    r.bytes_scanned += kept - t->skipped;
    summary.bytes_scanned += kept - t->skipped;
    prog.bytes_done += kept;
    summary.decoders.streams_decoded += t->stats.streams_decoded;
    summary.decoders.bytes_decoded += t->stats.bytes_decoded;
    summary.decoders.limits_hit += t->stats.limits_hit;
    summary.decoders.corrupt_streams += t->stats.corrupt_streams;
    free_buffers.push_back(std::move(t->buf));
    report_progress(false);
  };

  auto cancelled = [&] { return options.cancel != nullptr && options.cancel->load(); };
  for (const Item& it : items) {
    if (!write_status.ok() || cancelled()) break;
    SourceReport& r = summary.sources[it.report];
    Result<std::unique_ptr<Source>> src = it.in_directory ? OpenRawFile(it.path) : OpenSource(it.path);
    if (!src.ok()) {
      r.errors.push_back(src.status().message());
      summary.errors.push_back(src.status().message());
      // A SOURCE that cannot be read is exit 2; one unreadable file in a directory, exit 3.
      (it.in_directory ? partial : unreadable_source) = true;
      continue;
    }
    std::shared_ptr<Source> source(std::move(src).value());
    r.opened = true;
    r.description = source->Describe();
    r.size = source->Size();
    std::shared_ptr<const HitLocator> locator;
    if (options.locator && options.jsonl) locator = options.locator(*source, r);
    const SkipRanges* skip = nullptr;
    if (options.skip) {
      SkipRanges ranges(options.skip(*source, r), r.size);
      if (!ranges.empty()) {
        auto skipping = std::make_shared<SkippingSource>(std::move(source), std::move(ranges));
        skip = &skipping->ranges();
        source = std::move(skipping);
      }
    }
    std::error_code ec;
    uint64_t file_size = std::filesystem::file_size(it.path, ec);
    if (!ec) prog.bytes_total = prog.bytes_total - std::min(prog.bytes_total, file_size) + r.size;
    if (r.size == 0) summary.errors.push_back(r.path + ": source is empty (0 bytes), nothing to scan");
    for (uint64_t off = 0, len = 0; off < r.size && write_status.ok() && !cancelled(); off += len) {
      len = PageLength(page, off, r.size);
      if (skip != nullptr && skip->Covered(off, off + len) == len) {  // nothing to match: not read
        r.bytes_skipped += len;
        summary.bytes_skipped += len;
        prog.bytes_done += len;
        report_progress(false);
        continue;
      }
      while (in_flight.size() >= max_in_flight) finish_front();
      auto t = std::make_unique<Task>();
      t->report = it.report;
      t->name = r.name;
      t->source = source;
      t->locator = locator;
      if (!free_buffers.empty()) {
        t->buf = std::move(free_buffers.back());
        free_buffers.pop_back();
      }
      uint64_t begin = off >= lead ? off - lead : 0;
      uint64_t end = std::min<uint64_t>(r.size, off + len + margin);
      t->buf.Resize(size_t(end - begin));
      size_t got = ReadSalvaging(*source, begin, t->buf.span(), r);
      t->buf.size = got;
      t->data_offset = begin;
      t->keep_begin = size_t(off - begin);
      t->keep_end = size_t(std::min<uint64_t>(off + len - begin, got));
      if (t->keep_end <= t->keep_begin) {  // the source ended early (shrunk while reading)
        r.errors.push_back(r.path + ": source ended at byte " + std::to_string(begin + got) +
                           " of " + std::to_string(r.size));
        break;
      }
      if (skip != nullptr) {
        t->skip = skip;
        t->skipped = skip->Covered(begin + t->keep_begin, begin + t->keep_end);
        r.bytes_skipped += t->skipped;
        summary.bytes_skipped += t->skipped;
      }
      pool.Submit(t.get());
      in_flight.push_back(std::move(t));
      report_progress(false);
    }
    if (r.bad_bytes > 0 || !r.errors.empty()) {
      partial = true;
      summary.errors.push_back(r.path + ": " + std::to_string(r.bad_bytes) +
                               " unreadable bytes (zero-filled); first error: " +
                               (r.errors.empty() ? std::string("-") : r.errors.front()));
    }
  }
  while (!in_flight.empty()) finish_front();
  report_progress(true);
  if (!write_status.ok()) return write_status;
  Status fin = writer.Finish();
  if (!fin.ok()) return fin;

  for (size_t i = 0; i < engine.scanners().size(); ++i)
    summary.counts.push_back({engine.scanners()[i]->name, {writer.count(i), writer.utf16_count(i)}});
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  summary.interrupted = cancelled();
  summary.exit_code = summary.interrupted ? 130 : unreadable_source ? 2 : partial ? 3 : 0;
  return summary;
}

std::string ReportJson(const ScanJobOptions& options, const ScanSummary& s) {
  nlohmann::ordered_json j;
  j["tool"] = "evidex";
  j["version"] = EVIDEX_VERSION;
  j["command_line"] = options.command_line;
  j["threads"] = s.threads;
  j["page_size"] = options.page_size;
  j["max_depth"] = options.engine.max_depth;
  nlohmann::ordered_json sources = nlohmann::ordered_json::array();
  for (const SourceReport& r : s.sources) {
    nlohmann::ordered_json o;
    o["path"] = r.path;
    if (!r.name.empty()) o["name"] = r.name;
    o["description"] = r.description;
    o["opened"] = r.opened;
    o["size"] = r.size;
    o["bytes_scanned"] = r.bytes_scanned;
    o["bytes_skipped"] = r.bytes_skipped;
    o["unreadable_bytes"] = r.bad_bytes;
    o["errors"] = r.errors;
    sources.push_back(std::move(o));
  }
  j["sources"] = std::move(sources);
  nlohmann::ordered_json counts = nlohmann::ordered_json::object();
  for (const auto& [name, c] : s.counts) counts[name] = {{"hits", c.first}, {"utf16le", c.second}};
  j["scanners"] = std::move(counts);
  j["decoders"] = {{"streams", s.decoders.streams_decoded},
                   {"bytes_decoded", s.decoders.bytes_decoded},
                   {"limits_hit", s.decoders.limits_hit},
                   {"corrupt_streams", s.decoders.corrupt_streams}};
  j["bytes_scanned"] = s.bytes_scanned;
  j["bytes_skipped"] = s.bytes_skipped;
  j["hits"] = s.hits;
  j["elapsed_seconds"] = s.seconds;
  j["throughput_mb_per_s"] = s.seconds > 0 ? double(s.bytes_scanned) / 1e6 / s.seconds : 0.0;
  j["errors"] = s.errors;
  j["interrupted"] = s.interrupted;
  j["exit_code"] = s.exit_code;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace evidex::scan
