// The checks and text clean-up shared by render_docx.cc and render_pdf.cc.
#include <fribidi.h>
#include <glib.h>

#include "coop/docs/render_internal.h"

namespace evidex::coop::internal {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

Status CheckDocument(const Document& doc) {
  for (const DocSection& s : doc.sections) {
    if (!s.table) continue;
    if (!s.table->translate.empty() && s.table->translate.size() != s.table->columns.size())
      return InvalidArgument("section '" + s.title + "': " + std::to_string(s.table->translate.size()) +
                             " translate flags for " + std::to_string(s.table->columns.size()) + " columns");
    for (size_t r = 0; r < s.table->rows.size(); ++r) {
      if (s.table->rows[r].size() != s.table->columns.size())
        return InvalidArgument("section '" + s.title + "': table row " + std::to_string(r + 1) +
                               " has " + std::to_string(s.table->rows[r].size()) + " cells for " +
                               std::to_string(s.table->columns.size()) + " columns");
    }
  }
  return Status::Ok();
}

std::string ValidUtf8(std::string_view text) {
  // NUL would end GLib's string early: it becomes U+FFFD like any other control character.
  std::string in;
  in.reserve(text.size());
  for (char ch : text) {
    if (ch == '\0') {
      in += kReplacement;
    } else {
      in += ch;
    }
  }
  gchar* valid = g_utf8_make_valid(in.data(), gssize(in.size()));
  std::string out;
  out.reserve(in.size());
  for (const gchar* p = valid; *p; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    // Controls other than tab and line breaks, and U+FFFE/U+FFFF, are not text (XML forbids them).
    bool bad = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE || c == 0xFFFF;
    if (bad) {
      out += kReplacement;
    } else {
      out.append(p, size_t(g_utf8_next_char(p) - p));
    }
  }
  g_free(valid);
  return out;
}

bool StartsRightToLeft(std::string_view text) {
  // The Unicode bidirectional classes of fribidi (what pango lays out with), not a table of ours.
  std::string valid = ValidUtf8(text);
  for (const gchar* p = valid.c_str(); *p; p = g_utf8_next_char(p)) {
    FriBidiCharType type = fribidi_get_bidi_type(g_utf8_get_char(p));
    if (FRIBIDI_IS_LETTER(type)) return FRIBIDI_IS_RTL(type);
  }
  return false;
}

}  // namespace evidex::coop::internal
