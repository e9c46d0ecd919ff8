// CSV fields for files people open in spreadsheets (artifact exports, file lists, timelines).
#ifndef EVIDEX_EXCHANGE_CSV_H_
#define EVIDEX_EXCHANGE_CSV_H_

#include <string>
#include <string_view>

namespace evidex::exchange {

// One RFC 4180 field: quoted when it holds a comma, quote, CR or LF, its quotes doubled. A text
// beginning with '=', '+', '-', '@', tab or CR — which Excel and LibreOffice would run as a
// formula (a file name from evidence such as "=HYPERLINK(...)") — gets a leading apostrophe, as
// OWASP advises; the JSON outputs carry the value unchanged. Not for numbers.
std::string CsvField(std::string_view s);

// A field as CsvField wrote it, with the apostrophe it put before a formula-like text removed
// (so that evidex's own CSV exports read back as watchlists); any other text unchanged.
std::string_view CsvUnguard(std::string_view field);

}  // namespace evidex::exchange

#endif  // EVIDEX_EXCHANGE_CSV_H_
