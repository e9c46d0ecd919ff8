// Custody records: canonical form, hashing, signing, and the chain check (custody.h).
//
// VerifyChain reasons about which records are authentic rather than only comparing neighbours,
// so that it names the tampering, not its side effects: a record whose hash matches its content
// and whose signature verifies under a trusted key is authentic and its seq is the one it was
// signed with. A record whose content no longer matches is tried with other seq values: if one
// matches, the record is authentic but was renumbered (that is how a reorder or a deletion
// followed by renumbering shows). With the authentic records placed at their signed numbers, a
// number no record holds was deleted; a forged record (good hash, bad or untrusted signature) that
// fills such a hole is an edit with a recomputed hash, and one that does not is an insertion;
// authentic records out of signed order were reordered. The signed head bounds the chain, so
// deleting the last records shows as "truncated".
#include "vault/custody.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>

#include "core/hash.h"

namespace evidex::vault {
namespace {

const std::string kZeroHash(64, '0');
constexpr char kRecordDomain[] = "evidex-custody-v1\n";
constexpr char kHeadDomain[] = "evidex-custody-head-v1\n";
// Bound on the hashes spent looking for the signed seq of records that do not match: a chain
// that is tampered everywhere is reported as edited instead of costing quadratic time.
constexpr int64_t kMaxRenumberTries = 200000;

std::string Dump(const nlohmann::json& j) {
  // Invalid UTF-8 is replaced (U+FFFD) instead of throwing: the hash is then of the replaced
  // text, which is also what is stored and read back, so it stays stable.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string HeadMessage(const std::string& case_uuid, int64_t seq, const std::string& hash) {
  return kHeadDomain + case_uuid + "\n" + std::to_string(seq) + "\n" + hash;
}

// Signature check of a hash-like message under a signer text; fills `trusted_out`.
bool SignedBy(const std::string& signer, const std::string& message, const std::string& sig_hex,
              const std::function<bool(const PublicKey&)>& trusted, bool* trusted_out) {
  *trusted_out = false;
  Result<PublicKey> pk = PublicKey::Parse(signer);
  if (!pk.ok()) return false;
  Result<Signature> sig = ParseSignatureHex(sig_hex);
  if (!sig.ok() || !VerifySignature(*pk, message, *sig)) return false;
  *trusted_out = trusted ? trusted(*pk) : false;
  return true;
}

template <typename T>
bool Get(const nlohmann::json& j, const char* key, T* out) {
  auto it = j.find(key);
  if (it == j.end()) return false;
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) return false;
  } else {
    if (!it->is_number_integer()) return false;
  }
  *out = it->get<T>();
  return true;
}

}  // namespace

// ---- Records ----

std::string CustodyRecord::Canonical() const {
  nlohmann::json j = nlohmann::json::object();  // std::map underneath: keys sorted
  j["case_uuid"] = case_uuid;
  j["seq"] = seq;
  j["time"] = time;
  j["actor"] = actor;
  j["unit"] = unit;
  j["action"] = action;
  j["evidence"] = evidence;
  j["details"] = details;
  j["prev_hash"] = prev_hash;
  j["signer"] = signer;
  return Dump(j);
}

std::string CustodyRecord::ComputeHash() const { return Sha256Hex(kRecordDomain + Canonical()); }

nlohmann::json CustodyRecord::ToJson() const {
  nlohmann::json j = nlohmann::json::parse(Canonical());
  j["hash"] = hash;
  j["signature"] = signature;
  return j;
}

Result<CustodyRecord> CustodyRecord::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Corrupt("custody record is not a JSON object");
  CustodyRecord r;
  if (!Get(j, "case_uuid", &r.case_uuid) || !Get(j, "seq", &r.seq) || !Get(j, "time", &r.time) ||
      !Get(j, "actor", &r.actor) || !Get(j, "unit", &r.unit) || !Get(j, "action", &r.action) ||
      !Get(j, "evidence", &r.evidence) || !Get(j, "prev_hash", &r.prev_hash) ||
      !Get(j, "signer", &r.signer) || !Get(j, "hash", &r.hash) ||
      !Get(j, "signature", &r.signature) || !j.contains("details") || !j["details"].is_object())
    return Corrupt("custody record lacks a field or has one of the wrong type");
  r.details = j["details"];
  return r;
}

void Seal(CustodyRecord& record, const CustodyRecord* previous, const SigningKey& key) {
  record.seq = previous ? previous->seq + 1 : 1;
  record.prev_hash = previous ? previous->hash : kZeroHash;
  if (record.time.empty()) record.time = UtcNow();
  record.signer = key.public_key().Text();
  record.hash = record.ComputeHash();
  record.signature = SignatureHex(key.Sign(record.hash));
}

// ---- Head ----

nlohmann::json CustodyHead::ToJson() const {
  return {{"case_uuid", case_uuid},
          {"seq", seq},
          {"hash", hash},
          {"signer", signer},
          {"signature", signature}};
}

