// CSV fields for files people open in spreadsheets (artifact exports, file lists, timelines).
#ifndef EVIDEX_EXCHANGE_CSV_H_
#define EVIDEX_EXCHANGE_CSV_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace evidex::exchange {

// One RFC 4180 field: quoted when it holds a comma, quote, CR or LF, its quotes doubled. A text
// beginning with '=', '+', '-', '@', tab or CR — which Excel and LibreOffice would run as a
// formula (a file name from evidence such as "=HYPERLINK(...)") — gets a leading apostrophe, as
// OWASP advises; the JSON outputs carry the value unchanged. Not for numbers.
std::string CsvField(std::string_view s);

// A field as CsvField wrote it, with the apostrophe it put before a formula-like text removed
// (so that evidex's own CSV exports read back as watchlists); any other text unchanged.
std::string_view CsvUnguard(std::string_view field);

// One record read by CsvReader.
struct CsvRecord {
  size_t line = 0;  // where it starts, from 1
  std::vector<std::string> fields;
  std::string error;  // a quoting error; the record is not to be used
};

// RFC 4180 records in one forward pass over `data` (a leading UTF-8 BOM skipped): fields split
// on commas, quoted fields may hold commas, doubled quotes and line breaks; records end at LF or
// CRLF. A quoting error is reported in the record (and the rest of its line skipped), never
// thrown. The data must outlive the reader.
class CsvReader {
 public:
  explicit CsvReader(std::string_view data);
  // False at the end of the data.
  bool Next(CsvRecord* r);

 private:
  void SkipLine();
  std::string_view d_;
  size_t i_ = 0;
  size_t line_ = 1;
};

}  // namespace evidex::exchange

#endif  // EVIDEX_EXCHANGE_CSV_H_
