#include <libdeflate.h>

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

#include "scan/decoders/decoder.h"

namespace evidex::scan {
namespace {

constexpr size_t kOutBlock = 256 * 1024;
constexpr size_t kFastOutput = 4u << 20;
constexpr size_t kBigOutput = 32u << 20;
constexpr int kMaxBigOutputs = 2;

// The big-stream output buffers, process-wide: at most kMaxBigOutputs, made on first use and kept
// (on transparent huge pages where the kernel allows it), so that a big stream does not pay for
// mapping and zeroing 32 MiB of fresh memory each time (it did: a fifth of the scan's page faults).
struct BigBufferSlot {
  uint8_t* bytes = nullptr;  // kept for the process's life
  bool in_use = false;
};
class BigBuffers {
 public:
  // A free buffer of kBigOutput bytes, or nullptr when all are in use.
  static uint8_t* Acquire() {
    std::lock_guard lock(mutex_);
    for (BigBufferSlot& s : slots_) {
      if (s.in_use) continue;
      if (s.bytes == nullptr) {
        s.bytes = static_cast<uint8_t*>(std::aligned_alloc(kHugePage, kBigOutput));
        if (s.bytes == nullptr) return nullptr;
        madvise(s.bytes, kBigOutput, MADV_HUGEPAGE);  // advice only: failure changes nothing
      }
      s.in_use = true;
      return s.bytes;
    }
    return nullptr;
  }
  static void Release(uint8_t* bytes) {
    std::lock_guard lock(mutex_);
    for (BigBufferSlot& s : slots_)
      if (s.bytes == bytes) s.in_use = false;
  }

 private:
  static constexpr size_t kHugePage = 2u << 20;
  static inline std::mutex mutex_;
  static inline BigBufferSlot slots_[kMaxBigOutputs];
};

uint16_t Le16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t Le32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }
uint64_t Le64(const uint8_t* p) { return uint64_t(Le32(p)) | uint64_t(Le32(p + 4)) << 32; }

// Reads exactly n bytes from a ByteInput into dst, keeping what is left of the current block.
class Reader {
 public:
  explicit Reader(ByteInput& in) : in_(in) {}
  bool Read(uint8_t* dst, size_t n) {
    while (n > 0) {
      if (block_.empty()) {
        block_ = in_.Next();
        if (block_.empty()) return false;
      }
      size_t k = std::min(n, block_.size());
      std::memcpy(dst, block_.data(), k);
      block_ = block_.subspan(k);
      dst += k;
      n -= k;
    }
    return true;
  }
  bool Skip(size_t n) {
    while (n > 0) {
      if (block_.empty()) {
        block_ = in_.Next();
        if (block_.empty()) return false;
      }
      size_t k = std::min(n, block_.size());
      block_ = block_.subspan(k);
      n -= k;
    }
    return true;
  }
  // The current block without consuming it (loads the next one when empty).
  std::span<const uint8_t> Peek() {
    if (block_.empty()) block_ = in_.Next();
    return block_;
  }
  // The rest of the current block (then the caller continues with in_.Next()).
  std::span<const uint8_t> TakeBlock() {
    std::span<const uint8_t> b = block_;
    block_ = {};
    return b;
  }
  ByteInput& input() { return in_; }

 private:
  ByteInput& in_;
  std::span<const uint8_t> block_;
};

// Input limited to `remaining` bytes (a stored or sized ZIP entry).
class LimitedInput : public ByteInput {
 public:
  LimitedInput(Reader& r, uint64_t limit) : r_(r), remaining_(limit) {}
  std::span<const uint8_t> Next() override {
    if (remaining_ == 0) return {};
    std::span<const uint8_t> b = first_ ? r_.TakeBlock() : std::span<const uint8_t>{};
    first_ = false;
    if (b.empty()) b = r_.input().Next();
    if (b.size() > remaining_) b = b.first(remaining_);
    remaining_ -= b.size();
    return b;
  }

 private:
  Reader& r_;
  uint64_t remaining_;
  bool first_ = true;
};

}  // namespace

const char* DecoderName(DecoderKind kind) {
  switch (kind) {
    case DecoderKind::kGzip: return "GZIP";
    case DecoderKind::kZlib: return "ZLIB";
    case DecoderKind::kZip: return "ZIP";
  }
  return "?";
}

const char* DecoderSignature(DecoderKind kind) {
  switch (kind) {
    case DecoderKind::kGzip: return R"(\x1f\x8b\x08)";
    case DecoderKind::kZlib: return R"(\x78[\x01\x5e\x9c\xda])";
    case DecoderKind::kZip: return R"(PK\x03\x04)";
  }
  return "";
}

Inflater::Inflater() : out_buf_(kOutBlock) {}
Inflater::~Inflater() {
  if (window_bits_ != 0) inflateEnd(&zs_);
  if (fast_ != nullptr) libdeflate_free_decompressor(fast_);
}

