// A request Document as a .docx: the few OOXML parts Word and LibreOffice need, written by hand,
// zipped with libarchive. Layout: the title, then per section a heading and a borderless
// two-column table of labels and values (one language) or a two-column table with one language
// per column (bilingual), then the identifiers table of the section with a repeated header row.
#include <archive.h>
#include <archive_entry.h>

#include <cctype>
#include <regex>
#include <string>
#include <vector>

#include "coop/docs/render.h"
#include "coop/docs/render_internal.h"
#include "core/markup.h"

namespace evidex::coop {
namespace {

using internal::StartsRightToLeft;
using internal::ValidUtf8;

constexpr char kNsW[] = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
constexpr char kNsR[] = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
constexpr char kXmlDecl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
// A4 with 2 cm margins, in twentieths of a point.
constexpr int kPageW = 11906, kPageH = 16838, kMargin = 1134, kTextW = kPageW - 2 * kMargin;
constexpr int kLabelW = 3300;  // the label column of a one-language field table

std::string Esc(const std::string& s) { return EscapeMarkup(s); }

// The w:lang attribute of a language: Word keeps Arabic's in w:bidi, Chinese's in w:eastAsia.
std::string LangAttr(const Translations& t) {
  const std::string& c = t.code();
  if (c == "ar") return "w:bidi=\"ar-SA\"";
  if (c == "zh") return "w:eastAsia=\"zh-CN\"";
  if (c == "en") return "w:val=\"en-GB\"";
  std::string region = c;  // fr-FR, es-ES, ru-RU
  for (char& ch : region) ch = char(std::toupper(static_cast<unsigned char>(ch)));
  return "w:val=\"" + c + "-" + region + "\"";
}

// Builds word/document.xml's body.
class Body {
 public:
  // A paragraph of `text` (as given: translated or a value) in the column of language `col`.
  // A paragraph whose text starts right-to-left is a right-to-left paragraph (w:bidi) of
  // right-to-left runs (w:rtl); a left-to-right one in a right-to-left column is right-aligned.
  void Para(const std::string& raw, const Translations& col, const char* style = nullptr,
            bool bold = false) {
    std::string text = ValidUtf8(raw);
    bool rtl = StartsRightToLeft(text);
    x_ += "<w:p><w:pPr>";
    if (style) x_ += std::string("<w:pStyle w:val=\"") + style + "\"/>";
    if (rtl) x_ += "<w:bidi/>";
    if (!rtl && col.rtl()) x_ += "<w:jc w:val=\"right\"/>";
    x_ += "</w:pPr>";
    std::string rpr = "<w:rPr>";
    if (bold) rpr += "<w:b/><w:bCs/>";
    if (rtl) rpr += "<w:rtl/>";
    rpr += "<w:lang " + LangAttr(col) + "/></w:rPr>";
    // Line breaks and tabs of free text are elements in WordprocessingML, not characters.
    size_t start = 0;
    x_ += "<w:r>" + rpr;
    for (size_t i = 0; i <= text.size(); ++i) {
      if (i < text.size() && text[i] != '\n' && text[i] != '\t') continue;
      size_t end = i > start && text[i - 1] == '\r' ? i - 1 : i;
      if (end > start)
        x_ += "<w:t xml:space=\"preserve\">" + Esc(text.substr(start, end - start)) + "</w:t>";
      if (i < text.size()) x_ += text[i] == '\n' ? "<w:br/>" : "<w:tab/>";
      start = i + 1;
    }
    x_ += "</w:r></w:p>";
  }

  // A table; `widths` in twips; `bidi` puts the first column at the right; `grid` draws borders.
  void BeginTable(const std::vector<int>& widths, bool bidi, bool grid) {
    x_ += "<w:tbl><w:tblPr>";
    x_ += grid ? "<w:tblStyle w:val=\"RequestGrid\"/>" : "<w:tblStyle w:val=\"RequestFields\"/>";
    if (bidi) x_ += "<w:bidiVisual/>";
    x_ += "<w:tblW w:w=\"" + std::to_string(kTextW) +
          "\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid>";
    for (int w : widths) x_ += "<w:gridCol w:w=\"" + std::to_string(w) + "\"/>";
    x_ += "</w:tblGrid>";
    widths_ = widths;
  }
  void EndTable() { x_ += "</w:tbl><w:p/>"; }  // Word wants a paragraph between tables
  // `header`: repeated at the top of each page, shaded, never split across pages.
  void BeginRow(bool header = false) {
    x_ += "<w:tr>";
    if (header) x_ += "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>";
    cell_ = 0;
  }
  void EndRow() { x_ += "</w:tr>"; }
  void BeginCell(bool shaded = false) {
    x_ += "<w:tc><w:tcPr><w:tcW w:w=\"" + std::to_string(widths_[cell_++]) + "\" w:type=\"dxa\"/>";
    if (shaded) x_ += "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"E8E8E8\"/>";
    x_ += "</w:tcPr>";
    cell_start_ = x_.size();
  }
  void EndCell() {
    if (x_.size() == cell_start_) x_ += "<w:p/>";  // a cell holds at least one paragraph
    x_ += "</w:tc>";
  }

