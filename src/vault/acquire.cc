// Acquisition and re-hashing (see acquire.h): the calling thread reads the source into shared
// blocks — or, for a regular raw file, hands out blocks that view the mapped file in the page
// cache (acquire_map.h); MultiHasher's threads and one writer thread (raw object or E01) consume
// the same blocks; the block pool bounds memory and the blocks in flight.
#include "vault/acquire.h"

#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <utility>

#include "vault/acquire_internal.h"
#include "vault/acquire_map.h"
#include "vault/device_info.h"
#include "vault/e01_writer.h"
#include "vault/object_store.h"

namespace evidex::vault {
namespace {

constexpr size_t kSector = 512;
using Clock = std::chrono::steady_clock;
using ProgressFn = std::function<void(const AcquireProgress&)>;

std::string UtcNow() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  ::gmtime_r(&ts.tv_sec, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
  return buf;
}

bool Cancelled(const std::atomic<bool>* cancel) {
  return cancel != nullptr && cancel->load(std::memory_order_relaxed);
}

Status Interrupted() { return LimitReached("interrupted"); }

// What the source path was when the acquisition started, to tell bad sectors from a source that
// vanished, was replaced, changed size or was written to while it was read.
class SourceIdentity {
 public:
  Status Take(const std::string& path, uint64_t source_size) {
    path_ = path;
    source_size_ = source_size;
    if (::stat(path.c_str(), &st_) != 0) return ErrnoStatus("cannot stat " + path, errno);
    return Status::Ok();
  }

  Status Check() const {
    struct stat now;
    if (::stat(path_.c_str(), &now) != 0) {
      int err = errno;
      if (err == ENOENT || err == ENOTDIR || err == ENXIO || err == ENODEV) {
        return IoError("source " + path_ + " vanished during reading; nothing was stored");
      }
      return ErrnoStatus("cannot stat " + path_ + " again", err);
    }
    if (now.st_dev != st_.st_dev || now.st_ino != st_.st_ino ||
        (now.st_mode & S_IFMT) != (st_.st_mode & S_IFMT) || now.st_rdev != st_.st_rdev) {
      return IoError("source " + path_ + " was replaced during reading; nothing was stored");
    }
    if (S_ISREG(st_.st_mode)) {
      if (now.st_size != st_.st_size) {
        return IoError("source " + path_ + " changed size during reading (" +
                       std::to_string(st_.st_size) + " bytes when opened, " +
                       std::to_string(now.st_size) + " now); nothing was stored");
      }
      if (now.st_mtim.tv_sec != st_.st_mtim.tv_sec || now.st_mtim.tv_nsec != st_.st_mtim.tv_nsec) {
        return IoError("source " + path_ + " was modified during reading; nothing was stored");
      }
    } else if (S_ISBLK(st_.st_mode)) {
      Result<std::unique_ptr<Source>> again = OpenRawFile(path_);
      if (!again.ok()) {
        return IoError("source " + path_ + " vanished during reading (" + again.status().message() +
                       "); nothing was stored");
      }
      if ((*again)->Size() != source_size_) {
        return IoError("source " + path_ + " changed size during reading (" +
                       std::to_string(source_size_) + " bytes when opened, " +
                       std::to_string((*again)->Size()) + " now); nothing was stored");
      }
    }
    return Status::Ok();
  }

  const struct stat& stat_at_start() const { return st_; }

 private:
  std::string path_;
  uint64_t source_size_ = 0;
  struct stat st_ {};
};

// Unreadable parts met while reading, merged.
struct BadParts {
  std::vector<ByteRange> ranges;
  std::string first_error;
  uint64_t bytes = 0;

