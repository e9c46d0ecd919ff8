// The texts of request documents in the six official languages of the United Nations (ar, en, es,
// fr, ru, zh). Each language is a flat JSON object, key → text, in src/coop/docs/i18n/, compiled
// into the binary at build time (embed_i18n.cmake): nothing is looked up on disk at run time.
//
// A Translations is an immutable, cheap-to-copy handle on one language's table (the tables are
// parsed once, on first use, and shared); any number of threads may use it at once. A key the
// language lacks falls back to English, then to the key itself, so a missing text shows up in the
// document instead of failing the rendering; the tests make sure no key is missing.
#ifndef EVIDEX_COOP_DOCS_TRANSLATIONS_H_
#define EVIDEX_COOP_DOCS_TRANSLATIONS_H_

#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace evidex::coop {

class Translations {
 public:
  // The language with ISO 639-1 `code` ("ar", "en", ...). kNotFound names the languages we have:
  // "no translation for 'de' (have: ar, en, es, fr, ru, zh)"; kInternal if an embedded table is
  // not a flat JSON object of strings (a build defect the tests catch).
  static Result<Translations> ForLanguage(const std::string& code);
  // The codes of the languages compiled in, sorted.
  static std::vector<std::string> Languages();

  const std::string& code() const { return code_; }
  // True for a right-to-left language (Arabic).
  bool rtl() const { return code_ == "ar"; }
  // The text of `key`; English when this language lacks it; `key` when English lacks it too.
  std::string Get(const std::string& key) const;
  // Whether this language, or English, has a text for `key`.
  bool Has(const std::string& key) const { return table_->count(key) || english_->count(key); }
  // The keys this language defines, sorted.
  std::vector<std::string> Keys() const;

 private:
  using Table = std::map<std::string, std::string>;
  Translations(std::string code, const Table* table, const Table* english)
      : code_(std::move(code)), table_(table), english_(english) {}

  std::string code_;
  const Table* table_;    // static storage (parsed once), never null
  const Table* english_;  // the fallback, never null
};

}  // namespace evidex::coop

#endif  // EVIDEX_COOP_DOCS_TRANSLATIONS_H_
