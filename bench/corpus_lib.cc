// The corpus generator and the hits checker (see corpus_lib.h).
#include "bench/corpus_lib.h"

#include <arpa/inet.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <future>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "scan/validate/validate.h"

namespace evidex::bench {
namespace {

// ---------------------------------------------------------------------------------------------
// Small helpers

uint64_t SplitMix64(uint64_t* x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

std::string Lower(std::string_view s) {
  std::string r(s);
  for (char& c : r)
    if (c >= 'A' && c <= 'Z') c = char(c | 0x20);
  return r;
}

std::string Upper(std::string_view s) {
  std::string r(s);
  for (char& c : r)
    if (c >= 'a' && c <= 'z') c = char(c & ~0x20);
  return r;
}

std::string Capitalize(std::string_view s) {
  std::string r(s);
  if (!r.empty() && r[0] >= 'a' && r[0] <= 'z') r[0] = char(r[0] & ~0x20);
  return r;
}

std::string Base36(uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string r;
  do {
    r.push_back(kDigits[v % 36]);
    v /= 36;
  } while (v != 0);
  std::reverse(r.begin(), r.end());
  return r;
}

std::string Widen(std::string_view ascii) {
  std::string r(ascii.size() * 2, '\0');
  for (size_t i = 0; i < ascii.size(); ++i) r[2 * i] = ascii[i];
  return r;
}

void Put16(std::string* out, uint32_t v) {
  out->push_back(char(v & 0xff));
  out->push_back(char((v >> 8) & 0xff));
}

void Put32(std::string* out, uint32_t v) {
  Put16(out, v & 0xffff);
  Put16(out, v >> 16);
}

uint64_t Pow10(int n) {
  uint64_t r = 1;
  while (n-- > 0) r *= 10;
  return r;
}

// A bijection of [0, 10^digits): x -> (a*x + b) mod 10^digits with gcd(a, 10) == 1. Used to turn a
// counter into distinct, random-looking digit strings.
struct DecimalPermutation {
  uint64_t mod = 1, a = 1, b = 0;
  DecimalPermutation() = default;
  DecimalPermutation(int digits, Rng& rng) : mod(Pow10(digits)) {
    a = rng.Below(mod) | 1;
    if (a % 5 == 0) a += 2;
    a %= mod;
    if (a == 0) a = 1;
    b = rng.Below(mod);
  }
  uint64_t operator()(uint64_t x) const {
    return uint64_t(((unsigned __int128)a * (x % mod) + b) % mod);
  }
};

std::string ZeroPad(uint64_t v, int digits) { return fmt::format("{:0{}d}", v, digits); }

// ---------------------------------------------------------------------------------------------
// English-like text

constexpr std::string_view kWords[] = {
    "the", "of", "and", "to", "a", "in", "is", "it", "you", "that", "he", "was", "for", "on",
    "are", "with", "as", "his", "they", "be", "at", "one", "have", "this", "from", "or", "had",
    "by", "hot", "word", "but", "what", "some", "we", "can", "out", "other", "were", "all",
    "there", "when", "up", "use", "your", "how", "said", "an", "each", "she", "which", "do",
    "their", "time", "if", "will", "way", "about", "many", "then", "them", "write", "would",
    "like", "so", "these", "her", "long", "make", "thing", "see", "him", "two", "has", "look",
    "more", "day", "could", "go", "come", "did", "number", "sound", "no", "most", "people",
    "my", "over", "know", "water", "than", "call", "first", "who", "may", "down", "side",
    "been", "now", "find", "any", "new", "work", "part", "take", "get", "place", "made",
    "live", "where", "after", "back", "little", "only", "round", "man", "year", "came", "show",
    "every", "good", "me", "give", "our", "under", "name", "very", "through", "just", "form",
    "sentence", "great", "think", "say", "help", "low", "line", "differ", "turn", "cause",
    "much", "mean", "before", "move", "right", "boy", "old", "too", "same", "tell", "does",
    "set", "three", "want", "air", "well", "also", "play", "small", "end", "put", "home",
    "read", "hand", "port", "large", "spell", "add", "even", "land", "here", "must", "big",
    "high", "such", "follow", "act", "why", "ask", "men", "change", "went", "light", "kind",
    "off", "need", "house", "picture", "try", "us", "again", "animal", "point", "mother",
    "world", "near", "build", "self", "earth", "father", "head", "stand", "own", "page",
    "should", "country", "found", "answer", "school", "grow", "study", "still", "learn",
    "plant", "cover", "food", "sun", "four", "between", "state", "keep", "eye", "never",
    "last", "let", "thought", "city", "tree", "cross", "farm", "hard", "start", "might",
    "story", "saw", "far", "sea", "draw", "left", "late", "run", "while", "press", "close",
    "night", "real", "life", "few", "north", "open", "seem", "together", "next", "white",
    "children", "begin", "got", "walk", "example", "ease", "paper", "group", "always", "music",
    "those", "both", "mark", "often", "letter", "until", "mile", "river", "car", "feet",
    "care", "second", "book", "carry", "took", "science", "eat", "room", "friend", "began",
    "idea", "fish", "mountain", "stop", "once", "base", "hear", "horse", "cut", "sure",
    "watch", "color", "face", "wood", "main", "invoice", "account", "meeting", "report",
    "server", "backup", "contract", "shipment", "payment", "2019", "17", "42", "3.5", "1998"};
constexpr size_t kWordCount = std::size(kWords);

// Appends one sentence of 6..21 words.
void AppendSentence(Rng& rng, std::string* out) {
  uint64_t r = rng.Next();
  int words = 6 + int(r & 15);
  r >>= 4;
  int bits = 60;
  for (int i = 0; i < words; ++i) {
    if (bits < 10) {
      r = rng.Next();
      bits = 64;
    }
    std::string_view w = kWords[((r & 1023) * kWordCount) >> 10];
    r >>= 10;
    bits -= 10;
    if (i == 0) {
      out->push_back(char(w[0] >= 'a' && w[0] <= 'z' ? w[0] & ~0x20 : w[0]));
      out->append(w.substr(1));
    } else {
      out->push_back(' ');
      out->append(w);
      if ((r & 31) == 0 && i + 1 < words) out->push_back(',');
    }
  }
  switch (rng.Below(16)) {
    case 0:
      out->append(".\n\n");
      break;
    case 1:
      out->append(".\n");
      break;
    case 2:
      out->append("? ");
      break;
    default:
      out->append(". ");
  }
}

// ---------------------------------------------------------------------------------------------
// Artifacts

enum Kind { kEmail, kUrl, kDomain, kIpv4, kIpv6, kPhone, kCcn, kIban, kBtc, kEth, kXmr, kOnion };
constexpr int kKindCount = 12;
constexpr const char* kKindNames[kKindCount] = {"email", "url", "domain", "ipv4", "ipv6",
                                                "phone", "ccn",   "iban", "btc",  "eth",
                                                "xmr",   "onion"};
// Kinds whose look-alikes are planted one for one with the valid ones.
bool ChecksumKind(int k) { return k >= kCcn; }
bool HasLookAlike(int k) { return ChecksumKind(k) || k == kEmail || k == kIpv4; }

struct Artifact {
  int kind = 0;
  std::string written;
  std::string normalized;
  bool valid = true;
};

constexpr std::string_view kFirstNames[] = {
    "james", "mary", "john", "patricia", "robert", "jennifer", "michael", "linda", "david",
    "elena", "william", "sarah", "kasun", "nimali", "ahmed", "fatima", "yuki", "olga", "pierre",
    "anna", "lucas", "sofia", "chen", "priya", "amara", "tunde", "ivan", "maria", "lars", "emma"};
constexpr std::string_view kLastNames[] = {
    "smith", "johnson", "brown", "garcia", "miller", "davis", "perera", "silva", "fernando",
    "mueller", "schmidt", "dubois", "martin", "ivanov", "petrova", "okafor", "kamau", "tanaka",
    "kumar", "singh", "rossi", "jansen", "novak", "haddad", "costa", "walker", "young", "hill"};
constexpr std::string_view kHostWords[] = {
    "example", "acme", "globex", "initech", "umbrella", "northwind", "contoso", "fabrikam",
    "tailspin", "wingtip", "bluesky", "redriver", "greenleaf", "silverline", "ironbridge",
    "sunrise", "lakeside", "hilltop", "brightway", "oakwood", "stonegate", "mapleton", "seaview",
    "goldfield", "westpoint", "eastgate", "fastmail", "quickship", "datavault", "cloudnine"};
constexpr std::string_view kSubdomains[] = {"www", "files", "mail", "cdn", "api", "shop",
                                            "portal", "intranet", "static", "vpn", "dev"};
constexpr std::string_view kTlds[] = {"com", "org", "net", "co.uk", "de", "lk", "fr",
                                      "ru",  "com.br", "nl", "it", "es", "ca", "com.au",
                                      "co.jp", "ch", "se", "org.uk", "info", "eu"};
constexpr std::string_view kBogusTlds[] = {"notarealtld", "invalidtld"};
constexpr std::string_view kPathWords[] = {"docs", "files", "download", "share", "index",
                                           "wiki", "blog", "api", "v2", "users", "archive",
                                           "media", "img", "pub", "reports", "cart"};

template <size_t N>
std::string_view Pick(Rng& rng, const std::string_view (&list)[N]) {
  return list[rng.Below(N)];
}

constexpr std::string_view kBase58 =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr std::string_view kBech32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::string_view kBase32 = "abcdefghijklmnopqrstuvwxyz234567";

// Replaces the char at a random index in [from, s.size()) by another char of `alphabet`
// (keeping the case class of bech32/base32 lower-case text).
std::string ChangeOneChar(Rng& rng, std::string s, size_t from, std::string_view alphabet) {
  size_t i = from + rng.Below(s.size() - from);
  char c;
  do {
    c = alphabet[rng.Below(alphabet.size())];
  } while (c == s[i]);
  s[i] = c;
  return s;
}

struct PhoneTemplate {
  std::string cc;   // country calling code digits
  std::string nsn;  // national significant number of the example
  int vary = 0;     // trailing digits replaced
  DecimalPermutation perm;
  uint64_t counter = 0;
};

struct IbanCountry {
  std::string_view code;
  std::string_view structure;  // n digit, a upper letter, c upper alnum
};
constexpr IbanCountry kIbanCountries[] = {
    {"DE", "nnnnnnnnnnnnnnnnnn"},          {"GB", "aaaannnnnnnnnnnnnn"},
    {"FR", "nnnnnnnnnncccccccccccnn"},     {"NL", "aaaannnnnnnnnn"},
    {"ES", "nnnnnnnnnnnnnnnnnnnn"},        {"IT", "annnnnnnnnncccccccccccc"},
    {"BE", "nnnnnnnnnnnn"},                {"AT", "nnnnnnnnnnnnnnnn"},
    {"CH", "nnnnncccccccccccc"},           {"PL", "nnnnnnnnnnnnnnnnnnnnnnnn"},
};

// Makes valid artifacts (unique: counters or >= 2^64 random bits) and invalid look-alikes.
class ArtifactFactory {
 public:
  explicit ArtifactFactory(Rng& rng) {
    ipv4_mul_ = (rng.Next() | 1) & 0xffffffffu;
    ipv4_add_ = rng.Next() & 0xffffffffu;
    for (auto& p : card_perm_) p = DecimalPermutation(1, rng);  // replaced below per issuer
    card_perm_[0] = DecimalPermutation(14, rng);  // visa 4 + 14 + check
    card_perm_[1] = DecimalPermutation(13, rng);  // mastercard 5[1-5] + 13 + check
    card_perm_[2] = DecimalPermutation(12, rng);  // amex 3[47] + 12 + check
    card_perm_[3] = DecimalPermutation(11, rng);  // discover 6011 + 11 + check
    InitPhones(rng);
    for (const IbanCountry& c : kIbanCountries) {
      if (validate::IbanLength(c.code) != int(c.structure.size()) + 4) continue;
      Rng probe(rng.Next());
      std::string iban = validate::IbanWithCheckDigits(c.code, RandomBban(probe, c.structure));
      if (validate::IbanValid(iban)) ibans_.push_back(c);
    }
  }

  Artifact Make(int kind, bool valid, Rng& rng) {
    Artifact a;
    a.kind = kind;
    a.valid = valid;
    switch (kind) {
      case kEmail: Email(rng, &a); break;
      case kUrl: Url(rng, &a); break;
      case kDomain: Domain(rng, &a); break;
      case kIpv4: Ipv4(rng, &a); break;
      case kIpv6: Ipv6(rng, &a); break;
      case kPhone: Phone(rng, &a); break;
      case kCcn: Card(rng, &a); break;
      case kIban: Iban(rng, &a); break;
      case kBtc: Btc(rng, &a); break;
      case kEth: Eth(rng, &a); break;
      case kXmr: Xmr(rng, &a); break;
      case kOnion: Onion(rng, &a); break;
    }
    return a;
  }

  bool phones_available() const { return !phones_.empty(); }

 private:
  std::string HostName(Rng& rng, bool subdomain) {
    std::string h;
    if (subdomain) {
      h.append(Pick(rng, kSubdomains));
      h.push_back('.');
    }
    h.append(Pick(rng, kHostWords));
    if (rng.Chance(0.5)) {
      h.push_back('-');
      h.append(Pick(rng, kHostWords));
    }
    return h;
  }

  void Email(Rng& rng, Artifact* a) {
    std::string local(Pick(rng, kFirstNames));
    switch (rng.Below(4)) {
      case 0: local += "." + std::string(Pick(rng, kLastNames)); break;
      case 1: local += "_" + std::string(Pick(rng, kLastNames)); break;
      case 2: local = local.substr(0, 1) + std::string(Pick(rng, kLastNames)); break;
      default: local += "+" + std::string(Pick(rng, kPathWords)); break;
    }
    local += Base36(counter_[kEmail]++);
    std::string host = HostName(rng, rng.Chance(0.3));
    std::string tld(a->valid ? Pick(rng, kTlds) : Pick(rng, kBogusTlds));
    if (rng.Chance(0.2)) {  // written with capitals; reported lower-case
      local = Capitalize(local);
      host = Capitalize(host);
      tld = Upper(tld);
    }
    a->written = local + "@" + host + "." + tld;
    a->normalized = Lower(a->written);
  }

  void Url(Rng& rng, Artifact* a) {
    std::string host = HostName(rng, rng.Chance(0.6)) + "." + std::string(Pick(rng, kTlds));
    std::string tag = Base36(counter_[kUrl]++);
    uint64_t form = rng.Below(10);
    std::string u;
    if (form < 7) {
      u = (form < 4 ? "https://" : "http://") + host;
      if (rng.Chance(0.1)) u += ":8080";
      int depth = int(rng.Below(3));
      for (int i = 0; i < depth; ++i) u += "/" + std::string(Pick(rng, kPathWords));
      switch (rng.Below(4)) {
        case 0: u += "/" + std::string(Pick(rng, kPathWords)) + "-" + tag + ".html"; break;
        case 1: u += "/item?id=" + tag + "&lang=en"; break;
        case 2: u += "/" + tag + "/"; break;
        default: u += "/page_" + tag + "#top"; break;
      }
    } else {
      u = "ftp://";
      if (rng.Chance(0.3)) u += std::string(Pick(rng, kFirstNames)) + ":secret@";
      u += host;
      if (rng.Chance(0.3)) u += ":2121";
      u += "/pub/" + std::string(Pick(rng, kPathWords)) + "_" + tag + ".zip";
    }
    a->written = u;
    a->normalized = u;
  }

  void Domain(Rng& rng, Artifact* a) {
    std::vector<std::string> labels;
    if (rng.Chance(0.7)) labels.emplace_back(Pick(rng, kSubdomains));
    labels.push_back(std::string(Pick(rng, kHostWords)) + "-" + std::string(Pick(rng, kHostWords)) +
                     Base36(counter_[kDomain]++));
    std::string d;
    bool caps = rng.Chance(0.2);
    for (const std::string& l : labels) d += (caps ? Capitalize(l) : l) + ".";
    std::string tld(Pick(rng, kTlds));
    d += caps ? Upper(tld) : tld;
    a->written = d;
    a->normalized = Lower(d);
  }

  void Ipv4(Rng& rng, Artifact* a) {
    if (!a->valid) {
      int bad = int(rng.Below(4));
      std::string s;
      for (int i = 0; i < 4; ++i) {
        if (i) s.push_back('.');
        uint64_t v = i == bad ? rng.Range(256, 999) : rng.Range(i == 0 ? 1 : 0, 254);
        s += std::to_string(v);
      }
      a->written = a->normalized = s;
      return;
    }
    for (;;) {
      uint32_t v = uint32_t(uint64_t(counter_[kIpv4]++) * ipv4_mul_ + ipv4_add_);
      uint32_t first = v >> 24;
      if (first == 0 || first == 127 || first >= 224) continue;
      a->written = fmt::format("{}.{}.{}.{}", first, (v >> 16) & 255, (v >> 8) & 255, v & 255);
      a->normalized = a->written;
      return;
    }
  }

  void Ipv6(Rng& rng, Artifact* a) {
    uint16_t g[8];
    uint64_t r1 = rng.Next(), r2 = rng.Next();
    for (int i = 0; i < 4; ++i) g[i] = uint16_t(r1 >> (16 * i));
    for (int i = 0; i < 4; ++i) g[4 + i] = uint16_t(r2 >> (16 * i));
    g[0] = uint16_t(0x2000 | (g[0] & 0x1fff));
    if (rng.Chance(0.6)) {  // a run of zero groups so that "::" is used
      int start = 1 + int(rng.Below(5));
      int len = 2 + int(rng.Below(3));
      for (int i = start; i < std::min(8, start + len); ++i) g[i] = 0;
    }
    if (rng.Chance(0.3)) g[2 + rng.Below(6)] = uint16_t(rng.Below(16));  // short groups
    in6_addr addr;
    for (int i = 0; i < 8; ++i) {
      addr.s6_addr[2 * i] = uint8_t(g[i] >> 8);
      addr.s6_addr[2 * i + 1] = uint8_t(g[i]);
    }
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, &addr, buf, sizeof buf);
    a->normalized = buf;
    uint64_t form = rng.Below(10);
    if (form < 4) {
      a->written = a->normalized;
    } else if (form < 7) {  // full form, leading zeros
      std::string s;
      for (int i = 0; i < 8; ++i) s += (i ? ":" : "") + fmt::format("{:04x}", g[i]);
      a->written = form == 6 ? Upper(s) : s;
    } else {  // every group, no leading zeros
      std::string s;
      for (int i = 0; i < 8; ++i) s += (i ? ":" : "") + fmt::format("{:x}", g[i]);
      a->written = s;
    }
  }

  void InitPhones(Rng& rng) {
    using i18n::phonenumbers::PhoneNumber;
    using i18n::phonenumbers::PhoneNumberUtil;
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    static constexpr const char* kRegions[] = {"GB", "US", "FR", "DE", "LK", "IN", "BR", "NG",
                                               "RU", "KE", "JP", "AU", "ZA", "MX", "ES", "IT",
                                               "NL", "CA", "SE", "PL"};
    for (const char* region : kRegions) {
      for (auto type : {PhoneNumberUtil::FIXED_LINE, PhoneNumberUtil::MOBILE}) {
        PhoneNumber n;
        if (!util.GetExampleNumberForType(region, type, &n)) continue;
        PhoneTemplate t;
        t.cc = std::to_string(n.country_code());
        util.GetNationalSignificantNumber(n, &t.nsn);
        if (t.nsn.size() < 7) continue;
        t.vary = std::min<int>(5, int(t.nsn.size()) - 3);
        t.perm = DecimalPermutation(t.vary, rng);
        phones_.push_back(std::move(t));
      }
    }
  }

  void Phone(Rng& rng, Artifact* a) {
    using i18n::phonenumbers::PhoneNumber;
    using i18n::phonenumbers::PhoneNumberUtil;
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    for (int attempt = 0; attempt < 1000; ++attempt) {
      PhoneTemplate& t = phones_[rng.Below(phones_.size())];
      std::string nsn = t.nsn.substr(0, t.nsn.size() - t.vary) +
                        ZeroPad(t.perm(t.counter++), t.vary);
      PhoneNumber n;
      if (util.Parse("+" + t.cc + nsn, "ZZ", &n) != PhoneNumberUtil::NO_PARSING_ERROR ||
          !util.IsValidNumber(n))
        continue;
      util.Format(n, PhoneNumberUtil::INTERNATIONAL, &a->written);
      util.Format(n, PhoneNumberUtil::E164, &a->normalized);
      if (rng.Chance(0.3)) {  // dashes instead of the spaces after the country code
        size_t first = a->written.find(' ');
        for (size_t i = first + 1; i < a->written.size(); ++i)
          if (a->written[i] == ' ') a->written[i] = '-';
      }
      return;
    }
  }

  void Card(Rng& rng, Artifact* a) {
    int issuer = int(rng.Below(4));
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::string body;
      const DecimalPermutation& p = card_perm_[issuer];
      uint64_t x = a->valid ? p(card_counter_[issuer]++) : rng.Below(p.mod);
      switch (issuer) {
        case 0: body = "4" + ZeroPad(x, 14); break;
        case 1: body = "5" + std::to_string(1 + rng.Below(5)) + ZeroPad(x, 13); break;
        case 2: body = (rng.Chance(0.5) ? "34" : "37") + ZeroPad(x, 12); break;
        default: body = "6011" + ZeroPad(x, 11); break;
      }
      char check = validate::LuhnCheckDigit(body);
      if (!a->valid) check = char('0' + (check - '0' + 1 + rng.Below(9)) % 10);
      std::string digits = body + check;
      if (a->valid != validate::CardNumberValid(digits)) continue;
      if (!a->valid && validate::LuhnValid(digits)) continue;
      a->normalized = digits;
      uint64_t form = rng.Below(10);
      if (form < 4) {
        a->written = digits;
      } else {
        char sep = form < 8 ? ' ' : '-';
        if (digits.size() == 15) {
          a->written = digits.substr(0, 4) + sep + digits.substr(4, 6) + sep + digits.substr(10);
        } else {
          for (size_t i = 0; i < digits.size(); i += 4) {
            if (i) a->written.push_back(sep);
            a->written += digits.substr(i, 4);
          }
        }
      }
      return;
    }
  }

