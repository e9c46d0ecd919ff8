// Walk over images made here by the real tools (mkfs.fat + mtools, mkfs.ext4 -d, mkntfs +
// ntfscp, mkfs.exfat with files added by our own writer from the exFAT specification, xorriso,
// sfdisk): names, sizes, content hashes, times, deleted entries, partitions, extents, and what
// a corrupt, truncated, random or empty source gives; and
// UnallocatedRuns over the same images (deleted content inside a run, live content and
// filesystem structures outside every run, gaps and unread partitions as fs "" runs), checked
// against TSK's own blkls where it is installed.
#include "fs/filesystem.h"

#include <openssl/evp.h>

#include <cctype>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>

#include "gtest/gtest.h"
#include "io/source.h"
#include "io/test_util.h"

namespace evidex::fs {
namespace {

using evidex::testing::DeterministicBytes;
using evidex::testing::HaveTool;
using evidex::testing::Run;
using evidex::testing::ShellQuote;
using evidex::testing::TempDir;
using evidex::testing::WriteFile;

std::string Hex(const unsigned char* md, unsigned len) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return Hex(md, len);
}

// One visited entry, with its content hashed through the ContentReader (EVP, piece by piece).
struct Seen {
  FileSystem fs;
  FileEntry entry;
  std::string sha256;   // of the content read (regular files)
  std::string content;  // the first 4 MiB of it
  Status read;
};

struct Walked {
  WalkReport report;
  std::vector<Seen> seen;
  const Seen* Find(const std::string& path, const std::string& fs_type = "") const {
    for (const Seen& s : seen)
      if (s.entry.path == path && (fs_type.empty() || s.fs.type == fs_type)) return &s;
    return nullptr;
  }
};

Walked WalkSource(Source& source, WalkOptions options = {}) {
  Walked w;
  Result<WalkReport> r =
      Walk(source, options, [&](const FileSystem& fs, const FileEntry& e, ContentReader& c) {
        Seen s{fs, e, "", "", Status::Ok()};
        if (e.type == FileEntry::Type::kRegular) {
          EVP_MD_CTX* ctx = EVP_MD_CTX_new();
          EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
          s.read = c.Read([&](std::span<const std::byte> piece) {
            EXPECT_LE(piece.size(), size_t(1) << 20);
            EVP_DigestUpdate(ctx, piece.data(), piece.size());
            if (s.content.size() < (size_t(4) << 20))
              s.content.append(reinterpret_cast<const char*>(piece.data()), piece.size());
            return true;
          });
          unsigned char md[EVP_MAX_MD_SIZE];
          unsigned len = 0;
          EVP_DigestFinal_ex(ctx, md, &len);
          EVP_MD_CTX_free(ctx);
          s.sha256 = Hex(md, len);
        }
        w.seen.push_back(std::move(s));
        return true;
      });
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (r.ok()) w.report = std::move(*r);
  EXPECT_EQ(w.report.entries, w.seen.size());
  return w;
}

Walked WalkPath(const std::string& path, WalkOptions options = {}) {
  Result<std::unique_ptr<Source>> s = OpenSource(path);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  if (!s.ok()) return {};
  return WalkSource(**s, options);
}

// Walks an image holding one filesystem (no partition table) of `type` labelled `label`.
Walked WalkOne(const std::string& path, const std::string& type, const std::string& label,
               bool extents = false) {
  WalkOptions options;
  options.extents = extents;
  Walked w = WalkPath(path, options);
  EXPECT_TRUE(w.report.partitions.empty());
  EXPECT_EQ(w.report.filesystems.size(), 1u);
  if (w.report.filesystems.size() == 1) {
    EXPECT_EQ(w.report.filesystems[0].type, type);
    EXPECT_EQ(w.report.filesystems[0].label, label);
    EXPECT_EQ(w.report.filesystems[0].offset, 0u);
    EXPECT_EQ(w.report.filesystems[0].partition, -1);
  }
  return w;
}

// Reads the source at each extent: together they must be the file's content.
void ExpectExtentsHoldContent(const std::string& image, const Seen& s) {
  SCOPED_TRACE(s.entry.path);
  ASSERT_FALSE(s.entry.extents.empty());
  Result<std::unique_ptr<Source>> src = OpenSource(image);
  ASSERT_TRUE(src.ok());
  std::string rebuilt(s.entry.size, '\0');
  uint64_t covered = 0;
  for (const Extent& x : s.entry.extents) {
    ASSERT_LE(x.file_offset + x.length, s.entry.size);
    std::vector<std::byte> buf(x.length);
    Result<size_t> n = (*src)->ReadAt(x.source_offset, buf);
    ASSERT_TRUE(n.ok());
    ASSERT_EQ(*n, x.length);
    std::memcpy(rebuilt.data() + x.file_offset, buf.data(), x.length);
    covered += x.length;
  }
  EXPECT_EQ(covered, s.entry.size);
  EXPECT_TRUE(rebuilt == s.content);
}

// Runs a fixture command (mtools without its media checks); fails the test when it fails.
void Sh(const std::string& command) {
  ASSERT_EQ(Run("export MTOOLS_SKIP_CHECK=1 TZ=UTC; " + command + " >/dev/null 2>&1"), 0)
      << command;
}

#define REQUIRE_TOOL(name)                                                      \
  do {                                                                          \
    if (!HaveTool(name)) GTEST_SKIP() << name << " is not installed (fixture)"; \
  } while (0)

// Sets TZ for the life of the object, so that FAT times cannot come out right by accident.
class ScopedTz {
 public:
  explicit ScopedTz(const char* tz) {
    const char* old = std::getenv("TZ");
    had_ = old != nullptr;
    if (had_) old_ = old;
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~ScopedTz() {
    if (had_) {
      ::setenv("TZ", old_.c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }

 private:
  bool had_ = false;
  std::string old_;
};

constexpr int64_t k20210304_050608 = 1614834368;  // 2021-03-04 05:06:08 UTC
constexpr int64_t k20200102_030405 = 1577934245;  // 2020-01-02 03:04:05 UTC

// A FAT12 image: /a.txt (known time), /sub/keep.bin, and /sub/deleted-report.bin written then
// deleted.
struct FatFixture {
  std::string image, a, keep, gone;
};

void MakeFat(const TempDir& dir, FatFixture* f) {
  f->image = dir / "fat.img";
  f->a = "alpha\n";
  f->keep = DeterministicBytes(70000, 1);
  f->gone = DeterministicBytes(9000, 2);
  WriteFile(dir / "a.txt", f->a);
  WriteFile(dir / "keep.bin", f->keep);
  WriteFile(dir / "deleted-report.bin", f->gone);
  const std::string img = ShellQuote(f->image);
  Sh("touch -d '2021-03-04 05:06:08' " + ShellQuote(dir / "a.txt"));
  Sh("mkfs.fat -C -n EVIDEXFAT " + img + " 4096");
  Sh("mcopy -m -i " + img + " " + ShellQuote(dir / "a.txt") + " ::a.txt");
  Sh("mmd -i " + img + " ::sub");
  Sh("mcopy -i " + img + " " + ShellQuote(dir / "deleted-report.bin") +
     " ::sub/deleted-report.bin");
  Sh("mcopy -i " + img + " " + ShellQuote(dir / "keep.bin") + " ::sub/keep.bin");
  Sh("mdel -i " + img + " ::sub/deleted-report.bin");
}

TEST(FatTest, NamesContentTimesDeletedAndExtents) {
  REQUIRE_TOOL("mkfs.fat");
  REQUIRE_TOOL("mcopy");
  TempDir dir;
  FatFixture f;
  ASSERT_NO_FATAL_FAILURE(MakeFat(dir, &f));
  ScopedTz tz("America/New_York");  // TSK reads FAT times as local time; Walk undoes that
  Walked w = WalkOne(f.image, "fat12", "EVIDEXFAT", true);
  EXPECT_TRUE(w.report.notes.empty()) << w.report.notes[0];

  const Seen* a = w.Find("/a.txt");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->entry.name, "a.txt");
  EXPECT_EQ(a->entry.type, FileEntry::Type::kRegular);
  EXPECT_EQ(a->entry.size, f.a.size());
  EXPECT_FALSE(a->entry.deleted);
  EXPECT_EQ(a->sha256, Sha256Hex(f.a));
  EXPECT_TRUE(a->read.ok());
  EXPECT_TRUE(a->entry.modified.set);
  EXPECT_EQ(a->entry.modified.seconds, k20210304_050608);
  EXPECT_TRUE(a->entry.accessed.set);  // FAT keeps the access date only
  EXPECT_EQ(a->entry.accessed.seconds, k20210304_050608 - (5 * 3600 + 6 * 60 + 8));
  EXPECT_FALSE(a->entry.changed.set);  // FAT has no metadata-change time
  ExpectExtentsHoldContent(f.image, *a);

  const Seen* sub = w.Find("/sub");
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->entry.type, FileEntry::Type::kDirectory);
  const Seen* keep = w.Find("/sub/keep.bin");
  ASSERT_NE(keep, nullptr);
  EXPECT_EQ(keep->entry.size, f.keep.size());
  EXPECT_EQ(keep->sha256, Sha256Hex(f.keep));
  ExpectExtentsHoldContent(f.image, *keep);

  // The deleted file: its long name survives (its short name loses the first character), and
  // its clusters were not reused, so TSK recovers the content.
  const Seen* gone = nullptr;
  for (const Seen& s : w.seen)
    if (s.entry.deleted && s.entry.path.starts_with("/sub/") && s.entry.size == f.gone.size())
      gone = &s;
  ASSERT_NE(gone, nullptr);
  EXPECT_TRUE(gone->entry.name == "deleted-report.bin" || gone->entry.name == "_ELETE~1.BIN")
      << gone->entry.name;
  EXPECT_EQ(gone->entry.type, FileEntry::Type::kRegular);
  EXPECT_TRUE(gone->read.ok()) << gone->read.ToString();
  EXPECT_EQ(gone->sha256, Sha256Hex(f.gone));
  ExpectExtentsHoldContent(f.image, *gone);

  // Not listed: ".", "..", the label entry, TSK's virtual $MBR/$FAT1/$FAT2.
  std::set<std::string> paths;
  for (const Seen& s : w.seen) {
    EXPECT_TRUE(paths.insert(s.entry.path).second) << "listed twice: " << s.entry.path;
    EXPECT_NE(s.entry.name, ".");
    EXPECT_NE(s.entry.name, "..");
    EXPECT_EQ(s.entry.path.find("Volume Label"), std::string::npos);
  }
  EXPECT_EQ(paths.count("/$MBR"), 0u);
  EXPECT_EQ(paths.count("/$FAT1"), 0u);
}

TEST(FatTest, WithoutDeletedListsNoDeletedEntries) {
  REQUIRE_TOOL("mkfs.fat");
  REQUIRE_TOOL("mcopy");
  TempDir dir;
  FatFixture f;
  ASSERT_NO_FATAL_FAILURE(MakeFat(dir, &f));
  WalkOptions options;
  options.deleted = false;
  Walked w = WalkPath(f.image, options);
  EXPECT_NE(w.Find("/sub/keep.bin"), nullptr);
  for (const Seen& s : w.seen) {
    EXPECT_FALSE(s.entry.deleted) << s.entry.path;
    EXPECT_FALSE(s.entry.path.starts_with("/$OrphanFiles")) << s.entry.path;
    EXPECT_TRUE(s.entry.extents.empty());  // not asked for
  }
}

TEST(FatTest, StopsWhenEachReturnsFalse) {
  REQUIRE_TOOL("mkfs.fat");
  REQUIRE_TOOL("mcopy");
  TempDir dir;
  FatFixture f;
  ASSERT_NO_FATAL_FAILURE(MakeFat(dir, &f));
  Result<std::unique_ptr<Source>> s = OpenSource(f.image);
  ASSERT_TRUE(s.ok());
  int calls = 0;
  Result<WalkReport> r = Walk(**s, {}, [&](const FileSystem&, const FileEntry&, ContentReader&) {
    ++calls;
    return false;
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(r->entries, 1u);
}

// Finds a FAT short directory entry by its 11-byte name and attribute byte; its offset or npos.
size_t FindDirEntry(const std::string& image, const std::string& name83, char attr) {
  return image.find(name83 + attr);
}

TEST(FatTest, DirectoryLoopsAndAliasesEndAndListEachDirectoryOnce) {
  REQUIRE_TOOL("mkfs.fat");
  REQUIRE_TOOL("mmd");
  TempDir dir;
  const std::string image = dir / "loop.img";
  WriteFile(dir / "x", "x");
  Sh("mkfs.fat -C " + ShellQuote(image) + " 1024");
  Sh("mmd -i " + ShellQuote(image) + " ::A");
  Sh("mmd -i " + ShellQuote(image) + " ::A/B");
  Sh("mcopy -i " + ShellQuote(image) + " " + ShellQuote(dir / "x") + " ::A/B/X");
  Sh("mcopy -i " + ShellQuote(image) + " " + ShellQuote(dir / "x") + " ::Y");
  std::ifstream in(image, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t a = FindDirEntry(bytes, "A          ", '\x10');
  const size_t x = FindDirEntry(bytes, "X          ", '\x20');
  const size_t y = FindDirEntry(bytes, "Y          ", '\x20');
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(x, std::string::npos);
  ASSERT_NE(y, std::string::npos);
  // A/B/X becomes a directory that is A (a loop); Y becomes a second name for A (an alias).
  for (size_t e : {x, y}) {
    bytes[e + 11] = '\x10';
    bytes[e + 26] = bytes[a + 26];
    bytes[e + 27] = bytes[a + 27];
    bytes[e + 28] = bytes[e + 29] = bytes[e + 30] = bytes[e + 31] = '\0';
  }
  WriteFile(image, bytes);
  Walked w = WalkPath(image);
  EXPECT_NE(w.Find("/A/B"), nullptr);
  EXPECT_NE(w.Find("/A/B/X"), nullptr);
  EXPECT_NE(w.Find("/Y"), nullptr);
  EXPECT_EQ(w.Find("/A/B/X/B"), nullptr);
  EXPECT_EQ(w.Find("/Y/B"), nullptr);
  EXPECT_LT(w.seen.size(), 10u);
}

TEST(Ext4Test, NamesContentTimesLabelSymlinkAndExtents) {
  REQUIRE_TOOL("mkfs.ext4");
  TempDir dir;
  const std::string root = dir / "root";
  std::filesystem::create_directories(root + "/docs/deep");
  const std::string small = "hello ext4\n";
  const std::string big = DeterministicBytes(300001, 3);  // several extents' worth of blocks
  WriteFile(root + "/a.txt", small);
  WriteFile(root + "/docs/deep/big.bin", big);
  WriteFile(root + "/empty", "");
  std::filesystem::create_symlink("a.txt", root + "/link");
  Sh("touch -d '2020-01-02 03:04:05 UTC' " + ShellQuote(root + "/a.txt") + " " +
     ShellQuote(root + "/docs/deep/big.bin") + " " + ShellQuote(root + "/docs"));
  const std::string image = dir / "ext4.img";
  Sh("truncate -s 8M " + ShellQuote(image));
  Sh("mkfs.ext4 -q -I 256 -L EVIDEXEXT -d " + ShellQuote(root) + " " + ShellQuote(image));
  Walked w = WalkOne(image, "ext4", "EVIDEXEXT", true);
  ASSERT_EQ(w.report.filesystems.size(), 1u);
  EXPECT_EQ(w.report.filesystems[0].block_count * w.report.filesystems[0].block_size, 8u << 20);

  const Seen* a = w.Find("/a.txt");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->sha256, Sha256Hex(small));
  EXPECT_EQ(a->entry.modified.seconds, k20200102_030405);
  EXPECT_EQ(a->entry.accessed.seconds, k20200102_030405);
  EXPECT_EQ(a->entry.modified.nanoseconds, 0u);
  EXPECT_TRUE(a->entry.changed.set);
  EXPECT_TRUE(a->entry.created.set);  // 256-byte inodes keep the birth time
  EXPECT_GT(a->entry.address, 0u);
  ExpectExtentsHoldContent(image, *a);

  const Seen* big_seen = w.Find("/docs/deep/big.bin");
  ASSERT_NE(big_seen, nullptr);
  EXPECT_EQ(big_seen->entry.size, big.size());
  EXPECT_EQ(big_seen->sha256, Sha256Hex(big));
  ExpectExtentsHoldContent(image, *big_seen);
  const Seen* docs = w.Find("/docs");
  ASSERT_NE(docs, nullptr);
  EXPECT_EQ(docs->entry.type, FileEntry::Type::kDirectory);
  EXPECT_EQ(docs->entry.modified.seconds, k20200102_030405);
  const Seen* empty = w.Find("/empty");
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->entry.size, 0u);
  EXPECT_EQ(empty->sha256, Sha256Hex(""));
  EXPECT_TRUE(empty->entry.extents.empty());
  const Seen* link = w.Find("/link");
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->entry.type, FileEntry::Type::kSymlink);
  EXPECT_NE(w.Find("/lost+found"), nullptr);
}

// ---- ext2/3 block maps (block pointers, not extents) ----------------------------------------

using Chunks = std::vector<std::pair<uint64_t, std::string>>;  // (file offset, bytes)

// A file of `size` bytes holding `chunks`, with holes everywhere else.
void WriteSparse(const std::string& path, uint64_t size, const Chunks& chunks) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (const auto& [offset, bytes] : chunks) {
      out.seekp(std::streamoff(offset));
      out.write(bytes.data(), std::streamsize(bytes.size()));
    }
  }
  std::filesystem::resize_file(path, size);
}