Result<CustodyHead> CustodyHead::FromJson(const nlohmann::json& j) {
  CustodyHead h;
  if (!j.is_object() || !Get(j, "case_uuid", &h.case_uuid) || !Get(j, "seq", &h.seq) ||
      !Get(j, "hash", &h.hash) || !Get(j, "signer", &h.signer) ||
      !Get(j, "signature", &h.signature))
    return Corrupt("custody head lacks a field or has one of the wrong type");
  return h;
}

CustodyHead SignHead(const CustodyRecord& last, const SigningKey& key) {
  CustodyHead h;
  h.case_uuid = last.case_uuid;
  h.seq = last.seq;
  h.hash = last.hash;
  h.signer = key.public_key().Text();
  h.signature = SignatureHex(key.Sign(HeadMessage(h.case_uuid, h.seq, h.hash)));
  return h;
}

bool VerifyHead(const CustodyHead& head, const std::function<bool(const PublicKey&)>& trusted) {
  bool trusted_signer = false;
  return SignedBy(head.signer, HeadMessage(head.case_uuid, head.seq, head.hash), head.signature,
                  trusted, &trusted_signer) &&
         trusted_signer;
}

// ---- Verification ----

ChainReport VerifyChain(const std::vector<CustodyRecord>& records,
                        const std::optional<CustodyHead>& head,
                        const std::function<bool(const PublicKey&)>& trusted) {
  ChainReport report;
  report.records = int64_t(records.size());
  const size_t n = records.size();

  enum class Kind { kAuthentic, kEdited, kForged };
  struct Info {
    Kind kind = Kind::kEdited;
    int64_t signed_seq = 0;  // the seq it was signed with (authentic), else the stored seq
    bool bad_signature = false;
    bool untrusted = false;
  };
  std::vector<Info> info(n);
  // One problem per stored position (the most telling one); position n is "after the end".
  std::map<size_t, ChainProblem> found;
  auto add = [&](size_t pos, int64_t seq, const char* kind, std::string message) {
    found.emplace(pos, ChainProblem{seq, kind, std::move(message)});
  };
  auto num = [](int64_t v) { return std::to_string(v); };

  // 1. Classify each record on its own.
  int64_t tries_left = kMaxRenumberTries;
  for (size_t i = 0; i < n; ++i) {
    const CustodyRecord& r = records[i];
    Info& in = info[i];
    in.signed_seq = r.seq;
    bool trusted_signer = false;
    bool signature_ok = SignedBy(r.signer, r.hash, r.signature, trusted, &trusted_signer);
    if (r.ComputeHash() == r.hash) {
      if (signature_ok && trusted_signer) {
        in.kind = Kind::kAuthentic;
      } else {
        in.kind = Kind::kForged;
        in.bad_signature = !signature_ok;
        in.untrusted = signature_ok && !trusted_signer;
      }
      continue;
    }
    in.kind = Kind::kEdited;
    if (!signature_ok || !trusted_signer) continue;
    // Signed by us but not with this content: was only its number changed?
    CustodyRecord probe = r;
    int64_t limit = int64_t(n) + 1;
    if (head) limit = std::max(limit, head->seq);
    for (int64_t s = 1; s <= limit && tries_left > 0; ++s, --tries_left) {
      if (s == r.seq) continue;
      probe.seq = s;
      if (probe.ComputeHash() == r.hash) {
        in.kind = Kind::kAuthentic;
        in.signed_seq = s;
        break;
      }
    }
  }

  // 2. The head, and the case every record must belong to.
  bool head_valid = false;
  if (head) {
    bool trusted_signer = false;
    bool ok = SignedBy(head->signer, HeadMessage(head->case_uuid, head->seq, head->hash),
                       head->signature, trusted, &trusted_signer);
    if (!ok)
      add(n, head->seq, "bad-signature", "the chain's head has a bad signature");
    else if (!trusted_signer)
      add(n, head->seq, "unknown-signer",
          "the chain's head is signed by an unknown key " + head->signer);
    else
      head_valid = true;
  }
  std::string case_uuid = head_valid ? head->case_uuid : "";
  if (case_uuid.empty()) {
    for (size_t i = 0; i < n && case_uuid.empty(); ++i)
      if (info[i].kind == Kind::kAuthentic) case_uuid = records[i].case_uuid;
  }

  // 3. Record-level findings; authentic records indexed by their signed seq.
  std::map<int64_t, size_t> authentic;  // signed seq -> position
  for (size_t i = 0; i < n; ++i) {
    const CustodyRecord& r = records[i];
    const Info& in = info[i];
    if (in.kind == Kind::kEdited) {
      add(i, r.seq, "edited",
          "record " + num(r.seq) + " was edited (its hash does not match its content)");
    } else if (in.kind == Kind::kAuthentic) {
      if (r.case_uuid != case_uuid) {
        add(i, r.seq, "inserted",
            "record " + num(r.seq) + " belongs to another case (" + r.case_uuid + ")");
        info[i].kind = Kind::kForged;
      } else if (auto [it, fresh] = authentic.emplace(in.signed_seq, i); !fresh) {
        add(i, r.seq, "inserted",
            "record " + num(r.seq) + " is a second copy of record " + num(in.signed_seq));
        info[i].kind = Kind::kForged;
      }
    }
  }
  // Links between consecutive authentic records: a signed fork is an insertion.
  for (auto& [seq, pos] : authentic) {
    const CustodyRecord& r = records[pos];
    if (seq == 1 && r.prev_hash != kZeroHash) {
      add(pos, r.seq, "inserted", "record " + num(r.seq) + " does not start the chain");
      continue;
    }
    auto prev = authentic.find(seq - 1);
    if (prev != authentic.end() && records[prev->second].hash != r.prev_hash)
      add(pos, r.seq, "inserted",
          "record " + num(r.seq) + " does not follow record " + num(seq - 1) + " (a fork)");
  }

  // 4. The numbers the chain must hold: 1..M, M from the head (when valid) or the last authentic.
  int64_t m = authentic.empty() ? 0 : authentic.rbegin()->first;
  if (head_valid) m = std::max(m, head->seq);
  std::set<int64_t> held;
  for (auto& [seq, pos] : authentic) held.insert(seq);
  for (size_t i = 0; i < n; ++i)
    if (info[i].kind == Kind::kEdited) held.insert(records[i].seq);
  for (size_t i = 0; i < n; ++i) {
    if (info[i].kind != Kind::kForged || found.count(i)) continue;
    const CustodyRecord& r = records[i];
    bool past_head = head_valid && r.seq > head->seq;
    if (r.seq >= 1 && !past_head && !held.count(r.seq)) {
      held.insert(r.seq);  // an edit with a recomputed hash, or a re-signed record
      if (info[i].bad_signature)
        add(i, r.seq, "bad-signature",
            "record " + num(r.seq) +
                " has a bad signature (edited and re-hashed, or its "
                "signature was altered)");
      else
        add(i, r.seq, "unknown-signer",
            "record " + num(r.seq) + " is signed by an unknown key " + r.signer);
    } else {
      add(i, r.seq, "inserted",
          "record " + num(r.seq) + " was inserted (" +
              (info[i].bad_signature ? "its signature does not verify"
                                     : "signed by an unknown key " + r.signer) +
              ")");
    }
  }
  for (int64_t d = 1; d <= m; ++d) {
    if (held.count(d)) continue;
    int64_t last = d;
    while (last + 1 <= m && !held.count(last + 1)) ++last;
    std::string what = d == last ? "record " + num(d) + " was"
                                 : "records " + num(d) + " to " + num(last) + " were";
    auto next = authentic.upper_bound(last);
    if (next != authentic.end()) {
      const CustodyRecord& r = records[next->second];
      add(next->second, r.seq, "deleted",
          what + " deleted (missing before record " + num(next->first) + ")");
    } else {
      add(n, d, "truncated",
          what + " deleted (the signed head says the chain ends at record " + num(m) + ")");
    }
    d = last;
  }

  // 5. The head against the last records.
  if (head_valid) {
    for (auto it = authentic.upper_bound(head->seq); it != authentic.end(); ++it)
      add(it->second, records[it->second].seq, "inserted",
          "record " + num(records[it->second].seq) +
              " lies past the signed head (inserted, or the head was replaced)");
    auto last = authentic.find(head->seq);
    if (last != authentic.end() && records[last->second].hash != head->hash)
      add(last->second, records[last->second].seq, "edited",
          "the signed head does not match record " + num(head->seq));
  }

  // 6. Order: authentic records must appear in signed order; then renumbering alone.
  std::vector<std::pair<size_t, int64_t>> in_order;  // position, signed seq
  for (size_t i = 0; i < n; ++i)
    if (info[i].kind == Kind::kAuthentic) in_order.emplace_back(i, info[i].signed_seq);
  std::vector<int64_t> sorted;
  for (auto& [pos, seq] : in_order) sorted.push_back(seq);
  std::sort(sorted.begin(), sorted.end());
  for (size_t k = 0; k < in_order.size(); ++k) {
    auto [pos, seq] = in_order[k];
    const CustodyRecord& r = records[pos];
    if (seq != sorted[k]) {
      add(pos, r.seq, "reordered",
          r.seq != seq
              ? "record " + num(r.seq) + " was reordered (it was signed as record " + num(seq) + ")"
              : "record " + num(r.seq) + " is out of order (found at position " +
                    num(int64_t(pos) + 1) + ")");
    } else if (r.seq != seq) {
      add(pos, r.seq, "edited",
          "record " + num(r.seq) + " was renumbered (it was signed as record " + num(seq) + ")");
    }
  }

  for (auto& [pos, problem] : found) report.problems.push_back(std::move(problem));
  return report;
}

std::string UtcNow() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  time_t secs = time_t(ms / 1000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];  // generous: the compiler cannot bound tm_year
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms % 1000));
  return buf;
}

}  // namespace evidex::vault