  void Add(uint64_t offset, uint64_t length, const Status& why) {
    if (first_error.empty()) first_error = why.message();
    bytes += length;
    if (!ranges.empty() && ranges.back().offset + ranges.back().length == offset) {
      ranges.back().length += length;
    } else {
      ranges.push_back({offset, length});
    }
  }
};

// Re-reads `out` (whose read failed with `why`) in pieces of `piece` bytes, a failing piece
// again sector by sector; sectors that still fail are zero-filled and recorded. Returns the bytes
// obtained, short only at the end of the source.
Result<size_t> Salvage(Source& source, uint64_t offset, std::span<std::byte> out, size_t piece,
                       const Status& why, BadParts& bad, const std::atomic<bool>* cancel) {
  const uint64_t bad_before = bad.bytes;
  size_t got = 0;
  while (got < out.size()) {
    if (Cancelled(cancel)) return Interrupted();
    size_t want = std::min(piece, out.size() - got);
    std::span<std::byte> part = out.subspan(got, want);
    Result<size_t> r = source.ReadAt(offset + got, part);
    if (r.ok()) {
      got += *r;
      if (*r < want) break;  // the end of the source
      continue;
    }
    if (want > kSector) {
      Result<size_t> sub = Salvage(source, offset + got, part, kSector, r.status(), bad, cancel);
      if (!sub.ok()) return sub.status();
      got += *sub;
      if (*sub < want) break;
      continue;
    }
    std::fill(part.begin(), part.end(), std::byte{0});
    bad.Add(offset + got, want, r.status());
    got += want;
  }
  // A container reports a checksum error once per damaged chunk (libewf counts it on the first
  // read; later reads of the chunk return its bytes zeroed, without an error). When none of the
  // re-reads failed, the damage cannot be located inside `out`: none of it is trusted.
  if (why.code() == Code::kCorrupt && bad.bytes == bad_before && got > 0) {
    std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(got), std::byte{0});
    bad.Add(offset, got, why);
  }
  return got;
}

// Reads [offset, offset + out.size()) of the source. When `bad` is given, unreadable parts are
// salvaged (see Salvage); otherwise a read error is returned. `identity` (when given) is checked
// after a read error, so that a vanished or changed source is an error, never bad sectors.
// Returns the bytes obtained, short only at the source's end.
Result<size_t> ReadRange(Source& source, uint64_t offset, std::span<std::byte> out,
                         size_t salvage_block, BadParts* bad, const SourceIdentity* identity,
                         const std::atomic<bool>* cancel) {
  Result<size_t> n = source.ReadAt(offset, out);
  if (n.ok()) return n;
  if (identity != nullptr) EVIDEX_RETURN_IF_ERROR(identity->Check());
  if (bad == nullptr) return n.status();
  return Salvage(source, offset, out, std::max(salvage_block, kSector), n.status(), *bad, cancel);
}

// Calls `progress` at most every 100 ms (and when forced).
class Throttle {
 public:
  Throttle(const ProgressFn& fn, Clock::time_point start) : fn_(fn), start_(start) {}
  void Report(const char* phase, uint64_t done, uint64_t total, bool force = false) {
    if (!fn_) return;
    Clock::time_point now = Clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    AcquireProgress p;
    p.phase = phase;
    p.bytes_done = done;
    p.bytes_total = total;
    p.seconds = std::chrono::duration<double>(now - start_).count();
    fn_(p);
  }