// The extents of a sparse file hold exactly its chunks: each reads from the source as the file
// has it there (chunk bytes, zeros around them in the same blocks), and every chunk byte is in
// one.
void ExpectSparseExtents(const std::string& image, const FileEntry& e, const Chunks& chunks) {
  SCOPED_TRACE(e.path);
  Result<std::unique_ptr<Source>> src = OpenSource(image);
  ASSERT_TRUE(src.ok());
  for (const Extent& x : e.extents) {
    ASSERT_LE(x.file_offset + x.length, e.size);
    ASSERT_LE(x.length, uint64_t(1) << 24);
    std::string want(x.length, '\0');
    for (const auto& [offset, bytes] : chunks) {
      const uint64_t from = std::max(offset, x.file_offset);
      const uint64_t to = std::min(offset + bytes.size(), x.file_offset + x.length);
      if (from < to)
        want.replace(from - x.file_offset, to - from, bytes.substr(from - offset, to - from));
    }
    std::string got(x.length, '\0');
    Result<size_t> n = (*src)->ReadAt(
        x.source_offset, std::span(reinterpret_cast<std::byte*>(got.data()), got.size()));
    ASSERT_TRUE(n.ok());
    ASSERT_EQ(*n, x.length);
    EXPECT_TRUE(got == want) << "extent at file offset " << x.file_offset;
  }
  for (const auto& [offset, bytes] : chunks) {
    uint64_t covered = 0;
    for (const Extent& x : e.extents) {
      const uint64_t from = std::max(offset, x.file_offset);
      const uint64_t to = std::min(offset + bytes.size(), x.file_offset + x.length);
      if (from < to) covered += to - from;
    }
    EXPECT_EQ(covered, bytes.size()) << "chunk at " << offset;
  }
}

// TSK's own loader took 15 s over this file (a run for every pointer of the triple-indirect
// tree, each appended in time linear in the runs): its data at every level of the block tree
// comes back, in content and in extents.
TEST(Ext2Test, BlockPointerFileThroughTripleIndirectHasItsContentAndExtents) {
  REQUIRE_TOOL("mke2fs");
  TempDir dir;
  std::filesystem::create_directories(dir / "root");
  const uint64_t size = uint64_t(70) << 20;  // 1 KiB blocks: triple indirect from 65,804 KiB
  const Chunks chunks{{0, DeterministicBytes(5000, 11)},                    // direct
                      {200000, DeterministicBytes(3000, 12)},               // single indirect
                      {uint64_t(5) << 20, DeterministicBytes(4096, 13)},    // double
                      {uint64_t(66) << 20, DeterministicBytes(10000, 14)},  // triple
                      {size - 777, DeterministicBytes(777, 15)}};
  WriteSparse(dir / "root/levels.bin", size, chunks);
  const std::string image = dir / "ext2.img";
  Sh("mke2fs -q -t ext2 -b 1024 -d " + ShellQuote(dir / "root") + " " + ShellQuote(image) + " 4M");
  Walked w = WalkOne(image, "ext2", "", true);
  EXPECT_TRUE(w.report.notes.empty()) << w.report.notes[0];
  const Seen* f = w.Find("/levels.bin");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->entry.size, size);
  EXPECT_TRUE(f->read.ok()) << f->read.ToString();
  std::string whole(size, '\0');
  for (const auto& [offset, bytes] : chunks) whole.replace(offset, bytes.size(), bytes);
  EXPECT_EQ(f->sha256, Sha256Hex(whole));
  ExpectSparseExtents(image, f->entry, chunks);
  EXPECT_LE(f->entry.extents.size(), 10u);
}

