#include "hashset/import.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace evidex::hashset {
namespace {

namespace fs = std::filesystem;

// The digests of "abc" (RFC 1321, FIPS 180-2 test vectors).
constexpr const char* kAbcMd5 = "900150983cd24fb0d6963f7d28e17f72";
constexpr const char* kAbcSha1 = "a9993e364706816aba3e25717850c26c9cd0d89d";
constexpr const char* kAbcSha256 =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
// Of the empty string.
constexpr const char* kEmptyMd5 = "d41d8cd98f00b204e9800998ecf8427e";
constexpr const char* kEmptySha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("evidex-import-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    builder_ = NewBuilder();
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::unique_ptr<Builder> NewBuilder() {
    SetInfo info;
    info.id = "7c1e0a52-0000-4000-8000-00000000a11e";
    info.name = "import test";
    return std::make_unique<Builder>(info);
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  std::string Write(const std::string& name, const std::string& content) {
    std::ofstream(Path(name), std::ios::binary) << content;
    return Path(name);
  }
  // Runs a shell command in the test's directory; its standard output.
  std::string Run(const std::string& command) {
    std::string full = "cd '" + dir_.string() + "' && " + command;
    FILE* p = ::popen(full.c_str(), "r");
    EXPECT_NE(p, nullptr) << command;
    if (p == nullptr) return "";
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    EXPECT_EQ(::pclose(p), 0) << command;
    return out;
  }
  // The first word of a tool's output line ("<hex>  file").
  std::string Digest(const std::string& command) {
    std::string out = Run(command);
    return out.substr(0, out.find_first_of(" \t\n"));
  }

  Result<ImportReport> Import(const std::string& path, const std::string& format = "auto",
                              bool partial = false) {
    ImportOptions options;
    options.format = format;
    options.partial = partial;
    return ImportFile(path, options, builder_.get());
  }
  // Writes the builder's set and opens it, to look digests up.
  std::unique_ptr<HashSet> Built() {
    EXPECT_TRUE(builder_->Write(Path("set.evhs")).ok());
    Result<std::unique_ptr<HashSet>> set = HashSet::Open(Path("set.evhs"));
    EXPECT_TRUE(set.ok()) << set.status().ToString();
    return set.ok() ? std::move(*set) : nullptr;
  }
  // The label number of a hex digest in the set, -1 when absent.
  static int Find(const HashSet& set, const std::string& hex) {
    Algorithm a = *AlgorithmForHexLength(hex.size());
    uint8_t d[32];
    EXPECT_TRUE(ParseHexDigest(hex, a, d)) << hex;
    return set.Find(a, d);
  }
  // Imports `file` (auto) and checks the report and the builder's info.
  void ExpectImported(const std::string& file, const std::string& format, uint64_t records,
                      uint64_t digests) {
    Result<ImportReport> r = Import(Path(file));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->format, format);
    EXPECT_EQ(r->records, records);
    EXPECT_EQ(r->digests, digests);
    EXPECT_EQ(r->bad_records, 0u);
    EXPECT_EQ(builder_->added(), digests);
    EXPECT_EQ(builder_->info().format, format);
    EXPECT_EQ(builder_->info().source_sha256, Digest("sha256sum '" + file + "'"));
  }
  // The set built holds the three digests of "abc", with the default label.
  std::unique_ptr<HashSet> ExpectAbc() {
    std::unique_ptr<HashSet> set = Built();
    EXPECT_NE(set, nullptr);
    if (set == nullptr) return set;
    EXPECT_EQ(Find(*set, kAbcMd5), 0);
    EXPECT_EQ(Find(*set, kAbcSha1), 0);
    EXPECT_EQ(Find(*set, kAbcSha256), 0);
    return set;
  }
  void ExpectNothingAdded() {
    EXPECT_EQ(builder_->added(), 0u);
    EXPECT_EQ(builder_->info().format, "");
    EXPECT_EQ(builder_->info().source_sha256, "");
  }

  fs::path dir_;
  std::unique_ptr<Builder> builder_;
};

// ---- list ---------------------------------------------------------------------------------

TEST_F(ImportTest, ListReadsMd5sumSha1sumSha256sumOutputWithCrlfAndComments) {
  Write("abc.txt", "abc");
  Write("empty.txt", "");
  // md5sum text mode, sha1sum binary mode ('*'), sha256sum with CRLF line ends, a bare digest.
  Run("{ echo '# made by the test'; md5sum abc.txt empty.txt; echo; sha1sum -b abc.txt; "
      "sha256sum abc.txt | sed 's/$/\\r/'; echo '   # indented comment'; "
      "echo DA39A3EE5E6B4B0D3255BFEF95601890AFD80709; } > list.txt");
  ExpectImported("list.txt", "list", 5, 5);
  std::unique_ptr<HashSet> set = ExpectAbc();
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(Find(*set, kEmptyMd5), 0);
  EXPECT_EQ(Find(*set, kEmptySha1), 0);
  EXPECT_EQ(Find(*set, "00000000000000000000000000000000"), -1);
}

TEST_F(ImportTest, ListNonHexDigestFailsNamingItsLine) {
  std::string path =
      Write("list.txt", std::string(kAbcMd5) + "\n" + "900150983cd24fb0d6963f7d28e17g72  x\n" +
                            kAbcSha1 + "\n");
  Result<ImportReport> r = Import(path, "list");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find(path + ": line 2: "), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("not a hex digest"), std::string::npos);
  ExpectNothingAdded();
}

