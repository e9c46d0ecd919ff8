// acquire_bench: times one vault::Acquire (or RehashStored) of SOURCE into VAULT and prints one
// JSON line (mode, bytes, seconds, MB/s, digests, verified). Used by bench/acquire.sh until the
// CLI's `evidex acquire` exists, and to compare pipeline settings (block size, read-ahead,
// read-back lag, E01 threads). The stored object is removed afterwards unless --keep, so that
// repeated runs measure a fresh write instead of content-addressed deduplication.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "vault/acquire.h"
#include "vault/acquire_internal.h"

namespace {

// Removes a stored object (files are 0444, an E01 set's directory 0555).
void RemoveStored(const std::string& vault, const std::string& rel) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::path(vault) / rel;
  if (rel.size() > 4 && rel.compare(rel.size() - 4, 4, ".E01") == 0) p = p.parent_path();
  if (fs::is_directory(p, ec)) {
    fs::permissions(p, fs::perms::owner_all, fs::perm_options::add, ec);
  }
  fs::remove_all(p, ec);
}

}  // namespace

int main(int argc, char** argv) {
  using evidex::vault::AcquireMode;
  CLI::App app("acquire_bench: time one acquisition");
  std::string source, vault, mode = "copy";
  size_t block_kib = 0, ahead = 0, lag_mib = 0;
  long map_mib = -1;
  int level = 1, threads = 0, hash_threads = 0;
  bool keep = false;
  app.add_option("source", source, "source to acquire")->required();
  app.add_option("vault", vault, "vault directory")->required();
  app.add_option("--mode", mode, "copy, e01, reference, or rehash (re-read the source, 3 hashes)");
  app.add_option("--block", block_kib, "block size in KiB");
  app.add_option("--ahead", ahead, "read-ahead blocks");
  app.add_option("--lag", lag_mib, "copy: read-back lag in MiB");
  app.add_option("--level", level, "E01 compression level 0, 1, 2");
  app.add_option("--threads", threads, "E01 compression threads (0: one per CPU)");
  app.add_option("--hash-threads", hash_threads,
                 "0 auto, 4 MD5 on the reader, 3 one per hash, 2 MD5 apart, 1 one thread");
  app.add_option("--map-window", map_mib,
                 "MiB of a raw source file mapped at a time (0: read with pread, as before)");
  app.add_flag("--keep", keep, "keep the stored object");
  CLI11_PARSE(app, argc, argv);

  evidex::vault::AcquireTuning tuning;
  if (block_kib > 0) tuning.block_size = block_kib << 10;
  if (ahead > 0) tuning.read_ahead_blocks = ahead;
  if (lag_mib > 0) tuning.verify_lag = lag_mib << 20;
  if (map_mib >= 0) tuning.map_window = static_cast<size_t>(map_mib) << 20;
  tuning.e01_threads = threads;
  tuning.hash_threads = hash_threads == 4   ? evidex::HashThreads::kMd5OnCaller
                        : hash_threads == 3 ? evidex::HashThreads::kOnePerHash
                        : hash_threads == 2 ? evidex::HashThreads::kMd5Apart
                        : hash_threads == 1 ? evidex::HashThreads::kOneThread
                                            : evidex::HashThreads::kAuto;

  nlohmann::json out;
  out["mode"] = mode;
  out["block_kib"] = tuning.block_size >> 10;
  out["map_window_mib"] = tuning.map_window >> 20;
  auto t0 = std::chrono::steady_clock::now();
  if (mode == "rehash") {
    evidex::Result<evidex::Digests> d =
        evidex::vault::RehashStored(vault, source, AcquireMode::kReference, nullptr);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!d.ok()) {
      std::fprintf(stderr, "acquire_bench: %s\n", d.status().ToString().c_str());
      return 1;
    }
    struct stat st;
    uint64_t bytes = ::stat(source.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
    out["bytes"] = bytes;
    out["seconds"] = s;
    out["mb_per_s"] = bytes / s / 1e6;
    out["md5"] = d->md5;
    out["sha1"] = d->sha1;
    out["sha256"] = d->sha256;
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  evidex::vault::AcquireOptions options;
  options.source_path = source;
  options.vault_dir = vault;
  options.mode = mode == "e01"         ? AcquireMode::kE01
                 : mode == "reference" ? AcquireMode::kReference
                                       : AcquireMode::kCopy;
  options.case_number = "BENCH/1";
  options.evidence_number = "1";
  options.examiner = "acquire_bench";
  options.description = "benchmark";
  options.e01_compression = level;
  evidex::Result<evidex::vault::AcquireResult> r =
      evidex::vault::AcquireTuned(options, tuning, nullptr);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!r.ok()) {
    std::fprintf(stderr, "acquire_bench: %s\n", r.status().ToString().c_str());
    return 1;
  }
  out["bytes"] = r->size;
  out["seconds"] = s;
  out["mb_per_s"] = r->size / s / 1e6;
  out["md5"] = r->digests.md5;
  out["sha1"] = r->digests.sha1;
  out["sha256"] = r->digests.sha256;
  out["verified"] = r->verified;
  out["stored_path"] = r->stored_path;
  out["stored_size"] = r->stored_size;
  std::printf("%s\n", out.dump().c_str());
  if (!keep && !r->stored_path.empty()) RemoveStored(vault, r->stored_path);
  return 0;
}
