// The document of a cooperation request: what the request code (coop/) builds and the renderers
// (render.h) lay out as DOCX or PDF. The model knows no request type: a request is a title, a
// reference and a date, sections of labelled fields with an optional table, and a signature.
//
// Labels, titles and column names are translation keys (translations.h), looked up in the
// language(s) of the rendering; values are shown exactly as written (identifiers, names, dates,
// free text in any script), unless a field says its value is a key too. A plain value type: no
// invariants beyond the one checked by the renderers (a table row has one cell per column).
#ifndef EVIDEX_COOP_DOCS_DOCUMENT_H_
#define EVIDEX_COOP_DOCS_DOCUMENT_H_

#include <optional>
#include <string>
#include <vector>

namespace evidex::coop {

// A field: label is a translation key ("field.offence"); value is shown as written, unless
// translate is true, then value is itself a translation key ("category.subscriber").
struct DocField {
  std::string label;
  std::string value;
  bool translate = false;
};

// A table (the identifiers to preserve): columns are translation keys; cells shown as written,
// but for a column marked in `translate`, whose cells are translation keys too (a fixed
// vocabulary: kinds, data categories), shown in each language of the document. Every row has
// exactly one cell per column; `translate` is empty (no such column) or one flag per column.
struct DocTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> translate;
  bool Translated(size_t column) const { return column < translate.size() && translate[column]; }
};

struct DocSection {
  std::string title;  // translation key
  std::vector<DocField> fields;
  std::optional<DocTable> table;  // after the fields
};

struct Document {
  std::string title;            // translation key, e.g. "title.preservation"
  std::string reference, date;  // as written: "LK-CCU-2026-0007", "2026-12-03"
  std::vector<DocSection> sections;
  std::string signature;  // "ed25519:<hex> / Cybercrime Unit, Colombo (LK)" or "" (draft)
  bool draft = false;     // a draft renders a visible DRAFT mark ("mark.draft")
};

}  // namespace evidex::coop

#endif  // EVIDEX_COOP_DOCS_DOCUMENT_H_
