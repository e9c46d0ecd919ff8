// `evidex hashset` end to end: import lists made by md5sum / sha1sum / sha256sum and hashdeep,
// look-ups, check of a folder (alert first), remove, damaged set files, bad input.
#include <nlohmann/json.hpp>

#include "vault_cli_test_util.h"

namespace evidex::testing {
namespace {

const char* kPass = "correct horse battery staple";

class HashsetCli : public VaultCliTest {
 protected:
  void SetUp() override {
    VaultCliTest::SetUp();
    ASSERT_EQ(Ev("init --unit \"Cybercrime Unit, Colombo\" --country LK", kPass).code, 0);
    std::filesystem::create_directories(dir_ / "seized" / "sub");
    Write("seized/malware.exe", "MZ this is the known malware sample");
    Write("seized/sub/notepad.exe", "MZ an operating system file");
    Write("seized/sub/letter.txt", "a letter nobody has seen before");
  }
  nlohmann::json Json(const std::string& args) {
    Outcome o = Ev(args + " --json");
    EXPECT_EQ(o.code, 0) << o.out;
    return nlohmann::json::parse(o.out, nullptr, false);
  }
};

TEST_F(HashsetCli, ImportLookupCheckRemove) {
  // An alert set from sha256sum, a known-good set from md5sum (real tools, test-time files).
  ASSERT_EQ(Sh("cd " + P("seized") + " && sha256sum malware.exe > " + P("alert.sha256")).code, 0);
  ASSERT_EQ(Sh("cd " + P("seized") + " && md5sum sub/notepad.exe > " + P("os.md5")).code, 0);
  nlohmann::json a = Json("hashset import " + P("alert.sha256") +
                          " --category alert --name \"Partner malware\" --label malware");
  EXPECT_EQ(a["format"], "list");
  EXPECT_EQ(a["sha256"], 1);
  EXPECT_EQ(a["category"], "alert");
  nlohmann::json k = Json("hashset import " + P("os.md5") + " --category known --name OS");
  EXPECT_EQ(k["md5"], 1);

  nlohmann::json list = Json("hashset list");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["name"], "Partner malware");  // alert sets first

  const std::string mal = OpenSslDigests(Read("seized/malware.exe")).sha256;
  nlohmann::json look = Json("hashset lookup " + mal + " " + std::string(40, '0'));
  ASSERT_EQ(look.size(), 2u);
  ASSERT_EQ(look[0]["matches"].size(), 1u);
  EXPECT_EQ(look[0]["matches"][0]["set"], "Partner malware");
  EXPECT_EQ(look[0]["matches"][0]["label"], "malware");
  EXPECT_TRUE(look[1]["matches"].empty());

  nlohmann::json check = Json("hashset check " + P("seized"));
  EXPECT_EQ(check["alert"], 1);
  EXPECT_EQ(check["known"], 1);
  EXPECT_EQ(check["unknown"], 1);
  nlohmann::json files = check["files"];
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0]["status"], "alert");  // alerts first
  EXPECT_NE(files[0]["path"].get<std::string>().find("malware.exe"), std::string::npos);
  EXPECT_EQ(files[0]["sha256"], mal);
  Outcome text = Ev("hashset check " + P("seized") + " --alerts-only");
  EXPECT_EQ(text.code, 0);
  EXPECT_NE(text.out.find("ALERT"), std::string::npos);
  EXPECT_EQ(text.out.find("letter.txt"), std::string::npos);

  Outcome rm = Ev("hashset remove OS");
  EXPECT_EQ(rm.code, 0) << rm.out;
  EXPECT_EQ(Json("hashset list").size(), 1u);
  EXPECT_EQ(Ev("hashset remove OS").code, 1);
}

TEST_F(HashsetCli, HashdeepFileFromTheRealTool) {
  Outcome hd = Sh("cd " + P("seized") + " && hashdeep -c md5,sha1,sha256 -r . > " + P("hd.txt"));
  if (hd.code == 127) GTEST_SKIP() << "hashdeep is not installed (scripts/install-deps.sh installs it)";
  ASSERT_EQ(hd.code, 0);
  nlohmann::json r = Json("hashset import " + P("hd.txt") + " --category known");
  EXPECT_EQ(r["format"], "hashdeep");
  EXPECT_EQ(r["md5"], 3);
  EXPECT_EQ(r["sha1"], 3);
  EXPECT_EQ(r["sha256"], 3);
  EXPECT_EQ(Json("hashset check " + P("seized"))["known"], 3);
}

TEST_F(HashsetCli, BadInputIsRefusedWithTheLine) {
  Write("bad.txt", "d41d8cd98f00b204e9800998ecf8427e  empty\nnot-a-hash  x\n");
  Outcome o = Ev("hashset import " + P("bad.txt") + " --category known");
  EXPECT_EQ(o.code, 2) << o.out;
  EXPECT_NE(o.out.find("line 2"), std::string::npos) << o.out;
  EXPECT_TRUE(Json("hashset list").empty());  // nothing imported
  Outcome partial = Ev("hashset import " + P("bad.txt") + " --category known --partial --json");
  EXPECT_EQ(partial.code, 0) << partial.out;
  EXPECT_EQ(Json("hashset list").size(), 1u);

  EXPECT_EQ(Ev("hashset import " + P("missing.txt") + " --category known").code, 2);
  EXPECT_EQ(Ev("hashset import " + P("bad.txt") + " --category maybe").code, 1);
  EXPECT_EQ(Ev("hashset lookup xyz").code, 1);

  // A damaged set file is reported, not silently skipped (it could hide alerts).
  for (const auto& e : std::filesystem::directory_iterator(P("ws/hashsets")))
    std::filesystem::resize_file(e.path(), 200);
  Outcome damaged = Ev("hashset list");
  EXPECT_EQ(damaged.code, 7) << damaged.out;
  EXPECT_NE(damaged.out.find("hash set"), std::string::npos) << damaged.out;
}

}  // namespace
}  // namespace evidex::testing