TEST_F(ImportTest, ListWrongDigestLengthFails) {
  // 31 and 33 hex digits.
  for (const char* bad : {"900150983cd24fb0d6963f7d28e17f7", "900150983cd24fb0d6963f7d28e17f720"}) {
    std::string path = Write("list.txt", std::string("# x\n") + bad + "\n");
    Result<ImportReport> r = Import(path, "list");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find(": line 2: "), std::string::npos) << r.status().message();
  }
  ExpectNothingAdded();
}

TEST_F(ImportTest, ListPartialAddsTheGoodAndListsTheBad) {
  std::string path = Write("list.txt", std::string(kAbcMd5) + "\nnot-a-digest\n" + kAbcSha1 + "\n" +
                                           std::string(40, 'x') + "  name\n");
  Result<ImportReport> r = Import(path, "list", /*partial=*/true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->records, 2u);
  EXPECT_EQ(r->digests, 2u);
  EXPECT_EQ(r->bad_records, 2u);
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0].where, "line 2");
  EXPECT_EQ(r->errors[1].where, "line 4");
  EXPECT_NE(r->errors[0].message.find("'not-a-digest'"), std::string::npos);
  EXPECT_EQ(builder_->added(), 2u);
  std::unique_ptr<HashSet> set = Built();
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(Find(*set, kAbcMd5), 0);
  EXPECT_EQ(Find(*set, kAbcSha1), 0);
}

TEST_F(ImportTest, PartialListsAtMostTheLimitButCountsAll) {
  std::string text;
  for (size_t i = 0; i < kMaxListedErrors + 50; ++i) text += "bad\n";
  text += std::string(kAbcSha256) + "\n";
  Result<ImportReport> r = Import(Write("list.txt", text), "list", true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->bad_records, kMaxListedErrors + 50);
  EXPECT_EQ(r->errors.size(), kMaxListedErrors);
  EXPECT_EQ(r->records, 1u);
}

TEST_F(ImportTest, NothingIsAddedWhenTheLastLineIsBad) {
  std::string text;
  for (int i = 0; i < 10000; ++i) {
    char line[40];
    std::snprintf(line, sizeof line, "%032x\n", i);
    text += line;
  }
  text += "0123\n";
  Result<ImportReport> r = Import(Write("list.txt", text));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 10001"), std::string::npos) << r.status().message();
  ExpectNothingAdded();
}

// ---- hashdeep -----------------------------------------------------------------------------

TEST_F(ImportTest, HashdeepReadsRealOutputWithCommasInNames) {
  fs::create_directories(dir_ / "files");
  Write("files/abc.txt", "abc");
  Write("files/a, b.txt", "x");
  Run("hashdeep -c md5,sha1,sha256 -r files > files.hashdeep");
  ExpectImported("files.hashdeep", "hashdeep", 2, 6);
  std::unique_ptr<HashSet> set = ExpectAbc();
  ASSERT_NE(set, nullptr);
  // The file whose name holds a comma, by digests openssl computes.
  EXPECT_EQ(Find(*set, Digest("openssl dgst -md5 -r 'files/a, b.txt'")), 0);
  EXPECT_EQ(Find(*set, Digest("openssl dgst -sha1 -r 'files/a, b.txt'")), 0);
  EXPECT_EQ(Find(*set, Digest("openssl dgst -sha256 -r 'files/a, b.txt'")), 0);
}