// With 4 KiB blocks the triple-indirect tree starts past 4 GiB, and TSK's own loader took hours
// over a file reaching it (1,048,576 runs); this test's time limit is the check.
TEST(Ext3Test, FilePastFourGiBIsMappedInOnePass) {
  REQUIRE_TOOL("mke2fs");
  TempDir dir;
  std::filesystem::create_directories(dir / "root");
  const uint64_t size = uint64_t(4400) << 20;
  const Chunks chunks{{0, DeterministicBytes(100, 16)},
                      {uint64_t(4300) << 20, DeterministicBytes(20000, 17)},
                      {size - 50, DeterministicBytes(50, 18)}};
  WriteSparse(dir / "root/huge.bin", size, chunks);
  const std::string image = dir / "ext3.img";
  Sh("mke2fs -q -t ext3 -b 4096 -d " + ShellQuote(dir / "root") + " " + ShellQuote(image) + " 8M");
  Result<std::unique_ptr<Source>> src = OpenSource(image);
  ASSERT_TRUE(src.ok());
  WalkOptions options;
  options.extents = true;
  std::optional<FileEntry> huge;
  std::string head;
  Result<WalkReport> r =
      Walk(**src, options, [&](const FileSystem&, const FileEntry& e, ContentReader& c) {
        if (e.path != "/huge.bin") return true;
        huge = e;
        EXPECT_TRUE(c.Read([&](std::span<const std::byte> piece) {
                       head.append(reinterpret_cast<const char*>(piece.data()), piece.size());
                       return false;  // the first piece is enough
                     }).ok());
        return true;
      });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->notes.empty()) << r->notes[0];
  ASSERT_EQ(r->filesystems.size(), 1u);
  EXPECT_EQ(r->filesystems[0].type, "ext3");
  ASSERT_TRUE(huge.has_value());
  EXPECT_EQ(huge->size, size);
  ExpectSparseExtents(image, *huge, chunks);
  ASSERT_GE(head.size(), 4096u);
  EXPECT_EQ(head.substr(0, 100), chunks[0].second);
  EXPECT_EQ(head.substr(100, 3996), std::string(3996, '\0'));
}

// Block maps a fuzzer or an attacker can write, made with debugfs on an ext2 image of 1,024
// blocks: an indirect tree that points at itself (65,536 data pointers, more than the
// filesystem's blocks), a data block past the filesystem, and a size of 768 MiB over one block
// (what fs_walk_fuzz found: 25 s in TSK's loader). The walk ends at once; the first two files
// have no extents and a note each; the third is a file with holes.
TEST(Ext2Test, CorruptBlockMapsEndAtOnceWithANote) {
  REQUIRE_TOOL("mke2fs");
  REQUIRE_TOOL("debugfs");
  TempDir dir;
  std::filesystem::create_directories(dir / "root");
  const std::string self = DeterministicBytes(1024, 21);
  const std::string evil = DeterministicBytes(1000, 22);
  const std::string far = DeterministicBytes(1000, 23);
  const std::string claims = DeterministicBytes(1000, 24);
  WriteFile(dir / "root/a.txt", "fine\n");
  WriteFile(dir / "root/self.bin", self);
  WriteFile(dir / "root/evil.bin", evil);
  WriteFile(dir / "root/far.bin", far);
  WriteFile(dir / "root/claims.bin", claims);
  const std::string image = dir / "ext2.img";
  Sh("mke2fs -q -t ext2 -b 1024 -d " + ShellQuote(dir / "root") + " " + ShellQuote(image) + " 1M");
  // self.bin's block becomes 256 pointers to itself.
  std::string bytes;
  {
    std::ifstream in(image, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const size_t at = bytes.find(self);
  ASSERT_NE(at, std::string::npos);
  ASSERT_EQ(at % 1024, 0u);
  const uint32_t block = uint32_t(at / 1024);
  for (size_t i = 0; i < 1024; i += 4)
    for (int b = 0; b < 4; ++b) bytes[at + i + size_t(b)] = char(block >> (8 * b));
  WriteFile(image, bytes);
  const std::string img = ShellQuote(image);
  for (const std::string& set :
       {"/evil.bin block[DIND] " + std::to_string(block), std::string("/evil.bin size 67108864"),
        std::string("/far.bin block[0] 0x7fffff00"), std::string("/claims.bin size 0x30000000")})
    Sh("debugfs -w -R " + ShellQuote("sif " + set) + " " + img);

  Result<std::unique_ptr<Source>> src = OpenSource(image);
  ASSERT_TRUE(src.ok());
  WalkOptions options;
  options.extents = true;
  std::map<std::string, std::pair<FileEntry, Status>> seen;
  std::map<std::string, std::string> heads;
  Result<WalkReport> r =
      Walk(**src, options, [&](const FileSystem&, const FileEntry& e, ContentReader& c) {
        std::string& head = heads[e.path];
        Status read = c.Read([&](std::span<const std::byte> piece) {
          head.append(reinterpret_cast<const char*>(piece.data()), piece.size());
          return head.size() < (size_t(1) << 20);
        });
        seen[e.path] = {e, read};
        return true;
      });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->notes.size(), 2u);
  std::string notes = r->notes[0] + "\n" + r->notes[1];
  EXPECT_NE(notes.find("ext2 at byte 0: /evil.bin (metadata address "), std::string::npos) << notes;
  EXPECT_NE(notes.find("more blocks than the filesystem's 1024"), std::string::npos) << notes;
  EXPECT_NE(notes.find("ext2 at byte 0: /far.bin (metadata address "), std::string::npos) << notes;
  EXPECT_NE(notes.find("blocks 2147483392 to 2147483392 are past the filesystem's 1024"),
            std::string::npos)
      << notes;
  EXPECT_NE(notes.find("no extents, its content is read through TSK"), std::string::npos) << notes;

  ASSERT_EQ(seen.count("/evil.bin"), 1u);
  EXPECT_TRUE(seen["/evil.bin"].first.extents.empty());
  EXPECT_EQ(seen["/evil.bin"].second.code(), Code::kCorrupt) << seen["/evil.bin"].second.ToString();
  ASSERT_EQ(seen.count("/far.bin"), 1u);
  EXPECT_TRUE(seen["/far.bin"].first.extents.empty());
  EXPECT_FALSE(seen["/far.bin"].second.ok());

  ASSERT_EQ(seen.count("/claims.bin"), 1u);
  const FileEntry& c = seen["/claims.bin"].first;
  EXPECT_EQ(c.size, uint64_t(768) << 20);
  ASSERT_EQ(c.extents.size(), 1u);
  EXPECT_EQ(c.extents[0].file_offset, 0u);
  EXPECT_EQ(c.extents[0].length, 1024u);
  EXPECT_TRUE(seen["/claims.bin"].second.ok()) << seen["/claims.bin"].second.ToString();
  EXPECT_EQ(heads["/claims.bin"].substr(0, 1000), claims);
  EXPECT_EQ(heads["/claims.bin"].substr(1000, 4096), std::string(4096, '\0'));

  EXPECT_EQ(heads["/a.txt"], "fine\n");
  EXPECT_EQ(seen["/a.txt"].first.extents.size(), 1u);
}

// ---- ext4 inodes kept from TSK; orphan files -------------------------------------------------

// Points the names in `names` that debugfs's unlink left in directory slack at inode 0, so that
// no name points to their inodes any more (orphans). How many names it changed.
int UnnameExt(const std::string& image, const std::vector<std::string>& names) {
  std::string bytes;
  {
    std::ifstream in(image, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  int changed = 0;
  for (const std::string& name : names) {
    // An ext directory entry: inode (4 bytes), record length (2), name length (1), type (1), name.
    for (size_t at = bytes.find(name); at != std::string::npos; at = bytes.find(name, at + 1)) {
      if (at < 8 || uint8_t(bytes[at - 2]) != name.size()) continue;
      bytes.replace(at - 8, 4, 4, '\0');
      ++changed;
    }
  }
  WriteFile(image, bytes);
  return changed;
}

void Debugfs(const std::string& image, const std::vector<std::string>& requests) {
  for (const std::string& request : requests)
    Sh("debugfs -w -R " + ShellQuote(request) + " " + ShellQuote(image));
}

// ext4 inline data (content inside the inode: 60 bytes, then its system.data attribute) is read
// through TSK. An inode flagged inline data that claims more than its inode holds is kept from
// TSK, which would allocate and zero the size claimed (fs_walk_fuzz: 1.9 GB and 30 s for 784 MiB
// claims): a name pointing to it is listed without metadata or content, with a note; the orphan
// search skips it, with a note.
TEST(Ext4Test, InlineDataIsReadAndOversizedClaimsAreKeptFromTsk) {
  REQUIRE_TOOL("mke2fs");
  REQUIRE_TOOL("debugfs");
  TempDir dir;
  const std::string root = dir / "root";
  std::filesystem::create_directories(root);
  const std::string small = "inline, in the block pointers\n";
  const std::string mid = DeterministicBytes(100, 31);  // 60 bytes, then 40 in system.data
  WriteFile(root + "/small.txt", small);
  WriteFile(root + "/mid.bin", mid);
  WriteFile(root + "/claims.txt", "claims 2 GiB\n");
  WriteFile(root + "/gone.txt", "an orphan soon\n");
  const std::string image = dir / "inline.img";
  Sh("mke2fs -q -t ext4 -O inline_data -I 256 -b 1024 -d " + ShellQuote(root) + " " +
     ShellQuote(image) + " 1M");
  WalkOptions options;
  options.deleted = true;
  uint64_t claims = 0, gone = 0;
  {
    Walked w = WalkPath(image, options);
    EXPECT_TRUE(w.report.notes.empty()) << w.report.notes[0];
    const Seen* c = w.Find("/claims.txt");
    const Seen* g = w.Find("/gone.txt");
    ASSERT_NE(c, nullptr);
    ASSERT_NE(g, nullptr);
    claims = c->entry.address;
    gone = g->entry.address;
  }
  const std::string at_gone = "<" + std::to_string(gone) + ">";
  Debugfs(image, {"sif /claims.txt size 0x80000000", "kill_file /gone.txt", "unlink /gone.txt",
                  "sif " + at_gone + " size 0x80000000"});
  ASSERT_EQ(UnnameExt(image, {"gone.txt"}), 1);

  Walked w = WalkOne(image, "ext4", "");  // no deleted entries: no orphan search
  EXPECT_NE(w.Find("/claims.txt"), nullptr);
  w = WalkPath(image, options);
  const Seen* s = w.Find("/small.txt");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->sha256, Sha256Hex(small));
  const Seen* m = w.Find("/mid.bin");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->sha256, Sha256Hex(mid));
  const Seen* c = w.Find("/claims.txt");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->entry.address, claims);
  EXPECT_EQ(c->entry.type, FileEntry::Type::kRegular);  // from the name
  EXPECT_EQ(c->entry.size, 0u);
  EXPECT_FALSE(c->entry.modified.set);
  EXPECT_TRUE(c->read.ok());
  EXPECT_EQ(c->sha256, Sha256Hex(""));
  for (const Seen& e : w.seen) EXPECT_NE(e.entry.address, gone) << e.entry.path;

  const std::string claim =
      " is flagged ext4 inline data but claims 2147483648 bytes (2 GiB), "
      "more than its 256-byte inode holds";
  ASSERT_EQ(w.report.notes.size(), 2u);
  EXPECT_EQ(w.report.notes[0], "ext4 at byte 0: /claims.txt (metadata address " +
                                   std::to_string(claims) + "): inode " + std::to_string(claims) +
                                   claim + "; not read: listed without metadata or content");
  const std::string skipped =
      "ext4 at byte 0: the search for orphan files skipped 1 unallocated inode kept from TSK";
  EXPECT_EQ(w.report.notes[1], skipped + " (inode " + std::to_string(gone) + claim + ")");
}

