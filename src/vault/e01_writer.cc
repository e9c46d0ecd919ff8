// E01Writer: libewf writes, a small thread pool compresses chunks (see e01_writer.h).
#include "vault/e01_writer.h"

#include <libdeflate.h>
#include <libewf.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "core/version.h"

namespace evidex::vault {
namespace {

// One line from a libewf error (freed here): the outermost message and, when it differs, the
// root cause (first line of the backtrace).
std::string TakeError(libewf_error_t** error) {
  if (error == nullptr || *error == nullptr) return "unknown libewf error";
  std::vector<char> buf(8192, '\0');
  auto first_line = [](const char* text) {
    std::string line(text);
    size_t nl = line.find_first_of("\r\n");
    if (nl != std::string::npos) line.resize(nl);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line;
  };
  std::string message, cause;
  if (libewf_error_sprint(*error, buf.data(), buf.size()) > 0) message = first_line(buf.data());
  std::fill(buf.begin(), buf.end(), '\0');
  if (libewf_error_backtrace_sprint(*error, buf.data(), buf.size()) > 0) {
    cause = first_line(buf.data());
  }
  libewf_error_free(error);
  if (message.empty()) message = cause;
  if (message.empty()) return "unknown libewf error";
  if (!cause.empty() && cause != message) message += " (cause: " + cause + ")";
  return message;
}

// Whether the file system holding `path` has less room than a few chunks: libewf reports a
// short write to a full disk without errno, so a failed write is explained by looking.
bool NearlyFull(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  struct statvfs fs;
  if (::statvfs(dir.c_str(), &fs) != 0) return false;
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize < 4 * E01Writer::kChunkSize + (64 << 10);
}

// A write failure: ENOSPC (when libewf's file layer kept it in errno, or the file system is
// seen full) gets the vault's message.
Status WriteFailure(const std::string& what, const std::string& path, int saved_errno,
                    libewf_error_t** error) {
  std::string detail = TakeError(error);
  if (saved_errno == ENOSPC || detail.find("No space left") != std::string::npos ||
      NearlyFull(path)) {
    return IoError("vault disk full writing " + path);
  }
  if (saved_errno == EFBIG) {
    return IoError("vault file too large writing " + path +
                   " (the vault's file system or a file size limit does not allow it)");
  }
  return IoError(what + " " + path + ": " + detail);
}

// Whether a chunk's first and last 512 bytes both fail to shrink by 1/64 under deflate: then the
// chunk is stored without trying the whole (compressed or encrypted data, much of a disk). On
// the benchmark corpus this stores 0.06% more bytes and compresses about twice as fast; on
// random data, ten times as fast (docs/PERFORMANCE.md). `scratch` holds at least 512 bytes.
bool LooksIncompressible(libdeflate_compressor* c, const std::byte* in, size_t n,
                         std::byte* scratch) {
  constexpr size_t kProbe = 512;
  if (n < 8 * kProbe) return false;
  for (const std::byte* p : {in, in + n - kProbe}) {
    if (libdeflate_deflate_compress(c, p, kProbe, scratch, kProbe - kProbe / 64) != 0) {
      return false;
    }
  }
  return true;
}

struct Chunk {
  size_t offset;     // in Job::out
  size_t size;       // bytes stored (compressed, or raw without the checksum)
  size_t data_size;  // media bytes it holds
  bool compressed;
  uint32_t checksum;  // Adler-32 of a raw chunk (a compressed one carries its own)
};

// One block's chunks, compressed by a pool thread, written in order by the caller's thread.
struct Job {
  std::shared_ptr<const Block> block;
  std::vector<std::byte> out;
  std::vector<Chunk> chunks;
  bool done = false;
};

}  // namespace

struct E01Writer::Impl {
  libewf_handle_t* handle = nullptr;
  bool open = false;
  std::string first_segment;
  uint64_t media_size = 0;
  int deflate_level = 1;  // libdeflate's level; 0: chunks stored raw

  std::mutex mu;
  std::condition_variable work_cv, done_cv;
  std::deque<Job*> work;                     // guarded by mu: to compress
  std::deque<std::unique_ptr<Job>> pending;  // written in this order; `done` guarded by mu
  std::vector<std::unique_ptr<Job>> spare;   // reused buffers (caller's thread only)
  bool stop = false;                         // guarded by mu
  std::vector<std::thread> threads;
  size_t max_pending = 4;
  Status status;  // first error (caller's thread)

