#include "scan/pattern_cache.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace evidex::scan {
namespace {

namespace fs = std::filesystem;

int Count(unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
  ++*static_cast<int*>(ctx);
  return 0;
}

int Matches(hs_database_t* db, const std::string& text) {
  hs_scratch_t* scratch = nullptr;
  EXPECT_EQ(hs_alloc_scratch(db, &scratch), HS_SUCCESS);
  int n = 0;
  hs_scan(db, text.data(), unsigned(text.size()), 0, scratch, Count, &n);
  hs_free_scratch(scratch);
  return n;
}

class PatternCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("evidex-hs-cache-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    setenv("EVIDEX_CACHE_DIR", dir_.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("EVIDEX_CACHE_DIR");
    fs::remove_all(dir_);
  }
  hs_database_t* Compile(const char* expr) {
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    EXPECT_EQ(CompileCached({expr}, {0}, {7}, &db, &err), HS_SUCCESS);
    return db;
  }
  std::vector<fs::path> Files() {
    std::vector<fs::path> out;
    if (fs::exists(dir_))
      for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path());
    return out;
  }
  fs::path dir_;
};

TEST_F(PatternCacheTest, SecondCompileLoadsTheCachedDatabase) {
  hs_database_t* a = Compile("ab+c");
  ASSERT_EQ(Files().size(), 1u);
  EXPECT_EQ(Matches(a, "xxabbbc abc ac"), 2);
  auto stamp = fs::last_write_time(Files()[0]);
  hs_database_t* b = Compile("ab+c");
  EXPECT_EQ(Matches(b, "xxabbbc abc ac"), 2);
  EXPECT_EQ(Files().size(), 1u);
  EXPECT_EQ(fs::last_write_time(Files()[0]), stamp);  // read, not rewritten
  hs_database_t* c = Compile("x+y");                    // other patterns: another file
  EXPECT_EQ(Files().size(), 2u);
  EXPECT_EQ(Matches(c, "xxy"), 1);
  hs_free_database(a);
  hs_free_database(b);
  hs_free_database(c);
}

TEST_F(PatternCacheTest, CorruptFileIsIgnoredAndReplaced) {
  hs_free_database(Compile("ab+c"));
  ASSERT_EQ(Files().size(), 1u);
  fs::path f = Files()[0];
  {
    std::fstream io(f, std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(200);
    io.put('\xff');
  }
  hs_database_t* db = Compile("ab+c");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Matches(db, "abc abbc"), 2);
  hs_free_database(db);
  std::fstream(f, std::ios::out | std::ios::trunc | std::ios::binary) << "evidex-hs-cache-1\n";
  db = Compile("ab+c");
  EXPECT_EQ(Matches(db, "abc"), 1);
  hs_free_database(db);
}

TEST_F(PatternCacheTest, OffDisablesIt) {
  setenv("EVIDEX_CACHE_DIR", "off", 1);
  hs_database_t* db = Compile("ab+c");
  EXPECT_EQ(Matches(db, "abc"), 1);
  hs_free_database(db);
  EXPECT_FALSE(fs::exists("off"));
  EXPECT_TRUE(Files().empty());
}

}  // namespace
}  // namespace evidex::scan
