#include "hashset/hashset.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/hash.h"

namespace evidex::hashset {
namespace {

static_assert(std::endian::native == std::endian::little, "the set file is little-endian");

// File layout (docs/FORMATS.md, "Hash set files"): a 128-byte fixed header, the SetInfo as JSON,
// then per algorithm its records (digest + label byte, sorted by digest) and its bucket index
// ((1 << bits) + 1 record numbers: bucket b holds the records whose leading `bits` bits are b),
// each section starting on a 64-byte boundary.
constexpr char kMagic[8] = {'E', 'V', 'X', 'H', 'S', 'E', 'T', '1'};
constexpr uint32_t kVersion = 1;
constexpr size_t kFixedHeader = 128;
constexpr int kMinBits = 8, kMaxBits = 30;
constexpr size_t kSmallBucket = 16;  // insertion sort and linear scan up to this many records

struct SectionHeader {
  uint64_t count;
  uint64_t records_offset;
  uint64_t buckets_offset;
  uint32_t bits;
  uint32_t reserved;
};
static_assert(sizeof(SectionHeader) == 32);

struct FixedHeader {
  char magic[8];
  uint32_t version;
  uint32_t json_length;
  uint64_t file_size;
  SectionHeader sections[kAlgorithms];
  uint8_t reserved[kFixedHeader - 24 - 32 * kAlgorithms];
};
static_assert(sizeof(FixedHeader) == kFixedHeader);

uint64_t Align64(uint64_t n) { return (n + 63) / 64 * 64; }

// The bucket of a digest: its leading `bits` bits.
inline uint32_t BucketOf(const uint8_t* d, int bits) {
  uint32_t lead = uint32_t(d[0]) << 24 | uint32_t(d[1]) << 16 | uint32_t(d[2]) << 8 | d[3];
  return lead >> (32 - bits);
}

int BitsFor(uint64_t count) {
  int bits = kMinBits;
  while (bits < kMaxBits && (uint64_t(1) << bits) < count) ++bits;
  return bits;
}

nlohmann::json InfoToJson(const SetInfo& i) {
  nlohmann::json counts = nlohmann::json::object();
  for (int a = 0; a < kAlgorithms; ++a) counts[AlgorithmName(Algorithm(a))] = i.counts[size_t(a)];
  return {{"id", i.id},
          {"name", i.name},
          {"category", CategoryName(i.category)},
          {"description", i.description},
          {"format", i.format},
          {"source_file", i.source_file},
          {"source_sha256", i.source_sha256},
          {"imported", i.imported},
          {"labels", i.labels},
          {"counts", counts}};
}

Result<SetInfo> InfoFromJson(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Corrupt("its header is not a JSON object");
  SetInfo i;
  try {
    i.id = j.at("id").get<std::string>();
    i.name = j.at("name").get<std::string>();
    std::optional<Category> c = ParseCategory(j.at("category").get<std::string>());
    if (!c) return Corrupt("its header names an unknown category");
    i.category = *c;
    i.description = j.value("description", "");
    i.format = j.value("format", "");
    i.source_file = j.value("source_file", "");
    i.source_sha256 = j.value("source_sha256", "");
    i.imported = j.value("imported", "");
    i.labels = j.at("labels").get<std::vector<std::string>>();
    for (int a = 0; a < kAlgorithms; ++a)
      i.counts[size_t(a)] = j.at("counts").at(AlgorithmName(Algorithm(a))).get<uint64_t>();
  } catch (const nlohmann::json::exception& e) {
    return Corrupt(std::string("its header is incomplete: ") + e.what());
  }
  if (i.labels.empty() || i.labels.size() > 256) return Corrupt("its header has no label table");
  return i;
}

}  // namespace

const char* AlgorithmName(Algorithm a) {
  switch (a) {
    case Algorithm::kMd5: return "md5";
    case Algorithm::kSha1: return "sha1";
    case Algorithm::kSha256: return "sha256";
  }
  return "?";
}

std::optional<Algorithm> AlgorithmForHexLength(size_t hex_chars) {
  switch (hex_chars) {
    case 32: return Algorithm::kMd5;
    case 40: return Algorithm::kSha1;
    case 64: return Algorithm::kSha256;
  }
  return std::nullopt;
}

bool ParseHexDigest(std::string_view hex, Algorithm a, uint8_t* out) {
  return FromHex(hex, out, DigestSize(a));
}

std::string HexDigest(const uint8_t* digest, Algorithm a) { return ToHex(digest, DigestSize(a)); }

const char* CategoryName(Category c) { return c == Category::kAlert ? "alert" : "known"; }

std::optional<Category> ParseCategory(std::string_view name) {
  if (name == "known" || name == "known-good") return Category::kKnownGood;
  if (name == "alert") return Category::kAlert;
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
Builder::Builder(SetInfo info) : info_(std::move(info)) {
  if (info_.labels.empty()) info_.labels.push_back("");
}
Builder::~Builder() = default;

Result<uint8_t> Builder::Label(std::string_view label) {
  for (size_t i = 0; i < info_.labels.size(); ++i)
    if (info_.labels[i] == label) return uint8_t(i);
  if (info_.labels.size() >= 255) return LimitReached("a hash set holds at most 255 labels");
  info_.labels.emplace_back(label);
  return uint8_t(info_.labels.size() - 1);
}

void Builder::Add(Algorithm a, const uint8_t* digest, uint8_t label) {
  std::vector<uint8_t>& v = digests_[size_t(a)];
  v.insert(v.end(), digest, digest + DigestSize(a));
  v.push_back(label);
  ++added_;
}

Status Builder::Write(const std::string& path) {
  // Each section: records distributed into their buckets (counting sort on the leading bits,
  // which spreads uniformly for real digests), each bucket sorted, duplicates dropped.
  struct Built {
    std::vector<uint8_t> records;
    std::vector<uint32_t> buckets;
    uint64_t count = 0;
    int bits = 0;
  };
  std::array<Built, kAlgorithms> built;
  for (int a = 0; a < kAlgorithms; ++a) {
    const size_t size = DigestSize(Algorithm(a)), stride = size + 1;
    std::vector<uint8_t>& in = digests_[size_t(a)];
    const uint64_t n = in.size() / stride;
    if (n >= (uint64_t(1) << 32)) return LimitReached("a hash set holds at most 2^32 - 1 digests per algorithm");
    Built& b = built[size_t(a)];
    b.bits = BitsFor(n);
    const size_t nb = size_t(1) << b.bits;
    std::vector<uint32_t> start(nb + 1, 0);
    for (uint64_t i = 0; i < n; ++i) ++start[BucketOf(in.data() + i * stride, b.bits) + 1];
    for (size_t k = 0; k < nb; ++k) start[k + 1] += start[k];
    b.records.resize(n * stride);
    {
      std::vector<uint32_t> fill(start.begin(), start.end() - 1);
      for (uint64_t i = 0; i < n; ++i) {
        const uint8_t* r = in.data() + i * stride;
        std::memcpy(b.records.data() + size_t(fill[BucketOf(r, b.bits)]++) * stride, r, stride);
      }
    }
    std::vector<uint8_t>().swap(in);
    // Sort each bucket by (digest, label); keep the first of equal digests (the lowest label).
    std::vector<uint8_t> tmp(stride);
    std::vector<uint32_t> order;
    std::vector<uint8_t> scratch;
    uint64_t out = 0;
    b.buckets.assign(nb + 1, 0);
    for (size_t k = 0; k < nb; ++k) {
      uint8_t* first = b.records.data() + size_t(start[k]) * stride;
      const size_t m = start[k + 1] - start[k];
      auto less = [stride](const uint8_t* x, const uint8_t* y) { return std::memcmp(x, y, stride) < 0; };
      if (m <= kSmallBucket) {
        for (size_t i = 1; i < m; ++i) {
          std::memcpy(tmp.data(), first + i * stride, stride);
          size_t j = i;
          while (j > 0 && less(tmp.data(), first + (j - 1) * stride)) {
            std::memcpy(first + j * stride, first + (j - 1) * stride, stride);
            --j;
          }
          std::memcpy(first + j * stride, tmp.data(), stride);
        }
      } else {  // a crowded bucket (a hostile or odd list): sort by index, O(m log m)
        order.resize(m);
        for (size_t i = 0; i < m; ++i) order[i] = uint32_t(i);
        std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
          return less(first + x * stride, first + y * stride);
        });
        scratch.assign(first, first + m * stride);
        for (size_t i = 0; i < m; ++i) std::memcpy(first + i * stride, &scratch[order[i] * stride], stride);
      }
      b.buckets[k] = uint32_t(out);
      for (size_t i = 0; i < m; ++i) {
        const uint8_t* r = first + i * stride;
        if (i > 0 && std::memcmp(r, r - stride, size) == 0) continue;  // a duplicate digest
        uint8_t* to = b.records.data() + out * stride;
        if (to != r) std::memcpy(to, r, stride);
        ++out;
      }
    }
    b.buckets[nb] = uint32_t(out);
    b.count = out;
    b.records.resize(out * stride);
    info_.counts[size_t(a)] = out;
  }

