#include "yara/yara.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

namespace evidex::yara {
namespace {

namespace fs = std::filesystem;

class YaraTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("evidex-yara-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  std::unique_ptr<Rules> MustCompile(const std::string& path) {
    Result<std::unique_ptr<Rules>> r = Rules::Compile(path);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : nullptr;
  }
  fs::path dir_;
};

std::span<const std::byte> Bytes(const std::string& s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

const Match* Find(const std::vector<Match>& matches, const std::string& rule) {
  for (const Match& m : matches)
    if (m.rule == rule) return &m;
  return nullptr;
}

// Content pulled from a string, `piece` bytes at a time at most.
ReadFn Reader(const std::string& content, size_t piece, size_t* at) {
  return [&content, piece, at](std::span<std::byte> buf) -> Result<size_t> {
    size_t n = std::min({buf.size(), piece, content.size() - *at});
    std::memcpy(buf.data(), content.data() + *at, n);
    *at += n;
    return n;
  };
}

const char* kRules = R"(
rule text_string : document secret {
  meta:
    author = "examiner"
    score = 80
    confirmed = true
  strings:
    $a = "quarterly report"
    $b = "QUARTERLY" nocase
  condition:
    $a and #b == 1
}
rule hex_string {
  strings:
    $h = { 4D 5A ?? 00 [2-4] 50 45 }
  condition:
    $h at 0
}
rule regex_string {
  strings:
    $r = /acct-[0-9]{4}/
  condition:
    $r
}
rule small_file {
  condition:
    filesize < 100
}
)";

TEST_F(YaraTest, StringsHexRegexFilesizeTagsMeta) {
  std::unique_ptr<Rules> rules = MustCompile(Write("r.yar", kRules));
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ(rules->rule_count(), 4u);
  const std::string content = "xx the quarterly report, acct-1234";
  Result<std::vector<Match>> r = rules->Scan(Bytes(content), ScanOptions());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Match* text = Find(*r, "text_string");
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(text->ns, "default");
  EXPECT_EQ(text->tags, (std::vector<std::string>{"document", "secret"}));
  EXPECT_EQ(text->meta.at("author"), "examiner");
  EXPECT_EQ(text->meta.at("score"), "80");
  EXPECT_EQ(text->meta.at("confirmed"), "true");
  ASSERT_EQ(text->strings.size(), 2u);
  EXPECT_EQ(text->strings[0].id, "$a");
  EXPECT_EQ(text->strings[0].offset, 7u);
  EXPECT_EQ(text->strings[0].length, 16u);
  EXPECT_EQ(text->strings[0].data, "quarterly report");
  EXPECT_EQ(text->strings[1].id, "$b");
  const Match* regex = Find(*r, "regex_string");
  ASSERT_NE(regex, nullptr);
  ASSERT_EQ(regex->strings.size(), 1u);
  EXPECT_EQ(regex->strings[0].offset, content.find("acct-"));
  EXPECT_EQ(regex->strings[0].data, "acct-1234");
  EXPECT_NE(Find(*r, "small_file"), nullptr);
  EXPECT_EQ(Find(*r, "hex_string"), nullptr);

  const std::string exe = std::string("MZ\x90\0\x01\x02\x03PE", 10) + std::string(200, 'x');
  r = rules->Scan(Bytes(exe), ScanOptions());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].rule, "hex_string");
  EXPECT_EQ((*r)[0].strings[0].offset, 0u);
  EXPECT_EQ((*r)[0].strings[0].length, 9u);
}

TEST_F(YaraTest, MatchedDataIsCappedAndStringsLimited) {
  std::unique_ptr<Rules> rules =
      MustCompile(Write("r.yara", "rule many { strings: $z = /z{100,}/ $y = \"y\" condition: any of them }"));
  ASSERT_NE(rules, nullptr);
  ScanOptions options;
  options.max_strings = 5;
  Result<std::vector<Match>> r = rules->Scan(Bytes(std::string(200, 'z') + std::string(50, 'y')), options);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].strings.size(), 5u);
  EXPECT_TRUE((*r)[0].strings_truncated);
  EXPECT_EQ((*r)[0].strings[0].data.size(), kMaxMatchData);
  EXPECT_GE((*r)[0].strings[0].length, 100u);
}

TEST_F(YaraTest, DirectoryOfRulesCompiledTogether) {
  Write("rules/b/second.yara", "rule second { strings: $s = \"beta\" condition: $s }");
  Write("rules/a.yar", "rule first { strings: $s = \"alpha\" condition: $s }");
  Write("rules/notes.txt", "not a rule at all {");
  std::unique_ptr<Rules> rules = MustCompile((dir_ / "rules").string());
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ(rules->rule_count(), 2u);
  ASSERT_EQ(rules->files().size(), 2u);
  EXPECT_NE(rules->files()[0].find("a.yar"), std::string::npos);
  Result<std::vector<Match>> r = rules->Scan(Bytes("alpha and beta"), ScanOptions());
  ASSERT_TRUE(r.ok());
  EXPECT_NE(Find(*r, "first"), nullptr);
  EXPECT_NE(Find(*r, "second"), nullptr);
}

TEST_F(YaraTest, RuleThatDoesNotCompileNamesFileAndLine) {
  Write("rules/good.yar", "rule good { condition: true }");
  const std::string bad = Write("rules/zbad.yar", "rule good2 {\n  strings:\n    $a = { 4D 5 }\n  condition:\n    $a\n}\n");
  Result<std::unique_ptr<Rules>> r = Rules::Compile((dir_ / "rules").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find(bad + ":3:"), std::string::npos) << r.status().message();
}