  static std::string RandomBban(Rng& rng, std::string_view structure) {
    static constexpr std::string_view kAlnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    std::string b;
    for (char t : structure) {
      if (t == 'n') b.push_back(char('0' + rng.Below(10)));
      else if (t == 'a') b.push_back(char('A' + rng.Below(26)));
      else b.push_back(kAlnum[rng.Below(kAlnum.size())]);
    }
    return b;
  }

  void Iban(Rng& rng, Artifact* a) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      const IbanCountry& c = ibans_[rng.Below(ibans_.size())];
      std::string iban = validate::IbanWithCheckDigits(c.code, RandomBban(rng, c.structure));
      if (!a->valid) {
        int cd = (iban[2] - '0') * 10 + (iban[3] - '0');
        int bad = int(2 + rng.Below(97));
        if (bad == cd) continue;
        iban[2] = char('0' + bad / 10);
        iban[3] = char('0' + bad % 10);
      }
      if (validate::IbanValid(iban) != a->valid) continue;
      a->normalized = iban;
      if (rng.Chance(0.5)) {
        a->written = iban;
      } else {
        for (size_t i = 0; i < iban.size(); i += 4) {
          if (i) a->written.push_back(' ');
          a->written += iban.substr(i, 4);
        }
      }
      return;
    }
  }

  void Btc(Rng& rng, Artifact* a) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      uint64_t type = rng.Below(4);
      std::vector<uint8_t> bytes(type == 3 || (type == 2 && rng.Chance(0.2)) ? 32 : 20);
      rng.Fill(bytes.data(), bytes.size());
      std::string s;
      bool base58 = type < 2;
      if (base58) {
        std::vector<uint8_t> payload;
        payload.push_back(type == 0 ? 0x00 : 0x05);
        payload.insert(payload.end(), bytes.begin(), bytes.end());
        s = validate::Base58CheckEncode(payload);
      } else {
        s = validate::SegwitAddressEncode("bc", type == 2 ? 0 : 1, bytes);
      }
      if (!a->valid) s = ChangeOneChar(rng, s, base58 ? 1 : 4, base58 ? kBase58 : kBech32);
      bool ok = base58 ? validate::BitcoinBase58AddressValid(s) : validate::SegwitAddressValid(s);
      if (ok != a->valid) continue;
      a->written = !base58 && rng.Chance(0.15) ? Upper(s) : s;
      a->normalized = base58 ? s : Lower(s);
      return;
    }
  }

  void Eth(Rng& rng, Artifact* a) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int attempt = 0; attempt < 100; ++attempt) {
      uint8_t bytes[20];
      rng.Fill(bytes, sizeof bytes);
      std::string s = "0x";
      for (uint8_t b : bytes) {
        s.push_back(kHex[b >> 4]);
        s.push_back(kHex[b & 15]);
      }
      bool checksummed = !a->valid || rng.Chance(0.6);
      std::string w = checksummed ? validate::EthChecksumAddress(s) : s;
      if (!a->valid) {
        std::vector<size_t> letters;
        for (size_t i = 2; i < w.size(); ++i)
          if ((w[i] | 0x20) >= 'a' && (w[i] | 0x20) <= 'f') letters.push_back(i);
        if (letters.size() < 2) continue;
        w[letters[rng.Below(letters.size())]] ^= 0x20;
      }
      if (validate::EthAddressValid(w) != a->valid) continue;
      a->written = w;
      a->normalized = Lower(w);
      return;
    }
  }

  void Xmr(Rng& rng, Artifact* a) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      uint8_t keys[64];
      rng.Fill(keys, sizeof keys);
      std::string s = validate::MoneroAddressEncode(18, keys);
      if (!a->valid) s = ChangeOneChar(rng, s, 2, kBase58);
      if (validate::MoneroAddressValid(s) != a->valid) continue;
      a->written = a->normalized = s;
      return;
    }
  }

  void Onion(Rng& rng, Artifact* a) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::array<uint8_t, 32> key;
      rng.Fill(key.data(), key.size());
      std::string label = validate::OnionV3Encode(key);
      if (!a->valid) label = ChangeOneChar(rng, label, 0, kBase32);
      if (validate::OnionV3Valid(label) != a->valid) continue;
      std::string s = label + ".onion";
      a->written = rng.Chance(0.15) ? Upper(s) : s;
      a->normalized = s;
      return;
    }
  }

  uint64_t counter_[kKindCount] = {};
  uint64_t ipv4_mul_ = 1, ipv4_add_ = 0;
  DecimalPermutation card_perm_[4];
  uint64_t card_counter_[4] = {};
  std::vector<PhoneTemplate> phones_;
  std::vector<IbanCountry> ibans_;
};

