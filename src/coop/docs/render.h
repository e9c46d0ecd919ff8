// Renders a request Document (document.h) as an editable Word document (DOCX) or an A4 PDF, in one
// language or two side by side.
//
// Labels, titles and column names are looked up in `lang` (and in `second` for a bilingual
// document: left the first language, right the second); values are shown as written in both.
// Arabic reads right to left: paragraphs are right-to-left and right-aligned, a one-language
// document mirrors its columns. Text that is not valid UTF-8 is shown with U+FFFD in place of the
// bad bytes; characters XML forbids are replaced the same way in the DOCX. The same Document and
// languages always give the same DOCX bytes (fixed member times).
//
// Both functions are pure apart from the PDF's file; they may run on several threads at once.
// They fail with kInvalidArgument when a table row does not have one cell per column, with the
// errno's status naming the path (kNotFound, kIoError) when the PDF cannot be written, and with
// kInternal when a library fails.
#ifndef EVIDEX_COOP_DOCS_RENDER_H_
#define EVIDEX_COOP_DOCS_RENDER_H_

#include <string>

#include "coop/docs/document.h"
#include "coop/docs/translations.h"
#include "core/status.h"

namespace evidex::coop {

// The bytes of a .docx (OOXML WordprocessingML, zip with deflate). `second` may be null.
Result<std::string> RenderDocx(const Document& doc, const Translations& lang,
                               const Translations* second);

// Writes an A4 PDF to `path` (replaced if it exists), with "Page N of M" on every page and the
// DRAFT mark on every page of a draft. `second` may be null. Fonts: Noto Sans, Noto Naskh
// Arabic, Noto Sans CJK SC (fonts-noto-core, fonts-noto-cjk), falling back through fontconfig.
Status RenderPdf(const Document& doc, const Translations& lang, const Translations* second,
                 const std::string& path);

// Page `page` (from 1) of that PDF as a PNG image at `dpi` (18-300; 72 is one pixel per point),
// laid out exactly as the PDF: the preview before a request is finalized. kNotFound names the
// number of pages when the document has fewer; kInvalidArgument for a resolution outside 18-300.
struct PagePreview {
  std::string png;
  int pages = 0;  // of the whole document
};
Result<PagePreview> RenderPagePng(const Document& doc, const Translations& lang,
                                  const Translations* second, int page, double dpi);

}  // namespace evidex::coop

#endif  // EVIDEX_COOP_DOCS_RENDER_H_