TEST_F(YaraTest, EmptyOrMissingPaths) {
  EXPECT_EQ(Rules::Compile("").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Rules::Compile((dir_ / "missing.yar").string()).status().code(), Code::kNotFound);
  fs::create_directories(dir_ / "empty");
  Result<std::unique_ptr<Rules>> r = Rules::Compile((dir_ / "empty").string());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("no .yar"), std::string::npos);
  // An empty rule file compiles to no rules, which match nothing.
  std::unique_ptr<Rules> none = MustCompile(Write("empty.yar", ""));
  ASSERT_NE(none, nullptr);
  Result<std::vector<Match>> m = none->Scan(Bytes("anything"), ScanOptions());
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->empty());
}

// A file larger than whole_limit, scanned in 4 KiB blocks: a match in each block at its file
// offset, filesize the whole size, a header check on the first block; a string spanning two
// blocks is not found (YARA scans blocks on their own), the same string whole is.
TEST_F(YaraTest, LargeFileInBlocks) {
  std::unique_ptr<Rules> rules = MustCompile(Write("r.yar", R"(
rule marker { strings: $m = "MARKER" condition: #m == 3 and filesize == 12288 and uint16(0) == 0x5a4d }
rule spanning { strings: $s = "SPANNING" condition: $s }
)"));
  ASSERT_NE(rules, nullptr);
  std::string content(12288, '.');
  content.replace(0, 2, "MZ");
  content.replace(100, 6, "MARKER");
  content.replace(4096 + 10, 6, "MARKER");
  content.replace(8192 + 4000, 6, "MARKER");
  content.replace(8192 - 4, 8, "SPANNING");
  ScanOptions options;
  options.whole_limit = 4096;
  options.block_size = 4096;
  size_t at = 0;
  Result<std::vector<Match>> r = rules->Scan(content.size(), Reader(content, 1000, &at), options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Match* m = Find(*r, "marker");
  ASSERT_NE(m, nullptr);
  ASSERT_EQ(m->strings.size(), 3u);
  EXPECT_EQ(m->strings[0].offset, 100u);
  EXPECT_EQ(m->strings[1].offset, 4106u);
  EXPECT_EQ(m->strings[2].offset, 12192u);
  EXPECT_EQ(Find(*r, "spanning"), nullptr);

  // Whole (the default limit): the spanning string is found.
  at = 0;
  r = rules->Scan(content.size(), Reader(content, 1000, &at), ScanOptions());
  ASSERT_TRUE(r.ok());
  EXPECT_NE(Find(*r, "spanning"), nullptr);
  EXPECT_NE(Find(*r, "marker"), nullptr);

  // Pushed through a Stream in odd pieces, in blocks: the same as pulled.
  Stream stream(*rules, content.size(), options);
  for (size_t i = 0; i < content.size(); i += 777)
    stream.Write(Bytes(content).subspan(i, std::min<size_t>(777, content.size() - i)));
  r = stream.Finish();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  m = Find(*r, "marker");
  ASSERT_NE(m, nullptr);
  ASSERT_EQ(m->strings.size(), 3u);
  EXPECT_EQ(m->strings[2].offset, 12192u);
}

TEST_F(YaraTest, StreamReadErrorAndAbandonedStream) {
  std::unique_ptr<Rules> rules = MustCompile(Write("r.yar", "rule always { condition: true }"));
  ASSERT_NE(rules, nullptr);
  ScanOptions options;
  options.whole_limit = 10;
  options.block_size = 4096;
  {
    Stream s(*rules, 100000, options);
    s.Write(Bytes(std::string(5000, 'a')));
    Result<std::vector<Match>> r = s.Finish(IoError("the source ends"));
    EXPECT_EQ(r.status().code(), Code::kIoError);
  }
  {
    Stream s(*rules, 100000, options);  // destroyed without Finish: no hang, no leak
    s.Write(Bytes(std::string(100, 'a')));
  }
  // Content shorter than announced: scanned as far as it goes.
  Stream s(*rules, 100000, options);
  s.Write(Bytes(std::string(6000, 'a')));
  Result<std::vector<Match>> r = s.Finish();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size(), 1u);
}

TEST_F(YaraTest, TimeoutIsAnErrorOfTheScan) {
  // A condition looping over a large range never finishes within a second.
  std::unique_ptr<Rules> rules = MustCompile(Write("r.yar", R"(
rule slow { condition: for all i in (0..100000000000) : (uint8(i % 16) != 0x7f or i >= 0) }
)"));
  ASSERT_NE(rules, nullptr);
  ScanOptions options;
  options.timeout_seconds = 1;
  Result<std::vector<Match>> r = rules->Scan(Bytes(std::string(16, 'a')), options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kLimit);
  EXPECT_NE(r.status().message().find("timed out"), std::string::npos);
}

TEST_F(YaraTest, SharedByThreads) {
  std::unique_ptr<Rules> rules = MustCompile(Write("r.yar", kRules));
  ASSERT_NE(rules, nullptr);
  std::vector<std::thread> threads;
  std::atomic<int> found{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        Result<std::vector<Match>> r = rules->Scan(Bytes("acct-0001 " + std::to_string(i)), ScanOptions());
        if (r.ok() && Find(*r, "regex_string") != nullptr) ++found;
      }
    });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(found.load(), 200);
}

}  // namespace
}  // namespace evidex::yara