TEST_F(ImportTest, HashdeepColumnListDecidesWhatIsRead) {
  fs::create_directories(dir_ / "files");
  Write("files/abc.txt", "abc");
  Run("hashdeep -c sha1 -r files > files.hashdeep");
  Result<ImportReport> r = Import(Path("files.hashdeep"), "hashdeep");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->digests, 1u);
  std::unique_ptr<HashSet> set = Built();
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(Find(*set, kAbcSha1), 0);
  EXPECT_EQ(Find(*set, kAbcMd5), -1);
}

TEST_F(ImportTest, HashdeepWithoutHeaderFails) {
  std::string path =
      Write("h.txt", std::string("3,") + kAbcMd5 + "," + kAbcSha256 + ",/tmp/abc.txt\n");
  Result<ImportReport> r = Import(path, "hashdeep");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("line 1: not a hashdeep file"), std::string::npos)
      << r.status().message();
  ExpectNothingAdded();
}

TEST_F(ImportTest, HashdeepMissingColumnsAndBadDigestsNameTheirLines) {
  const std::string head = "%%%% HASHDEEP-1.0\n%%%% size,md5,sha256,filename\n## x\n";
  // Row 4 has two fields where the header names four.
  Result<ImportReport> r = Import(Write("a.txt", head + "3," + kAbcMd5 + "\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 4: 2 fields, the header names 4"), std::string::npos)
      << r.status().message();
  // Row 5's sha256 is a SHA-1.
  r = Import(Write("b.txt", head + "3," + kAbcMd5 + "," + kAbcSha256 + ",a\n3," + kAbcMd5 + "," +
                                kAbcSha1 + ",b\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 5: sha256 column: "), std::string::npos)
      << r.status().message();
  // A column line without any digest column.
  r = Import(Write("c.txt", "%%%% HASHDEEP-1.0\n%%%% size,tiger,filename\n3,abc,a\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 2: "), std::string::npos) << r.status().message();
  ExpectNothingAdded();
  // With partial, the good row of b.txt is added.
  r = Import(Path("b.txt"), "hashdeep", true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->records, 1u);
  EXPECT_EQ(r->bad_records, 1u);
  EXPECT_EQ(r->digests, 2u);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].where, "line 5");
}

// ---- NSRL RDSv3 ---------------------------------------------------------------------------

// The RDSv3 tables the reader uses, as NIST publishes them (METADATA with the FILE view over
// it), and PKG for realism.
constexpr const char* kRdsSchema =
    "CREATE TABLE PKG (package_id INTEGER, name TEXT, version TEXT, operating_system_id "
    "INTEGER, manufacturer_id INTEGER, language TEXT, application_type TEXT);"
    "CREATE TABLE METADATA (sha256 TEXT, sha1 TEXT, md5 TEXT, crc32 TEXT, file_name TEXT, "
    "file_size INTEGER, package_id INTEGER);"
    "CREATE VIEW FILE AS SELECT sha256, sha1, md5, crc32, file_name, file_size, package_id "
    "FROM METADATA;"
    "INSERT INTO PKG VALUES (1, 'Test', '1.0', 1, 1, 'English', 'Utility');";

TEST_F(ImportTest, NsrlReadsTheMetadataTable) {
  Run(std::string("sqlite3 rds.db \"") + kRdsSchema + "INSERT INTO METADATA VALUES (upper('" +
      kAbcSha256 + "'), upper('" + kAbcSha1 + "'), upper('" + kAbcMd5 +
      "'), '352441C2', 'abc.txt', 3, 1);"
      "INSERT INTO METADATA VALUES (NULL, '" +
      kEmptySha1 + "', '', '00000000', 'empty', 0, 1);\"");
  ExpectImported("rds.db", "nsrl-rds3", 2, 4);
  std::unique_ptr<HashSet> set = ExpectAbc();
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(Find(*set, kEmptySha1), 0);
  EXPECT_EQ(Find(*set, kEmptyMd5), -1);
}

TEST_F(ImportTest, NsrlReadsTheFileTableWithoutMetadata) {
  Run(std::string("sqlite3 rds.db \"CREATE TABLE FILE (sha256 TEXT, sha1 TEXT, md5 TEXT, "
                  "file_name TEXT, file_size INTEGER, package_id INTEGER);"
                  "INSERT INTO FILE VALUES ('") +
      kAbcSha256 + "', '" + kAbcSha1 + "', '" + kAbcMd5 + "', 'abc', 3, 1);\"");
  Result<ImportReport> r = Import(Path("rds.db"), "nsrl-rds3");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->digests, 3u);
}