bool Inflater::EnsureFast() {
  if (fast_ == nullptr) {
    fast_ = libdeflate_alloc_decompressor();
    if (fast_ == nullptr) return false;
    fast_out_.resize(kFastOutput);
  }
  return true;
}

bool Inflater::DecodeWhole(DecoderKind kind, std::span<const uint8_t> in, uint64_t max_output,
                           const std::function<bool(std::span<const uint8_t>)>& out, DecodeResult* r) {
  if (kind == DecoderKind::kZip || in.empty()) return false;
  if (!EnsureFast()) return false;
  size_t cap = size_t(std::min<uint64_t>(kFastOutput, max_output));
  size_t used = 0, produced = 0;
  libdeflate_result rc =
      kind == DecoderKind::kGzip
          ? libdeflate_gzip_decompress_ex(fast_, in.data(), in.size(), fast_out_.data(), cap, &used, &produced)
          : libdeflate_zlib_decompress_ex(fast_, in.data(), in.size(), fast_out_.data(), cap, &used, &produced);
  if (rc == LIBDEFLATE_INSUFFICIENT_SPACE && max_output > cap) {
    // A big stream (a 10 MB log.gz): once more with a buffer of up to kBigOutput, still 3x
    // faster than zlib for all the wasted first try. Such buffers are few at a time process-wide
    // (kMaxBigOutputs), so that memory stays bounded whatever the nesting and thread count.
    uint8_t* big = BigBuffers::Acquire();
    if (big == nullptr) return false;
    struct Release {
      uint8_t* bytes;
      ~Release() { BigBuffers::Release(bytes); }
    } release{big};
    size_t big_cap = size_t(std::min<uint64_t>(kBigOutput, max_output));
    rc = kind == DecoderKind::kGzip
             ? libdeflate_gzip_decompress_ex(fast_, in.data(), in.size(), big, big_cap, &used, &produced)
             : libdeflate_zlib_decompress_ex(fast_, in.data(), in.size(), big, big_cap, &used, &produced);
    if (rc != LIBDEFLATE_SUCCESS || produced == 0) return false;
    r->produced = produced;
    out(std::span<const uint8_t>(big, produced));
    return true;
  }
  if (rc != LIBDEFLATE_SUCCESS || produced == 0) return false;
  r->produced = produced;
  out(std::span<const uint8_t>(fast_out_.data(), produced));
  return true;
}

bool Inflater::Plausible(DecoderKind kind, std::span<const uint8_t> h) {
  switch (kind) {
    case DecoderKind::kGzip:
      // ID1 ID2 CM=8, FLG reserved bits clear.
      return h.size() >= 10 && h[0] == 0x1f && h[1] == 0x8b && h[2] == 8 && (h[3] & 0xe0) == 0;
    case DecoderKind::kZlib: {
      // CMF: CM=8, CINFO<=7; FLG: FCHECK, no preset dictionary; first block type not 3.
      if (h.size() < 3 || (h[0] & 0x0f) != 8 || (h[0] >> 4) > 7) return false;
      if (((h[0] << 8) | h[1]) % 31 != 0 || (h[1] & 0x20) != 0) return false;
      return ((h[2] >> 1) & 3) != 3;
    }
    case DecoderKind::kZip: {
      if (h.size() < 30 || std::memcmp(h.data(), "PK\x03\x04", 4) != 0) return false;
      uint16_t method = Le16(&h[8]);
      uint16_t flags = Le16(&h[6]);
      uint16_t name_len = Le16(&h[26]);
      if (flags & 1) return false;  // encrypted
      return (method == 0 || method == 8) && name_len > 0 && name_len < 4096;
    }
  }
  return false;
}

DecodeResult Inflater::Inflate(int window_bits, ByteInput& in, std::span<const uint8_t> first,
                               uint64_t max_output,
                               const std::function<bool(std::span<const uint8_t>)>& out) {
  DecodeResult r;
  if (window_bits_ == window_bits) {
    inflateReset(&zs_);
  } else {
    if (window_bits_ != 0) inflateEnd(&zs_);
    std::memset(&zs_, 0, sizeof zs_);
    if (inflateInit2(&zs_, window_bits) != Z_OK) {
      window_bits_ = 0;
      r.corrupt = true;
      return r;
    }
    window_bits_ = window_bits;
  }
  std::span<const uint8_t> block = first.empty() ? in.Next() : first;
  while (true) {
    if (block.empty()) {
      r.corrupt = true;  // the input ended before the stream did (truncated)
      return r;
    }
    zs_.next_in = const_cast<Bytef*>(block.data());
    zs_.avail_in = uInt(std::min<size_t>(block.size(), 1u << 30));
    while (zs_.avail_in > 0) {
      zs_.next_out = out_buf_.data();
      zs_.avail_out = uInt(out_buf_.size());
      int rc = inflate(&zs_, Z_NO_FLUSH);
      size_t produced = out_buf_.size() - zs_.avail_out;
      if (produced > 0) {
        if (r.produced + produced > max_output) {
          produced = size_t(max_output - r.produced);
          r.limit_hit = true;
        }
        r.produced += produced;
        if (produced > 0 && !out(std::span<const uint8_t>(out_buf_.data(), produced))) return r;
        if (r.limit_hit) return r;
      }
      if (rc == Z_STREAM_END) return r;
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        r.corrupt = true;
        return r;
      }
      if (rc == Z_BUF_ERROR && produced == 0 && zs_.avail_in > 0) {
        r.corrupt = true;
        return r;
      }
    }
    block = in.Next();
  }
}