  std::string& xml() { return x_; }

 private:
  std::string x_;
  std::vector<int> widths_;
  size_t cell_ = 0, cell_start_ = 0;
};

std::string FieldText(const DocField& f, const Translations& t) {
  return f.translate ? t.Get(f.value) : f.value;
}

// The document body: one language, or two side by side.
std::string BodyXml(const Document& doc, const Translations& lang, const Translations* second) {
  Body b;
  const bool mirror = !second && lang.rtl();  // a one-language Arabic document reads from the right
  std::vector<const Translations*> langs = {&lang};
  if (second) langs.push_back(second);
  const std::vector<int> half = {kTextW / 2, kTextW - kTextW / 2};
  const std::vector<int> field_cols = {kLabelW, kTextW - kLabelW};

  if (doc.draft) {
    for (const Translations* t : langs) b.Para(t->Get("mark.draft"), *t, "DraftMark");
  }
  // Title, reference and date; then every section.
  std::vector<DocField> head = {{"field.reference", doc.reference}, {"field.date", doc.date}};
  auto fields = [&](const std::vector<DocField>& fs) {
    for (const DocField& f : fs) {
      b.BeginRow();
      if (second) {
        for (const Translations* t : langs) {
          b.BeginCell();
          b.Para(t->Get(f.label), *t, "FieldLabel", true);
          b.Para(FieldText(f, *t), *t);
          b.EndCell();
        }
      } else {
        b.BeginCell();
        b.Para(lang.Get(f.label), lang, "FieldLabel", true);
        b.EndCell();
        b.BeginCell();
        b.Para(FieldText(f, lang), lang);
        b.EndCell();
      }
      b.EndRow();
    }
  };
  if (second) {
    b.BeginTable(half, false, false);
    b.BeginRow();
    for (const Translations* t : langs) {
      b.BeginCell();
      b.Para(t->Get(doc.title), *t, "Title");
      b.EndCell();
    }
    b.EndRow();
  } else {
    b.Para(lang.Get(doc.title), lang, "Title");
    b.BeginTable(field_cols, mirror, false);
  }
  fields(head);
  b.EndTable();

  for (const DocSection& s : doc.sections) {
    if (second) {
      b.BeginTable(half, false, false);
      b.BeginRow();
      for (const Translations* t : langs) {
        b.BeginCell();
        b.Para(t->Get(s.title), *t, "Heading1");
        b.EndCell();
      }
      b.EndRow();
      fields(s.fields);
      b.EndTable();
    } else {
      b.Para(lang.Get(s.title), lang, "Heading1");
      if (!s.fields.empty()) {
        b.BeginTable(field_cols, mirror, false);
        fields(s.fields);
        b.EndTable();
      }
    }
    if (s.table && !s.table->columns.empty()) {
      const DocTable& t = *s.table;
      std::vector<int> widths(t.columns.size(), kTextW / int(t.columns.size()));
      b.BeginTable(widths, lang.rtl(), true);
      b.BeginRow(true);
      for (const std::string& col : t.columns) {
        b.BeginCell(true);
        for (const Translations* l : langs) b.Para(l->Get(col), *l, "CellText", true);
        b.EndCell();
      }
      b.EndRow();
      for (const std::vector<std::string>& row : t.rows) {
        b.BeginRow();
        for (size_t c = 0; c < row.size(); ++c) {
          b.BeginCell();
          if (t.Translated(c)) {
            for (const Translations* l : langs) b.Para(l->Get(row[c]), *l, "CellText");
          } else {
            b.Para(row[c], lang, "CellText");
          }
          b.EndCell();
        }
        b.EndRow();
      }
      b.EndTable();
    }
  }
  if (!doc.signature.empty()) {
    b.BeginTable(second ? half : field_cols, mirror, false);
    fields({{"field.signature", doc.signature}});
    b.EndTable();
  }
  b.xml() += "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooter\"/>";
  if (doc.draft) b.xml() += "<w:headerReference w:type=\"default\" r:id=\"rIdHeader\"/>";
  b.xml() += "<w:pgSz w:w=\"" + std::to_string(kPageW) + "\" w:h=\"" + std::to_string(kPageH) +
             "\"/><w:pgMar w:top=\"" + std::to_string(kMargin) + "\" w:right=\"" +
             std::to_string(kMargin) + "\" w:bottom=\"" + std::to_string(kMargin) + "\" w:left=\"" +
             std::to_string(kMargin) + "\" w:header=\"567\" w:footer=\"567\" w:gutter=\"0\"/>";
  if (mirror) b.xml() += "<w:bidi/>";
  b.xml() += "</w:sectPr>";
  return std::move(b.xml());
}

// "Page {n} of {m}" with the page fields in place of {n} and {m}, per language.
std::string FooterXml(const std::vector<const Translations*>& langs) {
  std::string x = std::string(kXmlDecl) + "<w:ftr xmlns:w=\"" + kNsW + "\">";
  for (const Translations* t : langs) {
    std::string pattern = ValidUtf8(t->Get("page.n_of_m"));
    x += "<w:p><w:pPr><w:pStyle w:val=\"Footer\"/>";
    x += t->rtl() ? "<w:bidi/>" : "";
    x += "<w:jc w:val=\"center\"/></w:pPr>";
    std::string rpr = t->rtl() ? "<w:rPr><w:rtl/></w:rPr>" : "";
    size_t start = 0;
    while (start <= pattern.size()) {
      size_t at = pattern.find('{', start);
      size_t end = at == std::string::npos ? pattern.size() : at;
      if (end > start)
        x += "<w:r>" + rpr + "<w:t xml:space=\"preserve\">" +
             Esc(pattern.substr(start, end - start)) + "</w:t></w:r>";
      if (at == std::string::npos) break;
      std::string field = pattern.compare(at, 3, "{n}") == 0   ? "PAGE"
                          : pattern.compare(at, 3, "{m}") == 0 ? "NUMPAGES"
                                                               : "";
      if (field.empty()) {
        x += "<w:r><w:t>{</w:t></w:r>";
        start = at + 1;
        continue;
      }
      x += "<w:fldSimple w:instr=\" " + field + " \"><w:r><w:t>1</w:t></w:r></w:fldSimple>";
      start = at + 3;
    }
    x += "</w:p>";
  }
  return x + "</w:ftr>";
}

std::string HeaderXml(const std::vector<const Translations*>& langs) {
  std::string x = std::string(kXmlDecl) + "<w:hdr xmlns:w=\"" + kNsW + "\">";
  for (const Translations* t : langs) {
    x += "<w:p><w:pPr><w:pStyle w:val=\"DraftMark\"/>";
    x += t->rtl() ? "<w:bidi/>" : "";
    x += "</w:pPr><w:r>";
    x += t->rtl() ? "<w:rPr><w:rtl/></w:rPr>" : "";
    x += "<w:t>" + Esc(ValidUtf8(t->Get("mark.draft"))) + "</w:t></w:r></w:p>";
  }
  return x + "</w:hdr>";
}

std::string StylesXml(const Translations& lang) {
  std::string x = std::string(kXmlDecl) + "<w:styles xmlns:w=\"" + kNsW + "\">";
  // Fonts per script: Word picks ascii/hAnsi for Latin and Cyrillic, cs for Arabic, eastAsia for
  // Chinese; a missing font falls back to what the reader has.
  x += "<w:docDefaults><w:rPrDefault><w:rPr>"
       "<w:rFonts w:ascii=\"Noto Sans\" w:hAnsi=\"Noto Sans\" w:eastAsia=\"Noto Sans CJK SC\" "
       "w:cs=\"Noto Naskh Arabic\"/><w:sz w:val=\"20\"/><w:szCs w:val=\"22\"/>"
       "<w:lang " +
       LangAttr(lang) +
       "/></w:rPr></w:rPrDefault>"
       "<w:pPrDefault><w:pPr><w:spacing w:after=\"60\" w:line=\"264\" w:lineRule=\"auto\"/>"
       "</w:pPr></w:pPrDefault></w:docDefaults>";
  auto para_style = [&](const char* id, const char* name, const std::string& ppr,
                        const std::string& rpr, bool is_default = false) {
    x += std::string("<w:style w:type=\"paragraph\" w:styleId=\"") + id + "\"" +
         (is_default ? " w:default=\"1\"" : "") + "><w:name w:val=\"" + name + "\"/>";
    if (!is_default) x += "<w:basedOn w:val=\"Normal\"/><w:qFormat/>";
    x += "<w:pPr>" + ppr + "</w:pPr><w:rPr>" + rpr + "</w:rPr></w:style>";
  };
  para_style("Normal", "Normal", "", "", true);
  para_style("Title", "Title", "<w:spacing w:after=\"200\"/>",
             "<w:b/><w:bCs/><w:sz w:val=\"32\"/><w:szCs w:val=\"34\"/>");
  para_style("Heading1", "heading 1",
             "<w:keepNext/><w:spacing w:before=\"240\" w:after=\"80\"/>"
             "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"1\" w:color=\"999999\"/>"
             "</w:pBdr><w:outlineLvl w:val=\"0\"/>",
             "<w:b/><w:bCs/><w:sz w:val=\"24\"/><w:szCs w:val=\"26\"/>");
  para_style("FieldLabel", "Field label", "<w:keepNext/><w:spacing w:after=\"0\"/>",
             "<w:color w:val=\"333333\"/><w:sz w:val=\"18\"/><w:szCs w:val=\"20\"/>");
  para_style("CellText", "Table text", "<w:spacing w:after=\"0\"/>",
             "<w:sz w:val=\"18\"/><w:szCs w:val=\"20\"/>");
  para_style("DraftMark", "Draft mark",
             "<w:jc w:val=\"center\"/><w:pBdr><w:top w:val=\"single\" w:sz=\"12\" w:space=\"1\" "
             "w:color=\"C00000\"/><w:bottom w:val=\"single\" w:sz=\"12\" w:space=\"1\" "
             "w:color=\"C00000\"/></w:pBdr>",
             "<w:b/><w:bCs/><w:color w:val=\"C00000\"/><w:sz w:val=\"24\"/><w:szCs w:val=\"26\"/>");
  para_style("Footer", "footer", "", "<w:color w:val=\"666666\"/><w:sz w:val=\"16\"/>");
  // Tables: the field tables without borders, the identifiers with a grid; cells padded.
  for (const auto& [id, borders] : {std::pair<const char*, bool>{"RequestFields", false},
                                    std::pair<const char*, bool>{"RequestGrid", true}}) {
    x += std::string("<w:style w:type=\"table\" w:styleId=\"") + id + "\"><w:name w:val=\"" + id +
         "\"/><w:tblPr>";
    if (borders) {
      x += "<w:tblBorders>";
      for (const char* side : {"top", "left", "bottom", "right", "insideH", "insideV"})
        x += std::string("<w:") + side +
             " w:val=\"single\" w:sz=\"4\" w:space=\"0\" "
             "w:color=\"999999\"/>";
      x += "</w:tblBorders>";
    }
    x += "<w:tblCellMar><w:top w:w=\"40\" w:type=\"dxa\"/><w:left w:w=\"80\" w:type=\"dxa\"/>"
         "<w:bottom w:w=\"40\" w:type=\"dxa\"/><w:right w:w=\"80\" w:type=\"dxa\"/>"
         "</w:tblCellMar></w:tblPr></w:style>";
  }
  return x + "</w:styles>";
}

std::string CoreXml(const Document& doc, const Translations& lang) {
  std::string x = std::string(kXmlDecl) +
                  "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/"
                  "metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
                  "xmlns:dcterms=\"http://purl.org/dc/terms/\" "
                  "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">";
  x += "<dc:title>" + Esc(ValidUtf8(lang.Get(doc.title))) + "</dc:title>";
  x += "<dc:identifier>" + Esc(ValidUtf8(doc.reference)) + "</dc:identifier>";
  x += "<dc:language>" + Esc(lang.code()) + "</dc:language>";
  // The request's date, not the rendering's, so the same request gives the same bytes.
  if (std::regex_match(doc.date, std::regex(R"(\d{4}-\d{2}-\d{2})")))
    x += "<dcterms:created xsi:type=\"dcterms:W3CDTF\">" + doc.date + "</dcterms:created>";
  return x + "</cp:coreProperties>";
}

std::string ContentTypesXml(bool header) {
  std::string x = std::string(kXmlDecl) +
                  "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                  "<Default Extension=\"rels\" ContentType=\"application/"
                  "vnd.openxmlformats-package.relationships+xml\"/>"
                  "<Default Extension=\"xml\" ContentType=\"application/xml\"/>";
  auto part = [&](const char* name, const char* type) {
    x += std::string("<Override PartName=\"") + name + "\" ContentType=\"" + type + "\"/>";
  };
  part("/word/document.xml",
       "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml");
  part("/word/styles.xml",
       "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml");
  part("/word/footer1.xml",
       "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml");
  if (header)
    part("/word/header1.xml",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml");
  part("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml");
  return x + "</Types>";
}

std::string Rels(const std::vector<std::vector<std::string>>& rels) {  // {id, type, target}
  std::string x = std::string(kXmlDecl) +
                  "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                  "relationships\">";
  for (const auto& r : rels)
    x += "<Relationship Id=\"" + r[0] + "\" Type=\"" + r[1] + "\" Target=\"" + r[2] + "\"/>";
  return x + "</Relationships>";
}

// ---- The zip ----

la_ssize_t AppendToString(struct archive*, void* out, const void* data, size_t size) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(data), size);
  return la_ssize_t(size);
}

Result<std::string> Zip(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string out;
  struct archive* a = archive_write_new();
  if (!a) return Internal("libarchive: out of memory");
  auto fail = [&](const char* what) {
    Status st = Internal(std::string("cannot write the DOCX (") + what +
                         "): " + (archive_error_string(a) ? archive_error_string(a) : "?"));
    archive_write_free(a);
    return st;
  };
  if (archive_write_set_format_zip(a) != ARCHIVE_OK) return fail("zip format");
  if (archive_write_set_options(a, "zip:compression=deflate") != ARCHIVE_OK) return fail("deflate");
  // No block padding: the archive is exactly the zip's bytes.
  archive_write_set_bytes_in_last_block(a, 1);
  if (archive_write_open2(a, &out, nullptr, AppendToString, nullptr, nullptr) != ARCHIVE_OK)
    return fail("open");
  for (const auto& [name, data] : members) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, la_int64_t(data.size()));
    archive_entry_set_mtime(e, 315532800,
                            0);  // 1980-01-01, the zip epoch: the same bytes each time
    int rc = archive_write_header(a, e);
    archive_entry_free(e);
    if (rc != ARCHIVE_OK) return fail(name.c_str());
    if (archive_write_data(a, data.data(), data.size()) != la_ssize_t(data.size()))
      return fail(name.c_str());
  }
  if (archive_write_close(a) != ARCHIVE_OK) return fail("close");
  archive_write_free(a);
  return out;
}

}  // namespace