// TSK reads a directory through all the size it claims, holes and all: 5 seconds for 4 GiB of a
// corrupt one (fs_walk_fuzz). One claiming more than its filesystem is listed, its entries not,
// with a note; the walk ends at once.
TEST(Ext4Test, DirectoryClaimingMoreThanItsFilesystemIsListedWithoutItsEntries) {
  REQUIRE_TOOL("mke2fs");
  REQUIRE_TOOL("debugfs");
  TempDir dir;
  const std::string root = dir / "root";
  std::filesystem::create_directories(root + "/big");
  WriteFile(root + "/big/inside.txt", "inside\n");
  WriteFile(root + "/a.txt", "stays\n");
  const std::string image = dir / "bigdir.img";
  Sh("mke2fs -q -t ext4 -b 1024 -d " + ShellQuote(root) + " " + ShellQuote(image) + " 1M");
  Debugfs(image, {"sif /big size 0xfffffc00"});
  Walked w = WalkOne(image, "ext4", "");
  const Seen* big = w.Find("/big");
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(big->entry.type, FileEntry::Type::kDirectory);
  EXPECT_EQ(big->entry.size, 0xfffffc00u);
  EXPECT_EQ(w.Find("/big/inside.txt"), nullptr);
  EXPECT_NE(w.Find("/a.txt"), nullptr);
  ASSERT_EQ(w.report.notes.size(), 1u);
  EXPECT_EQ(w.report.notes[0], "ext4 at byte 0: /big (metadata address " +
                                   std::to_string(big->entry.address) + "): directory inode " +
                                   std::to_string(big->entry.address) +
                                   " claims 4294966272 bytes (4.0 GiB), more than its "
                                   "filesystem holds (1 MiB); its entries are not read");
}

// Orphan files are found by evidex, to TSK's rules, not by TSK's search. Made with debugfs: files
// and directories freed and unlinked, their names then pointing at inode 0. orph.bin is also in
// latedir, an orphan directory found after it, so it is listed there only; selfdir holds an
// entry naming itself, so it is in its own tree: TSK takes it out of $OrphanFiles by copying the
// last entry (late.txt's) into its place, but the last entry is selfdir's own, copied onto
// itself (AddressSanitizer stops there; fs_walk_fuzz found it with a FAT image), and selfdir is
// lost with all under it. Here it stays.
TEST(Ext4Test, OrphansAreListedOnceAndADirectoryNamingItselfStays) {
  REQUIRE_TOOL("mke2fs");
  REQUIRE_TOOL("debugfs");
  TempDir dir;
  const std::string root = dir / "root";
  std::filesystem::create_directories(root + "/orphdir");
  const std::string orph = DeterministicBytes(3000, 41);
  WriteFile(root + "/a.txt", "stays\n");
  WriteFile(root + "/orphdir/x1", "x1\n");
  WriteFile(root + "/orphdir/x2", "x2\n");
  WriteFile(root + "/orph.bin", orph);
  const std::string image = dir / "orphans.img";
  Sh("mke2fs -q -t ext4 -b 1024 -d " + ShellQuote(root) + " " + ShellQuote(image) + " 2M");
  // latedir (made after orph.bin: a higher inode) holds orph.bin; selfdir holds itself.
  WriteFile(dir / "late.txt", "late\n");
  Debugfs(image, {"mkdir /latedir", "ln /orph.bin /latedir/hard", "mkdir /selfdir",
                  "ln /selfdir /selfdir/me", "write " + (dir / "late.txt") + " /late.txt"});
  std::map<std::string, uint64_t> inode;
  {
    Walked w = WalkPath(image);
    for (const char* path : {"/orphdir", "/orphdir/x1", "/orphdir/x2", "/orph.bin", "/latedir",
                             "/selfdir", "/late.txt"}) {
      const Seen* s = w.Find(path);
      ASSERT_NE(s, nullptr) << path;
      inode[path] = s->entry.address;
    }
  }
  ASSERT_LT(inode["/orphdir"], inode["/orphdir/x1"]);
  ASSERT_LT(inode["/orph.bin"], inode["/latedir"]);
  ASSERT_LT(inode["/latedir"], inode["/selfdir"]);
  ASSERT_LT(inode["/selfdir"], inode["/late.txt"]);
  Debugfs(image, {"kill_file /orphdir/x1", "kill_file /orphdir/x2", "kill_file /orphdir",
                  "kill_file /orph.bin", "kill_file /latedir", "kill_file /selfdir",
                  "kill_file /late.txt", "unlink /orphdir", "unlink /orph.bin", "unlink /latedir",
                  "unlink /selfdir", "unlink /late.txt"});
  ASSERT_EQ(UnnameExt(image, {"orphdir", "orph.bin", "latedir", "selfdir", "late.txt"}), 5);

  WalkOptions options;
  options.deleted = true;
  Walked w = WalkPath(image, options);
  EXPECT_TRUE(w.report.notes.empty()) << w.report.notes[0];
  auto orphan = [&](const std::string& dir_path) {
    return "/$OrphanFiles/OrphanFile-" + std::to_string(inode[dir_path]);
  };
  std::set<std::string> top;
  for (const Seen& s : w.seen) {
    if (!s.entry.path.starts_with("/$OrphanFiles/")) continue;
    if (s.entry.path.find('/', 14) == std::string::npos) {
      EXPECT_TRUE(top.insert(s.entry.path).second) << "listed twice: " << s.entry.path;
    }
    EXPECT_TRUE(s.entry.deleted) << s.entry.path;
  }
  EXPECT_EQ(top, (std::set<std::string>{orphan("/orphdir"), orphan("/latedir"), orphan("/selfdir"),
                                        orphan("/late.txt")}));
  EXPECT_NE(w.Find(orphan("/orphdir") + "/x1"), nullptr);
  EXPECT_NE(w.Find(orphan("/orphdir") + "/x2"), nullptr);
  const Seen* hard = w.Find(orphan("/latedir") + "/hard");
  ASSERT_NE(hard, nullptr);
  EXPECT_EQ(hard->entry.address, inode["/orph.bin"]);
  EXPECT_EQ(hard->sha256, Sha256Hex(orph));
  const Seen* me = w.Find(orphan("/selfdir") + "/me");
  ASSERT_NE(me, nullptr);
  EXPECT_EQ(me->entry.type, FileEntry::Type::kDirectory);
  EXPECT_NE(w.Find("/a.txt"), nullptr);
}

