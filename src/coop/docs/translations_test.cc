// The translation tables: six languages, each with every English key and nothing else, no empty
// text, the page-footer pattern with both of its slots; lookups and their fallbacks.
#include "coop/docs/translations.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace evidex::coop {
namespace {

TEST(TranslationsTest, TheSixUnLanguages) {
  EXPECT_EQ(Translations::Languages(),
            (std::vector<std::string>{"ar", "en", "es", "fr", "ru", "zh"}));
}

TEST(TranslationsTest, EveryLanguageHasEveryKeyAndNoOther) {
  Result<Translations> en = Translations::ForLanguage("en");
  ASSERT_TRUE(en.ok()) << en.status().ToString();
  const std::vector<std::string> keys = en->Keys();
  ASSERT_GT(keys.size(), 100u);
  for (const std::string& code : Translations::Languages()) {
    Result<Translations> t = Translations::ForLanguage(code);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(t->code(), code);
    EXPECT_EQ(t->Keys(), keys) << code << ": keys differ from en.json";
    for (const std::string& key : t->Keys()) {
      EXPECT_FALSE(t->Get(key).empty()) << code << ": " << key;
      // A text that still reads like a key was never translated (English "of" is its own key).
      if (code != "en") {
        EXPECT_NE(t->Get(key), key) << code << ": " << key;
      }
    }
    const std::string footer = t->Get("page.n_of_m");
    EXPECT_NE(footer.find("{n}"), std::string::npos) << code;
    EXPECT_NE(footer.find("{m}"), std::string::npos) << code;
  }
}

// The names in braces of `text`, sorted ("{n}" -> "n").
std::vector<std::string> Placeholders(const std::string& text) {
  std::vector<std::string> out;
  for (size_t open = text.find('{'); open != std::string::npos; open = text.find('{', open + 1)) {
    size_t close = text.find('}', open);
    if (close == std::string::npos) break;
    out.push_back(text.substr(open + 1, close - open - 1));
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(TranslationsTest, EveryTranslationKeepsThePlaceholders) {
  Result<Translations> en = Translations::ForLanguage("en");
  ASSERT_TRUE(en.ok());
  size_t with = 0;
  for (const std::string& key : en->Keys()) {
    std::vector<std::string> want = Placeholders(en->Get(key));
    with += !want.empty();
    for (const std::string& code : Translations::Languages()) {
      Result<Translations> t = Translations::ForLanguage(code);
      ASSERT_TRUE(t.ok());
      EXPECT_EQ(Placeholders(t->Get(key)), want) << code << ": " << key << ": " << t->Get(key);
    }
  }
  EXPECT_GT(with, 20u);
}

TEST(TranslationsTest, TheRequiredKeysExist) {
  Result<Translations> en = Translations::ForLanguage("en");
  ASSERT_TRUE(en.ok());
  const std::vector<std::string> keys = en->Keys();
  for (const char* key : {"title.preservation",
                          "title.emergency",
                          "title.mla",
                          "title.epoc",
                          "title.epoc-pr",
                          "title.extension",
                          "section.header",
                          "section.signature",
                          "field.traffic_path",
                          "field.signature",
                          "col.kind",
                          "col.range_to",
                          "category.identification",
                          "status.followup_preservation",
                          "yes",
                          "no",
                          "basis.us-2703f",
                          "kind.xmr",
                          "kind.onion",
                          "mark.draft",
                          "page",
                          "of"}) {
    EXPECT_TRUE(std::binary_search(keys.begin(), keys.end(), key)) << key;
  }
  EXPECT_EQ(en->Get("title.preservation"),
            "Request for expedited preservation of stored computer data");
}

TEST(TranslationsTest, UnknownLanguageNamesTheOnesWeHave) {
  Result<Translations> de = Translations::ForLanguage("de");
  ASSERT_FALSE(de.ok());
  EXPECT_EQ(de.status().code(), Code::kNotFound);
  EXPECT_EQ(de.status().message(), "no translation for 'de' (have: ar, en, es, fr, ru, zh)");
}

TEST(TranslationsTest, DirectionAndFallbacks) {
  for (const std::string& code : Translations::Languages())
    EXPECT_EQ(Translations::ForLanguage(code)->rtl(), code == "ar") << code;
  Result<Translations> zh = Translations::ForLanguage("zh");
  ASSERT_TRUE(zh.ok());
  EXPECT_EQ(zh->Get("col.identifier"), "标识符");
  EXPECT_EQ(zh->Get("no.such.key"), "no.such.key");  // neither zh nor en has it
}

}  // namespace
}  // namespace evidex::coop