  ~Impl() {
    {
      std::lock_guard lock(mu);
      stop = true;
    }
    work_cv.notify_all();
    for (std::thread& t : threads) t.join();
    libewf_error_t* error = nullptr;
    if (open && libewf_handle_close(handle, &error) != 0 && error != nullptr) {
      libewf_error_free(&error);
    }
    if (error != nullptr) libewf_error_free(&error);
    if (handle != nullptr) libewf_handle_free(&handle, &error);
    if (error != nullptr) libewf_error_free(&error);
  }

  void CompressLoop() {
    libdeflate_compressor* compressor =
        deflate_level > 0 ? libdeflate_alloc_compressor(deflate_level) : nullptr;
    std::unique_lock lock(mu);
    for (;;) {
      work_cv.wait(lock, [this] { return stop || !work.empty(); });
      if (stop) break;
      Job* job = work.front();
      work.pop_front();
      lock.unlock();
      Compress(*job, compressor);
      lock.lock();
      job->done = true;
      done_cv.notify_all();
    }
    lock.unlock();
    libdeflate_free_compressor(compressor);
  }

  // With `compressor` null (level 0, or no memory for one) every chunk is stored raw.
  void Compress(Job& job, libdeflate_compressor* compressor) {
    const Block& b = *job.block;
    size_t n_chunks = (b.size + kChunkSize - 1) / kChunkSize;
    job.chunks.resize(n_chunks);
    job.out.resize(b.size + 4 * n_chunks);
    size_t out_at = 0;
    for (size_t i = 0; i < n_chunks; ++i) {
      const std::byte* in = b.data() + i * kChunkSize;
      size_t n = std::min<size_t>(kChunkSize, b.size - i * kChunkSize);
      std::byte* out = job.out.data() + out_at;
      Chunk& c = job.chunks[i];
      c.offset = out_at;
      c.data_size = n;
      if (compressor != nullptr && !LooksIncompressible(compressor, in, n, out)) {
        // A zlib stream (EWF's chunk format), kept only when smaller than the chunk, as libewf
        // does; libdeflate returns 0 when it does not fit in n - 1 bytes.
        size_t out_len = libdeflate_zlib_compress(compressor, in, n, out, n - 1);
        if (out_len > 0) {
          c.size = out_len;
          c.compressed = true;
          c.checksum = 0;
          out_at += out_len;
          continue;
        }
      }
      std::memcpy(out, in, n);
      uint32_t sum = libdeflate_adler32(1, in, n);
      // The checksum follows the raw chunk, little-endian.
      for (int k = 0; k < 4; ++k) out[n + k] = static_cast<std::byte>(sum >> (8 * k));
      c.size = n;
      c.compressed = false;
      c.checksum = sum;
      out_at += n + 4;
    }
  }

  Status WriteJob(Job& job) {
    for (const Chunk& c : job.chunks) {
      std::byte* data = job.out.data() + c.offset;
      libewf_error_t* error = nullptr;
      errno = 0;
      ssize_t n = libewf_handle_write_chunk(handle, data, c.size, c.data_size, c.compressed ? 1 : 0,
                                            c.compressed ? nullptr : data + c.size, c.checksum,
                                            c.compressed ? 0 : 1, &error);
      int saved = errno;
      // libewf returns the bytes it stored for the chunk (the compressed size when compressed).
      if (n != static_cast<ssize_t>(c.size)) {
        if (error == nullptr) {
          return IoError("cannot write " + first_segment + ": libewf wrote " + std::to_string(n) +
                         " of " + std::to_string(c.size) + " bytes");
        }
        return WriteFailure("cannot write", first_segment, saved, &error);
      }
    }
    job.block.reset();  // back to the pool
    return Status::Ok();
  }