// Words around a planted artifact: never a digit, '+', letter or version word right next to it.
constexpr std::string_view kPrefixes[kKindCount][4] = {
    {"Please write to", "Contact", "Reply to", "From:"},
    {"See", "The link is", "Download from", "Visit"},
    {"The site", "Resolve", "Host name", "Traffic to"},
    {"Connection from", "The host", "Blocked peer", "Gateway:"},
    {"Address", "Listening on", "Route via", "Peer"},
    {"Call", "Phone:", "Mobile", "Reach me on"},
    {"Card", "Paid with", "Card number", "Charged to"},
    {"IBAN", "Transfer to", "Account", "Wire the money to"},
    {"Send bitcoin to", "BTC", "Wallet", "Deposit address"},
    {"Send ether to", "ETH", "Contract", "Wallet"},
    {"Donate XMR to", "Monero", "Wallet", "Pay to"},
    {"Hidden service", "Mirror at", "Tor address", "Open"},
};
constexpr std::string_view kSuffixes[] = {
    "for the details", "before noon", "as soon as possible", "and wait", "was logged",
    "is in the report", "for the record", "was noted by the team", "and nothing else",
    "appears twice in the log"};

// Appends "<Prefix> <artifact> <suffix>. " and returns the artifact's offset in out.
size_t AppendArtifactSentence(Rng& rng, const Artifact& a, std::string* out) {
  out->append(kPrefixes[a.kind][rng.Below(4)]);
  out->push_back(' ');
  size_t at = out->size();
  out->append(a.written);
  out->push_back(' ');
  out->append(kSuffixes[rng.Below(std::size(kSuffixes))]);
  out->append(rng.Chance(0.1) ? ".\n" : ". ");
  return at;
}

