// STIX 2.1 (and 2.0) bundles: "indicator" objects whose STIX patterns compare observable
// properties with values, and the "x-misp-attribute" objects MISP's STIX export writes for the
// types STIX has no observable for (btc, iban, phone-number...).
//
// The pattern grammar (STIX 2.1 part 5) is read by recursive descent; brackets nest at most
// kMaxNesting deep, so a hostile pattern costs neither stack nor more than one pass.
#include <string>
#include <unordered_map>

#include "exchange/watchlist_internal.h"

namespace evidex::exchange::internal {
namespace {

using nlohmann::json;

constexpr int kMaxNesting = 32;

bool IdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}
bool Digit(char c) { return c >= '0' && c <= '9'; }

class PatternParser {
 public:
  explicit PatternParser(std::string_view p) : p_(p) {}

  Result<std::vector<StixComparison>> Parse() {
    if (!ObservationOr(0)) return Failure();
    Space();
    if (i_ < p_.size()) {
      Fail("unexpected text after the pattern");
      return Failure();
    }
    return std::move(out_);
  }

 private:
  Status Failure() const {
    return Corrupt("at character " + std::to_string(error_at_ + 1) + ": " + error_);
  }
  bool Fail(std::string message) {
    if (error_.empty()) {
      error_ = std::move(message);
      error_at_ = i_;
    }
    return false;
  }
  void Space() {
    while (i_ < p_.size() && (p_[i_] == ' ' || p_[i_] == '\t' || p_[i_] == '\n' || p_[i_] == '\r'))
      ++i_;
  }
  bool Eat(char c) {
    Space();
    if (i_ < p_.size() && p_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  // A keyword (case-sensitive, as the grammar), not followed by an identifier character.
  bool Keyword(std::string_view k) {
    Space();
    if (p_.substr(i_, k.size()) != k) return false;
    if (i_ + k.size() < p_.size() && IdentChar(p_[i_ + k.size()])) return false;
    i_ += k.size();
    return true;
  }

  // observation expressions: [..] or ( .. ), joined by AND / OR / FOLLOWEDBY, with qualifiers.
  bool ObservationOr(int depth) {
    if (depth > kMaxNesting) return Fail("brackets nested too deeply");
    do {
      if (!ObservationTerm(depth)) return false;
      while (Qualifier()) {
      }
      if (!error_.empty()) return false;
    } while (Keyword("AND") || Keyword("OR") || Keyword("FOLLOWEDBY"));
    return true;
  }
  bool ObservationTerm(int depth) {
    if (Eat('[')) {
      if (!ComparisonOr(depth + 1)) return false;
      if (!Eat(']')) return Fail("expected ']'");
      return true;
    }
    if (Eat('(')) {
      if (!ObservationOr(depth + 1)) return false;
      if (!Eat(')')) return Fail("expected ')'");
      return true;
    }
    Space();
    return Fail("expected '[' or '('");
  }
  bool Qualifier() {
    if (Keyword("WITHIN")) {
      if (!Number()) return Fail("expected a number after WITHIN");
      if (!Keyword("SECONDS")) return Fail("expected SECONDS");
      return true;
    }
    if (Keyword("REPEATS")) {
      if (!Number()) return Fail("expected a number after REPEATS");
      if (!Keyword("TIMES")) return Fail("expected TIMES");
      return true;
    }
    if (Keyword("START")) {
      std::optional<std::string> ignored;
      if (!Literal(&ignored)) return Fail("expected a timestamp after START");
      if (!Keyword("STOP")) return Fail("expected STOP");
      if (!Literal(&ignored)) return Fail("expected a timestamp after STOP");
      return true;
    }
    return false;
  }

  // comparison expressions inside [..]: comparisons or ( .. ), joined by AND / OR.
  bool ComparisonOr(int depth) {
    if (depth > kMaxNesting) return Fail("brackets nested too deeply");
    do {
      if (Eat('(')) {
        if (!ComparisonOr(depth + 1)) return false;
        if (!Eat(')')) return Fail("expected ')'");
      } else if (!Comparison()) {
        return false;
      }
    } while (Keyword("AND") || Keyword("OR"));
    return true;
  }

  bool Comparison() {
    StixComparison c;
    if (Keyword("EXISTS")) {
      if (!ObjectPath(&c.path)) return false;
      c.op = "EXISTS";
      out_.push_back(std::move(c));
      return true;
    }
    if (!ObjectPath(&c.path)) return false;
    bool negated = Keyword("NOT");
    Space();
    static constexpr std::string_view kSymbolOps[] = {"!=", "<=", ">=", "=", "<", ">"};
    static constexpr std::string_view kWordOps[] = {"IN", "LIKE", "MATCHES", "ISSUBSET",
                                                    "ISSUPERSET"};
    for (std::string_view op : kSymbolOps) {
      if (p_.substr(i_, op.size()) == op) {
        c.op = op;
        i_ += op.size();
        break;
      }
    }
    if (c.op.empty())
      for (std::string_view op : kWordOps)
        if (Keyword(op)) {
          c.op = op;
          break;
        }
    if (c.op.empty()) return Fail("expected a comparison operator");
    if (negated) c.op = "NOT " + c.op;
    if (c.op == "IN" || c.op == "NOT IN") {
      if (!Eat('(')) return Fail("expected '(' after IN");
      do {
        std::optional<std::string> v;
        if (!Literal(&v)) return false;
        c.values.push_back(std::move(v));
      } while (Eat(','));
      if (!Eat(')')) return Fail("expected ')'");
    } else {
      std::optional<std::string> v;
      if (!Literal(&v)) return false;
      c.values.push_back(std::move(v));
    }
    out_.push_back(std::move(c));
    return true;
  }

  // object-type ':' property ('.' property | '[' index ']')*; properties may be quoted.
  bool ObjectPath(std::string* path) {
    Space();
    size_t begin = i_;
    while (i_ < p_.size() && IdentChar(p_[i_])) ++i_;
    if (i_ == begin) return Fail("expected an object path");
    if (i_ >= p_.size() || p_[i_] != ':') return Fail("expected ':' in the object path");
    ++i_;
    if (!PathComponent()) return false;
    while (i_ < p_.size()) {
      if (p_[i_] == '.') {
        ++i_;
        if (!PathComponent()) return false;
      } else if (p_[i_] == '[') {
        ++i_;
        if (i_ < p_.size() && p_[i_] == '*') {
          ++i_;
        } else {
          size_t digits = i_;
          while (i_ < p_.size() && Digit(p_[i_])) ++i_;
          if (i_ == digits) return Fail("expected an index or '*'");
        }
        if (i_ >= p_.size() || p_[i_] != ']') return Fail("expected ']' after the index");
        ++i_;
      } else {
        break;
      }
    }
    *path = std::string(p_.substr(begin, i_ - begin));
    return true;
  }
  bool PathComponent() {
    if (i_ < p_.size() && p_[i_] == '\'') {
      std::string ignored;
      return QuotedString(&ignored);
    }
    size_t begin = i_;
    while (i_ < p_.size() && IdentChar(p_[i_])) ++i_;
    if (i_ == begin) return Fail("expected a property name");
    return true;
  }

  // '...' with the escapes \' and \\ only.
  bool QuotedString(std::string* out) {
    size_t open = i_++;
    while (i_ < p_.size()) {
      char c = p_[i_++];
      if (c == '\'') return true;
      if (c == '\\') {
        if (i_ < p_.size() && (p_[i_] == '\'' || p_[i_] == '\\')) {
          out->push_back(p_[i_++]);
          continue;
        }
        --i_;
        return Fail("invalid escape in a string (only \\' and \\\\)");
      }
      out->push_back(c);
    }
    i_ = open;
    return Fail("string not closed");
  }
  bool Number() {
    Space();
    size_t begin = i_;
    if (i_ < p_.size() && (p_[i_] == '-' || p_[i_] == '+')) ++i_;
    while (i_ < p_.size() && (Digit(p_[i_]) || p_[i_] == '.')) ++i_;
    return i_ > begin && Digit(p_[i_ - 1]);
  }
  // A literal: string (*v set), number, true/false, or h'..' b'..' t'..' (*v left empty).
  bool Literal(std::optional<std::string>* v) {
    Space();
    if (i_ < p_.size() && p_[i_] == '\'') {
      std::string s;
      if (!QuotedString(&s)) return false;
      *v = std::move(s);
      return true;
    }
    if (i_ + 1 < p_.size() && (p_[i_] == 'h' || p_[i_] == 'b' || p_[i_] == 't') &&
        p_[i_ + 1] == '\'') {
      ++i_;
      std::string ignored;
      return QuotedString(&ignored);
    }
    if (Keyword("true") || Keyword("false")) return true;
    if (Number()) return true;
    return Fail("expected a value");
  }

  std::string_view p_;
  size_t i_ = 0;
  std::vector<StixComparison> out_;
  std::string error_;
  size_t error_at_ = 0;
};

// "file:hashes.'SHA-256'" -> "file:hashes.SHA-256"; "x:to_refs[3].value" -> "x:to_refs[*].value".
std::string CanonicalPath(std::string_view path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '\'') {
      // Quoted property names hold no quotes once parsed; copy the unescaped text.
      for (++i; i < path.size() && path[i] != '\''; ++i) {
        if (path[i] == '\\' && i + 1 < path.size()) ++i;
        out.push_back(path[i]);
      }
    } else if (c == '[') {
      out += "[*]";
      while (i < path.size() && path[i] != ']') ++i;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

constexpr std::string_view kEmail[] = {"email"};
constexpr std::string_view kUrl[] = {"url"};
constexpr std::string_view kHost[] = {"domain", "onion"};
constexpr std::string_view kIpv4[] = {"ipv4"};
constexpr std::string_view kIpv6[] = {"ipv6"};
constexpr std::string_view kNetworkRef[] = {"ipv4", "ipv6", "domain", "onion"};
constexpr std::string_view kWallet[] = {"btc", "eth", "xmr"};
constexpr std::string_view kIban[] = {"iban"};
constexpr std::string_view kMd5[] = {"md5"};
constexpr std::string_view kSha1[] = {"sha1"};
constexpr std::string_view kSha256[] = {"sha256"};

// The kinds a canonical object path holds; empty for paths evidex has no kind for.
std::span<const std::string_view> KindsForPath(const std::string& path) {
  static const std::unordered_map<std::string, std::span<const std::string_view>> kPaths = {
      {"email-addr:value", kEmail},
      {"email-message:from_ref.value", kEmail},
      {"email-message:sender_ref.value", kEmail},
      {"email-message:to_refs[*].value", kEmail},
      {"email-message:cc_refs[*].value", kEmail},
      {"email-message:bcc_refs[*].value", kEmail},
      {"url:value", kUrl},
      {"domain-name:value", kHost},
      {"ipv4-addr:value", kIpv4},
      {"ipv6-addr:value", kIpv6},
      {"network-traffic:dst_ref.value", kNetworkRef},
      {"network-traffic:src_ref.value", kNetworkRef},
      {"cryptocurrency-wallet:value", kWallet},
      {"cryptocurrency-wallet:address", kWallet},
      {"bank-account:iban_number", kIban},
  };
  if (auto it = kPaths.find(path); it != kPaths.end()) return it->second;
  for (std::string_view prefix : {"file:hashes.", "artifact:hashes."}) {
    if (path.compare(0, prefix.size(), prefix) != 0) continue;
    std::string algo;
    for (char c : std::string_view(path).substr(prefix.size()))
      if (c != '-' && c != '_') algo.push_back(c >= 'a' && c <= 'z' ? char(c - 32) : c);
    if (algo == "MD5") return kMd5;
    if (algo == "SHA1") return kSha1;
    if (algo == "SHA256") return kSha256;
  }
  return {};
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

void ReadIndicator(const json& o, const std::string& where, Collector* sink) {
  if (FlagMember(o, "revoked")) return;
  std::string_view pattern_type = StringMember(o, "pattern_type").value_or("stix");
  if (pattern_type != "stix") {
    sink->Unknown("pattern_type " + std::string(pattern_type));
    return;
  }
  const json* pattern = Member(o, "pattern");
  if (pattern == nullptr || !pattern->is_string()) {
    sink->Error(Pointer(where, "pattern"),
                pattern == nullptr ? "indicator without a pattern" : "pattern is not a string");
    return;
  }
  Result<std::vector<StixComparison>> comparisons =
      ParseStixPattern(pattern->get_ref<const std::string&>());
  if (!comparisons.ok()) {
    sink->Error(Pointer(where, "pattern"),
                "malformed STIX pattern " + comparisons.status().message());
    return;
  }
  std::string_view comment =
      StringMember(o, "name").value_or(StringMember(o, "description").value_or(""));
  std::string_view id = StringMember(o, "id").value_or("");
  for (const StixComparison& c : *comparisons) {
    std::string path = CanonicalPath(c.path);
    // Type constraints beside a value ("network-traffic:dst_ref.type = 'ipv4-addr'") say what
    // the value is, which its form says too.
    if (EndsWith(path, "_ref.type") || EndsWith(path, "_refs[*].type")) continue;
    std::span<const std::string_view> kinds = KindsForPath(path);
    if (kinds.empty()) {
      sink->Unknown(path);
      continue;
    }
    if (c.op != "=" && c.op != "IN") {
      sink->Unknown(path + " " + c.op);
      continue;
    }
    for (const std::optional<std::string>& v : c.values) {
      if (!v) {
        sink->Error(Pointer(where, "pattern"),
                    c.path + " compared with a value that is not a string");
        continue;
      }
      sink->AddKinds(kinds, c.path, *v, comment, id, Pointer(where, "pattern"));
    }
  }
}

}  // namespace

Result<std::vector<StixComparison>> ParseStixPattern(std::string_view pattern) {
  return PatternParser(pattern).Parse();
}

void ReadStix(const json& doc, Collector* sink, ParsedWatchlist* out, Status* fatal) {
  std::optional<std::string_view> type = StringMember(doc, "type");
  if (!type || *type != "bundle") {
    *fatal = Corrupt("not a STIX bundle: the top-level object's type is not \"bundle\"");
    return;
  }
  out->reference = std::string(StringMember(doc, "id").value_or(""));
  const json* objects = Member(doc, "objects");
  if (objects == nullptr) return;  // an empty bundle
  if (!objects->is_array()) {
    *fatal = Corrupt("/objects: not an array");
    return;
  }
  std::unordered_map<std::string, std::string> identities;
  std::string first_report, first_identity;
  for (const json& o : *objects) {
    std::string_view t = StringMember(o, "type").value_or("");
    std::string_view name = StringMember(o, "name").value_or("");
    if (t == "identity") {
      identities.emplace(std::string(StringMember(o, "id").value_or("")), std::string(name));
      if (first_identity.empty()) first_identity = name;
    } else if (t == "report" && first_report.empty()) {
      first_report = name;
    }
  }
  out->name = !first_report.empty() ? first_report : first_identity;
  for (size_t i = 0; i < objects->size(); ++i) {
    const json& o = (*objects)[i];
    std::string where = Pointer("/objects", i);
    if (!o.is_object()) {
      sink->Error(where, "object is not an object");
      continue;
    }
    std::string_view t = StringMember(o, "type").value_or("");
    if (t != "indicator" && t != "x-misp-attribute") continue;
    if (out->source.empty())
      if (std::optional<std::string_view> by = StringMember(o, "created_by_ref"))
        if (auto it = identities.find(std::string(*by)); it != identities.end())
          out->source = it->second;
    if (t == "indicator") {
      ReadIndicator(o, where, sink);
      continue;
    }
    // MISP's export of an attribute STIX has no observable for.
    std::optional<std::string_view> misp_type = StringMember(o, "x_misp_type");
    const json* value = Member(o, "x_misp_value");
    if (!misp_type || value == nullptr || !value->is_string()) {
      sink->Error(Pointer(where, misp_type ? "x_misp_value" : "x_misp_type"),
                  "x-misp-attribute without a string type and value");
      continue;
    }
    sink->AddTyped(*misp_type, value->get_ref<const std::string&>(),
                   StringMember(o, "x_misp_comment").value_or(""),
                   StringMember(o, "id").value_or(""), Pointer(where, "x_misp_value"));
  }
}

}  // namespace evidex::exchange::internal
