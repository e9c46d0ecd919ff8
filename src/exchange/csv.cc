#include "exchange/csv.h"

namespace evidex::exchange {

namespace {
bool FormulaStart(char c) { return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'; }
}  // namespace

std::string_view CsvUnguard(std::string_view field) {
  if (field.size() >= 2 && field[0] == '\'' && FormulaStart(field[1])) field.remove_prefix(1);
  return field;
}

std::string CsvField(std::string_view s) {
  std::string text;
  if (!s.empty() && FormulaStart(s[0])) text = "'";
  text.append(s);
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace evidex::exchange