TEST(NtfsTest, FileContentAndLabel) {
  REQUIRE_TOOL("mkntfs");
  REQUIRE_TOOL("ntfscp");
  TempDir dir;
  const std::string image = dir / "ntfs.img";
  const std::string data = DeterministicBytes(123457, 4);
  WriteFile(dir / "report.bin", data);
  WriteFile(dir / "tiny.txt", "tiny");
  Sh("truncate -s 16M " + ShellQuote(image));
  if (evidex::testing::Run("mkntfs -F -Q -L EVIDEXNTFS " + ShellQuote(image) +
                           " >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "mkntfs cannot make an image file here";
  Sh("ntfscp " + ShellQuote(image) + " " + ShellQuote(dir / "report.bin") + " report.bin");
  Sh("ntfscp " + ShellQuote(image) + " " + ShellQuote(dir / "tiny.txt") + " tiny.txt");
  Walked w = WalkOne(image, "ntfs", "EVIDEXNTFS", true);
  const Seen* r = w.Find("/report.bin");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->entry.size, data.size());
  EXPECT_EQ(r->sha256, Sha256Hex(data));
  EXPECT_TRUE(r->entry.modified.set && r->entry.accessed.set && r->entry.changed.set &&
              r->entry.created.set);
  ExpectExtentsHoldContent(image, *r);
  const Seen* tiny = w.Find("/tiny.txt");
  ASSERT_NE(tiny, nullptr);
  EXPECT_EQ(tiny->sha256, Sha256Hex("tiny"));
  EXPECT_TRUE(tiny->entry.extents.empty());  // resident in its MFT entry
  EXPECT_NE(w.Find("/$MFT"), nullptr);
}

TEST(ExfatTest, TypeAndLabel) {
  // The empty volume; files in one: FilesTimesHashesAndADeletedFile.
  REQUIRE_TOOL("mkfs.exfat");
  TempDir dir;
  const std::string image = dir / "exfat.img";
  Sh("truncate -s 8M " + ShellQuote(image));
  Sh("mkfs.exfat -L EVXFAT " + ShellQuote(image));
  Walked w = WalkOne(image, "exfat", "EVXFAT");
  EXPECT_NE(w.Find("/$UPCASE_TABLE"), nullptr);
  for (const Seen& s : w.seen) EXPECT_EQ(s.entry.path.find("Volume Label"), std::string::npos);
}

// ---- exFAT: files added by our own generator ------------------------------------------------
// exfatprogs has no tool that copies files in without mounting, so ExfatImage adds files to an
// empty volume made by mkfs.exfat, written from Microsoft's "exFAT file system specification":
// contiguous clusters taken from the allocation bitmap, content written there, and a File /
// Stream Extension / File Name entry set (NoFatChain, so the FAT is left alone) put in free
// slots of the root directory.
class ExfatImage {
 public:
  explicit ExfatImage(const std::string& path) : path_(path) {
    std::ifstream in(path, std::ios::binary);
    bytes_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (bytes_.size() < 512 || bytes_.compare(3, 8, "EXFAT   ") != 0) return;
    const uint64_t sector = uint64_t(1) << U8(108);       // BytesPerSectorShift
    cluster_size_ = sector << U8(109);                    // SectorsPerClusterShift
    heap_ = uint64_t(U32(88)) * sector;                   // ClusterHeapOffset
    cluster_count_ = U32(92);                             // ClusterCount
    root_ = ClusterOffset(U32(96));                       // FirstClusterOfRootDirectory
    for (uint64_t at = root_; at < root_ + cluster_size_; at += 32) {
      const uint8_t type = U8(at);
      if (type == 0x81) bitmap_ = ClusterOffset(U32(at + 20));  // Allocation Bitmap
      if (type == 0x82) have_upcase_ = true;                    // Up-case Table
    }
    ok_ = bitmap_ != 0 && have_upcase_ && cluster_size_ != 0;
  }
  bool ok() const { return ok_; }
  uint64_t cluster_size() const { return cluster_size_; }

  // Adds a file (ASCII name) to the root directory with the given modified (and create and
  // accessed) time, UTC seconds, kept as a UTC wall clock (UtcOffset valid, +0). Returns the
  // offset of its File entry in the image, or 0 when there is no room.
  uint64_t AddFile(const std::string& name, const std::string& content, int64_t modified) {
    if (!ok_ || name.empty() || name.size() > 255) return 0;
    const uint32_t clusters = uint32_t((content.size() + cluster_size_ - 1) / cluster_size_);
    uint32_t first = 0;
    if (clusters > 0) {
      first = FindFree(clusters);
      if (first == 0) return 0;
      for (uint32_t c = first; c < first + clusters; ++c) SetBit(c, true);
      bytes_.replace(ClusterOffset(first), content.size(), content);
    }
    const size_t name_entries = (name.size() + 14) / 15;
    const size_t count = 2 + name_entries;
    std::string set(count * 32, '\0');
    // File entry.
    set[0] = char(0x85);
    set[1] = char(count - 1);  // SecondaryCount
    Put(set, 4, 0x20, 2);      // FileAttributes: Archive
    const uint32_t ts = DosTimestamp(modified);
    Put(set, 8, ts, 4);        // CreateTimestamp
    Put(set, 12, ts, 4);       // LastModifiedTimestamp
    Put(set, 16, ts, 4);       // LastAccessedTimestamp
    set[20] = set[21] = char((modified % 2) * 100);  // Create/LastModified 10msIncrement: odd second
    set[22] = set[23] = set[24] = char(0x80);  // UtcOffsets: valid, +0
    // Stream Extension entry.
    set[32] = char(0xC0);
    set[33] = char(clusters > 0 ? 0x03 : 0x01);  // AllocationPossible | NoFatChain
    set[35] = char(name.size());                 // NameLength
    uint16_t hash = 0;
    for (char ch : name) {  // NameHash over the up-cased UTF-16LE name
      const uint16_t u = uint16_t(std::toupper(static_cast<unsigned char>(ch)));
      for (uint8_t b : {uint8_t(u & 0xff), uint8_t(u >> 8)})
        hash = uint16_t(((hash & 1) ? 0x8000 : 0) + (hash >> 1) + b);
    }
    Put(set, 36, hash, 2);
    Put(set, 40, content.size(), 8);  // ValidDataLength
    Put(set, 52, first, 4);           // FirstCluster
    Put(set, 56, content.size(), 8);  // DataLength
    // File Name entries, 15 UTF-16 characters each.
    for (size_t i = 0; i < name.size(); ++i) {
      const size_t e = 2 + i / 15;
      set[e * 32] = char(0xC1);
      Put(set, e * 32 + 2 + (i % 15) * 2, static_cast<unsigned char>(name[i]), 2);
    }
    uint16_t sum = 0;  // SetChecksum: every byte of the set but the checksum's own (2 and 3)
    for (size_t i = 0; i < set.size(); ++i) {
      if (i == 2 || i == 3) continue;
      sum = uint16_t(((sum & 1) ? 0x8000 : 0) + (sum >> 1) + static_cast<uint8_t>(set[i]));
    }
    Put(set, 2, sum, 2);
    // The first run of free slots (InUse clear, end-of-directory 0x00 included) in the root.
    size_t run = 0;
    for (uint64_t at = root_; at < root_ + cluster_size_; at += 32) {
      run = (U8(at) & 0x80) ? 0 : run + 1;
      if (run == count) {
        const uint64_t start = at + 32 - count * 32;
        bytes_.replace(start, set.size(), set);
        return start;
      }
    }
    return 0;
  }

  // Deletes the file whose File entry is at `entry` as a driver does: InUse cleared in every
  // entry of its set (0x85 -> 0x05, 0xC0 -> 0x40, 0xC1 -> 0x41) and its clusters freed in the
  // bitmap; the entries and the content stay where they are.
  void Delete(uint64_t entry) {
    const size_t count = 1 + U8(entry + 1);
    const uint32_t first = U32(entry + 32 + 20);
    const uint64_t size = U64(entry + 32 + 24);
    for (size_t i = 0; i < count; ++i) bytes_[entry + i * 32] = char(U8(entry + i * 32) & 0x7f);
    const uint32_t clusters = uint32_t((size + cluster_size_ - 1) / cluster_size_);
    for (uint32_t c = first; first != 0 && c < first + clusters; ++c) SetBit(c, false);
  }

  void Save() const {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(bytes_.data(), std::streamsize(bytes_.size()));
  }

 private:
  uint8_t U8(uint64_t at) const { return static_cast<uint8_t>(bytes_[at]); }
  uint64_t Le(uint64_t at, int n) const {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | U8(at + i);
    return v;
  }
  uint32_t U32(uint64_t at) const { return uint32_t(Le(at, 4)); }
  uint64_t U64(uint64_t at) const { return Le(at, 8); }
  static void Put(std::string& s, size_t at, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) s[at + i] = char((v >> (8 * i)) & 0xff);
  }
  uint64_t ClusterOffset(uint32_t cluster) const {
    return heap_ + uint64_t(cluster - 2) * cluster_size_;
  }
  bool Bit(uint32_t cluster) const {
    const uint32_t i = cluster - 2;
    return (U8(bitmap_ + i / 8) >> (i % 8)) & 1;
  }
  void SetBit(uint32_t cluster, bool on) {
    const uint32_t i = cluster - 2;
    char& b = bytes_[bitmap_ + i / 8];
    const unsigned mask = 1u << (i % 8);
    b = char(on ? (U8(bitmap_ + i / 8) | mask) : (U8(bitmap_ + i / 8) & ~mask));
  }
  // The first cluster of `n` contiguous free ones, 0 when there is none.
  uint32_t FindFree(uint32_t n) const {
    uint32_t run = 0;
    for (uint32_t c = 2; c < cluster_count_ + 2; ++c) {
      run = Bit(c) ? 0 : run + 1;
      if (run == n) return c + 1 - n;
    }
    return 0;
  }
  // exFAT's timestamp: DoubleSeconds 0-4, Minute 5-10, Hour 11-15, Day 16-20, Month 21-24,
  // Year-1980 25-31.
  static uint32_t DosTimestamp(int64_t seconds) {
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return uint32_t(tm.tm_sec / 2) | uint32_t(tm.tm_min) << 5 | uint32_t(tm.tm_hour) << 11 |
           uint32_t(tm.tm_mday) << 16 | uint32_t(tm.tm_mon + 1) << 21 |
           uint32_t(tm.tm_year + 1900 - 1980) << 25;
  }

  std::string path_;
  std::string bytes_;
  bool ok_ = false;
  bool have_upcase_ = false;
  uint64_t cluster_size_ = 0, heap_ = 0, root_ = 0, bitmap_ = 0;
  uint32_t cluster_count_ = 0;
};