  // Writes the finished jobs at the head of the queue; with `wait`, waits until the queue holds
  // at most `keep` jobs.
  Status WriteReady(size_t keep) {
    for (;;) {
      std::unique_ptr<Job> job;
      {
        std::unique_lock lock(mu);
        if (pending.empty()) return Status::Ok();
        if (!pending.front()->done) {
          if (pending.size() <= keep) return Status::Ok();
          done_cv.wait(lock, [this] { return pending.front()->done; });
        }
        job = std::move(pending.front());
        pending.pop_front();
      }
      Status st = WriteJob(*job);
      job->block.reset();
      spare.push_back(std::move(job));
      if (!st.ok()) return st;
    }
  }
};

E01Writer::E01Writer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
E01Writer::~E01Writer() = default;

Result<std::unique_ptr<E01Writer>> E01Writer::Create(const std::string& base, uint64_t media_size,
                                                     const E01Options& options) {
  if (media_size % kBytesPerSector != 0) {
    return InvalidArgument("an E01 holds whole 512-byte sectors and this source is " +
                           std::to_string(media_size) +
                           " bytes (not a multiple of 512): acquire it with --mode copy");
  }
  if (media_size == 0) return InvalidArgument("an empty (0-byte) source cannot be an E01");
  if (options.compression < 0 || options.compression > 2) {
    return InvalidArgument("E01 compression level must be 0 (none), 1 (fast) or 2 (best)");
  }
  auto impl = std::make_unique<Impl>();
  impl->media_size = media_size;
  impl->first_segment = base + ".E01";
  // libewf's "fast" and "best" are zlib levels 1 and 9; libdeflate's levels 1 and 9 give the
  // same format, a slightly smaller output and about twice the speed (docs/PERFORMANCE.md).
  impl->deflate_level = options.compression == 0 ? 0 : options.compression == 1 ? 1 : 9;
  libewf_error_t* error = nullptr;
  if (libewf_handle_initialize(&impl->handle, &error) != 1) {
    return Internal("libewf: cannot create a handle: " + TakeError(&error));
  }
  std::vector<char> name(base.begin(), base.end());
  name.push_back('\0');
  char* names[1] = {name.data()};
  errno = 0;
  if (libewf_handle_open(impl->handle, names, 1, LIBEWF_OPEN_WRITE, &error) != 1) {
    return WriteFailure("cannot create", impl->first_segment, errno, &error);
  }
  impl->open = true;

  static const int8_t kLevels[] = {LIBEWF_COMPRESSION_NONE, LIBEWF_COMPRESSION_FAST,
                                   LIBEWF_COMPRESSION_BEST};
  auto check = [&](int rc, const char* what) -> Status {
    if (rc == 1) return Status::Ok();
    return Internal(std::string("libewf: cannot set ") + what + ": " + TakeError(&error));
  };
  Impl& w = *impl;
  EVIDEX_RETURN_IF_ERROR(
      check(libewf_handle_set_format(w.handle, LIBEWF_FORMAT_ENCASE6, &error), "the format"));
  EVIDEX_RETURN_IF_ERROR(check(
      libewf_handle_set_bytes_per_sector(w.handle, kBytesPerSector, &error), "bytes per sector"));
  EVIDEX_RETURN_IF_ERROR(
      check(libewf_handle_set_sectors_per_chunk(w.handle, kSectorsPerChunk, &error), "chunk size"));
  EVIDEX_RETURN_IF_ERROR(
      check(libewf_handle_set_media_size(w.handle, media_size, &error), "the media size"));
  EVIDEX_RETURN_IF_ERROR(
      check(libewf_handle_set_media_type(w.handle, LIBEWF_MEDIA_TYPE_FIXED, &error), "media type"));
  EVIDEX_RETURN_IF_ERROR(
      check(libewf_handle_set_media_flags(w.handle, LIBEWF_MEDIA_FLAG_PHYSICAL, &error), "flags"));
  EVIDEX_RETURN_IF_ERROR(
      check(libewf_handle_set_compression_values(w.handle, kLevels[options.compression], 0, &error),
            "the compression level"));
  if (options.segment_size > 0) {
    EVIDEX_RETURN_IF_ERROR(
        check(libewf_handle_set_maximum_segment_size(w.handle, options.segment_size, &error),
              "the segment size"));
  }
  std::string software = std::string("evidex ") + EVIDEX_VERSION;
  const std::pair<const char*, const std::string*> values[] = {
      {"case_number", &options.case_number},
      {"evidence_number", &options.evidence_number},
      {"examiner_name", &options.examiner},
      {"description", &options.description},
      {"notes", &options.notes},
      {"model", &options.model},
      {"serial_number", &options.serial_number},
      {"acquiry_software_version", &software},
  };
  static const std::string kLinux = "Linux";
  for (const auto& [id, value] : values) {
    if (value->empty()) continue;
    EVIDEX_RETURN_IF_ERROR(
        check(libewf_handle_set_utf8_header_value(
                  w.handle, reinterpret_cast<const uint8_t*>(id), std::strlen(id),
                  reinterpret_cast<const uint8_t*>(value->data()), value->size(), &error),
              id));
  }
  EVIDEX_RETURN_IF_ERROR(
      check(libewf_handle_set_utf8_header_value(
                w.handle, reinterpret_cast<const uint8_t*>("acquiry_operating_system"), 24,
                reinterpret_cast<const uint8_t*>(kLinux.data()), kLinux.size(), &error),
            "acquiry_operating_system"));

  int threads = options.threads > 0
                    ? options.threads
                    : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  w.max_pending = static_cast<size_t>(threads) * 2 + 1;
  for (int i = 0; i < threads; ++i) w.threads.emplace_back([&w] { w.CompressLoop(); });
  return std::unique_ptr<E01Writer>(new E01Writer(std::move(impl)));
}

Status E01Writer::Append(std::shared_ptr<const Block> block) {
  Impl& w = *impl_;
  if (!w.status.ok()) return w.status;
  if (block->offset != written_) {
    return Internal("E01Writer: block at offset " + std::to_string(block->offset) +
                    " does not follow " + std::to_string(written_));
  }
  if (block->size == 0) return Status::Ok();
  if (written_ + block->size > w.media_size) {
    return Internal("E01Writer: more bytes than the media size " + std::to_string(w.media_size));
  }
  if (block->size % kChunkSize != 0 && written_ + block->size != w.media_size) {
    return Internal("E01Writer: a block that is not the last must hold whole chunks");
  }
  written_ += block->size;
  std::unique_ptr<Job> job;
  if (!w.spare.empty()) {
    job = std::move(w.spare.back());
    w.spare.pop_back();
  } else {
    job = std::make_unique<Job>();
  }
  job->block = std::move(block);
  job->done = false;
  {
    std::lock_guard lock(w.mu);
    w.work.push_back(job.get());
    w.pending.push_back(std::move(job));
  }
  w.work_cv.notify_one();
  w.status = w.WriteReady(w.max_pending);
  return w.status;
}

void E01Writer::AddReadError(uint64_t offset, uint64_t length) {
  Impl& w = *impl_;
  if (length == 0) return;
  uint64_t first = offset / kBytesPerSector;
  uint64_t last = (offset + length + kBytesPerSector - 1) / kBytesPerSector;
  libewf_error_t* error = nullptr;
  if (libewf_handle_append_acquiry_error(w.handle, first, last - first, &error) != 1 &&
      w.status.ok()) {
    w.status = Internal("libewf: cannot record a read error: " + TakeError(&error));
  }
  if (error != nullptr) libewf_error_free(&error);
}

Status E01Writer::Finish(const Digests& digests) {
  Impl& w = *impl_;
  if (!w.status.ok()) return w.status;
  w.status = w.WriteReady(0);
  if (!w.status.ok()) return w.status;
  if (written_ != w.media_size) {
    return w.status = Internal("E01Writer: " + std::to_string(written_) + " of " +
                               std::to_string(w.media_size) + " bytes given");
  }
  libewf_error_t* error = nullptr;
  uint8_t md5[16], sha1[20];
  if (FromHex(digests.md5, md5, sizeof(md5)) &&
      libewf_handle_set_md5_hash(w.handle, md5, sizeof(md5), &error) != 1) {
    return w.status = Internal("libewf: cannot store the MD5: " + TakeError(&error));
  }
  if (FromHex(digests.sha1, sha1, sizeof(sha1)) &&
      libewf_handle_set_sha1_hash(w.handle, sha1, sizeof(sha1), &error) != 1) {
    return w.status = Internal("libewf: cannot store the SHA-1: " + TakeError(&error));
  }
  errno = 0;
  if (libewf_handle_write_finalize(w.handle, &error) < 0) {
    return w.status = WriteFailure("cannot finish", w.first_segment, errno, &error);
  }
  errno = 0;
  int rc = libewf_handle_close(w.handle, &error);
  w.open = false;
  if (rc != 0) return w.status = WriteFailure("cannot close", w.first_segment, errno, &error);
  return Status::Ok();
}

}  // namespace evidex::vault
