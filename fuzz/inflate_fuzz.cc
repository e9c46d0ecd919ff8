// Fuzzes the gzip, zlib and ZIP decoders directly (first byte picks the decoder).
#include <cstdint>

#include "scan/decoders/decoder.h"

namespace {
struct Input : evidex::scan::ByteInput {
  std::span<const uint8_t> data;
  size_t pos = 0;
  std::span<const uint8_t> Next() override {
    // Hand the input out in uneven blocks to exercise block boundaries.
    size_t n = std::min<size_t>(data.size() - pos, 1 + pos % 97);
    auto b = data.subspan(pos, n);
    pos += n;
    return b;
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evidex::scan;
  if (size < 1) return 0;
  static Inflater inflater;
  DecoderKind kind = DecoderKind(data[0] % 3);
  Input in;
  in.data = std::span<const uint8_t>(data + 1, size - 1);
  if (!Inflater::Plausible(kind, in.data)) return 0;
  uint64_t total = 0;
  DecodeResult r = inflater.Decode(kind, in, 1u << 20, [&](std::span<const uint8_t> b) {
    total += b.size();
    return true;
  });
  if (r.produced != total || total > (1u << 20)) __builtin_trap();
  return 0;
}