TEST(ExfatTest, FilesTimesHashesAndADeletedFile) {
  REQUIRE_TOOL("mkfs.exfat");
  ScopedTz tz("America/New_York");  // TSK reads exFAT times as local time; Walk undoes that
  TempDir dir;
  const std::string image = dir / "exfat.img";
  Sh("truncate -s 16M " + ShellQuote(image));
  Sh("mkfs.exfat -L EVXFAT " + ShellQuote(image));
  const std::string report = "exFAT report, written by our own generator\n";
  const std::string big = DeterministicBytes(70000, 21);
  const std::string gone = DeterministicBytes(5000, 22);
  {
    ExfatImage x(image);
    ASSERT_TRUE(x.ok());
    ASSERT_LT(x.cluster_size(), big.size() / 2);  // the big file spans several clusters
    ASSERT_NE(x.AddFile("report.txt", report, k20210304_050608), 0u);
    ASSERT_NE(x.AddFile("a-rather-long-name-over-two-entries.bin", big, k20200102_030405), 0u);
    const uint64_t g = x.AddFile("gone.dat", gone, k20200102_030405);
    ASSERT_NE(g, 0u);
    x.Delete(g);
    x.Save();
  }
  if (HaveTool("fsck.exfat")) {
    EXPECT_EQ(evidex::testing::Run("fsck.exfat -n " + ShellQuote(image) + " >/dev/null 2>&1"), 0)
        << "fsck.exfat -n finds the generated volume inconsistent";
  }
  Walked w = WalkOne(image, "exfat", "EVXFAT", true);
  const Seen* r = w.Find("/report.txt");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->entry.name, "report.txt");
  EXPECT_FALSE(r->entry.deleted);
  EXPECT_EQ(r->entry.size, report.size());
  EXPECT_EQ(r->sha256, Sha256Hex(report));
  EXPECT_TRUE(r->entry.modified.set);
  EXPECT_EQ(r->entry.modified.seconds, k20210304_050608);
  ExpectExtentsHoldContent(image, *r);
  const Seen* b = w.Find("/a-rather-long-name-over-two-entries.bin");
  ASSERT_NE(b, nullptr);
  EXPECT_FALSE(b->entry.deleted);
  EXPECT_EQ(b->entry.size, big.size());
  EXPECT_EQ(b->sha256, Sha256Hex(big));
  // An odd second: the timestamp keeps 2-second steps and LastModified10msIncrement (100 here)
  // the odd one, which TSK 4.11 drops (it takes the increment modulo 100, as FAT's tenths).
  EXPECT_EQ(b->entry.modified.seconds, k20200102_030405 - 1);
  EXPECT_EQ(b->entry.modified.nanoseconds, 0u);
  ExpectExtentsHoldContent(image, *b);
  const Seen* g = w.Find("/gone.dat");
  ASSERT_NE(g, nullptr);
  EXPECT_TRUE(g->entry.deleted);
  EXPECT_EQ(g->entry.size, gone.size());
  EXPECT_EQ(g->sha256, Sha256Hex(gone));  // its clusters are free but not yet reused
}

TEST(Iso9660Test, NamesContentAndLabel) {
  REQUIRE_TOOL("xorriso");
  TempDir dir;
  const std::string root = dir / "root";
  std::filesystem::create_directories(root + "/docs");
  const std::string data = DeterministicBytes(100000, 5);
  WriteFile(root + "/docs/data.bin", data);
  WriteFile(root + "/readme.txt", "read me\n");
  const std::string image = dir / "cd.iso";
  Sh("xorriso -as mkisofs -quiet -J -R -V EVIDEXCD -o " + ShellQuote(image) + " " +
     ShellQuote(root));
  Walked w = WalkOne(image, "iso9660", "EVIDEXCD", true);
  const Seen* d = w.Find("/docs/data.bin");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->sha256, Sha256Hex(data));
  ExpectExtentsHoldContent(image, *d);
  const Seen* r = w.Find("/readme.txt");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->sha256, Sha256Hex("read me\n"));
}

// 24 MiB: FAT at 1 MiB (4 MiB), ext4 at 5 MiB (8 MiB), random bytes at 13 MiB (2 MiB).
// Skips the test when a tool is missing (callers check IsSkipped()).
void MakePartitioned(const TempDir& dir, const std::string& label, std::string* image) {
  REQUIRE_TOOL("sfdisk");
  REQUIRE_TOOL("mkfs.fat");
  REQUIRE_TOOL("mcopy");
  REQUIRE_TOOL("mkfs.ext4");
  FatFixture f;
  ASSERT_NO_FATAL_FAILURE(MakeFat(dir, &f));
  const std::string root = dir / "extroot";
  std::filesystem::create_directories(root);
  WriteFile(root + "/e.txt", "in ext4\n");
  const std::string ext = dir / "part.ext4";
  Sh("truncate -s 8M " + ShellQuote(ext));
  Sh("mkfs.ext4 -q -d " + ShellQuote(root) + " " + ShellQuote(ext));
  WriteFile(dir / "random", DeterministicBytes(2 << 20, 6));
  *image = dir / (label + ".img");
  Sh("truncate -s 24M " + ShellQuote(*image));
  const bool gpt = label == "gpt";
  std::string table = "label: " + label + "\n";
  table += "start=2048, size=8192, type=" +
           std::string(gpt ? "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name=data" : "c") + "\n";
  table += "start=10240, size=16384, type=" +
           std::string(gpt ? "0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=linux" : "83") + "\n";
  table += "start=26624, size=4096, type=" +
           std::string(gpt ? "0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=secret" : "83") + "\n";
  WriteFile(dir / "table", table);
  Sh("sfdisk -q " + ShellQuote(*image) + " < " + ShellQuote(dir / "table"));
  for (auto [file, sector] : {std::pair{f.image, 2048}, {ext, 10240}, {dir / "random", 26624}})
    Sh("dd if=" + ShellQuote(file) + " of=" + ShellQuote(*image) +
       " bs=512 conv=notrunc seek=" + std::to_string(sector));
}

void CheckPartitioned(const std::string& label) {
  TempDir dir;
  std::string image;
  ASSERT_NO_FATAL_FAILURE(MakePartitioned(dir, label, &image));
  if (::testing::Test::IsSkipped()) return;
  Walked w = WalkPath(image);
  std::vector<const Partition*> allocated;
  for (const Partition& p : w.report.partitions) {
    EXPECT_EQ(p.scheme, label);
    if (p.allocated) allocated.push_back(&p);
  }
  ASSERT_EQ(allocated.size(), 3u);
  EXPECT_GT(w.report.partitions.size(), 3u);  // the table itself and the unallocated gaps
  const uint64_t mib = 1 << 20;
  EXPECT_EQ(allocated[0]->start, 1 * mib);
  EXPECT_EQ(allocated[0]->length, 4 * mib);
  EXPECT_EQ(allocated[1]->start, 5 * mib);
  EXPECT_EQ(allocated[1]->length, 8 * mib);
  EXPECT_EQ(allocated[2]->start, 13 * mib);
  if (label == "dos") {
    EXPECT_EQ(allocated[0]->description, "Win95 FAT32 (0x0c)");
    EXPECT_EQ(allocated[1]->description, "Linux (0x83)");
  } else {
    EXPECT_EQ(allocated[0]->description, "data");  // TSK gives GPT partition names
  }
  ASSERT_EQ(w.report.filesystems.size(), 2u);
  EXPECT_EQ(w.report.filesystems[0].type, "fat12");
  EXPECT_EQ(w.report.filesystems[0].offset, 1 * mib);
  EXPECT_EQ(&w.report.partitions[size_t(w.report.filesystems[0].partition)], allocated[0]);
  EXPECT_EQ(w.report.filesystems[1].type, "ext4");
  EXPECT_EQ(w.report.filesystems[1].offset, 5 * mib);
  EXPECT_EQ(&w.report.partitions[size_t(w.report.filesystems[1].partition)], allocated[1]);
  const Seen* a = w.Find("/a.txt", "fat12");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->sha256, Sha256Hex("alpha\n"));
  const Seen* e = w.Find("/e.txt", "ext4");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->sha256, Sha256Hex("in ext4\n"));
  ASSERT_EQ(w.report.notes.size(), 1u);
  EXPECT_NE(w.report.notes[0].find("partition " + std::to_string(allocated[2]->slot) +
                                   " at byte 13631488"),
            std::string::npos)
      << w.report.notes[0];
  EXPECT_NE(w.report.notes[0].find("no filesystem TSK reads"), std::string::npos);
}

TEST(PartitionTest, DosTwoFilesystemsAndRandomBytes) { CheckPartitioned("dos"); }
TEST(PartitionTest, GptTwoFilesystemsAndRandomBytes) { CheckPartitioned("gpt"); }

TEST(PartitionTest, TruncatedImageNotesMissingPartition) {
  TempDir dir;
  std::string image;
  ASSERT_NO_FATAL_FAILURE(MakePartitioned(dir, "dos", &image));
  if (::testing::Test::IsSkipped()) return;
  std::filesystem::resize_file(image, 9 << 20);  // inside the ext4 partition
  Walked w = WalkPath(image);
  EXPECT_NE(w.Find("/a.txt", "fat12"), nullptr);
  bool ends = false, starts = false;
  for (const std::string& n : w.report.notes) {
    ends |=
        n.find("at byte 5242880") != std::string::npos && n.find("ends past") != std::string::npos;
    starts |= n.find("at byte 13631488") != std::string::npos &&
              n.find("starts past") != std::string::npos;
  }
  EXPECT_TRUE(ends);
  EXPECT_TRUE(starts);
}

// An 8 MiB ext4 image holding /big.bin = `big`; /big.bin's extents.
void MakeExt4WithBigBin(const TempDir& dir, const std::string& big, std::string* image,
                        std::vector<Extent>* extents) {
  const std::string root = dir / "root";
  std::filesystem::create_directories(root);
  WriteFile(root + "/big.bin", big);
  *image = dir / "ext4.img";
  Sh("truncate -s 8M " + ShellQuote(*image));
  Sh("mkfs.ext4 -q -d " + ShellQuote(root) + " " + ShellQuote(*image));
  WalkOptions options;
  options.extents = true;
  Walked whole = WalkPath(*image, options);
  const Seen* b = whole.Find("/big.bin");
  ASSERT_NE(b, nullptr);
  ASSERT_FALSE(b->entry.extents.empty());
  *extents = b->entry.extents;
}

TEST(TruncatedTest, ContentPastTheEndIsAnErrorNamingTheFile) {
  REQUIRE_TOOL("mkfs.ext4");
  TempDir dir;
  const std::string big = DeterministicBytes(400000, 7);
  std::string image;
  std::vector<Extent> extents;
  ASSERT_NO_FATAL_FAILURE(MakeExt4WithBigBin(dir, big, &image, &extents));
  // Cut the image in the middle of the file's last extent.
  const Extent& last = extents.back();
  std::filesystem::resize_file(image, last.source_offset + last.length / 2);
  Walked cut = WalkPath(image);
  const Seen* c = cut.Find("/big.bin");
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->read.ok());
  EXPECT_NE(c->read.message().find("/big.bin"), std::string::npos) << c->read.ToString();
  EXPECT_LT(c->content.size(), big.size());
  EXPECT_TRUE(big.starts_with(c->content.substr(0, 65536)));
}