  // The file: fixed header, JSON, sections.
  const std::string json = InfoToJson(info_).dump();
  FixedHeader h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kVersion;
  h.json_length = uint32_t(json.size());
  uint64_t at = Align64(kFixedHeader + json.size());
  for (int a = 0; a < kAlgorithms; ++a) {
    const Built& b = built[size_t(a)];
    SectionHeader& s = h.sections[a];
    s.count = b.count;
    s.bits = uint32_t(b.bits);
    s.records_offset = at;
    at = Align64(at + b.records.size());
    s.buckets_offset = at;
    at = Align64(at + b.buckets.size() * sizeof(uint32_t));
  }
  h.file_size = at;
  const std::string tmp_path = path + ".tmp";
  FILE* f = std::fopen(tmp_path.c_str(), "wb");
  if (f == nullptr) return ErrnoStatus("cannot write " + tmp_path, errno);
  bool ok = true;
  uint64_t pos = 0;
  auto put = [&](const void* p, size_t n) {
    ok = ok && (n == 0 || std::fwrite(p, 1, n, f) == n);
    pos += n;
  };
  auto pad_to = [&](uint64_t target) {
    static const char zeros[64] = {};
    while (ok && pos < target) put(zeros, size_t(std::min<uint64_t>(64, target - pos)));
  };
  put(&h, sizeof h);
  put(json.data(), json.size());
  for (int a = 0; a < kAlgorithms; ++a) {
    const Built& b = built[size_t(a)];
    pad_to(h.sections[a].records_offset);
    put(b.records.data(), b.records.size());
    pad_to(h.sections[a].buckets_offset);
    put(b.buckets.data(), b.buckets.size() * sizeof(uint32_t));
  }
  pad_to(h.file_size);
  ok = ok && std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  int err = errno;
  if (std::fclose(f) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (!ok || std::rename(tmp_path.c_str(), path.c_str()) != 0) {
    if (ok) err = errno;
    std::remove(tmp_path.c_str());
    return ErrnoStatus("cannot write " + path, err);
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
Result<std::unique_ptr<HashSet>> HashSet::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open hash set " + path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus("cannot stat " + path, err);
  }
  const uint64_t size = uint64_t(st.st_size);
  if (!S_ISREG(st.st_mode) || size < kFixedHeader) {
    ::close(fd);
    return InvalidArgument(path + " is not an evidex hash set (too short)");
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  int err = errno;
  ::close(fd);
  if (map == MAP_FAILED) return ErrnoStatus("cannot map " + path, err);
  std::unique_ptr<HashSet> set(new HashSet());
  set->base_ = static_cast<const uint8_t*>(map);
  set->path_ = path;
  set->size_ = size;
  FixedHeader h;
  std::memcpy(&h, set->base_, sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0)
    return InvalidArgument(path + " is not an evidex hash set");
  if (h.version != kVersion)
    return Unsupported(path + ": hash set format version " + std::to_string(h.version) +
                       " (this evidex reads version " + std::to_string(kVersion) + ")");
  if (h.file_size != size)
    return Corrupt(path + ": the hash set is " + std::to_string(size) + " bytes, its header says " +
                   std::to_string(h.file_size) + " (truncated?)");
  if (kFixedHeader + uint64_t(h.json_length) > size) return Corrupt(path + ": damaged header");
  Result<SetInfo> info = InfoFromJson(
      std::string_view(reinterpret_cast<const char*>(set->base_) + kFixedHeader, h.json_length));
  if (!info.ok()) return Corrupt(path + ": " + info.status().message());
  set->info_ = std::move(*info);
  for (int a = 0; a < kAlgorithms; ++a) {
    const SectionHeader& s = h.sections[a];
    const uint64_t stride = DigestSize(Algorithm(a)) + 1;
    if (s.bits < uint32_t(kMinBits) || s.bits > uint32_t(kMaxBits) || s.count >= (uint64_t(1) << 32) ||
        s.records_offset % 64 != 0 || s.buckets_offset % 64 != 0 ||
        s.records_offset > size || s.count * stride > size - s.records_offset ||
        s.buckets_offset > size ||
        ((uint64_t(1) << s.bits) + 1) * sizeof(uint32_t) > size - s.buckets_offset ||
        s.count != set->info_.counts[size_t(a)]) {
      return Corrupt(path + ": damaged " + AlgorithmName(Algorithm(a)) + " section");
    }
    Section& sec = set->sections_[size_t(a)];
    sec.records = set->base_ + s.records_offset;
    sec.buckets = reinterpret_cast<const uint32_t*>(set->base_ + s.buckets_offset);
    sec.count = s.count;
    sec.bits = int(s.bits);
    // The index must be monotonic and end at the count, or look-ups could read past the records.
    const size_t nb = size_t(1) << sec.bits;
    if (sec.buckets[0] != 0 || sec.buckets[nb] != s.count) return Corrupt(path + ": damaged index");
    for (size_t k = 0; k < nb; ++k)
      if (sec.buckets[k] > sec.buckets[k + 1]) return Corrupt(path + ": damaged index");
    // Labels must name an entry of the table: checked on look-up (a damaged byte gives label 0).
  }
  ::madvise(const_cast<uint8_t*>(set->base_), size, MADV_RANDOM);
  return set;
}

HashSet::~HashSet() {
  if (base_ != nullptr) ::munmap(const_cast<uint8_t*>(base_), size_);
}

int HashSet::Find(Algorithm a, const uint8_t* digest) const {
  const Section& s = sections_[size_t(a)];
  if (s.count == 0) return -1;
  const size_t size = DigestSize(a), stride = size + 1;
  const uint32_t b = BucketOf(digest, s.bits);
  size_t lo = s.buckets[b], hi = s.buckets[b + 1];
  const size_t end = hi;
  while (hi - lo > kSmallBucket) {  // a crowded bucket: narrow down, keeping records[lo] <= digest's place
    size_t mid = lo + (hi - lo) / 2;
    if (std::memcmp(s.records + mid * stride, digest, size) < 0) lo = mid + 1;
    else hi = mid;
  }
  for (size_t i = lo; i < end; ++i) {
    const uint8_t* r = s.records + i * stride;
    int c = std::memcmp(r, digest, size);
    if (c == 0) {
      uint8_t label = r[size];
      return label < info_.labels.size() ? label : 0;
    }
    if (c > 0) break;
  }
  return -1;
}

void HashSet::FindMany(Algorithm a, const uint8_t* digests, size_t n, int* labels) const {
  const Section& s = sections_[size_t(a)];
  const size_t size = DigestSize(a), stride = size + 1;
  if (s.count == 0) {
    std::fill(labels, labels + n, -1);
    return;
  }
  constexpr size_t kGroup = 16;
  uint32_t bucket[kGroup];
  for (size_t base = 0; base < n; base += kGroup) {
    const size_t m = std::min(kGroup, n - base);
    for (size_t i = 0; i < m; ++i) {  // 1: the index entries
      bucket[i] = BucketOf(digests + (base + i) * size, s.bits);
      __builtin_prefetch(s.buckets + bucket[i]);
    }
    for (size_t i = 0; i < m; ++i)  // 2: the first records of each bucket
      __builtin_prefetch(s.records + size_t(s.buckets[bucket[i]]) * stride);
    for (size_t i = 0; i < m; ++i) labels[base + i] = Find(a, digests + (base + i) * size);
  }
}

Result<std::vector<std::unique_ptr<HashSet>>> OpenSets(const std::string& dir) {
  std::vector<std::unique_ptr<HashSet>> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  for (const std::filesystem::directory_entry& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".evhs") continue;
    Result<std::unique_ptr<HashSet>> s = HashSet::Open(e.path().string());
    if (!s.ok()) return s.status();
    out.push_back(std::move(*s));
  }
  if (ec) return ErrnoStatus("cannot list " + dir, ec.value());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    if (a->info().category != b->info().category) return a->info().category == Category::kAlert;
    return a->info().name < b->info().name;
  });
  return out;
}

std::vector<SetMatch> FindInSets(const std::vector<std::unique_ptr<HashSet>>& sets, Algorithm a,
                                 const uint8_t* digest) {
  std::vector<SetMatch> m;
  for (const auto& s : sets) {
    int label = s->Find(a, digest);
    if (label >= 0) m.push_back({s.get(), s->info().labels[size_t(label)]});
  }
  return m;
}

std::vector<SetMatch> FindFileInSets(const std::vector<std::unique_ptr<HashSet>>& sets,
                                     const std::array<std::vector<uint8_t>, kAlgorithms>& digests) {
  std::vector<SetMatch> m;
  for (const auto& s : sets) {
    for (int a = 0; a < kAlgorithms; ++a) {
      const std::vector<uint8_t>& d = digests[size_t(a)];
      if (d.size() != DigestSize(Algorithm(a))) continue;
      int label = s->Find(Algorithm(a), d.data());
      if (label < 0) continue;
      m.push_back({s.get(), s->info().labels[size_t(label)]});
      break;
    }
  }
  return m;
}

}  // namespace evidex::hashset
