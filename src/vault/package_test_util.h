// Helpers for the package, manifest and certificate tests: a temporary directory, a sample case
// with real signed custody records and evidence files, running tools, and reading/rewriting tars
// with libarchive (to tamper with packages the way an attacker would).
#ifndef EVIDEX_VAULT_PACKAGE_TEST_UTIL_H_
#define EVIDEX_VAULT_PACKAGE_TEST_UTIL_H_

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/hash.h"
#include "vault/custody.h"
#include "vault/keys.h"
#include "vault/package.h"
#include "vault/uco.h"

namespace evidex::vault::testing {

class TempDir {
 public:
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/evidex_pkg_test.XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) != nullptr) path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
      std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct ShellResult {
  int code = -1;
  std::string out;
};

// Runs `cmd` with /bin/sh; stdout (and stderr when the command redirects it) is returned.
inline ShellResult Sh(const std::string& cmd) {
  ShellResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = ::pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

inline bool HaveTool(const std::string& tool) {
  return Sh("command -v " + tool + " >/dev/null 2>&1").code == 0;
}

inline std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

// Deterministic pseudo-random bytes.
inline std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = char(rng() & 0xff);
  return s;
}

inline Digests DigestsOf(const std::string& path) {
  std::string md5 = Sh("md5sum " + Quote(path)).out.substr(0, 32);
  std::string sha1 = Sh("sha1sum " + Quote(path)).out.substr(0, 40);
  std::string sha256 = Sh("sha256sum " + Quote(path)).out.substr(0, 64);
  return {md5, sha1, sha256};
}

// A case with `items` raw evidence files under `dir`, acquired, scanned and packaged, every custody
// record sealed with `key`. Hashes come from coreutils, not from our code.
inline PackageInput SampleInput(const std::string& dir, const SigningKey& key, int items = 2,
                                size_t size = 300000) {
  PackageInput in;
  in.unit = {"Cybercrime Unit, Colombo", "LK"};
  in.case_info = {"1b4e28ba-2fa1-41d2-883f-0016d3cca427",
                  "2026/041",
                  "Fraudulent invoices",
                  "fraud",
                  "A. Perera",
                  "2026-12-01T09:00:00.000Z"};
  in.packaged_by = "A. Perera";
  in.recipient = "Public Prosecutor, Colombo";
  in.created = "2026-12-02T04:10:00.123Z";
  in.tool = "evidex 0.1.0";
  std::vector<CustodyRecord> records;
  auto append = [&](CustodyRecord r) {
    r.case_uuid = in.case_info.uuid;
    r.unit = in.unit.name + " (LK)";
    if (r.actor.empty()) r.actor = "A. Perera";
    Seal(r, records.empty() ? nullptr : &records.back(), key);
    records.push_back(std::move(r));
  };
  CustodyRecord created;
  created.action = "case-created";
  created.time = "2026-12-01T09:00:00.000Z";
  created.details = {{"number", in.case_info.number}};
  append(created);
  for (int i = 0; i < items; ++i) {
    PackageEvidence e;
    e.uuid = NameUuid("test-evidence-" + std::to_string(i));
    e.label = i == 0 ? "Laptop HDD" : "USB stick " + std::to_string(i);
    e.number = "EX-" + std::to_string(i + 1);
    e.description = "raw file (test)";
    e.mode = "copy";
    e.data = EvidenceData::kRaw;
    e.data_path = dir + "/evidence" + std::to_string(i) + ".raw";
    WriteFile(e.data_path, RandomBytes(size + size_t(i) * 4099, uint32_t(100 + i)));
    e.size = size + uint64_t(i) * 4099;
    e.digests = DigestsOf(e.data_path);
    e.examiner = "A. Perera";
    e.acquired_started = "2026-12-01T10:00:00.000Z";
    e.acquired_finished = "2026-12-01T10:05:00.000Z";
    CustodyRecord acq;
    acq.action = "acquired";
    acq.evidence = e.uuid;
    acq.time = "2026-12-01T10:05:00.000Z";
    acq.details = {{"md5", e.digests.md5},
                   {"sha1", e.digests.sha1},
                   {"sha256", e.digests.sha256},
                   {"size", e.size},
                   {"label", e.label}};
    append(acq);
    in.evidence.push_back(std::move(e));
  }
  CustodyRecord scanned;
  scanned.action = "scanned";
  scanned.evidence = in.evidence[0].uuid;
  scanned.time = "2026-12-01T11:00:00.000Z";
  append(scanned);
  CustodyRecord packaged;
  packaged.action = "packaged";
  packaged.time = in.created;
  packaged.details = {{"recipient", in.recipient}};
  append(packaged);
  in.custody = std::move(records);
  return in;
}

// A tar read whole into memory (tests only: small packages).
using Members = std::vector<std::pair<std::string, std::string>>;

inline Members ReadTar(const std::string& path) {
  Members out;
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  if (archive_read_open_filename(a, path.c_str(), 1 << 16) != ARCHIVE_OK) {
    archive_read_free(a);
    return out;
  }
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string data;
    char buf[65536];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) data.append(buf, size_t(n));
    out.emplace_back(archive_entry_pathname(e), std::move(data));
  }
  archive_read_free(a);
  return out;
}

inline void WriteTar(const std::string& path, const Members& members) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_open_filename(a, path.c_str());
  for (const auto& [name, data] : members) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_size(e, la_int64_t(data.size()));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0444);
    archive_write_header(a, e);
    archive_write_data(a, data.data(), data.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

inline std::string* FindMember(Members& m, const std::string& prefix) {
  for (auto& [name, data] : m)
    if (name.rfind(prefix, 0) == 0) return &data;
  return nullptr;
}

// Recomputes SHA256SUMS after an edit (what a careless forger would do).
inline void RecomputeSums(Members& m) {
  std::string sums;
  std::string* sums_member = nullptr;
  for (auto& [name, data] : m) {
    if (name == "SHA256SUMS") {
      sums_member = &data;
      break;
    }
    sums += Sha256Hex(data) + "  " + name + "\n";
  }
  if (sums_member) *sums_member = sums;
}

}  // namespace evidex::vault::testing

#endif  // EVIDEX_VAULT_PACKAGE_TEST_UTIL_H_