TEST(NoFilesystemTest, RandomBytesGiveANote) {
  std::unique_ptr<Source> s = MakeMemorySource(DeterministicBytes(1 << 20, 8));
  Walked w = WalkSource(*s);
  EXPECT_TRUE(w.report.partitions.empty());
  EXPECT_TRUE(w.report.filesystems.empty());
  EXPECT_EQ(w.report.entries, 0u);
  ASSERT_EQ(w.report.notes.size(), 1u);
  EXPECT_NE(w.report.notes[0].find("the source (1 MiB): no partition table or filesystem"),
            std::string::npos)
      << w.report.notes[0];
}

TEST(NoFilesystemTest, AllZeroSourceGivesANote) {
  std::unique_ptr<Source> s = MakeMemorySource(std::string(3 << 20, '\0'));
  Walked w = WalkSource(*s);
  EXPECT_TRUE(w.report.filesystems.empty());
  ASSERT_EQ(w.report.notes.size(), 1u);
  EXPECT_NE(w.report.notes[0].find("its bytes are scanned raw"), std::string::npos);
}

TEST(NoFilesystemTest, EmptyAndTinySources) {
  for (size_t n : {0, 1, 511, 513}) {
    std::unique_ptr<Source> s = MakeMemorySource(std::string(n, '\x55'));
    Walked w = WalkSource(*s);
    EXPECT_TRUE(w.report.filesystems.empty()) << n;
    EXPECT_EQ(w.report.notes.size(), 1u) << n;
  }
}

TEST(CorruptTest, PartitionPastTheEndIsNoted) {
  std::string mbr(4 << 20, '\0');
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) mbr[at + i] = char(v >> (8 * i));
  };
  mbr[446 + 4] = '\x83';
  put32(446 + 8, 2048);
  put32(446 + 12, 0xFFFFFFF0);  // 2 TiB in a 4 MiB source
  mbr[510] = '\x55';
  mbr[511] = '\xAA';
  std::unique_ptr<Source> s = MakeMemorySource(mbr);
  Walked w = WalkSource(*s);
  ASSERT_FALSE(w.report.partitions.empty());
  bool noted = false;
  for (const std::string& n : w.report.notes)
    noted |= n.find("ends past the end") != std::string::npos;
  EXPECT_TRUE(noted);
}

// A source whose reads fail past its first sector: Walk still ends, with notes, not an error.
class FailingSource final : public Source {
 public:
  explicit FailingSource(std::string bytes) : bytes_(std::move(bytes)) {}
  uint64_t Size() const override { return bytes_.size(); }
  Result<size_t> ReadAt(uint64_t offset, std::span<std::byte> out) override {
    if (offset + out.size() > fail_from_) return IoError("bad sector at " + std::to_string(offset));
    if (offset >= bytes_.size()) return size_t(0);
    size_t n = std::min<size_t>(out.size(), bytes_.size() - offset);
    std::memcpy(out.data(), bytes_.data() + offset, n);
    return n;
  }
  std::string Describe() const override { return "failing"; }
  uint64_t fail_from_ = UINT64_MAX;  // reads reaching this offset fail

 private:
  std::string bytes_;
};