TEST_F(ImportTest, NsrlBadRowsAndMissingTablesFail) {
  Run(std::string("sqlite3 rds.db \"") + kRdsSchema + "INSERT INTO METADATA VALUES ('" +
      kAbcSha256 + "', '" + kAbcSha1 + "', '" + kAbcMd5 +
      "', '', 'abc', 3, 1);"
      "INSERT INTO METADATA VALUES (NULL, NULL, 'XYZ', '', 'bad', 1, 1);"
      "INSERT INTO METADATA VALUES (NULL, NULL, NULL, '', 'none', 1, 1);\"");
  Result<ImportReport> r = Import(Path("rds.db"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("row 2: md5: 'XYZ'"), std::string::npos)
      << r.status().message();
  ExpectNothingAdded();
  r = Import(Path("rds.db"), "nsrl-rds3", true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->records, 1u);
  EXPECT_EQ(r->bad_records, 2u);
  EXPECT_EQ(r->digests, 3u);
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[1].where, "row 3");

  Run("sqlite3 other.db 'CREATE TABLE t (a TEXT); INSERT INTO t VALUES (1);'");
  builder_ = NewBuilder();
  r = Import(Path("other.db"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no METADATA table or FILE view"), std::string::npos)
      << r.status().message();
  ExpectNothingAdded();
}

// ---- VICS ---------------------------------------------------------------------------------

// A VICS 2.0 export as Griffeye writes it (trimmed): upper-case digests, OData annotations,
// nulls, arrays of other things, MediaFiles.
const std::string kVics = std::string(R"({
  "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media",
  "value": [
    {"MediaID": 1, "Category": 1, "MD5": "900150983CD24FB0D6963F7D28E17F72",
     "SHA1": "A9993E364706816ABA3E25717850C26C9CD0D89D", "MediaSize": 3,
     "DateUpdated": "2023-06-07T02:31:49.8300Z", "IsPrecategorized": "true",
     "Tags": [{"Name": "x", "MD5": "not read"}], "Comments": null,
     "MediaFiles": [{"MD5": "D41D8CD98F00B204E9800998ECF8427E", "FileName": "a.jpg",
                     "SHA1": null}]},
    {"MediaID": 2, "Category": 0, "SHA1": ")") +
                          kEmptySha1 + R"("},
    {"MediaID": 3, "MD5": "0123456789abcdef0123456789abcdef", "Category": null}
  ]
})";

TEST_F(ImportTest, VicsReadsItemsMediaFilesAndCategories) {
  Result<ImportReport> r = Import(Write("vics.json", kVics));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->format, "vics");
  EXPECT_EQ(r->records, 3u);
  EXPECT_EQ(r->digests, 5u);
  const std::vector<std::string>& labels = builder_->info().labels;
  auto label = [&](const std::string& text) {
    auto it = std::find(labels.begin(), labels.end(), text);
    return it == labels.end() ? -2 : int(it - labels.begin());
  };
  int cat1 = label("VICS category 1: child abuse material");
  int cat0 = label("VICS category 0: non-pertinent");
  ASSERT_GT(cat1, 0);
  ASSERT_GT(cat0, 0);
  std::unique_ptr<HashSet> set = Built();
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(Find(*set, kAbcMd5), cat1);
  EXPECT_EQ(Find(*set, kAbcSha1), cat1);
  EXPECT_EQ(Find(*set, kEmptyMd5), cat1);  // the item's MediaFiles take its category
  EXPECT_EQ(Find(*set, kEmptySha1), cat0);
  EXPECT_EQ(Find(*set, "0123456789abcdef0123456789abcdef"), 0);
}

TEST_F(ImportTest, VicsTruncatedJsonNamesThePointer) {
  std::string cut = kVics.substr(0, kVics.find("\"" + std::string(kEmptySha1)) + 10);
  Result<ImportReport> r = Import(Write("vics.json", cut));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCorrupt);
  EXPECT_NE(r.status().message().find("/value/1/SHA1: invalid JSON"), std::string::npos)
      << r.status().message();
  ExpectNothingAdded();
}

