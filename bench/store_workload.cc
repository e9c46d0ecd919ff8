#include "bench/store_workload.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <numeric>

#include "bench/corpus_lib.h"

namespace evidex::bench {
namespace {

uint64_t Mix(uint64_t x) {  // splitmix64's finalizer
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// x -> (a x + b) mod m, a bijection of [0, m) when gcd(a, m) = 1: distinct g, distinct values.
struct Affine {
  uint64_t a = 1, b = 0, m = 1;
  Affine() = default;
  Affine(uint64_t seed, uint64_t modulus) : m(modulus) {
    a = (Mix(seed) % modulus) | 1;
    while (std::gcd(a, modulus) != 1) a += 2;
    b = Mix(seed ^ 0x5bd1e995) % modulus;
  }
  uint64_t operator()(uint64_t x) const {
    return uint64_t((static_cast<unsigned __int128>(a) * (x % m) + b) % m);
  }
};

enum Kind { kEmail, kDomain, kUrl, kIpv4, kIpv6, kPhone, kCcn, kIban, kBtc, kEth, kKinds };
constexpr const char* kKindNames[kKinds] = {"email", "domain", "url",  "ipv4", "ipv6",
                                            "phone", "ccn",    "iban", "btc",  "eth"};
// Percent of values of each kind: what a scan of disk images finds most.
constexpr int kKindWeights[kKinds] = {24, 18, 14, 12, 4, 9, 6, 4, 5, 4};
// Value spaces: each kind's value is injective in g below its modulus (g < 2^32 is enough here).
constexpr uint64_t kModulus[kKinds] = {1ull << 40,
                                       1ull << 40,
                                       1ull << 40,
                                       1ull << 32,
                                       1ull << 48,
                                       9'000'000'000ull,
                                       100'000'000'000'000ull,
                                       10'000'000'000ull,
                                       1ull << 46,
                                       1ull << 48};

constexpr const char* kNames[] = {"john",    "anna",    "ivan",  "maria",  "li",    "ahmed",
                                  "sofia",   "raj",     "olga",  "peter",  "nimal", "chen",
                                  "fatima",  "luca",    "emma",  "admin",  "info",  "sales",
                                  "support", "noreply", "kasun", "dmitry", "yuki",  "carlos"};
constexpr const char* kProviders[] = {"gmail.com", "yahoo.com",  "mail.ru", "outlook.com",
                                      "proton.me", "gmx.de",     "qq.com",  "hotmail.com",
                                      "yandex.ru", "icloud.com", "web.de",  "sltnet.lk"};
constexpr const char* kWords[] = {"shop",   "secure",  "login",   "crypto", "bank",
                                  "mail",   "cloud",   "pay",     "update", "verify",
                                  "market", "news",    "files",   "cdn",    "wallet",
                                  "trade",  "support", "service", "portal", "media"};
constexpr const char* kTlds[] = {"com",  "net",   "org", "ru",  "lk", "de",     "io",
                                 "info", "co.uk", "xyz", "top", "cn", "com.br", "in"};
constexpr const char* kPathWords[] = {"index", "login", "account", "download", "invoice",
                                      "track", "api",   "img",     "wp-admin", "files"};
constexpr const char* kCountryCodes[] = {"44", "49", "7", "1", "33", "94", "91", "86", "62", "234"};
// Printable filler for contexts (commas and quotes on purpose: the CSV must quote them).
constexpr std::string_view kFiller =
    "From: \"Support Team\" <noreply> Subject: Re: invoice, payment due; see attached. "
    "GET /index.php?id=42 HTTP/1.1 Host: cache-control: no-cache\tuser_agent=Mozilla/5.0 "
    "contact me at or call tomorrow, the wallet is below: transfer 0.5 BTC to ";
constexpr char kBase36[] = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr char kBase58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr char kBech32[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr char kHex[] = "0123456789abcdef";

template <size_t N>
const char* Pick(const char* const (&list)[N], uint64_t r) {
  return list[r % N];
}

void AppendBase36(std::string* out, uint64_t x) {
  char buf[16];
  int n = 0;
  do {
    buf[n++] = kBase36[x % 36];
    x /= 36;
  } while (x);
  while (n) out->push_back(buf[--n]);
}
// Exactly `digits` symbols of `alphabet` (base `base`), most significant first.
void AppendFixed(std::string* out, uint64_t x, int digits, const char* alphabet, uint64_t base) {
  size_t at = out->size();
  out->resize(at + digits);
  for (int i = digits - 1; i >= 0; --i) {
    (*out)[at + i] = alphabet[x % base];
    x /= base;
  }
}
void AppendDecimal(std::string* out, uint64_t x, int digits) {
  AppendFixed(out, x, digits, kBase36, 10);
}
void AppendUnsigned(std::string* out, uint64_t x) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, x);
  out->append(buf, r.ptr);
}
// `n` symbols from a stream seeded by r (the cosmetic, non-identifying part of an address).
void AppendNoise(std::string* out, uint64_t r, int n, const char* alphabet, uint64_t base) {
  for (int i = 0; i < n; ++i) {
    if (i % 8 == 0) r = Mix(r + uint64_t(i));
    out->push_back(alphabet[r % base]);
    r /= base;
  }
}
int Luhn(const std::string& digits) {  // check digit to append
  int sum = 0;
  bool twice = true;
  for (size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  return (10 - sum % 10) % 10;
}
int Mod97(std::string_view digits) {
  int m = 0;
  for (char c : digits) m = (m * 10 + (c - '0')) % 97;
  return m;
}

}  // namespace

void WorkloadTruth::Finalize() {
  occurrences = 0;
  for (CaseTruth& c : cases) {
    c.pool_distinct = 0;
    occurrences += c.occurrences;
  }
  artifacts_by_cases.assign(cases.size() + 1, 0);
  for (const CaseSet& s : pool_cases) {
    int k = s.Count();
    if (k == 0) continue;
    artifacts_by_cases[k]++;
    for (int w = 0; w < 2; ++w)
      for (uint64_t b = s.bits[w]; b; b &= b - 1)
        cases[w * 64 + __builtin_ctzll(b)].pool_distinct++;
  }
  artifacts_by_cases[1] += unique_occurrences.size();
  distinct = 0;
  for (uint64_t n : artifacts_by_cases) distinct += n;
}

uint64_t WorkloadTruth::Digest() const {
  uint64_t h = Mix(occurrences ^ Mix(distinct));
  for (const CaseTruth& c : cases) {
    h = Mix(h ^ c.occurrences) ^ Mix(c.unique_end) ^ c.pool_distinct;
    for (uint64_t e : c.evidence_occurrences) h = Mix(h + e);
  }
  for (size_t g = 0; g < pool_cases.size(); ++g)
    h = Mix(h ^ pool_cases[g].bits[0] ^ (pool_cases[g].bits[1] << 7) ^ pool_occurrences[g]);
  return h;
}

Workload::Workload(const WorkloadOptions& options) : options_(options) {
  pool_ = options.pool ? options.pool : std::max<uint64_t>(100, options.occurrences / 20);
  salt_ = Mix(options.seed ^ 0x73746f7265ull);
}

std::string Workload::CaseNumber(int case_index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "BENCH/%03d", case_index + 1);
  return buf;
}

int Workload::KindIndex(uint64_t g) const {
  int r = int(Mix(g ^ salt_) % 100);
  for (int k = 0; k < kKinds; ++k) {
    if (r < kKindWeights[k]) return k;
    r -= kKindWeights[k];
  }
  return kEmail;
}

const char* Workload::KindOf(uint64_t g) const { return kKindNames[KindIndex(g)]; }

void Workload::Value(uint64_t g, std::string* out) const {
  int k = KindIndex(g);
  uint64_t x = Affine(salt_ + uint64_t(k), kModulus[k])(g);
  uint64_t r = Mix(g * 0x2545f4914f6cdd1dull ^ salt_);
  out->clear();
  switch (k) {
    case kEmail:
      // name, then '.' or '_' (never inside a name or base36), then x: injective in x.
      out->append(Pick(kNames, r));
      out->push_back((r >> 8) & 1 ? '.' : '_');
      AppendBase36(out, x);
      out->push_back('@');
      out->append(Pick(kProviders, r >> 16));
      break;
    case kDomain:
      out->append(Pick(kWords, r));
      out->push_back('-');
      AppendBase36(out, x);
      out->push_back('.');
      out->append(Pick(kTlds, r >> 16));
      break;
    case kUrl:
      out->append((r >> 40) & 3 ? "https://" : "http://");
      if ((r >> 42) & 1) out->append("www.");
      out->append(Pick(kWords, r));
      out->push_back('-');
      AppendBase36(out, x);
      out->push_back('.');
      out->append(Pick(kTlds, r >> 16));
      out->push_back('/');
      out->append(Pick(kPathWords, r >> 24));
      out->push_back('/');
      AppendBase36(out, (r >> 32) & 0xffffff);
      out->append((r >> 44) & 1 ? ".html" : ".php?id=42");
      break;
    case kIpv4:
      for (int i = 3; i >= 0; --i) {
        AppendUnsigned(out, (x >> (8 * i)) & 0xff);
        if (i) out->push_back('.');
      }
      break;
    case kIpv6: {
      // RFC 5952 form: lower-case, no leading zeros, no zero group (so no "::").
      uint64_t groups[8] = {0x2a02,
                            0x6b8 + (r & 0xff),
                            ((r >> 8) & 0xffff) | 1,
                            0x1000 | ((x >> 36) & 0xfff),
                            0x1000 | ((x >> 24) & 0xfff),
                            0x1000 | ((x >> 12) & 0xfff),
                            0x1000 | (x & 0xfff),
                            ((r >> 24) & 0xffff) | 0x100};
      char buf[48];
      int n =
          std::snprintf(buf, sizeof buf, "%lx:%lx:%lx:%lx:%lx:%lx:%lx:%lx", groups[0], groups[1],
                        groups[2], groups[3], groups[4], groups[5], groups[6], groups[7]);
      out->append(buf, size_t(n));
      break;
    }
    case kPhone:  // E.164: '+', country code, 10 digits (first not 0)
      out->push_back('+');
      out->append(Pick(kCountryCodes, r));
      AppendDecimal(out, 1'000'000'000ull + x, 10);
      break;
    case kCcn:  // a Visa number: 4, 14 digits, Luhn
      out->push_back('4');
      AppendDecimal(out, x, 14);
      out->push_back(char('0' + Luhn(*out)));
      break;
    case kIban: {  // DE: 8-digit bank code + 10-digit account; mod-97 check digits
      std::string bban;
      AppendDecimal(&bban, 10'000'000 + (r % 89'999'999), 8);
      AppendDecimal(&bban, x, 10);
      std::string check = bban + "131400";  // "DE00" rearranged: D=13, E=14
      int cd = 98 - Mod97(check);
      out->append("DE");
      out->push_back(char('0' + cd / 10));
      out->push_back(char('0' + cd % 10));
      out->append(bban);
      break;
    }
    case kBtc:
      if (r & 1) {  // bech32 P2WPKH: bc1q + 38 symbols
        out->append("bc1q");
        AppendFixed(out, x, 10, kBech32, 32);
        AppendNoise(out, r, 28, kBech32, 32);
      } else {  // base58 P2PKH: 1 + 33 symbols
        out->push_back('1');
        AppendFixed(out, x, 9, kBase58, 58);
        AppendNoise(out, r, 24, kBase58, 58);
      }
      break;
    case kEth:
      out->append("0x");
      AppendFixed(out, x, 12, kHex, 16);
      AppendNoise(out, r, 28, kHex, 16);
      break;
  }
}

// The feature as a scan found it: mostly the value, sometimes in another written form.
void Workload::Feature(int kind, uint64_t g, const std::string& value, uint64_t r,
                       std::string* out) const {
  out->assign(value);
  switch (kind) {
    case kEmail:
    case kUrl:
      if (r % 5 == 0 && !out->empty() && (*out)[0] >= 'a' && (*out)[0] <= 'z') (*out)[0] -= 32;
      break;
    case kPhone:
      if (r % 2 == 0 && out->size() > 8) {  // "+44 7911 123 456"
        out->insert(out->size() - 3, 1, ' ');
        out->insert(out->size() - 7, 1, ' ');
        out->insert(out->size() - 12, 1, ' ');
      }
      break;
    case kCcn:
      if (r % 3 == 0)
        for (size_t at : {12, 8, 4}) out->insert(at, 1, ' ');
      break;
    default:
      break;
  }
}

Status Workload::Run(WorkloadSink* sink, size_t batch_rows, WorkloadTruth* truth,
                     const std::function<void(uint64_t)>& progress) {
  const int ncases = options_.cases;
  if (ncases < 2 || ncases > kMaxCases)
    return InvalidArgument("cases must be between 2 and " + std::to_string(kMaxCases));
  const uint64_t total = options_.occurrences;
  Rng rng(options_.seed);
  const Affine pool_order(salt_ ^ 0x706f6f6cull, pool_);

  *truth = WorkloadTruth();
  truth->pool = pool_;
  truth->pool_cases.assign(pool_, CaseSet());
  truth->pool_occurrences.assign(pool_, 0);
  truth->pool_in_big.assign(pool_, 0);
  truth->unique_occurrences.reserve(total * 2 / 5);
  truth->cases.resize(size_t(ncases));

  std::vector<WorkloadRow> rows(std::max<size_t>(1, batch_rows));
  size_t filled = 0;
  uint64_t done = 0;
  uint64_t next_unique = pool_;
  uint64_t ring[64];
  size_t ring_n = 0;
  uint64_t case_distinct = 0;

  auto flush = [&]() -> Status {
    if (filled == 0) return Status::Ok();
    Status s = sink->Rows(std::span<const WorkloadRow>(rows.data(), filled));
    done += filled;
    filled = 0;
    if (progress) progress(done);
    return s;
  };

  // One evidence: rows until `count` rows, or (count == 0) until the case holds `distinct_goal`
  // distinct values or `cap` rows.
  auto evidence = [&](int c, int e, uint64_t count, uint64_t distinct_goal,
                      uint64_t cap) -> Status {
    EVIDEX_RETURN_IF_ERROR(sink->BeginEvidence(c, e));
    WorkloadTruth::CaseTruth& ct = truth->cases[size_t(c)];
    uint64_t n = 0;
    uint64_t offset = rng.LogRange(4096, 64 << 20), gz_base = 0, gz_inner = 0, gz_left = 0;
    for (;;) {
      if (count ? n >= count : (case_distinct >= distinct_goal || n >= cap)) break;
      // Draw the value.
      uint64_t g, u = rng.Below(100);
      if (u < 40) {
        g = pool_order(rng.LogRange(1, pool_) - 1);
      } else if (u < 58 && ring_n > 0) {
        g = ring[rng.Below(std::min<size_t>(ring_n, 64))];
      } else {
        g = next_unique++;
        ring[ring_n++ % 64] = g;
        truth->unique_occurrences.push_back(0);
        case_distinct++;
      }
      if (g < pool_) {
        CaseSet& s = truth->pool_cases[g];
        if (!s.Has(c)) {
          s.Set(c);
          case_distinct++;
        }
        truth->pool_occurrences[g]++;
        if (c == 0) truth->pool_in_big[g]++;
      } else {
        uint16_t& o = truth->unique_occurrences[g - pool_];
        if (o != 0xffff) o++;
      }
      // The row.
      WorkloadRow& row = rows[filled];
      int kind = KindIndex(g);
      row.kind = kKindNames[kind];
      Value(g, &row.value);
      uint64_t r = rng.Next();
      Feature(kind, g, row.value, r, &row.feature);
      row.path.clear();
      if (gz_left == 0 && rng.Chance(0.04)) {  // a run of hits inside a gzip member
        gz_base = offset;
        gz_left = rng.Range(2, 24);
        gz_inner = 0;
      }
      if (gz_left > 0) {
        gz_inner += rng.LogRange(8, 4096);
        AppendUnsigned(&row.path, gz_base);
        row.path.append("-GZIP-");
        AppendUnsigned(&row.path, gz_inner);
        if (--gz_left == 0) offset = gz_base + rng.LogRange(512, 1 << 20);
      } else {
        offset += rng.LogRange(8, 1 << 16);
        AppendUnsigned(&row.path, offset);
      }
      size_t left = 6 + (r >> 8) % 18, right = 6 + (r >> 16) % 18;
      size_t at = (r >> 24) % (kFiller.size() - 24);
      row.context.assign(kFiller.substr(at, left));
      row.context.append(row.feature);
      row.context.append(kFiller.substr((r >> 40) % (kFiller.size() - 24), right));
      row.utf16 = (r >> 56) < 20;  // about 8 %
      ++n;
      if (++filled == rows.size()) EVIDEX_RETURN_IF_ERROR(flush());
    }
    EVIDEX_RETURN_IF_ERROR(flush());
    ct.occurrences += n;
    ct.evidence_occurrences.push_back(n);
    return sink->EndEvidence();
  };

  auto begin_case = [&](int c) {
    ring_n = 0;
    case_distinct = 0;
    truth->cases[size_t(c)].unique_first = next_unique;
  };
  auto end_case = [&](int c) { truth->cases[size_t(c)].unique_end = next_unique; };

  // Case 0: exactly big_case_artifacts distinct values over 4 evidence (or half the total).
  begin_case(0);
  const uint64_t goal = std::max<uint64_t>(1, options_.big_case_artifacts);
  const uint64_t cap = total / 2;
  uint64_t big_rows = 0;
  for (int e = 0; e < 4; ++e) {
    EVIDEX_RETURN_IF_ERROR(evidence(0, e, 0, goal * uint64_t(e + 1) / 4, cap - big_rows));
    big_rows = truth->cases[0].occurrences;
  }
  end_case(0);

  // The others share the rest by log-uniform weights; 1-4 evidence each.
  const uint64_t rest = total - big_rows;
  std::vector<uint64_t> weight(size_t(ncases), 0);
  uint64_t weight_sum = 0;
  for (int c = 1; c < ncases; ++c) weight_sum += weight[size_t(c)] = rng.LogRange(1, 64);
  uint64_t given = 0;
  for (int c = 1; c < ncases; ++c) {
    uint64_t n =
        c == ncases - 1
            ? rest - given
            : uint64_t(static_cast<unsigned __int128>(rest) * weight[size_t(c)] / weight_sum);
    given += n;
    begin_case(c);
    int ne = int(rng.Range(1, 4));
    uint64_t left = n;
    for (int e = 0; e < ne; ++e) {
      uint64_t m = e == ne - 1 ? left : n / uint64_t(ne) + rng.Below(n / (4 * ne) + 1);
      m = std::min(m, left);
      left -= m;
      EVIDEX_RETURN_IF_ERROR(evidence(c, e, m, 0, 0));
    }
    end_case(c);
  }
  truth->Finalize();
  return Status::Ok();
}

uint64_t ParseCount(const std::string& text) {
  if (text.empty()) return 0;
  double mult = 1;
  std::string num = text;
  switch (text.back()) {
    case 'k':
    case 'K':
      mult = 1e3;
      num.pop_back();
      break;
    case 'm':
    case 'M':
      mult = 1e6;
      num.pop_back();
      break;
    case 'g':
    case 'G':
    case 'b':
    case 'B':
      mult = 1e9;
      num.pop_back();
      break;
    default:
      break;
  }
  char* end = nullptr;
  double v = std::strtod(num.c_str(), &end);
  if (num.empty() || end != num.c_str() + num.size() || !(v > 0)) return 0;
  return uint64_t(std::llround(v * mult));
}

}  // namespace evidex::bench