TEST(CorruptTest, UnreadableSourceStartIsAnIoError) {
  FailingSource s(std::string(1 << 20, '\0'));
  s.fail_from_ = 0;
  Result<WalkReport> r =
      Walk(s, {}, [](const FileSystem&, const FileEntry&, ContentReader&) { return true; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kIoError);
}

TEST(CorruptTest, ReadErrorsInsideAFilesystemBecomeIoErrors) {
  REQUIRE_TOOL("mkfs.ext4");
  TempDir dir;
  std::string image;
  std::vector<Extent> extents;
  ASSERT_NO_FATAL_FAILURE(MakeExt4WithBigBin(dir, DeterministicBytes(300000, 9), &image, &extents));
  std::ifstream in(image, std::ios::binary);
  FailingSource s(
      std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
  s.fail_from_ = extents[0].source_offset;  // TSK would read zeros there and carry on
  Walked broken = WalkSource(s);
  const Seen* c = broken.Find("/big.bin");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->read.code(), Code::kIoError) << c->read.ToString();
  EXPECT_NE(c->read.message().find("/big.bin"), std::string::npos);
}

// ---- UnallocatedRuns -----------------------------------------------------------------------

struct Runs {
  WalkReport report;
  std::vector<ByteRun> runs;
  uint64_t Bytes(const std::string& fs) const {
    uint64_t n = 0;
    for (const ByteRun& r : runs)
      if (r.fs == fs) n += r.length;
    return n;
  }
  // The run holding all of [offset, offset + length), or null.
  const ByteRun* Holding(uint64_t offset, uint64_t length) const {
    for (const ByteRun& r : runs)
      if (r.offset <= offset && offset + length <= r.offset + r.length) return &r;
    return nullptr;
  }
  bool Touches(uint64_t offset, uint64_t length) const {
    for (const ByteRun& r : runs)
      if (r.offset < offset + length && offset < r.offset + r.length) return true;
    return false;
  }
};

// Collects the runs and checks what UnallocatedRuns promises of every run list.
Runs CollectRuns(Source& source) {
  Runs out;
  Result<WalkReport> r = UnallocatedRuns(source, [&](const ByteRun& run) {
    out.runs.push_back(run);
    return true;
  });
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return out;
  out.report = std::move(*r);
  EXPECT_EQ(out.report.entries, out.runs.size());
  std::set<std::string> names{""};
  for (const FileSystem& f : out.report.filesystems)
    names.insert(f.type + "@" + std::to_string(f.offset));
  for (size_t i = 0; i < out.runs.size(); ++i) {
    const ByteRun& x = out.runs[i];
    EXPECT_GT(x.length, 0u) << i;
    EXPECT_LE(x.offset + x.length, source.Size()) << i;
    EXPECT_EQ(names.count(x.fs), 1u) << x.fs;
    if (i == 0) continue;
    const ByteRun& prev = out.runs[i - 1];
    EXPECT_LE(prev.offset + prev.length, x.offset) << "runs " << i - 1 << " and " << i;
    if (prev.fs == x.fs) {
      EXPECT_LT(prev.offset + prev.length, x.offset) << "not merged: " << i;
    }
  }
  return out;
}

Runs CollectRunsOf(const std::string& path) {
  Result<std::unique_ptr<Source>> s = OpenSource(path);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  if (!s.ok()) return {};
  return CollectRuns(**s);
}

// Bytes in the blocks TSK's blkls lists as unallocated for the filesystem at `sector`; -1 when
// blkls is not installed.
int64_t BlklsUnallocatedBytes(const std::string& image, uint64_t sector, uint64_t block_size) {
  if (!HaveTool("blkls")) return -1;
  TempDir dir;
  const std::string list = dir / "blkls.txt";
  EXPECT_EQ(Run("blkls -A -l -o " + std::to_string(sector) + " " + ShellQuote(image) + " > " +
                ShellQuote(list) + " 2>/dev/null"),
            0);
  std::ifstream in(list);
  std::string line;
  int64_t blocks = 0;
  bool body = false;
  while (std::getline(in, line)) {
    if (body && !line.empty()) ++blocks;
    if (line == "addr|alloc") body = true;
  }
  return blocks * int64_t(block_size);
}

TEST(UnallocatedTest, FatDeletedContentIsInARunLiveContentIsNot) {
  REQUIRE_TOOL("mkfs.fat");
  REQUIRE_TOOL("mcopy");
  TempDir dir;
  FatFixture f;
  ASSERT_NO_FATAL_FAILURE(MakeFat(dir, &f));
  WalkOptions options;
  options.extents = true;
  Walked w = WalkPath(f.image, options);
  const Seen* gone = nullptr;
  for (const Seen& s : w.seen)
    if (s.entry.deleted && s.entry.size == f.gone.size()) gone = &s;
  const Seen* keep = w.Find("/sub/keep.bin");
  const Seen* a = w.Find("/a.txt");
  ASSERT_TRUE(gone != nullptr && keep != nullptr && a != nullptr);

  Runs runs = CollectRunsOf(f.image);
  EXPECT_TRUE(runs.report.notes.empty()) << runs.report.notes[0];
  ASSERT_EQ(runs.report.filesystems.size(), 1u);
  ASSERT_FALSE(runs.runs.empty());
  for (const ByteRun& r : runs.runs) EXPECT_EQ(r.fs, "fat12@0");
  ASSERT_FALSE(gone->entry.extents.empty());
  for (const Extent& x : gone->entry.extents) {
    const ByteRun* r = runs.Holding(x.source_offset, x.length);
    ASSERT_NE(r, nullptr) << "deleted content at " << x.source_offset;
    // The run's bytes are the deleted file's content.
    Result<std::unique_ptr<Source>> src = OpenSource(f.image);
    ASSERT_TRUE(src.ok());
    EXPECT_TRUE(evidex::testing::ReadString(**src, x.source_offset, x.length) ==
                f.gone.substr(x.file_offset, x.length));
  }
  for (const Seen* live : {keep, a})
    for (const Extent& x : live->entry.extents)
      EXPECT_FALSE(runs.Touches(x.source_offset, x.length)) << live->entry.path;
  // The boot sector, FATs and root directory are structures, not free space.
  EXPECT_FALSE(runs.Touches(0, 512));
  // The same blocks TSK's own tool lists.
  const int64_t blkls = BlklsUnallocatedBytes(f.image, 0, runs.report.filesystems[0].block_size);
  if (blkls >= 0) {
    EXPECT_EQ(runs.Bytes("fat12@0"), uint64_t(blkls));
  }
}

TEST(UnallocatedTest, Ext4DeletedContentIsInARunLiveContentIsNot) {
  REQUIRE_TOOL("mkfs.ext4");
  REQUIRE_TOOL("debugfs");
  TempDir dir;
  const std::string root = dir / "root";
  std::filesystem::create_directories(root);
  const std::string live = DeterministicBytes(200000, 11);
  const std::string gone = DeterministicBytes(150000, 12);
  WriteFile(root + "/live.bin", live);
  WriteFile(root + "/gone.bin", gone);
  const std::string image = dir / "ext4.img";
  Sh("truncate -s 8M " + ShellQuote(image));
  Sh("mkfs.ext4 -q -d " + ShellQuote(root) + " " + ShellQuote(image));
  WalkOptions options;
  options.extents = true;
  Walked before = WalkPath(image, options);
  const Seen* g = before.Find("/gone.bin");
  ASSERT_NE(g, nullptr);
  const std::vector<Extent> gone_extents = g->entry.extents;
  ASSERT_FALSE(gone_extents.empty());
  Sh("debugfs -w -R 'rm /gone.bin' " + ShellQuote(image));

  Walked after = WalkPath(image, options);
  const Seen* l = after.Find("/live.bin");
  ASSERT_NE(l, nullptr);
  const Seen* listed = after.Find("/gone.bin");
  EXPECT_TRUE(listed == nullptr || listed->entry.deleted);
  Runs runs = CollectRunsOf(image);
  EXPECT_TRUE(runs.report.notes.empty()) << runs.report.notes[0];
  for (const Extent& x : gone_extents)
    EXPECT_NE(runs.Holding(x.source_offset, x.length), nullptr) << x.source_offset;
  for (const Extent& x : l->entry.extents) EXPECT_FALSE(runs.Touches(x.source_offset, x.length));
  EXPECT_FALSE(runs.Touches(1024, 1024));  // the superblock
  EXPECT_EQ(runs.Bytes(""), 0u);           // the filesystem fills the image
  ASSERT_EQ(runs.report.filesystems.size(), 1u);
  const int64_t blkls = BlklsUnallocatedBytes(image, 0, runs.report.filesystems[0].block_size);
  if (blkls >= 0) {
    EXPECT_EQ(runs.Bytes("ext4@0"), uint64_t(blkls));
  }
}

void CheckPartitionedRuns(const std::string& label) {
  TempDir dir;
  std::string image;
  ASSERT_NO_FATAL_FAILURE(MakePartitioned(dir, label, &image));
  if (::testing::Test::IsSkipped()) return;
  Runs runs = CollectRunsOf(image);
  ASSERT_EQ(runs.report.filesystems.size(), 2u);
  const uint64_t mib = 1 << 20;
  // Outside every filesystem: the table and the gap before the first partition, and the
  // partition of random bytes with the unpartitioned end after it (one run: they touch).
  std::vector<std::pair<uint64_t, uint64_t>> outside;
  for (const ByteRun& r : runs.runs)
    if (r.fs.empty()) outside.emplace_back(r.offset, r.length);
  ASSERT_EQ(outside.size(), 2u);
  EXPECT_EQ(outside[0], std::make_pair(uint64_t(0), 1 * mib));
  EXPECT_EQ(outside[1], std::make_pair(13 * mib, 11 * mib));
  // Inside the filesystems: only their own runs, and some free space in each.
  for (const ByteRun& r : runs.runs) {
    if (r.fs == "fat12@1048576") {
      EXPECT_TRUE(r.offset >= 1 * mib && r.offset + r.length <= 5 * mib) << r.offset;
    } else if (r.fs == "ext4@5242880") {
      EXPECT_TRUE(r.offset >= 5 * mib && r.offset + r.length <= 13 * mib) << r.offset;
    } else {
      EXPECT_EQ(r.fs, "");
    }
  }
  EXPECT_GT(runs.Bytes("fat12@1048576"), 0u);
  EXPECT_GT(runs.Bytes("ext4@5242880"), 0u);
  const int64_t fat = BlklsUnallocatedBytes(image, 2048, 512);
  if (fat >= 0) {
    EXPECT_EQ(runs.Bytes("fat12@1048576"), uint64_t(fat));
  }
  const int64_t ext = BlklsUnallocatedBytes(image, 10240, runs.report.filesystems[1].block_size);
  if (ext >= 0) {
    EXPECT_EQ(runs.Bytes("ext4@5242880"), uint64_t(ext));
  }
  // The note Walk gives for the partition it cannot read.
  bool noted = false;
  for (const std::string& n : runs.report.notes)
    noted |= n.find("at byte 13631488") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(UnallocatedTest, DosGapsAndUnreadPartitionAreOutsideRuns) { CheckPartitionedRuns("dos"); }
TEST(UnallocatedTest, GptGapsAndUnreadPartitionAreOutsideRuns) { CheckPartitionedRuns("gpt"); }

TEST(UnallocatedTest, TruncatedImageRunsStayInsideIt) {
  TempDir dir;
  std::string image;
  ASSERT_NO_FATAL_FAILURE(MakePartitioned(dir, "dos", &image));
  if (::testing::Test::IsSkipped()) return;
  std::filesystem::resize_file(image, 9 << 20);  // inside the ext4 partition
  Runs runs = CollectRunsOf(image);              // checks every run ends inside the source
  ASSERT_FALSE(runs.runs.empty());
  EXPECT_GT(runs.Bytes("fat12@1048576"), 0u);
  // The cut ext4 is walked up to its last whole block in the source, without a failure.
  EXPECT_GT(runs.Bytes("ext4@5242880"), 0u);
  for (const std::string& n : runs.report.notes)
    EXPECT_EQ(n.find("unallocated blocks not listed"), std::string::npos) << n;
}

TEST(UnallocatedTest, PlainBlobIsOneRun) {
  const std::string bytes = DeterministicBytes((1 << 20) + 123, 13);
  std::unique_ptr<Source> s = MakeMemorySource(bytes);
  Runs runs = CollectRuns(*s);
  ASSERT_EQ(runs.runs.size(), 1u);
  EXPECT_EQ(runs.runs[0].offset, 0u);
  EXPECT_EQ(runs.runs[0].length, bytes.size());
  EXPECT_EQ(runs.runs[0].fs, "");
  EXPECT_TRUE(runs.report.filesystems.empty());
  ASSERT_EQ(runs.report.notes.size(), 1u);
  EXPECT_NE(runs.report.notes[0].find("no partition table or filesystem"), std::string::npos);

  std::unique_ptr<Source> zeros = MakeMemorySource(std::string(3 << 20, '\0'));
  Runs z = CollectRuns(*zeros);
  ASSERT_EQ(z.runs.size(), 1u);
  EXPECT_EQ(z.runs[0].length, 3u << 20);
}

TEST(UnallocatedTest, EmptyTinyAndUnreadableSources) {
  for (size_t n : {0, 1, 511, 513}) {
    std::unique_ptr<Source> s = MakeMemorySource(std::string(n, '\x55'));
    Runs runs = CollectRuns(*s);
    EXPECT_EQ(runs.runs.size(), n == 0 ? 0u : 1u) << n;
    EXPECT_EQ(runs.report.notes.size(), 1u) << n;
  }
  FailingSource failing(std::string(1 << 20, '\0'));
  failing.fail_from_ = 0;
  Result<WalkReport> r = UnallocatedRuns(failing, [](const ByteRun&) { return true; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kIoError);
}

TEST(UnallocatedTest, StopsWhenEachReturnsFalse) {
  TempDir dir;
  std::string image;
  ASSERT_NO_FATAL_FAILURE(MakePartitioned(dir, "gpt", &image));
  if (::testing::Test::IsSkipped()) return;
  Result<std::unique_ptr<Source>> s = OpenSource(image);
  ASSERT_TRUE(s.ok());
  for (int stop_after : {1, 2, 3}) {
    int calls = 0;
    Result<WalkReport> r =
        UnallocatedRuns(**s, [&](const ByteRun&) { return ++calls < stop_after; });
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(calls, stop_after);
    EXPECT_EQ(r->entries, uint64_t(stop_after));
  }
}

TEST(UnallocatedTest, CorruptBlockCountIsCutAtTheSourceEnd) {
  REQUIRE_TOOL("mkfs.ext4");
  TempDir dir;
  const std::string image = dir / "ext4.img";
  Sh("truncate -s 8M " + ShellQuote(image));
  Sh("mkfs.ext4 -q " + ShellQuote(image));
  std::ifstream in(image, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // s_blocks_count_lo: 2^32 - 1 blocks (16 TiB) in an 8 MiB image.
  for (int i = 0; i < 4; ++i) bytes[1024 + 4 + i] = '\xff';
  std::unique_ptr<Source> s = MakeMemorySource(bytes);
  Runs runs = CollectRuns(*s);  // ends, and every run lies inside the 8 MiB
  EXPECT_LE(runs.runs.size(), size_t(8 << 20) / 1024);
}

TEST(UnallocatedTest, OtherFilesystemsGiveRunsOrANote) {
  TempDir dir;
  std::vector<std::string> images;
  if (HaveTool("mkfs.exfat")) {
    images.push_back(dir / "exfat.img");
    Sh("truncate -s 8M " + ShellQuote(images.back()));
    Sh("mkfs.exfat " + ShellQuote(images.back()));
  }
  if (HaveTool("xorriso")) {
    std::filesystem::create_directories(dir / "isoroot");
    WriteFile(dir / "isoroot/data.bin", DeterministicBytes(100000, 14));
    images.push_back(dir / "cd.iso");
    Sh("xorriso -as mkisofs -quiet -o " + ShellQuote(images.back()) + " " +
       ShellQuote(dir / "isoroot"));
  }
  if (HaveTool("mkntfs") && HaveTool("ntfscp")) {
    const std::string ntfs = dir / "ntfs.img";
    Sh("truncate -s 16M " + ShellQuote(ntfs));
    if (evidex::testing::Run("mkntfs -F -Q " + ShellQuote(ntfs) + " >/dev/null 2>&1") == 0)
      images.push_back(ntfs);
  }
  if (images.empty()) GTEST_SKIP() << "no mkfs.exfat, xorriso or mkntfs (fixtures)";
  for (const std::string& image : images) {
    SCOPED_TRACE(image);
    Runs runs = CollectRunsOf(image);
    ASSERT_EQ(runs.report.filesystems.size(), 1u);
    const FileSystem& f = runs.report.filesystems[0];
    const std::string name = f.type + "@0";
    if (runs.Bytes(name) == 0) {
      EXPECT_FALSE(runs.report.notes.empty());  // a block walk TSK cannot do is noted
    }
    // The boot sector (ISO 9660's first 32 KiB are a system area TSK calls unallocated).
    if (f.type != "iso9660") {
      EXPECT_FALSE(runs.Touches(0, 512));
    }
    const int64_t blkls = BlklsUnallocatedBytes(image, 0, f.block_size);
    if (blkls >= 0 && runs.report.notes.empty()) {
      EXPECT_EQ(runs.Bytes(name), uint64_t(blkls));
    }
  }
}

}  // namespace
}  // namespace evidex::fs