Result<std::string> RenderDocx(const Document& doc, const Translations& lang,
                               const Translations* second) {
  EVIDEX_RETURN_IF_ERROR(internal::CheckDocument(doc));
  std::vector<const Translations*> langs = {&lang};
  if (second) langs.push_back(second);
  const std::string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";

  std::string document = std::string(kXmlDecl) + "<w:document xmlns:w=\"" + kNsW + "\" xmlns:r=\"" +
                         kNsR + "\"><w:body>" + BodyXml(doc, lang, second) +
                         "</w:body></w:document>";
  std::vector<std::vector<std::string>> doc_rels = {{"rIdStyles", rel + "styles", "styles.xml"},
                                                    {"rIdFooter", rel + "footer", "footer1.xml"}};
  if (doc.draft) doc_rels.push_back({"rIdHeader", rel + "header", "header1.xml"});

  // [Content_Types].xml first, as readers that sniff the package expect.
  std::vector<std::pair<std::string, std::string>> members = {
      {"[Content_Types].xml", ContentTypesXml(doc.draft)},
      {"_rels/.rels",
       Rels({{"rId1", rel + "officeDocument", "word/document.xml"},
             {"rId2",
              "http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
              "core-properties",
              "docProps/core.xml"}})},
      {"docProps/core.xml", CoreXml(doc, lang)},
      {"word/document.xml", document},
      {"word/styles.xml", StylesXml(lang)},
      {"word/footer1.xml", FooterXml(langs)},
      {"word/_rels/document.xml.rels", Rels(doc_rels)},
  };
  if (doc.draft) members.push_back({"word/header1.xml", HeaderXml(langs)});
  return Zip(members);
}

}  // namespace evidex::coop
