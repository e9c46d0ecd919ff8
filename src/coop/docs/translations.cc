// The embedded translation tables (i18n_data.h), parsed once into maps.
#include "coop/docs/translations.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "coop/docs/i18n_data.h"

namespace evidex::coop {
namespace {

using Table = std::map<std::string, std::string>;

struct Tables {
  std::map<std::string, Table> by_code;
  Status status;  // not OK when an embedded table is malformed
};

Status ParseTable(const internal::EmbeddedLanguage& lang, Table* out) {
  nlohmann::json j = nlohmann::json::parse(lang.json, lang.json + lang.size, nullptr, false);
  if (!j.is_object())
    return Internal(std::string("translation table '") + lang.code + "' is not a JSON object");
  for (const auto& [key, text] : j.items()) {
    if (!text.is_string())
      return Internal(std::string("translation table '") + lang.code + "': '" + key +
                      "' is not a string");
    (*out)[key] = text.get<std::string>();
  }
  return Status::Ok();
}

// Parsed on first use; a function-local static, so the first use from any thread is safe.
const Tables& AllTables() {
  static const Tables tables = [] {
    Tables t;
    for (size_t i = 0; i < internal::kEmbeddedLanguageCount && t.status.ok(); ++i) {
      const internal::EmbeddedLanguage& lang = internal::kEmbeddedLanguages[i];
      t.status = ParseTable(lang, &t.by_code[lang.code]);
    }
    if (t.status.ok() && !t.by_code.count("en")) t.status = Internal("no English table embedded");
    return t;
  }();
  return tables;
}

}  // namespace

Result<Translations> Translations::ForLanguage(const std::string& code) {
  const Tables& tables = AllTables();
  if (!tables.status.ok()) return tables.status;
  auto it = tables.by_code.find(code);
  if (it == tables.by_code.end()) {
    std::string have;
    for (const std::string& c : Languages()) have += (have.empty() ? "" : ", ") + c;
    return NotFound("no translation for '" + code + "' (have: " + have + ")");
  }
  return Translations(code, &it->second, &tables.by_code.at("en"));
}

std::vector<std::string> Translations::Languages() {
  std::vector<std::string> codes;
  for (size_t i = 0; i < internal::kEmbeddedLanguageCount; ++i)
    codes.push_back(internal::kEmbeddedLanguages[i].code);
  std::sort(codes.begin(), codes.end());
  return codes;
}

std::string Translations::Get(const std::string& key) const {
  if (auto it = table_->find(key); it != table_->end()) return it->second;
  if (auto it = english_->find(key); it != english_->end()) return it->second;
  return key;
}

std::vector<std::string> Translations::Keys() const {
  std::vector<std::string> keys;
  for (const auto& [key, text] : *table_) keys.push_back(key);
  return keys;
}

}  // namespace evidex::coop