// ---------------------------------------------------------------------------------------------
// zlib

struct DeflateParams {
  int level = 1;
  int strategy = Z_DEFAULT_STRATEGY;
};

// window_bits: 31 gzip, 15 zlib, -15 raw deflate.
std::string Deflate(std::string_view in, DeflateParams p, int window_bits,
                    const std::string* gzip_name = nullptr) {
  z_stream z{};
  if (deflateInit2(&z, p.level, Z_DEFLATED, window_bits, 8, p.strategy) != Z_OK) std::abort();
  gz_header header{};
  if (gzip_name != nullptr) {
    header.name = reinterpret_cast<Bytef*>(const_cast<char*>(gzip_name->c_str()));
    header.time = 1600000000;
    header.os = 3;
    deflateSetHeader(&z, &header);
  }
  std::string out(deflateBound(&z, in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = uInt(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

uint32_t Crc32(std::string_view s) {
  return uint32_t(crc32(crc32(0, nullptr, 0), reinterpret_cast<const Bytef*>(s.data()),
                        uInt(s.size())));
}

// ---------------------------------------------------------------------------------------------
// The generator

enum Category { kCatRandom, kCatZero, kCatText, kCatCompressed, kCatCount };
constexpr double kShare[kCatCount] = {0.40, 0.15, 0.30, 0.15};

// English-like filler is copied from a pool of sentences in runs: fast, and the text still
// varies (the pool is a few MiB, runs start at random sentences).
class FillerPool {
 public:
  explicit FillerPool(uint64_t seed) {
    Rng rng(seed);
    while (text_.size() < kPoolSize) {
      starts_.push_back(uint32_t(text_.size()));
      AppendSentence(rng, &text_);
    }
  }

  // Appends whole sentences, at least n bytes.
  void Append(Rng& rng, size_t n, std::string* out) const {
    for (;;) {
      size_t i = rng.Below(starts_.size());
      size_t from = starts_[i];
      if (text_.size() - from >= n) {
        auto it = std::lower_bound(starts_.begin() + i, starts_.end(), uint32_t(from + n));
        size_t to = it == starts_.end() ? text_.size() : *it;
        out->append(text_, from, to - from);
        return;
      }
      out->append(text_, from, std::string::npos);
      n -= text_.size() - from;
    }
  }

 private:
  static constexpr size_t kPoolSize = 4 << 20;
  std::string text_;
  std::vector<uint32_t> starts_;
};

DeflateParams PickDeflate(Rng& rng, size_t input_size) {
  // Mostly level 1 (fast to make); the slow levels only on small inputs, so every zlib header
  // (78 01, 78 5e, 78 9c, 78 da) and both match strategies occur without slowing generation.
  DeflateParams p;
  uint64_t r = rng.Below(100);
  if (r < 80) p.level = 1;
  else if (r < 90) p.level = input_size <= (256 << 10) ? int(rng.Range(2, 5)) : 1;
  else if (r < 97) p.level = input_size <= (64 << 10) ? 6 : 1;
  else p.level = input_size <= (16 << 10) ? 9 : 1;
  uint64_t s = rng.Below(100);
  if (s < 4) p.strategy = Z_HUFFMAN_ONLY;
  else if (s < 6) p.strategy = Z_RLE;
  return p;
}

// One stream of a container, prepared on the main thread and compressed on a worker.
struct Payload {
  std::string data;              // text (ASCII or UTF-16LE) or binary
  DeflateParams params;          // of the gzip/zlib stream or the ZIP entry
  DeflateParams inner_params;    // nested: of the gzip member inside the ZIP entry
  std::string name;              // gzip FNAME ("" for none) or ZIP entry name
  std::string inner_name;        // nested: FNAME of the gzip member inside
  uint16_t method = 8;           // ZIP: 8 deflate, 0 stored
  bool nested = false;           // ZIP: the entry holds a gzip member of data
  std::vector<TruthRecord> truth;  // offsets set to the container's or entry's offset
};

struct Region {
  enum Type { kRandom, kZeros, kBytes } type = kRandom;
  enum Container { kNone, kGzip, kZlib, kZip } container = kNone;
  Category category = kCatRandom;
  uint64_t size = 0;
  std::string bytes;
  std::vector<TruthRecord> truth;  // offsets relative to the region
  std::vector<Payload> payloads;   // container streams, turned into bytes by BuildContainer
  uint64_t decoded = 0;            // text bytes inside containers
  uint64_t weight = 0;             // memory held while pending
  uint64_t zip_entries = 0;
  uint64_t expected = 0;           // image bytes estimated when planned (mix accounting)
};

constexpr uint32_t kDosTime = (12 << 11) | (34 << 5);                // 12:34:00
constexpr uint32_t kDosDate = ((2021 - 1980) << 9) | (3 << 5) | 14;  // 2021-03-14

// Moves truth records of a stream to the region, located at the container's offset.
void AtContainer(std::vector<TruthRecord>* inner, uint64_t offset, std::vector<TruthRecord>* out) {
  for (TruthRecord& r : *inner) {
    r.offset = offset;
    out->push_back(std::move(r));
  }
  inner->clear();
}

// Pure function of the region's payloads: runs on a worker thread.
void BuildContainer(Region* r) {
  std::string& z = r->bytes;
  if (r->container == Region::kGzip || r->container == Region::kZlib) {
    Payload& p = r->payloads[0];
    bool gzip = r->container == Region::kGzip;
    z = Deflate(p.data, p.params, gzip ? 31 : 15, gzip && !p.name.empty() ? &p.name : nullptr);
    AtContainer(&p.truth, 0, &r->truth);
  } else {
    struct Entry {
      uint32_t crc, csize, usize, offset;
    };
    std::vector<Entry> entries;
    for (Payload& p : r->payloads) {
      std::string data =
          p.nested ? Deflate(p.data, p.inner_params, 31, &p.inner_name) : std::move(p.data);
      Entry e;
      e.crc = Crc32(data);
      e.usize = uint32_t(data.size());
      std::string stored = p.method == 8 ? Deflate(data, p.params, -15) : std::move(data);
      e.csize = uint32_t(stored.size());
      e.offset = uint32_t(z.size());
      AtContainer(&p.truth, e.offset, &r->truth);
      Put32(&z, 0x04034b50);
      Put16(&z, 20);  // version needed
      Put16(&z, 0);   // flags
      Put16(&z, p.method);
      Put16(&z, kDosTime);
      Put16(&z, kDosDate);
      Put32(&z, e.crc);
      Put32(&z, e.csize);
      Put32(&z, e.usize);
      Put16(&z, uint32_t(p.name.size()));
      Put16(&z, 0);  // extra
      z += p.name;
      z += stored;
      entries.push_back(e);
    }
    uint32_t cd_offset = uint32_t(z.size());
    for (size_t i = 0; i < entries.size(); ++i) {
      const Entry& e = entries[i];
      const Payload& p = r->payloads[i];
      Put32(&z, 0x02014b50);
      Put16(&z, 0x031e);  // made by: Unix, 3.0
      Put16(&z, 20);
      Put16(&z, 0);
      Put16(&z, p.method);
      Put16(&z, kDosTime);
      Put16(&z, kDosDate);
      Put32(&z, e.crc);
      Put32(&z, e.csize);
      Put32(&z, e.usize);
      Put16(&z, uint32_t(p.name.size()));
      Put16(&z, 0);  // extra
      Put16(&z, 0);  // comment
      Put16(&z, 0);  // disk
      Put16(&z, 0);  // internal attributes
      Put32(&z, 0100644u << 16);
      Put32(&z, e.offset);
      z += p.name;
    }
    uint32_t cd_size = uint32_t(z.size()) - cd_offset;
    Put32(&z, 0x06054b50);
    Put16(&z, 0);
    Put16(&z, 0);
    Put16(&z, uint32_t(entries.size()));
    Put16(&z, uint32_t(entries.size()));
    Put32(&z, cd_size);
    Put32(&z, cd_offset);
    Put16(&z, 0);
  }
  r->zip_entries = r->payloads.size();
  r->payloads.clear();
  r->size = z.size();
}

class Generator {
 public:
  Generator(const CorpusOptions& o, CorpusSink* sink, CorpusStats* stats)
      : opt_(o), sink_(sink), stats_(stats), rng_(o.seed), factory_(rng_), pool_(rng_.Next()) {
    buf_.resize(1 << 20);
  }

  ~Generator() {
    for (Pending& p : queue_)
      if (p.ready.valid()) p.ready.wait();
  }

  Status Run() {
    next_boundary_ = kPageSize;
    // Regions are planned in order on this thread (all PRNG use and artifact numbering happen
    // here); containers are compressed by workers while later regions are planned. The queue's
    // depth depends only on what was planned, so the output does not depend on timing.
    while (pos_ < opt_.size) {
      while (queue_.size() < kMaxQueue && queued_weight_ < kMaxWeight) Plan();
      Pending p = std::move(queue_.front());
      queue_.pop_front();
      if (p.ready.valid()) p.ready.wait();
      queued_weight_ -= p.region->weight;
      Status s = Place(std::move(*p.region));
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

 private:
  struct Pending {
    std::unique_ptr<Region> region;
    std::future<void> ready;
  };
  static constexpr size_t kMaxQueue = 24;
  static constexpr uint64_t kMaxWeight = 96 << 20;

  void Plan() {
    Pending p;
    p.region = std::make_unique<Region>(NextRegion());
    queued_weight_ += p.region->weight;
    if (p.region->container != Region::kNone)
      p.ready = std::async(std::launch::async, BuildContainer, p.region.get());
    queue_.push_back(std::move(p));
  }

  int PickKind(Rng& rng) {
    for (;;) {
      int k = int(rng.Below(kKindCount));
      if (k != kPhone || factory_.phones_available()) return k;
    }
  }

  // Text of about `size` bytes with an artifact planted about every 3 KiB (and look-alikes);
  // records their offsets in the text (times `scale` for UTF-16LE) in *truth.
  std::string MakeText(Rng& rng, size_t size, std::vector<TruthRecord>* truth,
                       const std::string& placement, uint64_t scale) {
    std::string t;
    t.reserve(size + 8192);
    pool_.Append(rng, rng.Below(1024), &t);
    while (t.size() < size) {
      int kind = PickKind(rng);
      Artifact a = factory_.Make(kind, true, rng);
      Record(a, AppendArtifactSentence(rng, a, &t) * scale, placement, truth);
      if (ChecksumKind(kind) || (HasLookAlike(kind) && rng.Chance(0.5))) {
        pool_.Append(rng, rng.Below(400), &t);
        Artifact bad = factory_.Make(kind, false, rng);
        Record(bad, AppendArtifactSentence(rng, bad, &t) * scale, placement, truth);
      }
      pool_.Append(rng, 1024 + rng.Below(4096), &t);
    }
    return t;
  }

  static void Record(const Artifact& a, uint64_t offset, const std::string& placement,
                     std::vector<TruthRecord>* truth) {
    if (a.written.empty()) return;
    TruthRecord r;
    r.kind = kKindNames[a.kind];
    r.normalized = a.normalized;
    r.written = a.written;
    r.valid = a.valid;
    r.placement = placement;
    r.offset = offset;
    truth->push_back(std::move(r));
  }

  Category PickCategory() {
    double total = planned_ + double(1 << 20);
    if (rng_.Chance(0.6)) {
      int best = 0;
      double best_deficit = -1e300;
      for (int c = 0; c < kCatCount; ++c) {
        double d = kShare[c] * total - planned_bytes_[c];
        if (d > best_deficit) {
          best_deficit = d;
          best = c;
        }
      }
      return Category(best);
    }
    // Otherwise at random, by share of bytes: weight by share over the mean region size.
    double w[kCatCount], sum = 0;
    for (int c = 0; c < kCatCount; ++c) {
      double mean = planned_count_[c] ? planned_bytes_[c] / double(planned_count_[c]) : 1e5;
      w[c] = kShare[c] / std::max(mean, 1024.0);
      sum += w[c];
    }
    double x = double(rng_.Next() >> 11) * 0x1.0p-53 * sum;
    for (int c = 0; c < kCatCount; ++c) {
      if (x < w[c]) return Category(c);
      x -= w[c];
    }
    return kCatRandom;
  }

  Region NextRegion() {
    Region r;
    r.category = PickCategory();
    uint64_t expected = 0;  // bytes this region will take in the image (estimate)
    switch (r.category) {
      case kCatRandom:
        r.type = Region::kRandom;
        r.size = expected = (rng_.LogRange(4096, 4 << 20) + 511) & ~uint64_t(511);
        break;
      case kCatZero:
        r.type = Region::kZeros;
        r.size = expected = (rng_.LogRange(4096, 2 << 20) + 511) & ~uint64_t(511);
        break;
      case kCatText: {
        r.type = Region::kBytes;
        Rng rng(rng_.Next());
        bool utf16 = rng.Chance(0.25);
        size_t n = rng.LogRange(2048, 512 << 10);
        if (utf16) n /= 2;
        std::string text = MakeText(rng, n, &r.truth, utf16 ? "utf16le" : "plain", utf16 ? 2 : 1);
        r.bytes = utf16 ? Widen(text) : std::move(text);
        r.size = expected = r.weight = r.bytes.size();
        break;
      }
      case kCatCompressed: {
        r.type = Region::kBytes;
        Rng rng(rng_.Next());
        uint64_t which = rng.Below(100);
        if (which < 40) PlanGzip(rng, &r);
        else if (which < 60) PlanZlib(rng, &r);
        else PlanZip(rng, &r);
        for (const Payload& p : r.payloads) {
          r.weight += p.data.size();
          // deflated text takes about a third; stored and binary data their size
          expected += p.method == 0 ? p.data.size()
                      : p.name.ends_with(".jpg") ? p.data.size()
                                                 : p.data.size() / 3;
        }
        break;
      }
      default:
        break;
    }
    r.expected = expected;
    planned_ += double(expected);
    planned_bytes_[r.category] += double(expected);
    ++planned_count_[r.category];
    return r;
  }

  void PlanGzip(Rng& rng, Region* r) {
    bool large = rng.Chance(0.01);
    size_t n = large ? rng.Range(9 << 20, 12 << 20) : rng.LogRange(4096, 1 << 20);
    bool utf16 = rng.Chance(0.1);
    Payload p;
    p.data = MakeText(rng, utf16 ? n / 2 : n, &p.truth, "gzip", 1);
    if (utf16) p.data = Widen(p.data);
    p.params = PickDeflate(rng, p.data.size());
    if (rng.Chance(0.5)) p.name = fmt::format("log_{}.txt", rng.Below(100000));
    r->decoded = p.data.size();
    r->container = Region::kGzip;
    r->payloads.push_back(std::move(p));
  }

  void PlanZlib(Rng& rng, Region* r) {
    Payload p;
    p.data = MakeText(rng, rng.LogRange(2048, 256 << 10), &p.truth, "zlib", 1);
    p.params = PickDeflate(rng, p.data.size());
    r->decoded = p.data.size();
    r->container = Region::kZlib;
    r->payloads.push_back(std::move(p));
  }

  void PlanZip(Rng& rng, Region* r) {
    r->container = Region::kZip;
    int count = int(rng.Range(1, 6));
    int nested_at = rng.Chance(0.35) ? int(rng.Below(count)) : -1;
    for (int i = 0; i < count; ++i) {
      Payload p;
      if (i == nested_at) {
        p.data = MakeText(rng, rng.LogRange(2048, 128 << 10), &p.truth, "nested", 1);
        r->decoded += p.data.size();
        p.inner_params = PickDeflate(rng, p.data.size());
        p.inner_name = fmt::format("mail_{}.txt", i);
        p.name = fmt::format("archive/mail_{}.txt.gz", i);
        p.nested = true;
        p.method = 8;
      } else if (rng.Chance(0.2)) {  // a photo: stored, as zip tools do with JPEGs
        p.data.resize(rng.LogRange(16 << 10, 512 << 10));
        rng.Fill(p.data.data(), p.data.size());
        p.data[0] = char(0xff);
        p.data[1] = char(0xd8);
        p.name = fmt::format("photos/IMG_{:04d}.jpg", rng.Below(10000));
        p.method = 0;
      } else {
        p.method = rng.Chance(0.6) ? 8 : 0;
        p.data = MakeText(rng, rng.LogRange(2048, 192 << 10), &p.truth,
                          p.method == 8 ? "zip-deflate" : "zip-stored", 1);
        r->decoded += p.data.size();
        p.name = fmt::format("{}/{}_{}.txt", Pick(rng, kPathWords), Pick(rng, kPathWords), i);
      }
      p.params = PickDeflate(rng, p.data.size());
      r->payloads.push_back(std::move(p));
    }
  }

  // Text with one artifact that starts a few bytes before `boundary` and ends after it.
  struct Edge {
    uint64_t start = 0;
    Region region;
  };

  std::optional<Edge> MakeEdge(uint64_t boundary, uint64_t index) {
    Rng rng(rng_.Next());
    bool utf16 = index % 2 == 1;
    int kind = int((index / 2) % kKindCount);
    if (kind == kPhone && !factory_.phones_available()) kind = kEmail;
    Artifact a = factory_.Make(kind, true, rng);
    std::string text;
    pool_.Append(rng, rng.Range(64, 600), &text);
    size_t at = AppendArtifactSentence(rng, a, &text);
    pool_.Append(rng, rng.Range(64, 600), &text);
    uint64_t scale = utf16 ? 2 : 1;
    uint64_t len = a.written.size() * scale;
    uint64_t before = rng.Range(1, len - 1);  // bytes of the artifact before the boundary
    Edge e;
    if (boundary < before + at * scale) return std::nullopt;
    e.start = boundary - before - at * scale;
    if (e.start < pos_) return std::nullopt;
    e.region.type = Region::kBytes;
    e.region.category = kCatText;
    e.region.bytes = utf16 ? Widen(text) : std::move(text);
    e.region.size = e.region.bytes.size();
    if (e.start + e.region.size > opt_.size) return std::nullopt;
    Record(a, at * scale, utf16 ? "edge-utf16le" : "edge", &e.region.truth);
    return e;
  }

  // Writes r at the current position, unless it would cover the next page edge's artifact: then
  // the space before the edge is filled (random/zero regions are cut short, a text block or a
  // container is put after the edge) and the edge region is written first.
  Status Place(Region r) {
    for (;;) {
      if (!edge_ && next_boundary_ < opt_.size && !edge_tried_) {
        edge_ = MakeEdge(next_boundary_, next_boundary_ / kPageSize - 1);
        edge_tried_ = true;
      }
      uint64_t limit = edge_ ? edge_->start : opt_.size;
      if (pos_ + r.size <= limit) return Emit(r, r.size);
      Status s = Status::Ok();
      if (r.type != Region::kBytes) {
        s = Emit(r, limit - pos_);
      } else {
        Region fill;
        fill.type = Region::kRandom;
        fill.category = kCatRandom;
        s = Emit(fill, limit - pos_);
      }
      if (!s.ok()) return s;
      if (!edge_) return Status::Ok();  // end of the image; r is dropped
      s = Emit(edge_->region, edge_->region.size);
      if (!s.ok()) return s;
      ++stats_->edges;
      edge_.reset();
      next_boundary_ += kPageSize;
      edge_tried_ = false;
      if (r.type != Region::kBytes) return Status::Ok();
    }
  }

  Status Emit(const Region& r, uint64_t n) {
    uint64_t start = pos_;
    if (r.type == Region::kBytes) {
      Status s = sink_->Write(std::string_view(r.bytes).substr(0, n));
      if (!s.ok()) return s;
    } else {
      uint64_t left = n;
      if (r.type == Region::kZeros) std::fill(buf_.begin(), buf_.end(), 0);
      while (left > 0) {
        size_t chunk = size_t(std::min<uint64_t>(left, buf_.size()));
        if (r.type == Region::kRandom) rng_.Fill(buf_.data(), chunk);
        Status s = sink_->Write(std::string_view(buf_.data(), chunk));
        if (!s.ok()) return s;
        left -= chunk;
      }
    }
    pos_ += n;
    // The mix is steered by estimates made at planning; correct them with what was written.
    planned_ += double(n) - double(r.expected);
    planned_bytes_[r.category] += double(n) - double(r.expected);
    switch (r.category) {
      case kCatRandom: stats_->bytes_random += n; break;
      case kCatZero: stats_->bytes_zero += n; break;
      case kCatText: stats_->bytes_text += n; break;
      default: stats_->bytes_compressed += n; break;
    }
    if (r.type == Region::kBytes && n == r.size) {
      stats_->text_decoded += r.decoded;
      stats_->gzip_members += r.container == Region::kGzip;
      stats_->zlib_streams += r.container == Region::kZlib;
      if (r.container == Region::kZip) {
        ++stats_->zip_files;
        stats_->zip_entries += r.zip_entries;
      }
      for (const TruthRecord& t : r.truth) {
        TruthRecord abs = t;
        abs.offset += start;
        ++(abs.valid ? stats_->valid_by_kind : stats_->invalid_by_kind)[abs.kind];
        Status s = sink_->Truth(abs);
        if (!s.ok()) return s;
      }
    }
    return Status::Ok();
  }

  CorpusOptions opt_;
  CorpusSink* sink_;
  CorpusStats* stats_;
  Rng rng_;
  ArtifactFactory factory_;
  FillerPool pool_;
  std::vector<char> buf_;
  std::deque<Pending> queue_;
  uint64_t queued_weight_ = 0;
  uint64_t pos_ = 0;
  double planned_ = 0;
  double planned_bytes_[kCatCount] = {};
  uint64_t planned_count_[kCatCount] = {};
  uint64_t next_boundary_ = 0;
  std::optional<Edge> edge_;
  bool edge_tried_ = false;
};

// ---------------------------------------------------------------------------------------------
// Files

class FileSink : public CorpusSink {
 public:
  ~FileSink() override {
    if (image_) fclose(image_);
    if (truth_) fclose(truth_);
  }
  Status Open(const std::string& image, const std::string& truth) {
    image_path_ = image;
    truth_path_ = truth;
    image_ = fopen(image.c_str(), "wb");
    if (!image_) return ErrnoStatus("cannot create " + image, errno);
    truth_ = fopen(truth.c_str(), "wb");
    if (!truth_) return ErrnoStatus("cannot create " + truth, errno);
    setvbuf(truth_, nullptr, _IOFBF, 1 << 20);
    return Status::Ok();
  }
  Status Write(std::string_view bytes) override {
    if (fwrite(bytes.data(), 1, bytes.size(), image_) != bytes.size())
      return ErrnoStatus("cannot write " + image_path_, errno);
    return Status::Ok();
  }
  Status Truth(const TruthRecord& r) override {
    std::string line = TruthToJson(r);
    line.push_back('\n');
    if (fwrite(line.data(), 1, line.size(), truth_) != line.size())
      return ErrnoStatus("cannot write " + truth_path_, errno);
    return Status::Ok();
  }
  Status Close() {
    int a = fclose(image_), b = fclose(truth_);
    image_ = truth_ = nullptr;
    if (a != 0) return ErrnoStatus("cannot write " + image_path_, errno);
    if (b != 0) return ErrnoStatus("cannot write " + truth_path_, errno);
    return Status::Ok();
  }

 private:
  std::string image_path_, truth_path_;
  FILE* image_ = nullptr;
  FILE* truth_ = nullptr;
};

void JsonEscape(std::string_view s, std::string* out) {
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (uint8_t(c) < 0x20) {
      out->append(fmt::format("\\u{:04x}", int(c)));
    } else {
      out->push_back(c);
    }
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public

Rng::Rng(uint64_t seed) {
  uint64_t x = seed;
  for (uint64_t& s : s_) s = SplitMix64(&x);
}

uint64_t Rng::Next() {
  uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

uint64_t Rng::LogRange(uint64_t lo, uint64_t hi) {
  // Pick an octave, then uniformly inside it.
  int lo_bits = 63 - __builtin_clzll(lo), hi_bits = 63 - __builtin_clzll(hi);
  int bits = lo_bits + int(Below(uint64_t(hi_bits - lo_bits + 1)));
  uint64_t a = std::max(lo, uint64_t(1) << bits);
  uint64_t b = std::min(hi, (uint64_t(2) << bits) - 1);
  return Range(a, std::max(a, b));
}

void Rng::Fill(void* buf, size_t n) {
  auto* p = static_cast<uint8_t*>(buf);
  while (n >= 8) {
    uint64_t v = Next();
    memcpy(p, &v, 8);  // host byte order: x86-64 and other little-endian targets agree
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t v = Next();
    memcpy(p, &v, n);
  }
}

std::string TruthToJson(const TruthRecord& r) {
  std::string s = "{\"kind\":\"";
  JsonEscape(r.kind, &s);
  s += "\",\"normalized\":\"";
  JsonEscape(r.normalized, &s);
  s += r.valid ? "\",\"valid\":true,\"placement\":\"" : "\",\"valid\":false,\"placement\":\"";
  JsonEscape(r.placement, &s);
  s += "\",\"offset\":" + std::to_string(r.offset) + "}";
  return s;
}

std::optional<TruthRecord> TruthFromJson(std::string_view line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  auto str = [&](const char* key, std::string* out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return false;
    *out = it->get<std::string>();
    return true;
  };
  TruthRecord r;
  if (!str("kind", &r.kind) || !str("normalized", &r.normalized) ||
      !str("placement", &r.placement))
    return std::nullopt;
  auto valid = j.find("valid");
  auto offset = j.find("offset");
  if (valid == j.end() || !valid->is_boolean() || offset == j.end() ||
      !offset->is_number_unsigned())
    return std::nullopt;
  r.valid = valid->get<bool>();
  r.offset = offset->get<uint64_t>();
  return r;
}

Status GenerateCorpus(const CorpusOptions& options, CorpusSink* sink, CorpusStats* stats) {
  CorpusStats local;
  Generator g(options, sink, stats ? stats : &local);
  return g.Run();
}

Status GenerateCorpusToDir(const CorpusOptions& options, const std::string& dir,
                           CorpusStats* stats) {
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    return ErrnoStatus("cannot create " + dir, errno);
  std::string image = dir + "/corpus.img", truth = dir + "/truth.jsonl";
  std::string meta = dir + "/corpus.json";
  std::remove(meta.c_str());
  FileSink sink;
  Status s = sink.Open(image + ".tmp", truth + ".tmp");
  if (!s.ok()) return s;
  CorpusStats local;
  if (!stats) stats = &local;
  s = GenerateCorpus(options, &sink, stats);
  if (!s.ok()) return s;
  s = sink.Close();
  if (!s.ok()) return s;
  if (rename((image + ".tmp").c_str(), image.c_str()) != 0 ||
      rename((truth + ".tmp").c_str(), truth.c_str()) != 0)
    return ErrnoStatus("cannot rename into " + dir, errno);
  nlohmann::json j = {{"generator", "evidex-corpus"},
                      {"format", 1},
                      {"size", options.size},
                      {"seed", options.seed},
                      {"bytes_random", stats->bytes_random},
                      {"bytes_zero", stats->bytes_zero},
                      {"bytes_text", stats->bytes_text},
                      {"bytes_compressed", stats->bytes_compressed},
                      {"text_in_containers", stats->text_decoded},
                      {"gzip_members", stats->gzip_members},
                      {"zlib_streams", stats->zlib_streams},
                      {"zip_files", stats->zip_files},
                      {"zip_entries", stats->zip_entries},
                      {"edge_artifacts", stats->edges},
                      {"valid", stats->valid_by_kind},
                      {"lookalikes", stats->invalid_by_kind}};
  std::ofstream m(meta);
  m << j.dump(1) << "\n";
  if (!m) return IoError("cannot write " + meta);
  return Status::Ok();
}

std::optional<uint64_t> ParseSize(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t v = 0;
  size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (v > (UINT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + uint64_t(text[i] - '0');
  }
  if (i == 0) return std::nullopt;
  std::string unit = Upper(text.substr(i));
  int shift = 0;
  if (unit.empty() || unit == "B") shift = 0;
  else if (unit == "K" || unit == "KB" || unit == "KIB") shift = 10;
  else if (unit == "M" || unit == "MB" || unit == "MIB") shift = 20;
  else if (unit == "G" || unit == "GB" || unit == "GIB") shift = 30;
  else if (unit == "T" || unit == "TB" || unit == "TIB") shift = 40;
  else return std::nullopt;
  if (shift && v > (UINT64_MAX >> shift)) return std::nullopt;
  return v << shift;
}

// ---------------------------------------------------------------------------------------------
// The checker

namespace {

constexpr const char* kPlacements[] = {"plain", "utf16le", "gzip", "zlib", "zip-deflate",
                                       "zip-stored", "nested", "edge", "edge-utf16le"};

struct Planted {
  uint8_t kind;
  uint8_t placement;
  bool found = false;
  uint64_t offset;
};

struct KindReport {
  uint64_t planted = 0, found = 0;      // valid artifacts (distinct values)
  uint64_t lookalikes = 0, lookalikes_reported = 0;
  uint64_t hits = 0, hits_planted = 0, hits_derived = 0, hits_other = 0;
  std::vector<std::string> reported_lookalikes, other_examples, missing_examples;
};

// Values other scanners legitimately report inside a planted artifact: the host of an e-mail
// address, URL or onion address (domain), and "password@host" in a URL's user info (email).
std::vector<std::string> DerivedKeys(std::string_view kind, std::string_view v) {
  std::vector<std::string> keys;
  auto add = [&](std::string_view k, std::string_view value) {
    if (!value.empty()) keys.push_back(std::string(k) + '\t' + Lower(value));
  };
  if (kind == "email") {
    size_t at = v.rfind('@');
    if (at != std::string_view::npos) add("domain", v.substr(at + 1));
  } else if (kind == "url") {
    size_t s = v.find("://");
    if (s == std::string_view::npos) return keys;
    std::string_view authority = v.substr(s + 3);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    std::string_view host = authority;
    if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
      host = authority.substr(at + 1);
      std::string_view user = authority.substr(0, at);
      if (size_t colon = user.find(':'); colon != std::string_view::npos)
        user = user.substr(colon + 1);
      add("email", std::string(user) + "@" + std::string(host.substr(0, host.find(':'))));
    }
    add("domain", host.substr(0, host.find(':')));
  } else if (kind == "onion") {
    add("domain", v);
  }
  return keys;
}

std::string Percent(uint64_t a, uint64_t b) {
  return b == 0 ? "-" : fmt::format("{:.2f}%", 100.0 * double(a) / double(b));
}

}  // namespace

int CheckHits(const std::string& truth_path, const std::string& hits_path,
              const CheckOptions& options, std::ostream& out, std::string* error) {
  std::vector<std::string> kinds(kKindNames, kKindNames + kKindCount);
  auto kind_index = [&](const std::string& k) -> int {
    for (size_t i = 0; i < kinds.size(); ++i)
      if (kinds[i] == k) return int(i);
    if (kinds.size() >= 255) return -1;
    kinds.push_back(k);
    return int(kinds.size() - 1);
  };
  auto placement_index = [](const std::string& p) -> int {
    for (size_t i = 0; i < std::size(kPlacements); ++i)
      if (p == kPlacements[i]) return int(i);
    return -1;
  };

  // The truth: valid values (kind \t normalized -> planted record), look-alikes, derived hosts.
  std::ifstream truth(truth_path);
  if (!truth) {
    *error = "cannot open " + truth_path;
    return 2;
  }
  std::unordered_map<std::string, std::vector<uint32_t>> valid;
  std::unordered_map<std::string, uint32_t> lookalike;  // key -> kind index
  std::unordered_set<std::string> derived;
  std::vector<Planted> planted;
  std::string line;
  uint64_t line_no = 0;
  std::vector<KindReport> kr(kinds.size());
  while (std::getline(truth, line)) {
    ++line_no;
    if (line.empty()) continue;
    std::optional<TruthRecord> r = TruthFromJson(line);
    int p = r ? placement_index(r->placement) : -1;
    int k = r ? kind_index(r->kind) : -1;
    if (!r || p < 0 || k < 0) {
      *error = fmt::format("{}:{}: not a truth record", truth_path, line_no);
      return 2;
    }
    if (kr.size() < kinds.size()) kr.resize(kinds.size());
    std::string key = r->kind + '\t' + r->normalized;
    // Parts of look-alikes count too: the host of an onion look-alike is still a host name.
    for (std::string& d : DerivedKeys(r->kind, r->normalized)) derived.insert(std::move(d));
    if (r->valid) {
      valid[key].push_back(uint32_t(planted.size()));
      planted.push_back({uint8_t(k), uint8_t(p), false, r->offset});
    } else {
      lookalike.emplace(std::move(key), uint32_t(k));
      ++kr[k].lookalikes;
    }
  }
  // A value planted both valid and as a look-alike would make the test meaningless.
  for (auto it = lookalike.begin(); it != lookalike.end();) {
    if (valid.count(it->first)) {
      *error = "truth lists a value both valid and as a look-alike: " + it->first;
      return 2;
    }
    ++it;
  }

  // The hits, streamed.
  std::ifstream hits(hits_path);
  if (!hits) {
    *error = "cannot open " + hits_path;
    return 2;
  }
  uint64_t total_hits = 0, malformed = 0;
  line_no = 0;
  std::string key;
  while (std::getline(hits, line)) {
    ++line_no;
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("kind") || !j["kind"].is_string() ||
        !j.contains("normalized") || !j["normalized"].is_string()) {
      ++malformed;
      continue;
    }
    ++total_hits;
    const std::string& kind = j["kind"].get_ref<const std::string&>();
    const std::string& norm = j["normalized"].get_ref<const std::string&>();
    int k = kind_index(kind);
    if (k < 0) continue;
    if (kr.size() < kinds.size()) kr.resize(kinds.size());
    KindReport& r = kr[k];
    ++r.hits;
    key = kind + '\t' + norm;
    if (auto it = valid.find(key); it != valid.end()) {
      ++r.hits_planted;
      for (uint32_t i : it->second) planted[i].found = true;
    } else if (auto la = lookalike.find(key); la != lookalike.end()) {
      if (r.lookalikes_reported++ < uint64_t(options.examples)) {
        std::string where = j.contains("path") && j["path"].is_string()
                                ? j["path"].get<std::string>()
                                : std::string("?");
        r.reported_lookalikes.push_back(norm + " at " + where);
      }
    } else if (derived.count(key)) {
      ++r.hits_derived;
    } else {
      if (r.hits_other++ < uint64_t(options.examples)) r.other_examples.push_back(norm);
    }
  }

  // Recall per kind and per placement.
  std::vector<uint64_t> pl_planted(std::size(kPlacements)), pl_found(std::size(kPlacements));
  std::vector<std::vector<uint64_t>> missing_by(kinds.size());
  for (const Planted& p : planted) {
    KindReport& r = kr[p.kind];
    ++r.planted;
    ++pl_planted[p.placement];
    if (p.found) {
      ++r.found;
      ++pl_found[p.placement];
    } else if (r.missing_examples.size() < size_t(options.examples)) {
      r.missing_examples.push_back(fmt::format("{} offset {}", kPlacements[p.placement],
                                               p.offset));
    }
  }
  // Missing values by name: one pass over the map.
  for (const auto& [k, idx] : valid) {
    for (uint32_t i : idx) {
      const Planted& p = planted[i];
      KindReport& r = kr[p.kind];
      if (p.found) continue;
      for (std::string& m : r.missing_examples) {
        std::string want = fmt::format("{} offset {}", kPlacements[p.placement], p.offset);
        if (m == want) m = k.substr(k.find('\t') + 1) + " (" + want + ")";
      }
    }
  }

  bool pass = malformed == 0;
  uint64_t lookalikes_reported = 0;
  std::vector<std::string> failures;
  for (size_t k = 0; k < kinds.size() && k < kr.size(); ++k) {
    const KindReport& r = kr[k];
    lookalikes_reported += r.lookalikes_reported;
    if (r.planted > 0 && double(r.found) < options.min_recall * double(r.planted)) {
      pass = false;
      failures.push_back(fmt::format("{} recall {} < {:.2f}%", kinds[k],
                                     Percent(r.found, r.planted), 100 * options.min_recall));
    }
    if (r.lookalikes_reported > 0) {
      pass = false;
      failures.push_back(fmt::format("{}: {} look-alike hits", kinds[k], r.lookalikes_reported));
    }
  }
  if (malformed > 0) failures.push_back(fmt::format("{} malformed hit lines", malformed));

  if (options.json) {
    nlohmann::json j;
    j["pass"] = pass;
    j["min_recall"] = options.min_recall;
    j["total_hits"] = total_hits;
    j["malformed_hits"] = malformed;
    j["lookalikes_reported"] = lookalikes_reported;
    for (size_t k = 0; k < kinds.size() && k < kr.size(); ++k) {
      const KindReport& r = kr[k];
      if (r.planted == 0 && r.hits == 0 && r.lookalikes == 0) continue;
      j["kinds"][kinds[k]] = {
          {"planted", r.planted},
          {"found", r.found},
          {"recall", r.planted ? double(r.found) / double(r.planted) : 1.0},
          {"lookalikes", r.lookalikes},
          {"lookalikes_reported", r.lookalikes_reported},
          {"hits", r.hits},
          {"hits_planted", r.hits_planted},
          {"hits_derived", r.hits_derived},
          {"hits_other", r.hits_other},
          {"precision",
           r.hits ? double(r.hits - r.hits_other - r.lookalikes_reported) / double(r.hits) : 1.0},
          {"missing_examples", r.missing_examples},
          {"other_examples", r.other_examples},
          {"reported_lookalikes", r.reported_lookalikes}};
    }
    for (size_t p = 0; p < std::size(kPlacements); ++p) {
      if (pl_planted[p] == 0) continue;
      j["placements"][kPlacements[p]] = {
          {"planted", pl_planted[p]},
          {"found", pl_found[p]},
          {"recall", double(pl_found[p]) / double(pl_planted[p])}};
    }
    j["failures"] = failures;
    out << j.dump(2) << "\n";
    return pass ? 0 : 1;
  }

  out << fmt::format("{:<8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>8} {:>10}\n", "kind",
                     "planted", "found", "recall", "lookalk", "reported", "hits", "other",
                     "precision");
  for (size_t k = 0; k < kinds.size() && k < kr.size(); ++k) {
    const KindReport& r = kr[k];
    if (r.planted == 0 && r.hits == 0 && r.lookalikes == 0) continue;
    out << fmt::format("{:<8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>8} {:>10}\n", kinds[k],
                       r.planted, r.found, Percent(r.found, r.planted), r.lookalikes,
                       r.lookalikes_reported, r.hits, r.hits_other,
                       Percent(r.hits - r.hits_other - r.lookalikes_reported, r.hits));
  }
  out << "\n"
      << fmt::format("{:<13} {:>8} {:>8} {:>8}\n", "placement", "planted", "found", "recall");
  for (size_t p = 0; p < std::size(kPlacements); ++p) {
    if (pl_planted[p] == 0) continue;
    out << fmt::format("{:<13} {:>8} {:>8} {:>8}\n", kPlacements[p], pl_planted[p], pl_found[p],
                       Percent(pl_found[p], pl_planted[p]));
  }
  out << "\n"
      << fmt::format("total hits {}; look-alikes reported {}; min recall {:.2f}%\n", total_hits,
                     lookalikes_reported, 100 * options.min_recall);
  out << "(other: hits that are not planted values, look-alikes, or parts of planted values "
         "(hosts of e-mails/URLs/onions, user@host in URLs): chance finds in random bytes, "
         "corrupt streams decoded up to their error, or false positives)\n";
  for (size_t k = 0; k < kinds.size() && k < kr.size(); ++k) {
    const KindReport& r = kr[k];
    for (const std::string& m : r.missing_examples)
      out << "  missing " << kinds[k] << ": " << m << "\n";
    for (const std::string& m : r.reported_lookalikes)
      out << "  LOOK-ALIKE reported " << kinds[k] << ": " << m << "\n";
    for (const std::string& m : r.other_examples)
      out << "  other " << kinds[k] << ": " << m << "\n";
  }
  for (const std::string& f : failures) out << "FAIL: " << f << "\n";
  out << (pass ? "PASS\n" : "FAIL\n");
  return pass ? 0 : 1;
}

}  // namespace evidex::bench
