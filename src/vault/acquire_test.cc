// Acquire and RehashStored end to end: every mode, every kind of source, and the bad cases
// (bad sectors, a source that shrinks, vanishes or is modified, cancellation, a full vault).
#include "vault/acquire.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <regex>
#include <thread>

#include "gtest/gtest.h"
#include "io/source.h"
#include "vault/acquire_internal.h"
#include "vault/e01_writer.h"
#include "vault/vault_test_util.h"

namespace evidex::vault {
namespace {

using testing::DeterministicBytes;
using testing::FilesUnder;
using testing::HaveTool;
using testing::OneShotDigests;
using testing::ReadWholeFile;
using testing::ShellQuote;
using testing::TempDir;
using testing::WriteFile;

// Small blocks so that small files take many of them.
AcquireTuning SmallTuning() {
  AcquireTuning t;
  t.block_size = 64 << 10;
  t.read_ahead_blocks = 4;
  t.verify_lag = 128 << 10;
  t.e01_threads = 2;
  return t;
}

AcquireOptions Options(const std::string& source, const std::string& vault, AcquireMode mode) {
  AcquireOptions o;
  o.source_path = source;
  o.vault_dir = vault;
  o.mode = mode;
  o.case_number = "2026/041";
  o.evidence_number = "EV-1";
  o.examiner = "Inspector Perera";
  o.description = "USB stick";
  o.notes = "test";
  return o;
}

// A source that fails reads touching `bad` ranges, and calls `on_read` before each read (to
// change the file under it).
class FaultySource : public Source {
 public:
  FaultySource(std::unique_ptr<Source> inner, std::vector<ByteRange> bad,
               std::function<void(uint64_t)> on_read = {})
      : inner_(std::move(inner)), bad_(std::move(bad)), on_read_(std::move(on_read)) {}
  uint64_t Size() const override { return inner_->Size(); }
  Result<size_t> ReadAt(uint64_t offset, std::span<std::byte> out) override {
    if (on_read_) on_read_(offset);
    for (const ByteRange& r : bad_) {
      if (offset < r.offset + r.length && r.offset < offset + out.size()) {
        return IoError("cannot read test source at offset " + std::to_string(offset) +
                       ": Input/output error");
      }
    }
    return inner_->ReadAt(offset, out);
  }
  std::string Describe() const override { return inner_->Describe(); }