DecodeResult Inflater::Zip(ByteInput& in, uint64_t max_output,
                           const std::function<bool(std::span<const uint8_t>)>& out) {
  DecodeResult r;
  Reader reader(in);
  uint8_t h[30];
  if (!reader.Read(h, sizeof h)) {
    r.corrupt = true;
    return r;
  }
  uint16_t flags = Le16(h + 6), method = Le16(h + 8);
  uint64_t csize = Le32(h + 18), usize = Le32(h + 22);
  uint16_t name_len = Le16(h + 26), extra_len = Le16(h + 28);
  if (!reader.Skip(name_len)) {
    r.corrupt = true;
    return r;
  }
  std::vector<uint8_t> extra(extra_len);
  if (!reader.Read(extra.data(), extra_len)) {
    r.corrupt = true;
    return r;
  }
  // ZIP64: sizes of 0xffffffff are in the extra field 0x0001 (usize first, then csize).
  for (size_t i = 0; i + 4 <= extra.size();) {
    uint16_t id = Le16(&extra[i]), len = Le16(&extra[i + 2]);
    if (i + 4 + len > extra.size()) break;
    if (id == 1) {
      size_t p = i + 4;
      if (usize == 0xffffffff && p + 8 <= i + 4 + len) { usize = Le64(&extra[p]); p += 8; }
      if (csize == 0xffffffff && p + 8 <= i + 4 + len) { csize = Le64(&extra[p]); }
    }
    i += 4 + len;
  }
  bool sizes_known = !(flags & 8) || csize != 0;
  if (method == 0) {
    if (!sizes_known) {
      r.corrupt = true;  // a stored entry with a data descriptor has no length we can trust
      return r;
    }
    LimitedInput data(reader, csize);
    uint64_t limit = std::min<uint64_t>(max_output, csize);
    while (true) {
      std::span<const uint8_t> b = data.Next();
      if (b.empty()) break;
      if (r.produced + b.size() > limit) b = b.first(size_t(limit - r.produced));
      r.produced += b.size();
      if (!b.empty() && !out(b)) return r;
      if (r.produced >= limit) break;
    }
    r.limit_hit = csize > max_output;
    r.corrupt = r.produced < limit;
    return r;
  }
  // Deflate: raw stream. Bound the input by the compressed size when it is known.
  DecodeResult d;
  if (sizes_known && csize > 0 && reader.Peek().size() >= csize) {
    // Whole entry in memory: libdeflate at once when it fits kFastOutput.
    std::span<const uint8_t> data = reader.Peek().first(size_t(csize));
    size_t cap = size_t(std::min<uint64_t>(kFastOutput, max_output));
    size_t produced = 0;
    if (EnsureFast() &&
        libdeflate_deflate_decompress(fast_, data.data(), data.size(), fast_out_.data(), cap,
                                      &produced) == LIBDEFLATE_SUCCESS &&
        produced > 0) {
      d.produced = produced;
      out(std::span<const uint8_t>(fast_out_.data(), produced));
      return d;
    }
  }
  if (sizes_known) {
    LimitedInput data(reader, csize);
    d = Inflate(-15, data, {}, max_output, out);
  } else {
    struct Rest : ByteInput {
      Reader& r;
      bool first = true;
      explicit Rest(Reader& rr) : r(rr) {}
      std::span<const uint8_t> Next() override {
        if (first) {
          first = false;
          std::span<const uint8_t> b = r.TakeBlock();
          if (!b.empty()) return b;
        }
        return r.input().Next();
      }
    } rest(reader);
    d = Inflate(-15, rest, {}, max_output, out);
  }
  return d;
}

DecodeResult Inflater::Decode(DecoderKind kind, ByteInput& in, uint64_t max_output,
                              const std::function<bool(std::span<const uint8_t>)>& out) {
  std::span<const uint8_t> first;
  if (kind != DecoderKind::kZip) {
    first = in.Next();
    DecodeResult r;
    if (DecodeWhole(kind, first, max_output, out, &r)) return r;
    if (first.empty()) {
      r.corrupt = true;
      return r;
    }
  }
  switch (kind) {
    case DecoderKind::kGzip: return Inflate(16 + 15, in, first, max_output, out);
    case DecoderKind::kZlib: return Inflate(15, in, first, max_output, out);
    case DecoderKind::kZip: return Zip(in, max_output, out);
  }
  return {};
}

}  // namespace evidex::scan
