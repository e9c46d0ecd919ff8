// ParseWatchlist: format detection, the type table, the collector and the JSON reader shared by
// the three readers (watchlist_csv.cc, watchlist_misp.cc, watchlist_stix.cc).
#include "exchange/watchlist.h"

#include <algorithm>
#include <array>
#include <exception>

#include "exchange/normalize.h"
#include "exchange/watchlist_internal.h"

namespace evidex::exchange {
namespace internal {
namespace {

using Kinds = std::span<const std::string_view>;

constexpr std::string_view kEmail[] = {"email"};
constexpr std::string_view kUrl[] = {"url"};
constexpr std::string_view kHost[] = {"domain", "onion"};
constexpr std::string_view kIp[] = {"ipv4", "ipv6"};
constexpr std::string_view kIpv4[] = {"ipv4"};
constexpr std::string_view kIpv6[] = {"ipv6"};
constexpr std::string_view kPhone[] = {"phone"};
constexpr std::string_view kCcn[] = {"ccn"};
constexpr std::string_view kIban[] = {"iban"};
// MISP has no Ethereum type: its users file Ethereum addresses under "btc".
constexpr std::string_view kBtc[] = {"btc", "eth"};
constexpr std::string_view kEth[] = {"eth"};
constexpr std::string_view kXmr[] = {"xmr"};
constexpr std::string_view kOnion[] = {"onion"};
constexpr std::string_view kMd5[] = {"md5"};
constexpr std::string_view kSha1[] = {"sha1"};
constexpr std::string_view kSha256[] = {"sha256"};
constexpr std::string_view kKeyword[] = {"keyword"};

struct TypeEntry {
  std::string_view type;
  Kinds kinds;
};
// evidex kinds and MISP attribute types (lower-case).
constexpr TypeEntry kTypes[] = {
    {"email", kEmail},
    {"email-src", kEmail},
    {"email-dst", kEmail},
    {"email-reply-to", kEmail},
    {"whois-registrant-email", kEmail},
    {"url", kUrl},
    {"link", kUrl},
    {"domain", kHost},
    {"hostname", kHost},
    {"ip-src", kIp},
    {"ip-dst", kIp},
    {"ip", kIp},
    {"ipv4", kIpv4},
    {"ipv6", kIpv6},
    {"phone", kPhone},
    {"phone-number", kPhone},
    {"whois-registrant-phone", kPhone},
    {"ccn", kCcn},
    {"cc-number", kCcn},
    {"iban", kIban},
    {"btc", kBtc},
    {"eth", kEth},
    {"xmr", kXmr},
    {"onion", kOnion},
    {"md5", kMd5},
    {"sha1", kSha1},
    {"sha256", kSha256},
    {"keyword", kKeyword},
};

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c | 0x20);
  return out;
}

std::string_view TrimView(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool IsIpKinds(Kinds kinds) { return !kinds.empty() && (kinds[0] == "ipv4" || kinds[0] == "ipv6"); }

std::string JoinKinds(Kinds kinds) {
  std::string out;
  for (std::string_view k : kinds) {
    if (!out.empty()) out += " or ";
    out += k;
  }
  return out;
}

}  // namespace

std::span<const std::string_view> KindsForType(std::string_view type) {
  std::string lower = LowerAscii(TrimView(type));
  for (const TypeEntry& e : kTypes)
    if (e.type == lower) return e.kinds;
  return {};
}

std::string Quote(std::string_view value) {
  constexpr size_t kMax = 80;
  std::string out = "'";
  out.append(value.substr(0, kMax));
  if (value.size() > kMax) out += "...";
  out += "'";
  return out;
}

void Collector::Error(std::string_view where, std::string message) {
  out_->errors.push_back({std::string(where), std::move(message)});
}

void Collector::Unknown(std::string_view type_name) {
  // A hostile file may invent any number of long names: the key is kept short.
  constexpr size_t kMaxName = 64;
  ++out_->unknown_types[std::string(type_name.substr(0, kMaxName))];
}

bool Collector::AddKinds(Kinds kinds, std::string_view type, std::string_view value,
                         std::string_view comment, std::string_view reference,
                         std::string_view where) {
  std::string_view v = TrimView(value);
  if (v.empty()) {
    Error(where, "empty value for type " + Quote(type));
    return false;
  }
  // Networks are not artifacts: a single-host prefix is its address, a wider one is counted as
  // a type of its own.
  std::string_view address = v;
  if (IsIpKinds(kinds) && v.find('/') != std::string_view::npos) {
    size_t slash = v.find('/');
    std::string_view len = v.substr(slash + 1);
    address = v.substr(0, slash);
    bool host = (len == "32" && address.find(':') == std::string_view::npos) ||
                (len == "128" && address.find(':') != std::string_view::npos);
    if (!host) {
      Unknown(std::string(type) + " (CIDR)");
      return true;
    }
  }
  for (std::string_view kind : kinds) {
    if (std::optional<std::string> n = Normalize(kind, address, options_.region)) {
      store::Indicator ind;
      ind.kind = std::string(kind);
      ind.value = std::move(*n);
      ind.original = std::string(v);
      ind.type = std::string(type);
      ind.comment = std::string(comment);
      ind.reference = std::string(reference);
      out_->indicators.push_back(std::move(ind));
      return true;
    }
  }
  std::string message = "invalid " + JoinKinds(kinds) + " " + Quote(v);
  if (kinds.size() == 1 && kinds[0] == "phone" && options_.region.empty() && v.front() != '+')
    message += " (a national number needs a region)";
  Error(where, std::move(message));
  return false;
}

void Collector::AddTyped(std::string_view type, std::string_view value, std::string_view comment,
                         std::string_view reference, std::string_view where) {
  std::string_view t = TrimView(type);
  if (t.empty()) {
    Error(where, "empty type");
    return;
  }
  Kinds kinds = KindsForType(t);
  if (!kinds.empty()) {
    AddKinds(kinds, t, value, comment, reference, where);
    return;
  }
  size_t bar = t.find('|');
  if (bar == std::string_view::npos) {
    Unknown(t);
    return;
  }
  // A composite type ("domain|ip", "filename|sha256", "ip-dst|port"): the halves evidex has a
  // kind for become indicators; the others (file names, ports) are context.
  std::string_view type_a = t.substr(0, bar), type_b = t.substr(bar + 1);
  Kinds kinds_a = KindsForType(type_a), kinds_b = KindsForType(type_b);
  if (kinds_a.empty() && kinds_b.empty()) {
    Unknown(t);
    return;
  }
  // File names may hold '|' where the other half cannot: split at the bar the known half allows.
  size_t vbar = kinds_b.empty() ? value.find('|') : value.rfind('|');
  if (vbar == std::string_view::npos) {
    Error(where, "composite type " + Quote(t) + " needs a value 'a|b', not " + Quote(value));
    return;
  }
  if (!kinds_a.empty()) AddKinds(kinds_a, t, value.substr(0, vbar), comment, reference, where);
  if (!kinds_b.empty()) AddKinds(kinds_b, t, value.substr(vbar + 1), comment, reference, where);
}

std::string Pointer(std::string_view base, std::string_view token) {
  std::string out(base);
  out += '/';
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Pointer(std::string_view base, size_t index) {
  return std::string(base) + "/" + std::to_string(index);
}

const nlohmann::json* Member(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::optional<std::string_view> StringMember(const nlohmann::json& j, const char* key) {
  const nlohmann::json* m = Member(j, key);
  if (m == nullptr || !m->is_string()) return std::nullopt;
  return std::string_view(m->get_ref<const std::string&>());
}

bool FlagMember(const nlohmann::json& j, const char* key) {
  const nlohmann::json* m = Member(j, key);
  if (m == nullptr) return false;
  if (m->is_boolean()) return m->get<bool>();
  if (m->is_number_integer()) return m->get<int64_t>() != 0;
  if (m->is_string()) {
    const std::string& s = m->get_ref<const std::string&>();
    return s == "1" || s == "true" || s == "True";
  }
  return false;
}

namespace {

// Line and column (from 1) of byte `offset`.
std::string Position(std::string_view data, size_t offset) {
  offset = std::min(offset, data.size());
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (data[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "byte " + std::to_string(offset) + " (line " + std::to_string(line) + ", column " +
         std::to_string(column) + ")";
}

// The deepest nesting of objects and arrays, stopping at the first byte past `limit`.
// Returns the offset of that byte, or npos when the nesting stays within the limit.
size_t FindTooDeep(std::string_view data, int limit) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < data.size(); ++i) {
    char c = data[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return i;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return std::string_view::npos;
}

}  // namespace

Result<nlohmann::json> ParseJson(std::string_view data) {
  if (size_t deep = FindTooDeep(data, kMaxJsonDepth); deep != std::string_view::npos)
    return Corrupt("JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels at " +
                   Position(data, deep));
  try {
    return nlohmann::json::parse(data.begin(), data.end());
  } catch (const nlohmann::json::parse_error& e) {
    // e.what(): "[json.exception.parse_error.101] parse error at line 1, column 5: syntax
    // error while parsing ..." - keep the part after the position, give ours.
    std::string what = e.what();
    size_t colon = what.find(": ");
    std::string detail = colon == std::string::npos ? what : what.substr(colon + 2);
    size_t at = e.byte > 0 ? e.byte - 1 : 0;
    return Corrupt("invalid JSON at " + Position(data, at) + ": " + detail);
  } catch (const std::exception& e) {
    return Corrupt(std::string("invalid JSON: ") + e.what());
  }
}

}  // namespace internal

namespace {

// A parsed JSON document takes several times its text in memory: the largest MISP events seen in
// practice are far below this.
constexpr size_t kMaxWatchlistBytes = size_t(256) << 20;

std::string_view SkipBomAndSpace(std::string_view d) {
  if (d.substr(0, 3) == "\xEF\xBB\xBF") d.remove_prefix(3);
  while (!d.empty() &&
         (d.front() == ' ' || d.front() == '\t' || d.front() == '\r' || d.front() == '\n'))
    d.remove_prefix(1);
  return d;
}

// A cheap look at a JSON object's top-level members, without parsing the document: true when
// one of them is "type": "bundle". Malformed text answers false (the MISP reader then reports
// where the JSON is wrong).
class TopLevelScanner {
 public:
  explicit TopLevelScanner(std::string_view d) : d_(d) {}

  bool HasBundleType() {
    if (!Eat('{')) return false;
    Space();
    if (Peek() == '}') return false;
    while (true) {
      Space();
      std::string_view key;
      if (!String(&key)) return false;
      Space();
      if (!Eat(':')) return false;
      Space();
      if (Peek() == '"') {
        std::string_view value;
        if (!String(&value)) return false;
        if (key == "type") return value == "bundle";
      } else if (!SkipValue()) {
        return false;
      }
      Space();
      if (Eat(',')) continue;
      return false;  // '}' or garbage: no "type" member at the top
    }
  }

 private:
  char Peek() const { return i_ < d_.size() ? d_[i_] : '\0'; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++i_;
    return true;
  }
  void Space() {
    while (i_ < d_.size() && (d_[i_] == ' ' || d_[i_] == '\t' || d_[i_] == '\r' || d_[i_] == '\n'))
      ++i_;
  }
  // The raw text between the quotes (escapes left as written).
  bool String(std::string_view* out) {
    if (!Eat('"')) return false;
    size_t begin = i_;
    while (i_ < d_.size() && d_[i_] != '"') i_ += d_[i_] == '\\' ? 2 : 1;
    if (i_ >= d_.size()) return false;
    *out = d_.substr(begin, i_ - begin);
    ++i_;
    return true;
  }
  bool SkipValue() {
    int depth = 0;
    while (i_ < d_.size()) {
      char c = d_[i_];
      if (c == '"') {
        std::string_view ignored;
        if (!String(&ignored)) return false;
        if (depth == 0) return true;
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (depth == 0) return true;  // the end of the enclosing object
        if (--depth == 0) {
          ++i_;
          return true;
        }
      } else if (c == ',' && depth == 0) {
        return true;
      }
      ++i_;
    }
    return false;
  }

  std::string_view d_;
  size_t i_ = 0;
};

}  // namespace

WatchlistFormat DetectFormat(std::string_view data) {
  std::string_view d = SkipBomAndSpace(data);
  if (d.empty()) return WatchlistFormat::kCsv;
  if (d.front() == '[') return WatchlistFormat::kMisp;
  if (d.front() != '{') return WatchlistFormat::kCsv;
  return TopLevelScanner(d).HasBundleType() ? WatchlistFormat::kStix : WatchlistFormat::kMisp;
}

const char* FormatName(WatchlistFormat f) {
  switch (f) {
    case WatchlistFormat::kCsv:
      return "csv";
    case WatchlistFormat::kMisp:
      return "misp";
    case WatchlistFormat::kStix:
      return "stix";
    case WatchlistFormat::kAuto:
      break;
  }
  return "auto";
}

Result<ParsedWatchlist> ParseWatchlist(std::string_view data, const ParseOptions& options) {
  if (data.size() > kMaxWatchlistBytes)
    return LimitReached("watchlist file of " + std::to_string(data.size()) +
                        " bytes is larger than the " + std::to_string(kMaxWatchlistBytes >> 20) +
                        " MiB evidex reads");
  ParsedWatchlist out;
  out.format = options.format == WatchlistFormat::kAuto ? DetectFormat(data) : options.format;
  internal::Collector sink(options, &out);
  Status fatal;
  try {
    if (out.format == WatchlistFormat::kCsv) {
      internal::ReadCsv(data, &sink, &out, &fatal);
    } else {
      std::string_view json_text = data;
      if (json_text.substr(0, 3) == "\xEF\xBB\xBF") json_text.remove_prefix(3);
      Result<nlohmann::json> doc = internal::ParseJson(json_text);
      if (!doc.ok()) return doc.status();
      if (out.format == WatchlistFormat::kMisp) {
        internal::ReadMisp(*doc, &sink, &out, &fatal);
      } else {
        internal::ReadStix(*doc, &sink, &out, &fatal);
      }
    }
  } catch (const std::exception& e) {
    // The readers check types before every access; this is the library's edge all the same.
    return Internal(std::string("reading the watchlist: ") + e.what());
  }
  if (!fatal.ok()) return fatal;
  if (!out.errors.empty() && !options.partial) {
    const RecordError& first = out.errors.front();
    std::string count = out.errors.size() == 1 ? "1 bad record"
                                               : std::to_string(out.errors.size()) + " bad records";
    return Corrupt(first.where + ": " + first.message + " (" + count +
                   "; nothing imported unless partial import is asked for)");
  }
  return out;
}

}  // namespace evidex::exchange
