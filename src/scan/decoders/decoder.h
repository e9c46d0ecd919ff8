// Decoders: expose the data inside gzip members, zlib streams and ZIP entries found in the bytes.
//
// A decoder is told where a candidate starts (its signature was matched by the engine), pulls
// compressed bytes from a ByteInput and pushes decoded bytes, in blocks, to an output callback.
// It stops at the end of the stream, at the first error (what was decoded so far has already been
// delivered: "decoded up to the error"), when the output limit is reached, or when the callback
// asks to stop. One Inflater per thread and nesting level; it is reused across streams so the
// hot path does not allocate.
#ifndef EVIDEX_SCAN_DECODERS_DECODER_H_
#define EVIDEX_SCAN_DECODERS_DECODER_H_

#include <zlib.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace evidex::scan {

enum class DecoderKind { kGzip, kZlib, kZip };

// The name used in forensic paths: "GZIP", "ZLIB", "ZIP".
const char* DecoderName(DecoderKind kind);

// The signature patterns (Hyperscan syntax) that trigger each decoder.
const char* DecoderSignature(DecoderKind kind);

class ByteInput {
 public:
  virtual ~ByteInput() = default;
  // The next block of compressed input; an empty span at the end (or on a read error).
  virtual std::span<const uint8_t> Next() = 0;
};

struct DecodeResult {
  uint64_t produced = 0;      // decoded bytes delivered
  bool limit_hit = false;     // stopped by max_output
  bool corrupt = false;       // the stream ended in an error (after `produced` bytes)
};

class Inflater {
 public:
  Inflater();
  ~Inflater();
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  // Cheap check on the first bytes, before any decoding (header fields, flags).
  static bool Plausible(DecoderKind kind, std::span<const uint8_t> head);

  // Decodes one stream. `out` receives successive blocks; returning false stops decoding.
  DecodeResult Decode(DecoderKind kind, ByteInput& in, uint64_t max_output,
                      const std::function<bool(std::span<const uint8_t>)>& out);

 private:
  DecodeResult Inflate(int window_bits, ByteInput& in, std::span<const uint8_t> first,
                       uint64_t max_output, const std::function<bool(std::span<const uint8_t>)>& out);
  DecodeResult Zip(ByteInput& in, uint64_t max_output,
                   const std::function<bool(std::span<const uint8_t>)>& out);

  // Fast path: a gzip member or zlib stream that lies wholly in the first input block is
  // decoded at once by libdeflate (2-3x faster than zlib); streams that go on past it, are
  // corrupt, or decode to more than 32 MiB take zlib's streaming path (one that decodes to more
  // than the 4 MiB buffer is tried once more with a buffer of up to 32 MiB, two at a time at most).
  bool EnsureFast();  // allocates the libdeflate state on first use
  bool DecodeWhole(DecoderKind kind, std::span<const uint8_t> in, uint64_t max_output,
                   const std::function<bool(std::span<const uint8_t>)>& out, DecodeResult* r);

  z_stream zs_{};
  int window_bits_ = 0;  // of the current zs_ initialization, 0 if none
  std::vector<uint8_t> out_buf_;
  struct libdeflate_decompressor* fast_ = nullptr;
  std::vector<uint8_t> fast_out_;
};

}  // namespace evidex::scan

#endif  // EVIDEX_SCAN_DECODERS_DECODER_H_