TEST_F(ImportTest, VicsWrongTypesAreErrorsNamingThePointer) {
  struct Case {
    std::string json, where;
  } cases[] = {
      {R"({"value": [{"MD5": "900150983cd24fb0d6963f7d28e17f72"}, {"SHA1": 5}]})",
       "/value/1/SHA1: SHA1 is not a string"},
      {R"({"value": [{"MD5": "900150983cd24fb0d6963f7d28e17f72", "Category": "1"}]})",
       "/value/0/Category: "},
      {R"({"value": [{"MD5": "900150983cd24fb0d6963f7d28e17f72", "MediaFiles": {}}]})",
       "/value/0/MediaFiles: "},
      {R"({"value": [{"MD5": "900150983cd24fb0d6963f7d28e17f72", "MediaFiles": [{"MD5": 1}]}]})",
       "/value/0/MediaFiles/0/MD5: "},
      {R"({"value": [{"MD5": "900150983cd24fb0d6963f7d28e17f7"}]})", "/value/0/MD5: "},
      {R"({"value": ["900150983cd24fb0d6963f7d28e17f72"]})", "/value/0: not a JSON object"},
      {R"({"value": [{"MediaID": 4}]})", "/value/0: no MD5 or SHA1"},
      {R"({"value": {"MD5": "900150983cd24fb0d6963f7d28e17f72"}})", "/value: not an array"},
      {R"([{"MD5": "900150983cd24fb0d6963f7d28e17f72"}])", "not a VICS export"},
      {R"({"odata.count": 0})", "no \"value\" array"},
  };
  for (const Case& c : cases) {
    Result<ImportReport> r = Import(Write("vics.json", c.json), "vics");
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_NE(r.status().message().find(c.where), std::string::npos)
        << c.json << " -> " << r.status().message();
  }
  ExpectNothingAdded();
}

TEST_F(ImportTest, VicsPartialKeepsTheGoodItems) {
  Result<ImportReport> r = Import(
      Write("vics.json", R"({"value": [{"MD5": "900150983cd24fb0d6963f7d28e17f72", "Category": 2},)"
                         R"( {"MD5": "zz", "SHA1": "a9993e364706816aba3e25717850c26c9cd0d89d"}, 7,)"
                         R"( {"SHA1": "da39a3ee5e6b4b0d3255bfef95601890afd80709"}]})"),
      "auto", true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->records, 2u);
  EXPECT_EQ(r->bad_records, 2u);
  EXPECT_EQ(r->digests, 2u);  // the bad item's good SHA1 is left out with it
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0].where, "/value/1/MD5");
  EXPECT_EQ(r->errors[1].where, "/value/2");
  std::unique_ptr<HashSet> set = Built();
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(Find(*set, kAbcSha1), -1);
  EXPECT_EQ(Find(*set, kEmptySha1), 0);
  EXPECT_GT(Find(*set, kAbcMd5), 0);
}

// ---- every format -------------------------------------------------------------------------

TEST_F(ImportTest, EmptyFileFailsInEveryFormat) {
  std::string path = Write("empty", "");
  for (const char* format : {"auto", "list", "hashdeep", "vics", "nsrl-rds3"}) {
    Result<ImportReport> r = Import(path, format);
    ASSERT_FALSE(r.ok()) << format;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find("empty file"), std::string::npos) << format;
  }
  ExpectNothingAdded();
}

TEST_F(ImportTest, UnknownContentOnAutoFailsSayingWhatWasSeen) {
  Result<ImportReport> r = Import(Write("x.csv", "type,value\nmd5,abc\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("'type,value?md5,abc?'"), std::string::npos)
      << r.status().message();
  r = Import(Path("x.csv"), "csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  r = Import(Path("missing.txt"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  ExpectNothingAdded();
}

TEST_F(ImportTest, AutoRecognizesEachFormat) {
  fs::create_directories(dir_ / "files");
  Write("files/abc.txt", "abc");
  Run("hashdeep -c md5 -r files > h.txt && sha1sum files/abc.txt > l.txt && "
      "sqlite3 n.db 'CREATE TABLE METADATA (sha256 TEXT, sha1 TEXT, md5 TEXT); INSERT INTO "
      "METADATA VALUES (NULL, NULL, \"" +
      std::string(kAbcMd5) + "\");'");
  Write("v.json", "\xEF\xBB\xBF\n  " + kVics);
  for (auto [file, format] : {std::pair{"h.txt", "hashdeep"},
                              {"l.txt", "list"},
                              {"n.db", "nsrl-rds3"},
                              {"v.json", "vics"}}) {
    builder_ = NewBuilder();
    Result<ImportReport> r = Import(Path(file));
    ASSERT_TRUE(r.ok()) << file << ": " << r.status().ToString();
    EXPECT_EQ(r->format, format);
    EXPECT_EQ(builder_->info().format, format);
  }
  // A format given explicitly is not second-guessed.
  builder_ = NewBuilder();
  Result<ImportReport> r = Import(Path("l.txt"), "hashdeep");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not a hashdeep file"), std::string::npos);
}

}  // namespace
}  // namespace evidex::hashset