 private:
  std::unique_ptr<Source> inner_;
  std::vector<ByteRange> bad_;
  std::function<void(uint64_t)> on_read_;
};

Result<AcquireResult> AcquireFaulty(const AcquireOptions& o, std::vector<ByteRange> bad,
                                    std::function<void(uint64_t)> on_read = {}) {
  Result<std::unique_ptr<Source>> inner = OpenSource(o.source_path);
  if (!inner.ok()) return inner.status();
  return AcquireSource(
      o, std::make_unique<FaultySource>(std::move(*inner), std::move(bad), std::move(on_read)),
      SmallTuning(), nullptr);
}

void ExpectRfc3339(const std::string& t) {
  EXPECT_TRUE(std::regex_match(t, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"))) << t;
}

void ExpectVaultEmpty(const std::string& vault) {
  EXPECT_EQ(FilesUnder(vault + "/objects"), std::vector<std::string>{});
  EXPECT_EQ(FilesUnder(vault + "/tmp"), std::vector<std::string>{});
}

TEST(Acquire, CopyHashesMatchOpenSslAndTheObjectIsStoredReadOnly) {
  for (size_t size :
       {size_t{0}, size_t{1}, size_t{65535}, size_t{3 * 65536 + 17}, size_t{(1 << 20) + 4097}}) {
    TempDir dir;
    std::string data = DeterministicBytes(size, size + 1);
    WriteFile(dir / "disk.dd", data);
    Result<AcquireResult> r = AcquireTuned(
        Options(dir / "disk.dd", dir / "vault", AcquireMode::kCopy), SmallTuning(), nullptr);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    Digests want = OneShotDigests(data);
    EXPECT_EQ(r->digests, want) << "size " << size;
    EXPECT_EQ(r->size, size);
    EXPECT_EQ(r->stored_size, size);
    EXPECT_EQ(r->stored_path, "objects/" + want.sha256.substr(0, 2) + "/" + want.sha256 + ".raw");
    EXPECT_TRUE(r->verified);
    EXPECT_FALSE(r->deduplicated);
    EXPECT_EQ(r->bad_sectors, 0u);
    EXPECT_EQ(r->source_description, "raw file " + (dir / "disk.dd"));
    EXPECT_EQ(r->device_model, "");
    ExpectRfc3339(r->started);
    ExpectRfc3339(r->finished);
    EXPECT_LE(r->started, r->finished);
    std::string stored = dir / ("vault/" + r->stored_path);
    EXPECT_TRUE(ReadWholeFile(stored) == data);
    struct stat st;
    ASSERT_EQ(::stat(stored.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0444u);
    EXPECT_EQ(FilesUnder(dir / "vault"), std::vector<std::string>{r->stored_path});
  }
}

TEST(Acquire, SecondCopyOfTheSameBytesIsDeduplicatedAndVerified) {
  TempDir dir;
  std::string data = DeterministicBytes(300000, 5);
  WriteFile(dir / "a.dd", data);
  WriteFile(dir / "b.dd", data);
  Result<AcquireResult> first = AcquireTuned(
      Options(dir / "a.dd", dir / "vault", AcquireMode::kCopy), SmallTuning(), nullptr);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  int phases_verifying = 0;
  Result<AcquireResult> second =
      AcquireTuned(Options(dir / "b.dd", dir / "vault", AcquireMode::kCopy), SmallTuning(),
                   [&](const AcquireProgress& p) {
                     if (std::string(p.phase) == "verifying") ++phases_verifying;
                   });
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->deduplicated);
  EXPECT_TRUE(second->verified);
  EXPECT_GT(phases_verifying, 0) << "the existing object was not re-read";
  EXPECT_EQ(second->stored_path, first->stored_path);
  EXPECT_EQ(FilesUnder(dir / "vault"), std::vector<std::string>{first->stored_path});
}

TEST(Acquire, DamagedExistingObjectIsNotTrusted) {
  TempDir dir;
  std::string data = DeterministicBytes(100000, 6);
  WriteFile(dir / "a.dd", data);
  Result<AcquireResult> first = AcquireTuned(
      Options(dir / "a.dd", dir / "vault", AcquireMode::kCopy), SmallTuning(), nullptr);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  std::string stored = dir / ("vault/" + first->stored_path);
  ::chmod(stored.c_str(), 0644);
  std::string damaged = data;
  damaged[500] ^= 1;
  WriteFile(stored, damaged);
  Result<AcquireResult> again = AcquireTuned(
      Options(dir / "a.dd", dir / "vault", AcquireMode::kCopy), SmallTuning(), nullptr);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Code::kCorrupt);
  EXPECT_NE(again.status().message().find("is damaged"), std::string::npos);
  EXPECT_EQ(FilesUnder(dir / "vault/tmp"), std::vector<std::string>{});
}

TEST(Acquire, ReferenceStoresNothingAndRehashesTheSource) {
  TempDir dir;
  std::string data = DeterministicBytes(200001, 7);
  WriteFile(dir / "disk.dd", data);
  Result<AcquireResult> r = AcquireTuned(
      Options(dir / "disk.dd", dir / "vault", AcquireMode::kReference), SmallTuning(), nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->digests, OneShotDigests(data));
  EXPECT_EQ(r->stored_path, "");
  EXPECT_FALSE(r->verified);
  EXPECT_EQ(FilesUnder(dir / "vault"), std::vector<std::string>{});
  Result<Digests> again =
      RehashStored(dir / "vault", dir / "disk.dd", AcquireMode::kReference, nullptr);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, r->digests);
  Result<Digests> sha_only =
      RehashStored(dir / "vault", dir / "disk.dd", AcquireMode::kReference, nullptr, kHashSha256);
  ASSERT_TRUE(sha_only.ok());
  EXPECT_EQ(sha_only->sha256, r->digests.sha256);
  EXPECT_EQ(sha_only->md5, "");
}

TEST(Acquire, RehashStoredFindsAFlippedByte) {
  TempDir dir;
  std::string data = DeterministicBytes(150000, 8);
  WriteFile(dir / "disk.dd", data);
  Result<AcquireResult> r = AcquireTuned(
      Options(dir / "disk.dd", dir / "vault", AcquireMode::kCopy), SmallTuning(), nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Result<Digests> same = RehashStored(dir / "vault", r->stored_path, AcquireMode::kCopy, nullptr);
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_EQ(*same, r->digests);

  std::string stored = dir / ("vault/" + r->stored_path);
  ASSERT_EQ(::chmod(stored.c_str(), 0644), 0);
  int fd = ::open(stored.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  char c = static_cast<char>(data[77777] ^ 0x20);
  ASSERT_EQ(::pwrite(fd, &c, 1, 77777), 1);
  ::close(fd);
  Result<Digests> changed =
      RehashStored(dir / "vault", r->stored_path, AcquireMode::kCopy, nullptr);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_NE(changed->md5, r->digests.md5);
  EXPECT_NE(changed->sha1, r->digests.sha1);
  EXPECT_NE(changed->sha256, r->digests.sha256);

  EXPECT_FALSE(RehashStored(dir / "vault", "../disk.dd", AcquireMode::kCopy, nullptr).ok());
  EXPECT_FALSE(RehashStored(dir / "vault", "/etc/passwd", AcquireMode::kCopy, nullptr).ok());
  Result<Digests> gone =
      RehashStored(dir / "vault", "objects/00/none.raw", AcquireMode::kCopy, nullptr);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), Code::kNotFound);
}

TEST(Acquire, SplitRawSetIsAcquiredAsOneImage) {
  TempDir dir;
  std::string data = DeterministicBytes(3 * 100000 + 5, 9);
  WriteFile(dir / "disk.001", data.substr(0, 100000));
  WriteFile(dir / "disk.002", data.substr(100000, 100000));
  WriteFile(dir / "disk.003", data.substr(200000));
  Result<AcquireResult> r = AcquireTuned(
      Options(dir / "disk.001", dir / "vault", AcquireMode::kCopy), SmallTuning(), nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->digests, OneShotDigests(data));
  EXPECT_EQ(r->source_description, "split raw set " + (dir / "disk.001") + " (3 parts)");
  EXPECT_TRUE(ReadWholeFile(dir / ("vault/" + r->stored_path)) == data);
}

// Media for E01 tests: compressible and not, a whole number of sectors.
std::string Media(size_t sectors, uint64_t seed) {
  std::string out = DeterministicBytes(sectors * 256, seed);
  out += std::string(sectors * 512 - out.size(), 'e');
  return out;
}

Status WriteE01File(const std::string& base, const std::string& data, int level) {
  BlockPool pool(1 << 20, 4);
  E01Options o;
  o.case_number = "SRC/1";
  o.compression = level;
  Result<std::unique_ptr<E01Writer>> w = E01Writer::Create(base, data.size(), o);
  if (!w.ok()) return w.status();
  for (size_t off = 0; off < data.size(); off += pool.block_size()) {
    std::shared_ptr<Block> b = pool.Get();
    b->size = std::min(pool.block_size(), data.size() - off);
    b->offset = off;
    std::memcpy(b->data(), data.data() + off, b->size);
    EVIDEX_RETURN_IF_ERROR((*w)->Append(std::move(b)));
  }
  return (*w)->Finish(OneShotDigests(data));
}

TEST(Acquire, E01SourceIsAcquiredAsItsMedia) {
  TempDir dir;
  std::string data = Media(3000, 10);
  EVIDEX_ASSERT_OK(WriteE01File(dir / "seized", data, 1));
  Result<AcquireResult> r = AcquireTuned(
      Options(dir / "seized.E01", dir / "vault", AcquireMode::kCopy), SmallTuning(), nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->digests, OneShotDigests(data));
  EXPECT_EQ(r->source_description, "E01 set " + (dir / "seized.E01") + " (1 segment)");
  EXPECT_TRUE(ReadWholeFile(dir / ("vault/" + r->stored_path)) == data);
}

TEST(Acquire, E01ModeWritesAVerifiedSetThatEwfverifyAccepts) {
  TempDir dir;
  std::string data = Media(5000, 11);
  WriteFile(dir / "disk.dd", data);
  std::vector<std::string> phases;
  AcquireOptions o = Options(dir / "disk.dd", dir / "vault", AcquireMode::kE01);
  o.e01_segment_size = 1 << 20;  // several segments
  Result<AcquireResult> r = AcquireTuned(o, SmallTuning(), [&](const AcquireProgress& p) {
    if (phases.empty() || phases.back() != p.phase) phases.push_back(p.phase);
  });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Digests want = OneShotDigests(data);
  EXPECT_EQ(r->digests, want);
  EXPECT_TRUE(r->verified);
  EXPECT_EQ(phases, (std::vector<std::string>{"reading", "verifying"}));
  std::regex layout("objects/" + want.sha256.substr(0, 2) + "/" + want.sha256 +
                    R"(\.ewf/[0-9a-f]{16}/image\.E01)");
  EXPECT_TRUE(std::regex_match(r->stored_path, layout)) << r->stored_path;
  std::string set_dir = r->stored_path.substr(0, r->stored_path.rfind('/'));
  std::vector<std::string> files = FilesUnder(dir / "vault");
  ASSERT_GE(files.size(), 2u);
  uint64_t total = 0;
  for (const std::string& f : files) {
    EXPECT_EQ(f.rfind(set_dir + "/image.E", 0), 0u) << f;
    struct stat st;
    ASSERT_EQ(::stat((dir / ("vault/" + f)).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0444u) << f;
    total += static_cast<uint64_t>(st.st_size);
  }
  EXPECT_EQ(r->stored_size, total);

  std::string first = dir / ("vault/" + r->stored_path);
  if (HaveTool("ewfverify")) {
    EXPECT_EQ(testing::Run("ewfverify -q " + ShellQuote(first) + " >/dev/null 2>&1"), 0);
  }
  if (HaveTool("ewfinfo")) {
    EXPECT_EQ(testing::Run("ewfinfo " + ShellQuote(first) + " | grep -q 2026/041"), 0);
  }
  Result<Digests> again = RehashStored(dir / "vault", r->stored_path, AcquireMode::kE01, nullptr);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, want);
  Result<std::unique_ptr<Source>> back = OpenSource(first);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(testing::ReadAll(**back, 1 << 20) == data);
}

TEST(Acquire, RefusesWhatCannotBeAcquired) {
  TempDir dir;
  WriteFile(dir / "odd.bin", std::string(1000, 'x'));
  Result<AcquireResult> r =
      Acquire(Options(dir / "odd.bin", dir / "vault", AcquireMode::kE01), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("multiple of 512"), std::string::npos);
  EXPECT_EQ(FilesUnder(dir / "vault"), std::vector<std::string>{});

  r = Acquire(Options(dir.path(), dir / "vault", AcquireMode::kCopy), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("is a directory"), std::string::npos);

  r = Acquire(Options(dir / "missing.dd", dir / "vault", AcquireMode::kCopy), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);

  r = Acquire(Options(dir / "odd.bin", "", AcquireMode::kCopy), nullptr);
  EXPECT_FALSE(r.ok());
}

TEST(Acquire, CancellationLeavesNothing) {
  for (AcquireMode mode : {AcquireMode::kCopy, AcquireMode::kE01}) {
    TempDir dir;
    WriteFile(dir / "disk.dd", Media(4096, 12));
    std::atomic<bool> cancel{false};
    AcquireOptions o = Options(dir / "disk.dd", dir / "vault", mode);
    o.cancel = &cancel;
    // Ctrl-C half way through.
    Result<AcquireResult> r = AcquireFaulty(o, {}, [&](uint64_t off) {
      if (off >= (1u << 20)) cancel = true;
    });
    ASSERT_FALSE(r.ok()) << ModeName(mode);
    EXPECT_EQ(r.status().code(), Code::kLimit);
    EXPECT_EQ(r.status().message(), "interrupted");
    ExpectVaultEmpty(dir / "vault");
  }
}

TEST(Acquire, LeftoversOfAKilledRunAreCleaned) {
  TempDir dir;
  WriteFile(dir / "disk.dd", "abc");
  ASSERT_EQ(::mkdir((dir / "vault").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((dir / "vault/tmp").c_str(), 0700), 0);
  ASSERT_EQ(::mkdir((dir / "vault/tmp/0123456789abcdef").c_str(), 0700), 0);
  WriteFile(dir / "vault/tmp/0123456789abcdef/object.raw", "half written");
  Result<AcquireResult> r =
      Acquire(Options(dir / "disk.dd", dir / "vault", AcquireMode::kCopy), nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(FilesUnder(dir / "vault/tmp"), std::vector<std::string>{});
}

TEST(Acquire, BadSectorsAreZeroFilledCountedAndListed) {
  for (AcquireMode mode : {AcquireMode::kCopy, AcquireMode::kE01}) {
    TempDir dir;
    std::string data = Media(1024, 13);
    WriteFile(dir / "disk.dd", data);
    // Sector 136 (one byte range inside it), sectors 390-391 (a range across their edge).
    Result<AcquireResult> r =
        AcquireFaulty(Options(dir / "disk.dd", dir / "vault", mode), {{70000, 100}, {200000, 512}});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->bad_sectors, 3u);
    EXPECT_EQ(r->bad_ranges, (std::vector<ByteRange>{{136 * 512, 512}, {390 * 512, 1024}}));
    EXPECT_NE(r->first_read_error.find("Input/output error"), std::string::npos);
    std::string zeroed = data;
    std::memset(zeroed.data() + 136 * 512, 0, 512);
    std::memset(zeroed.data() + 390 * 512, 0, 1024);
    EXPECT_EQ(r->digests, OneShotDigests(zeroed)) << ModeName(mode);
    EXPECT_TRUE(r->verified);
    if (mode == AcquireMode::kCopy) {
      EXPECT_TRUE(ReadWholeFile(dir / ("vault/" + r->stored_path)) == zeroed);
    } else if (HaveTool("ewfinfo")) {
      std::string cmd = "ewfinfo " + ShellQuote(dir / ("vault/" + r->stored_path)) +
                        " | grep -q 'at sector(s): 390 - 391'";
      EXPECT_EQ(testing::Run(cmd), 0) << "the E01 does not list the read errors";
    }
  }
}

TEST(Acquire, ADamagedChunkInAnE01SourceIsCountedAsBadSectors) {
  TempDir dir;
  std::string data = Media(2048, 14);  // first half random: stored raw at level 0
  EVIDEX_ASSERT_OK(WriteE01File(dir / "seized", data, 0));
  // Flip a byte of chunk 3 where its raw bytes sit in the segment file.
  std::string file = ReadWholeFile(dir / "seized.E01");
  size_t at = file.find(data.substr(3 * 32768 + 100, 64));
  ASSERT_NE(at, std::string::npos);
  file[at] ^= 0x01;
  WriteFile(dir / "seized.E01", file);
  Result<AcquireResult> r = AcquireTuned(
      Options(dir / "seized.E01", dir / "vault", AcquireMode::kCopy), SmallTuning(), nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // The damaged chunk [96 KiB, 128 KiB) is never passed on as good bytes. (How much around it
  // is counted depends on how precisely the E01 source reports the damage: exactly the chunk
  // when it fails every read of it, the whole read block when it fails only the first.)
  ASSERT_FALSE(r->bad_ranges.empty());
  EXPECT_GE(r->bad_sectors, 64u);
  EXPECT_LE(r->bad_sectors, SmallTuning().block_size / 512);
  uint64_t total = 0;
  std::string zeroed = data;
  for (const ByteRange& b : r->bad_ranges) {
    total += b.length;
    ASSERT_LE(b.offset + b.length, data.size());
    std::memset(zeroed.data() + b.offset, 0, b.length);
  }
  EXPECT_EQ(total, r->bad_sectors * 512);
  EXPECT_LE(r->bad_ranges.front().offset, 3u * 32768);
  EXPECT_GE(r->bad_ranges.back().offset + r->bad_ranges.back().length, 4u * 32768);
  EXPECT_NE(r->first_read_error.find("checksum error"), std::string::npos) << r->first_read_error;
  EXPECT_EQ(r->digests, OneShotDigests(zeroed));
  EXPECT_TRUE(ReadWholeFile(dir / ("vault/" + r->stored_path)) == zeroed);
}

TEST(Acquire, ASourceThatShrinksVanishesOrChangesIsAnErrorAndNothingIsStored) {
  struct Case {
    const char* name;
    std::function<void(const std::string&)> change;
    const char* message;
  };
  std::vector<Case> cases = {
      {"shrinks", [](const std::string& p) { ::truncate(p.c_str(), 100000); },
       "changed size during reading"},
      {"vanishes", [](const std::string& p) { ::unlink(p.c_str()); }, "vanished during reading"},
      {"is modified",
       [](const std::string& p) {
         int fd = ::open(p.c_str(), O_WRONLY);
         ::pwrite(fd, "!", 1, 10);
         // A write in the same clock tick as the file's creation may leave its time unchanged;
         // a real modification during an acquisition is later than that.
         struct stat st;
         ::fstat(fd, &st);
         struct timespec later[2] = {{0, UTIME_OMIT}, st.st_mtim};
         later[1].tv_sec += 1;
         ::futimens(fd, later);
         ::close(fd);
       },
       "was modified during reading"},
  };
  for (const Case& c : cases) {
    TempDir dir;
    std::string path = dir / "disk.dd";
    WriteFile(path, Media(1024, 15));
    bool done = false;
    Result<AcquireResult> r =
        AcquireFaulty(Options(path, dir / "vault", AcquireMode::kCopy), {}, [&](uint64_t off) {
          if (off >= 131072 && !done) {
            done = true;
            c.change(path);
          }
        });
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_NE(r.status().message().find(c.message), std::string::npos)
        << c.name << ": " << r.status().message();
    ExpectVaultEmpty(dir / "vault");
  }
}

// The mapped read path (acquire_map.h): a raw file is mapped in windows; truncated while it is
// acquired — before a window is read, or under blocks already handed to the hashes, the writer
// and the read-back — it is a clear error, never a crash, and nothing is stored.
TEST(Acquire, AMappedSourceTruncatedAfterTheFirstWindowIsAnErrorNotACrash) {
  for (bool on_a_thread : {false, true}) {
    for (uint64_t keep : {uint64_t{0}, uint64_t{1} << 20, uint64_t{(1 << 20) + 300000}}) {
      TempDir dir;
      std::string path = dir / "disk.dd";
      WriteFile(path, DeterministicBytes(8 << 20, 21));
      AcquireTuning t = SmallTuning();
      t.map_window = 1 << 20;
      int windows = 0;
      std::thread truncator;
      t.on_map_window = [&](uint64_t offset) {
        ++windows;
        if (offset < (1 << 20) || truncator.joinable()) return;
        auto cut = [path, keep] { ::truncate(path.c_str(), static_cast<off_t>(keep)); };
        if (on_a_thread) {
          truncator = std::thread(cut);
        } else {
          cut();
          truncator = std::thread([] {});
        }
      };
      Result<AcquireResult> r =
          AcquireTuned(Options(path, dir / "vault", AcquireMode::kCopy), t, nullptr);
      if (truncator.joinable()) truncator.join();
      EXPECT_GE(windows, 2);
      ASSERT_FALSE(r.ok()) << "keep " << keep;
      EXPECT_NE(r.status().message().find("during reading"), std::string::npos)
          << r.status().message();
      ExpectVaultEmpty(dir / "vault");
    }
  }
}

TEST(Acquire, AMappedSourceIsReadInWindowsWithTheSameResult) {
  TempDir dir;
  std::string path = dir / "disk.dd";
  std::string data = DeterministicBytes((5 << 20) + 4097, 22);
  WriteFile(path, data);
  for (size_t window : {size_t{0}, size_t{1} << 20, size_t{32} << 20}) {
    for (AcquireMode mode : {AcquireMode::kCopy, AcquireMode::kReference}) {
      AcquireTuning t = SmallTuning();
      t.map_window = window;
      int windows = 0;
      t.on_map_window = [&](uint64_t) { ++windows; };
      Result<AcquireResult> r = AcquireTuned(Options(path, dir / "vault", mode), t, nullptr);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(r->digests, OneShotDigests(data));
      EXPECT_EQ(windows, window == 0 ? 0 : window == (1u << 20) ? 6 : 1);
      if (mode == AcquireMode::kCopy) {
        EXPECT_TRUE(r->verified);
        EXPECT_TRUE(ReadWholeFile(dir / ("vault/" + r->stored_path)) == data);
      }
    }
  }
}

TEST(Acquire, ProgressIsReportedAtMostTenTimesASecond) {
  TempDir dir;
  WriteFile(dir / "disk.dd", DeterministicBytes(8 << 20, 16));
  std::vector<AcquireProgress> seen;
  auto t0 = std::chrono::steady_clock::now();
  AcquireTuning t = SmallTuning();
  t.block_size = 32 << 10;  // many blocks: many chances to report
  Result<AcquireResult> r =
      AcquireTuned(Options(dir / "disk.dd", dir / "vault", AcquireMode::kCopy), t,
                   [&](const AcquireProgress& p) { seen.push_back(p); });
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_GE(seen.size(), 2u);
  // One at the start and one at the end of the phase are forced; the rest is throttled.
  EXPECT_LE(static_cast<double>(seen.size()), seconds * 10 + 3);
  EXPECT_EQ(seen.front().bytes_done, 0u);
  EXPECT_EQ(seen.back().bytes_done, 8u << 20);
  EXPECT_EQ(seen.back().bytes_total, 8u << 20);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i].bytes_done, seen[i - 1].bytes_done);
}

TEST(Acquire, FullVaultDiskGivesAClearErrorAndLeavesNothing) {
  testing::SmallTmpfs fs("2m");
  if (!fs.mounted()) GTEST_SKIP() << "no small file system to fill: " << fs.why();
  TempDir dir;
  WriteFile(dir / "disk.dd", DeterministicBytes(4 << 20, 17));
  for (AcquireMode mode : {AcquireMode::kCopy, AcquireMode::kE01}) {
    Result<AcquireResult> r =
        AcquireTuned(Options(dir / "disk.dd", fs.path() + "/vault", mode), SmallTuning(), nullptr);
    ASSERT_FALSE(r.ok()) << ModeName(mode);
    EXPECT_EQ(r.status().message().rfind("vault disk full writing " + fs.path() + "/vault/tmp/", 0),
              0u)
        << r.status().message();
    ExpectVaultEmpty(fs.path() + "/vault");
  }
}

TEST(Acquire, LoopDeviceIsAcquiredAsARawDevice) {
  TempDir dir;
  std::string data = DeterministicBytes(1 << 20, 18);
  WriteFile(dir / "img", data);
  testing::LoopDevice loop(dir / "img");
  if (!loop.attached()) GTEST_SKIP() << "no loop device: " << loop.why();
  Result<AcquireResult> r = AcquireTuned(Options(loop.device(), dir / "vault", AcquireMode::kCopy),
                                         SmallTuning(), nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->source_description, "raw device " + loop.device());
  EXPECT_EQ(r->digests, OneShotDigests(data));
  EXPECT_TRUE(r->verified);
}

TEST(Acquire, ModeNames) {
  EXPECT_STREQ(ModeName(AcquireMode::kCopy), "copy");
  EXPECT_STREQ(ModeName(AcquireMode::kReference), "reference");
  EXPECT_STREQ(ModeName(AcquireMode::kE01), "e01");
}

}  // namespace
}  // namespace evidex::vault