 private:
  const ProgressFn& fn_;
  Clock::time_point start_;
  Clock::time_point last_{};
};

// Reads the whole source through the pool into the hasher and (when given) a consumer; the
// consumer's first error stops the reading.
struct ReadPass {
  Source& source;
  const AcquireTuning& tuning;
  BadParts* bad;                   // nullptr: read errors are errors
  const SourceIdentity* identity;  // nullptr: not checked
  const std::atomic<bool>* cancel;
  const char* phase;
  SourceMap* map = nullptr;  // when given, blocks view the mapped source where it can be read
};

// Enough blocks for the read-ahead, the writer's read-back lag and the ones being worked on.
size_t PoolBlocks(const AcquireTuning& t) {
  return t.read_ahead_blocks + t.verify_lag / t.block_size + 3;
}

// REQUIRES: `pool` outlives `consumer` (which may hold blocks after this returns).
Result<Digests> RunReadPass(const ReadPass& pass, BlockPool& pool, unsigned which,
                            BlockWorker* consumer, Throttle& throttle) {
  const uint64_t total = pass.source.Size();
  MultiHasher hasher(which, pass.tuning.hash_threads);
  uint64_t offset = 0;
  throttle.Report(pass.phase, 0, total, true);
  while (offset < total) {
    if (Cancelled(pass.cancel)) return Interrupted();
    if (consumer != nullptr && consumer->failed()) break;
    std::shared_ptr<Block> b = pool.Get();
    size_t want = static_cast<size_t>(std::min<uint64_t>(pool.block_size(), total - offset));
    if (pass.map != nullptr) {
      // The pool block is not filled: it is held by the view, so the pool still bounds how many
      // blocks are in flight. A range the map refuses is read below, as any source is.
      std::shared_ptr<const Block> view = pass.map->View(offset, want, b);
      if (view != nullptr) {
        b.reset();
        offset += want;
        hasher.Update(view);
        if (consumer != nullptr) consumer->Push(std::move(view));
        throttle.Report(pass.phase, offset, total);
        continue;
      }
    }
    Result<size_t> got = ReadRange(pass.source, offset, {b->data(), want},
                                   pass.tuning.salvage_block, pass.bad, pass.identity, pass.cancel);
    if (!got.ok()) return got.status();
    if (*got < want) {
      if (pass.identity != nullptr) EVIDEX_RETURN_IF_ERROR(pass.identity->Check());
      return IoError(pass.source.Describe() + " ended at offset " + std::to_string(offset + *got) +
                     ", before its size " + std::to_string(total) +
                     " (it shrank while being read); nothing was stored");
    }
    b->size = want;
    b->offset = offset;
    offset += want;
    std::shared_ptr<const Block> shared = std::move(b);
    hasher.Update(shared);
    if (consumer != nullptr) consumer->Push(std::move(shared));
    throttle.Report(pass.phase, offset, total);
  }
  if (consumer != nullptr) EVIDEX_RETURN_IF_ERROR(consumer->Drain());
  Result<Digests> digests = hasher.Finish();
  throttle.Report(pass.phase, offset, total, true);
  return digests;
}

// Re-hashes a finished object with SHA-256 and compares it with `sha256`.
Status VerifyStored(std::unique_ptr<Source> stored, const std::string& what, uint64_t size,
                    const std::string& sha256, const AcquireTuning& tuning,
                    const std::atomic<bool>* cancel, Throttle& throttle) {
  if (stored->Size() != size) {
    return Corrupt(what + " holds " + std::to_string(stored->Size()) + " bytes, not " +
                   std::to_string(size) + "; nothing was stored");
  }
  ReadPass pass{*stored, tuning, nullptr, nullptr, cancel, "verifying"};
  BlockPool pool(tuning.block_size, tuning.read_ahead_blocks + 2);
  Result<Digests> d = RunReadPass(pass, pool, kHashSha256, nullptr, throttle);
  if (!d.ok()) return d.status();
  if (d->sha256 != sha256) {
    return Corrupt(what + " does not match the source when read back (SHA-256 " + d->sha256 +
                   ", source " + sha256 + "); nothing was stored");
  }
  return Status::Ok();
}

bool SafeRelative(const std::string& rel) {
  if (rel.empty() || rel[0] == '/') return false;
  size_t start = 0;
  while (start <= rel.size()) {
    size_t slash = rel.find('/', start);
    std::string part =
        rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part == "..") return false;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

}  // namespace

const char* ModeName(AcquireMode m) {
  switch (m) {
    case AcquireMode::kCopy:
      return "copy";
    case AcquireMode::kReference:
      return "reference";
    case AcquireMode::kE01:
      return "e01";
  }
  return "unknown";
}

namespace {

// `map_source`: the source is the regular raw file at options.source_path, which may be mapped.
Result<AcquireResult> AcquireImpl(const AcquireOptions& options, std::unique_ptr<Source> source,
                                  const AcquireTuning& tuning, const ProgressFn& progress,
                                  bool map_source) {
  Clock::time_point start = Clock::now();
  Throttle throttle(progress, start);
  AcquireResult result;
  result.started = UtcNow();
  result.size = source->Size();

  SourceIdentity identity;
  EVIDEX_RETURN_IF_ERROR(identity.Take(options.source_path, result.size));
  DeviceInfo device = ReadDeviceInfo(options.source_path);
  result.device_model = device.vendor.empty() || device.model.empty()
                            ? device.model + device.vendor
                            : device.vendor + " " + device.model;
  result.device_serial = device.serial;
  result.source_description = source->Describe();
  std::string about = DescribeDevice(device);
  if (!about.empty()) result.source_description += " (" + about + ")";

  ObjectStore store(options.vault_dir);
  if (options.mode != AcquireMode::kReference) {
    EVIDEX_RETURN_IF_ERROR(store.Init());
    EVIDEX_RETURN_IF_ERROR(store.CleanTmp());
  }

  std::unique_ptr<SourceMap> map;
  if (map_source) {
    Result<std::unique_ptr<SourceMap>> m = SourceMap::Open(
        options.source_path, identity.stat_at_start(), result.size, tuning.map_window);
    if (m.ok()) {
      map = std::move(*m);
      map->on_window = tuning.on_map_window;
    }  // else read with pread, as any source
  }
  // Any failure once the mapped source was read: a page that failed under a consumer (the file
  // truncated, or a page that could not be re-read) or a changed source explains it better
  // than what the consumer saw (zeros: a read-back mismatch; EFAULT: a write error).
  auto explain = [&](Status st) -> Status {
    if (map == nullptr || (st.ok() && !map->damaged())) return st;
    EVIDEX_RETURN_IF_ERROR(identity.Check());
    if (map->damaged()) {
      return IoError("source " + options.source_path +
                     " could not be read while it was being acquired (a page of the mapped file "
                     "failed after it was read: truncated, or a read error); nothing was stored");
    }
    return st;
  };

  BadParts bad;
  ReadPass pass{*source, tuning, &bad, &identity, options.cancel, "reading", map.get()};
  // Declared before every consumer of its blocks, so destroyed after them.
  BlockPool pool(tuning.block_size, PoolBlocks(tuning));
  std::unique_ptr<RawObjectWriter> raw;
  std::unique_ptr<TmpDir> e01_dir;
  std::unique_ptr<E01Writer> e01;
  std::unique_ptr<BlockWorker> writer;
  if (options.mode == AcquireMode::kCopy) {
    Result<std::unique_ptr<RawObjectWriter>> w = store.NewRawObject(tuning.verify_lag);
    if (!w.ok()) return w.status();
    raw = std::move(*w);
    writer = std::make_unique<BlockWorker>(
        [&raw](const std::shared_ptr<const Block>& b) { return raw->Append(b); });
  } else if (options.mode == AcquireMode::kE01) {
    if (tuning.block_size % E01Writer::kChunkSize != 0) {
      return InvalidArgument("E01: the block size must be a multiple of 32 KiB");
    }
    Result<std::unique_ptr<TmpDir>> dir = store.NewTmpDir();
    if (!dir.ok()) return dir.status();
    e01_dir = std::move(*dir);
    E01Options eo;
    eo.case_number = options.case_number;
    eo.evidence_number = options.evidence_number;
    eo.examiner = options.examiner;
    eo.description = options.description;
    eo.notes = options.notes;
    eo.model = result.device_model;
    eo.serial_number = result.device_serial;
    eo.compression = options.e01_compression;
    eo.segment_size = options.e01_segment_size;
    eo.threads = tuning.e01_threads;
    Result<std::unique_ptr<E01Writer>> w =
        E01Writer::Create(e01_dir->path() + "/image", result.size, eo);
    if (!w.ok()) return w.status();
    e01 = std::move(*w);
    writer = std::make_unique<BlockWorker>(
        [&e01](const std::shared_ptr<const Block>& b) { return e01->Append(b); });
  }

  Result<Digests> digests = RunReadPass(pass, pool, kHashAll, writer.get(), throttle);
  EVIDEX_RETURN_IF_ERROR(explain(digests.status()));
  result.digests = *digests;
  // The last look at the source: unchanged from start to end, or nothing is stored.
  EVIDEX_RETURN_IF_ERROR(identity.Check());
  result.bad_ranges = bad.ranges;
  result.bad_sectors = bad.bytes / kSector;
  result.first_read_error = bad.first_error;

  if (options.mode == AcquireMode::kCopy) {
    writer.reset();
    Result<CommittedObject> c = raw->Commit(result.digests.sha256);
    if (!c.ok()) return explain(c.status());
    result.stored_path = c->path;
    result.deduplicated = c->deduplicated;
    if (c->deduplicated) {
      // The object already there is trusted only after it was re-read.
      Result<std::unique_ptr<Source>> existing = OpenRawFile(store.Absolute(c->path));
      if (!existing.ok()) return existing.status();
      Status st = VerifyStored(std::move(*existing), "the vault object " + c->path, result.size,
                               result.digests.sha256, tuning, options.cancel, throttle);
      if (!st.ok() && st.code() == Code::kCorrupt) {
        return Corrupt("the vault object " + c->path +
                       " is damaged (it no longer matches its name); nothing was stored — run "
                       "a custody verification");
      }
      EVIDEX_RETURN_IF_ERROR(st);
      result.verified = true;
    } else {
      result.verified = raw->verified_bytes() == result.size;
    }
    Result<std::unique_ptr<Source>> stored_file = OpenRawFile(store.Absolute(result.stored_path));
    if (!stored_file.ok()) return stored_file.status();
    result.stored_size = (*stored_file)->Size();
  } else if (options.mode == AcquireMode::kE01) {
    writer.reset();
    for (const ByteRange& r : bad.ranges) e01->AddReadError(r.offset, r.length);
    EVIDEX_RETURN_IF_ERROR(e01->Finish(result.digests));
    e01.reset();
    std::string first = e01_dir->path() + "/image.E01";
    Result<std::unique_ptr<Source>> written = OpenSource(first);
    if (!written.ok()) {
      return Corrupt("the E01 just written cannot be opened: " + written.status().message());
    }
    EVIDEX_RETURN_IF_ERROR(VerifyStored(std::move(*written), "the E01 written", result.size,
                                        result.digests.sha256, tuning, options.cancel, throttle));
    Result<CommittedObject> c = store.CommitEwfSet(std::move(e01_dir), result.digests.sha256);
    if (!c.ok()) return c.status();
    result.stored_path = c->path;
    result.stored_size = c->size;
    result.verified = true;
  }
  result.finished = UtcNow();
  return result;
}

}  // namespace

Result<AcquireResult> AcquireSource(const AcquireOptions& options, std::unique_ptr<Source> source,
                                    const AcquireTuning& tuning, const ProgressFn& progress) {
  return AcquireImpl(options, std::move(source), tuning, progress, false);
}

Result<AcquireResult> AcquireTuned(const AcquireOptions& options, const AcquireTuning& tuning,
                                   const ProgressFn& progress) {
  if (options.source_path.empty()) return InvalidArgument("no source given");
  if (options.mode != AcquireMode::kReference && options.vault_dir.empty()) {
    return InvalidArgument("no vault directory given");
  }
  struct stat st {};
  const bool stat_ok = ::stat(options.source_path.c_str(), &st) == 0;
  if (stat_ok && S_ISDIR(st.st_mode)) {
    return InvalidArgument(options.source_path +
                           " is a directory: acquire each file in it as its own evidence (or "
                           "pack it into one archive first)");
  }
  if (options.mode == AcquireMode::kE01 &&
      (options.e01_compression < 0 || options.e01_compression > 2)) {
    return InvalidArgument("E01 compression level must be 0 (none), 1 (fast) or 2 (best)");
  }
  Result<std::unique_ptr<Source>> source = OpenSource(options.source_path);
  if (!source.ok()) return source.status();
  if (options.mode == AcquireMode::kE01) {
    uint64_t size = (*source)->Size();
    if (size == 0 || size % E01Writer::kBytesPerSector != 0) {
      return InvalidArgument(options.source_path + " is " + std::to_string(size) +
                             " bytes: an E01 holds whole 512-byte sectors, so only a source "
                             "whose size is a non-zero multiple of 512 can be one; use --mode "
                             "copy");
    }
  }
  // Only a plain raw file is mapped (not a device, a split set or an E01): what OpenSource made
  // of the path says which it is.
  bool map_source =
      stat_ok && S_ISREG(st.st_mode) && (*source)->Describe() == "raw file " + options.source_path;
  return AcquireImpl(options, std::move(*source), tuning, progress, map_source);
}

Result<AcquireResult> Acquire(const AcquireOptions& options, const ProgressFn& progress) {
  return AcquireTuned(options, AcquireTuning{}, progress);
}

Result<Digests> RehashStored(const std::string& vault_dir, const std::string& stored_path_or_source,
                             AcquireMode mode, const ProgressFn& progress, unsigned which,
                             const std::atomic<bool>* cancel) {
  Result<std::unique_ptr<Source>> source = InvalidArgument("no path given");
  if (mode == AcquireMode::kReference) {
    if (!stored_path_or_source.empty()) source = OpenSource(stored_path_or_source);
  } else {
    if (!SafeRelative(stored_path_or_source)) {
      return InvalidArgument("not a path inside the vault: " + stored_path_or_source);
    }
    std::string abs = ObjectStore(vault_dir).Absolute(stored_path_or_source);
    // A raw object is raw bytes whatever they begin with (an image of an E01 file is still raw).
    source = mode == AcquireMode::kCopy ? OpenRawFile(abs) : OpenSource(abs);
  }
  if (!source.ok()) return source.status();
  AcquireTuning tuning;
  BadParts bad;
  Throttle throttle(progress, Clock::now());
  ReadPass pass{**source, tuning, mode == AcquireMode::kReference ? &bad : nullptr,
                nullptr,  cancel, "verifying"};
  BlockPool pool(tuning.block_size, tuning.read_ahead_blocks + 2);
  return RunReadPass(pass, pool, which == 0 ? kHashAll : which, nullptr, throttle);
}

}  // namespace evidex::vault
