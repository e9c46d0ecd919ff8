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

CsvReader::CsvReader(std::string_view data) : d_(data) {
  if (d_.substr(0, 3) == "\xEF\xBB\xBF") d_.remove_prefix(3);
}

bool CsvReader::Next(CsvRecord* r) {
  if (i_ >= d_.size()) return false;
  r->line = line_;
  r->fields.clear();
  r->error.clear();
  while (true) {
    std::string field;
    if (i_ < d_.size() && d_[i_] == '"') {
      ++i_;
      bool closed = false;
      while (i_ < d_.size()) {
        char c = d_[i_++];
        if (c == '"') {
          if (i_ < d_.size() && d_[i_] == '"') {
            field.push_back('"');
            ++i_;
            continue;
          }
          closed = true;
          break;
        }
        if (c == '\n') ++line_;
        field.push_back(c);
      }
      if (!closed) {
        r->error = "quoted field not closed before the end of the file";
        return true;
      }
      if (i_ < d_.size() && d_[i_] != ',' && d_[i_] != '\n' && d_[i_] != '\r') {
        r->error = "text after a closing quote";
        SkipLine();
        return true;
      }
    } else {
      while (i_ < d_.size() && d_[i_] != ',' && d_[i_] != '\n' && d_[i_] != '\r')
        field.push_back(d_[i_++]);
    }
    r->fields.push_back(std::move(field));
    if (i_ >= d_.size()) return true;
    char c = d_[i_++];
    if (c == ',') continue;
    if (c == '\r' && i_ < d_.size() && d_[i_] == '\n') ++i_;
    ++line_;
    return true;
  }
}

void CsvReader::SkipLine() {
  while (i_ < d_.size() && d_[i_] != '\n') ++i_;
  if (i_ < d_.size()) ++i_;
  ++line_;
}

}  // namespace evidex::exchange
