// The renderers: a DOCX is a zip of well-formed OOXML parts that escapes what it shows and marks
// Arabic right to left; a PDF holds the identifiers and the labels of its languages (pdftotext),
// breaks a long text across pages with "Page N of M", and survives text that is not UTF-8. The
// PDFs are also rendered to PNG (pdftoppm) in the test's output directory, to be looked at:
//   build/test-output/coop_docs/*.png
#include "coop/docs/render.h"

#include <archive.h>
#include <archive_entry.h>
#include <cairo.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

namespace evidex::coop {
namespace {

namespace fs = std::filesystem;

std::string Sh(const std::string& cmd) {
  std::string out;
  if (std::FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  return out;
}
bool HaveTool(const std::string& name) {
  return !Sh("command -v " + name + " 2>/dev/null").empty();
}
std::string Quote(const std::string& s) { return "'" + s + "'"; }  // our own paths only
// Text to compare with pdftotext's: without spaces, without the bidi controls pdftotext wraps
// right-to-left runs in (U+200E/F, U+202A-E, U+2066-9), without Arabic vowel marks (U+064B-65F,
// which it may give back in another order). Letters and their order are kept.
std::string Comparable(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    std::string ch = s.substr(i, n);
    i += n;
    unsigned cp = 0;
    if (n == 2) cp = ((c & 0x1F) << 6) | (ch[1] & 0x3F);
    if (n == 3) cp = ((c & 0x0F) << 12) | ((ch[1] & 0x3F) << 6) | (ch[2] & 0x3F);
    bool drop = (n == 1 && std::isspace(c)) || cp == 0x200E || cp == 0x200F ||
                (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
                (cp >= 0x064B && cp <= 0x065F);
    if (!drop) out += ch;
  }
  return out;
}
bool Has(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

// Kept after the test, for a person to look at.
fs::path OutputDir() {
  fs::path dir = fs::path(EVIDEX_BINARY_DIR) / "test-output" / "coop_docs";
  fs::create_directories(dir);
  return dir;
}

Translations Lang(const std::string& code) { return *Translations::ForLanguage(code); }

// A preservation request with an identifiers table; `summary` makes it as long as wanted.
Document Sample(const std::string& summary = "The suspect sent extortion e-mails.") {
  Document d;
  d.title = "title.preservation";
  d.reference = "LK-CCU-2026-0007";
  d.date = "2026-12-03";
  d.sections.push_back(
      {"section.header",
       {{"field.status", "status.new", true}, {"field.earlier_reference", "<script>&\"x\""}},
       std::nullopt});
  d.sections.push_back({"section.requesting",
                        {{"field.authority", "Cybercrime Unit, Colombo (LK)"},
                         {"field.phone", "+94 11 242 1111"},
                         {"field.officer", "أحمد المنصوري"},  // an Arabic name as written
                         {"field.time_zone", "Asia/Colombo (UTC+05:30)"}},
                        std::nullopt});
  d.sections.push_back(
      {"section.facts",
       {{"field.offences", "Extortion (Penal Code s. 372)"}, {"field.summary", summary}},
       std::nullopt});
  DocTable t;
  t.columns = {"col.kind", "col.identifier", "col.category", "col.observed", "col.time_zone"};
  t.rows = {{"E-mail", "extort0r@example.com", "Subscriber", "2026-11-30 21:14", "UTC"},
            {"IP", "203.0.113.77:51234", "Traffic", "2026-11-30 21:14:05", "UTC+05:30"},
            {"BTC", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh", "Traffic", "2026-12-01", "UTC"}};
  d.sections.push_back({"section.data", {{"field.relationship", "Used to send the demands."}}, t});
  d.signature = "ed25519:9f2c6a0b7e1d / Cybercrime Unit, Colombo (LK)";
  return d;
}

// The members of a zip, name → bytes, read with libarchive.
std::map<std::string, std::string> Unzip(const std::string& zip) {
  std::map<std::string, std::string> out;
  struct archive* a = archive_read_new();
  archive_read_support_format_zip(a);
  if (archive_read_open_memory(a, zip.data(), zip.size()) != ARCHIVE_OK) {
    archive_read_free(a);
    return out;
  }
  struct archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string data;
    char buf[8192];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) data.append(buf, size_t(n));
    out[archive_entry_pathname(e)] = data;
  }
  archive_read_free(a);
  return out;
}

// A small well-formedness check of our own: tags nest and close, attributes are quoted, `&`
// starts an entity, no `<` inside text. Enough for what the renderer writes; xmllint, when
// installed, checks fully.
bool WellFormed(const std::string& xml, std::string* why) {
  std::vector<std::string> open;
  size_t i = xml.find("?>");
  if (xml.rfind("<?xml", 0) != 0 || i == std::string::npos) return *why = "no declaration", false;
  for (i += 2; i < xml.size();) {
    if (xml[i] == '&') {
      size_t semi = xml.find(';', i);
      std::string ent = semi == std::string::npos ? "" : xml.substr(i, semi - i + 1);
      if (ent != "&amp;" && ent != "&lt;" && ent != "&gt;" && ent != "&quot;" && ent != "&apos;" &&
          ent != "&#39;")
        return *why = "bad entity at " + std::to_string(i), false;
      i = semi + 1;
    } else if (xml[i] == '<') {
      size_t end = xml.find('>', i);
      if (end == std::string::npos) return *why = "unclosed tag", false;
      std::string tag = xml.substr(i + 1, end - i - 1);
      if (tag.find('<') != std::string::npos) return *why = "< in a tag: " + tag, false;
      if (std::count(tag.begin(), tag.end(), '"') % 2) return *why = "odd quotes: " + tag, false;
      std::string name = tag.substr(tag[0] == '/', tag.find_first_of(" />", 1) - (tag[0] == '/'));
      if (tag[0] == '/') {
        if (open.empty() || open.back() != name) return *why = "mismatched </" + name + ">", false;
        open.pop_back();
      } else if (tag.back() != '/') {
        open.push_back(name);
      }
      i = end + 1;
    } else {
      if (xml[i] == '>') return *why = "> in text at " + std::to_string(i), false;
      ++i;
    }
  }
  if (!open.empty()) return *why = "unclosed <" + open.back() + ">", false;
  return true;
}

TEST(RenderDocxTest, AZipOfWellFormedPartsThatEscapesValues) {
  Translations en = Lang("en");
  Result<std::string> docx = RenderDocx(Sample(), en, nullptr);
  ASSERT_TRUE(docx.ok()) << docx.status().ToString();
  EXPECT_EQ(docx->substr(0, 2), "PK");
  std::map<std::string, std::string> parts = Unzip(*docx);
  for (const char* name :
       {"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml",
        "word/_rels/document.xml.rels", "word/footer1.xml", "docProps/core.xml"}) {
    ASSERT_TRUE(parts.count(name)) << name;
    std::string why;
    EXPECT_TRUE(WellFormed(parts[name], &why)) << name << ": " << why;
  }
  EXPECT_FALSE(parts.count("word/header1.xml"));  // no DRAFT header when not a draft
  const std::string& xml = parts["word/document.xml"];
  EXPECT_TRUE(Has(xml, "&lt;script&gt;&amp;&quot;x&quot;"));
  EXPECT_FALSE(Has(xml, "<script>"));
  EXPECT_TRUE(Has(xml, "Request for expedited preservation of stored computer data"));
  EXPECT_TRUE(Has(xml, ">New request<"));  // a translated value
  for (const char* id : {"LK-CCU-2026-0007", "extort0r@example.com", "203.0.113.77:51234",
                         "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh", "ed25519:9f2c6a0b7e1d"})
    EXPECT_TRUE(Has(xml, id)) << id;
  // The identifiers table: a header row repeated on each page, one row per identifier.
  EXPECT_TRUE(Has(xml, "<w:tblHeader/>"));
  EXPECT_TRUE(Has(xml, ">Identifier<"));
  // The Arabic name is a right-to-left paragraph even in an English document; English is not.
  size_t name = xml.find("أحمد المنصوري");
  ASSERT_NE(name, std::string::npos);
  size_t para = xml.rfind("<w:p>", name);
  EXPECT_TRUE(Has(xml.substr(para, name - para), "<w:bidi/>"));
  EXPECT_TRUE(Has(xml.substr(para, name - para), "<w:rtl/>"));
  size_t title = xml.find("Request for expedited");
  EXPECT_FALSE(
      Has(xml.substr(xml.rfind("<w:p>", title), title - xml.rfind("<w:p>", title)), "<w:bidi/>"));
  // Written to the output directory for LibreOffice or Word, by hand.
  std::ofstream(OutputDir() / "sample-en.docx", std::ios::binary) << *docx;
}

TEST(RenderDocxTest, XmllintAcceptsEveryPart) {
  if (!HaveTool("xmllint")) GTEST_SKIP() << "xmllint (libxml2-utils) not installed";
  Document d = Sample("bad bytes \xff\xfe, a NUL \0 and a bell \a.");
  d.sections[2].fields[1].value = std::string("bad bytes \xff\xfe, a NUL ") + '\0' + " \a";
  d.draft = true;
  Translations ar = Lang("ar"), zh = Lang("zh");
  for (const Translations* second : std::vector<const Translations*>{nullptr, &zh}) {
    Result<std::string> docx = RenderDocx(d, ar, second);
    ASSERT_TRUE(docx.ok()) << docx.status().ToString();
    for (const auto& [name, data] : Unzip(*docx)) {
      fs::path file = OutputDir() / ("xmllint-" + std::string(second ? "ar-zh-" : "ar-") +
                                     fs::path(name).filename().string());
      std::ofstream(file, std::ios::binary) << data;
      EXPECT_EQ(Sh("xmllint --noout " + Quote(file.string()) + " 2>&1; echo rc=$?"), "rc=0\n")
          << name;
    }
  }
}

TEST(RenderDocxTest, ArabicIsRightToLeftAndMirrored) {
  Document d = Sample();
  d.draft = true;
  Result<std::string> docx = RenderDocx(d, Lang("ar"), nullptr);
  ASSERT_TRUE(docx.ok());
  std::map<std::string, std::string> parts = Unzip(*docx);
  const std::string& xml = parts["word/document.xml"];
  const std::string title = Lang("ar").Get("title.preservation");
  size_t at = xml.find(title);
  ASSERT_NE(at, std::string::npos);
  std::string para = xml.substr(xml.rfind("<w:p>", at), at - xml.rfind("<w:p>", at));
  EXPECT_TRUE(Has(para, "<w:bidi/>")) << para;
  EXPECT_TRUE(Has(para, "<w:rtl/>")) << para;
  EXPECT_TRUE(Has(xml, "<w:bidiVisual/>"));  // the label column on the right
  EXPECT_TRUE(Has(xml, "w:bidi=\"ar-SA\""));
  // A left-to-right value in an Arabic document: its own direction, aligned to the right.
  size_t ref = xml.find("LK-CCU-2026-0007");
  std::string ref_para = xml.substr(xml.rfind("<w:p>", ref), ref - xml.rfind("<w:p>", ref));
  EXPECT_FALSE(Has(ref_para, "<w:bidi/>"));
  EXPECT_TRUE(Has(ref_para, "<w:jc w:val=\"right\"/>"));
  // A draft carries the mark in its text and in the header of every page.
  ASSERT_TRUE(parts.count("word/header1.xml"));
  EXPECT_TRUE(Has(parts["word/header1.xml"], Lang("ar").Get("mark.draft")));
  EXPECT_TRUE(Has(xml, "DraftMark"));
}

TEST(RenderDocxTest, BilingualPutsOneLanguagePerColumn) {
  Translations en = Lang("en"), fr = Lang("fr");
  Result<std::string> docx = RenderDocx(Sample(), en, &fr);
  ASSERT_TRUE(docx.ok());
  const std::string xml = Unzip(*docx)["word/document.xml"];
  // The section heading, English left then French right, in one row of two cells.
  size_t en_at = xml.find(">Requesting authority<"), fr_at = xml.find(">Autorité requérante<");
  ASSERT_NE(en_at, std::string::npos);
  ASSERT_NE(fr_at, std::string::npos);
  EXPECT_LT(en_at, fr_at);
  EXPECT_EQ(xml.rfind("<w:tr>", en_at), xml.rfind("<w:tr>", fr_at));
  // Values as written in both columns.
  size_t first = xml.find("Cybercrime Unit, Colombo (LK)");
  EXPECT_NE(xml.find("Cybercrime Unit, Colombo (LK)", first + 1), std::string::npos);
  EXPECT_TRUE(Has(xml, ">Nouvelle demande<"));  // a translated value in French
}

TEST(RenderDocxTest, TranslatedColumnsShowEachLanguage) {
  Document d = Sample();
  DocTable& t = *d.sections.back().table;
  t.translate = {true, false, true, false, false};
  t.rows = {{"kind.email", "extort0r@example.com", "category.subscriber", "", ""}};
  Translations en = Lang("en"), fr = Lang("fr");
  Result<std::string> docx = RenderDocx(d, en, &fr);
  ASSERT_TRUE(docx.ok()) << docx.status().ToString();
  const std::string xml = Unzip(*docx)["word/document.xml"];
  for (std::string key : {"kind.email", "category.subscriber"}) {
    EXPECT_TRUE(Has(xml, ">" + en.Get(key) + "<")) << key;
    EXPECT_TRUE(Has(xml, ">" + fr.Get(key) + "<")) << key;
    EXPECT_FALSE(Has(xml, ">" + key + "<")) << key;
  }
  EXPECT_TRUE(Has(xml, ">extort0r@example.com<"));
  t.translate = {true};  // not one flag per column
  Result<std::string> bad = RenderDocx(d, en, nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(RenderPdf(d, en, nullptr, (OutputDir() / "never2.pdf").string()).code(), Code::kInvalidArgument);
}

TEST(RenderDocxTest, SameDocumentSameBytes) {
  Translations en = Lang("en");
  Result<std::string> a = RenderDocx(Sample(), en, nullptr), b = RenderDocx(Sample(), en, nullptr);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

TEST(RenderTest, ATableRowWithTheWrongCellCountIsRefused) {
  Document d = Sample();
  d.sections[3].table->rows[1].pop_back();
  Result<std::string> docx = RenderDocx(d, Lang("en"), nullptr);
  ASSERT_FALSE(docx.ok());
  EXPECT_EQ(docx.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(docx.status().message(),
            "section 'section.data': table row 2 has 4 cells for 5 columns");
  EXPECT_EQ(RenderPdf(d, Lang("en"), nullptr, (OutputDir() / "never.pdf").string()).code(),
            Code::kInvalidArgument);
}

// ---- PDF ----

class RenderPdfTest : public ::testing::Test {
 protected:
  // Renders to <output>/<name>.pdf and its first pages to <name>-<page>.png; returns the text.
  std::string Render(const std::string& name, const Document& d, const std::string& lang,
                     const std::string& second = "") {
    Translations first = Lang(lang);
    std::optional<Translations> other;
    if (!second.empty()) other = Lang(second);
    std::string pdf = (OutputDir() / (name + ".pdf")).string();
    Status st = RenderPdf(d, first, other ? &*other : nullptr, pdf);
    EXPECT_TRUE(st.ok()) << st.ToString();
    pages_ = 0;
    std::string info = Sh("pdfinfo " + Quote(pdf) + " 2>/dev/null");
    if (size_t at = info.find("Pages:"); at != std::string::npos)
      pages_ = std::atoi(info.c_str() + at + 6);
    if (HaveTool("pdftoppm"))
      Sh("pdftoppm -r 50 -png -l 3 " + Quote(pdf) + " " + Quote((OutputDir() / name).string()));
    return Sh("pdftotext " + Quote(pdf) + " - 2>/dev/null");
  }
  void SetUp() override {
    if (!HaveTool("pdftotext") || !HaveTool("pdfinfo"))
      GTEST_SKIP() << "pdftotext (poppler-utils) not installed";
  }
  int pages_ = 0;
};

// A summary long enough for three pages or more.
std::string LongText(const std::string& sentence, int times) {
  std::string s;
  for (int i = 0; i < times; ++i) s += sentence + (i % 6 == 5 ? "\n" : " ");
  return s;
}

TEST_F(RenderPdfTest, EnglishHoldsTheIdentifiersAndBreaksPages) {
  Document d = Sample(LongText("The suspect sent extortion e-mails to the victim's company.", 240));
  d.draft = true;
  std::string text = Render("en", d, "en");
  for (const char* id : {"LK-CCU-2026-0007", "extort0r@example.com", "203.0.113.77:51234",
                         "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh", "<script>&\"x\"",
                         "Request for expedited preservation", "Identifier", "Subscriber",
                         "DRAFT — not valid for sending", "ed25519:9f2c6a0b7e1d"})
    EXPECT_TRUE(Has(text, id)) << id;
  ASSERT_GE(pages_, 3);
  EXPECT_TRUE(Has(text, "Page 1 of " + std::to_string(pages_)));
  EXPECT_TRUE(Has(text, "Page " + std::to_string(pages_) + " of " + std::to_string(pages_)));
  // Every page carries the DRAFT mark.
  size_t marks = 0;
  for (size_t at = 0; (at = text.find("DRAFT — not valid", at)) != std::string::npos; ++at) ++marks;
  EXPECT_EQ(marks, size_t(pages_));
}

TEST_F(RenderPdfTest, ArabicIsShapedAndHoldsTheIdentifiers) {
  Document d =
      Sample(LongText("أرسل المشتبه به رسائل ابتزاز إلى الضحية عبر البريد الإلكتروني "
                      "extort0r@example.com.",
                      30));
  std::string text = Render("ar", d, "ar");
  for (const char* id : {"LK-CCU-2026-0007", "extort0r@example.com", "203.0.113.77:51234",
                         "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"})
    EXPECT_TRUE(Has(text, id)) << id;
  // pdftotext gives the Arabic back in logical order, but with spaces of its own inside words
  // and bidi controls around runs: compared after Comparable(). These labels have no lam-alef
  // ligature, which pdftotext does not extract well (see the bilingual test).
  Translations ar = Lang("ar");
  for (const char* key :
       {"title.preservation", "col.identifier", "field.reference", "section.requesting"})
    EXPECT_TRUE(Has(Comparable(text), Comparable(ar.Get(key)))) << key << ": " << ar.Get(key);
  EXPECT_TRUE(Has(Comparable(text), "الصفحة1من"));
}

TEST_F(RenderPdfTest, ChineseLabelsComeFromACjkFont) {
  std::string text = Render("zh", Sample(), "zh");
  Translations zh = Lang("zh");
  for (const char* key : {"title.preservation", "col.identifier", "field.summary", "status.new"})
    EXPECT_TRUE(Has(text, zh.Get(key))) << key;
  EXPECT_TRUE(Has(text, "extort0r@example.com"));
  EXPECT_TRUE(Has(text, "第 1 页，共 1 页"));
  // The fonts embedded: a CJK font for the labels (no tofu: the glyphs exist).
  std::string fonts = Sh("pdffonts " + Quote((OutputDir() / "zh.pdf").string()) + " 2>/dev/null");
  EXPECT_TRUE(Has(fonts, "NotoSansCJK")) << fonts;
}

TEST_F(RenderPdfTest, BilingualEnglishArabicSideBySide) {
  Document d = Sample(LongText("The suspect sent extortion e-mails.", 150));
  d.draft = true;
  std::string text = Render("en-ar", d, "en", "ar");
  Translations ar = Lang("ar");
  for (const char* s : {"Requesting authority", "Identifier", "LK-CCU-2026-0007",
                        "203.0.113.77:51234", "DRAFT — not valid for sending"})
    EXPECT_TRUE(Has(text, s)) << s;
  for (const char* key : {"section.requesting", "field.authority"})
    EXPECT_TRUE(Has(Comparable(text), Comparable(ar.Get(key)))) << key;
  // pdftotext (poppler 22) loses letters around the lam-alef ligature (للإرسال comes back as
  // "ل إ"); the page shows it whole (checked on the PNG), so the mark is compared up to it.
  EXPECT_TRUE(Has(Comparable(text), Comparable("مسودة — غير صالحة")));
  ASSERT_GE(pages_, 2);
  EXPECT_TRUE(Has(text, "Page 2 of " + std::to_string(pages_)));
  std::string fonts =
      Sh("pdffonts " + Quote((OutputDir() / "en-ar.pdf").string()) + " 2>/dev/null");
  EXPECT_TRUE(Has(fonts, "NotoNaskhArabic")) << fonts;
}

TEST_F(RenderPdfTest, AllLanguagesAndBadTextDoNotFail) {
  Document d = Sample(std::string("mixed עברית and عربي and 中文 and bad bytes \xff\xfe\xc3 and ") +
                      '\0' + " a NUL, \x01 a control, a very long token " + std::string(600, 'x'));
  d.sections.push_back({"section.emergency", {}, DocTable{{"col.identifier"}, {}, {}}});
  d.sections.push_back({"section.empty.key", {{"", ""}}, std::nullopt});
  for (const std::string& code : Translations::Languages()) {
    std::string text = Render("all-" + code, d, code, code == "en" ? "zh" : "en");
    EXPECT_TRUE(Has(text, "LK-CCU-2026-0007")) << code;
  }
}

// Per row of a PNG: does it hold ink (a pixel darker than mid-grey)? Empty when not a PNG.
std::vector<bool> InkRows(const std::string& png) {
  struct Reader {
    const std::string* data;
    size_t at = 0;
  } reader{&png};
  cairo_surface_t* s = cairo_image_surface_create_from_png_stream(
      [](void* closure, unsigned char* out, unsigned int length) {
        auto* r = static_cast<Reader*>(closure);
        if (r->at + length > r->data->size()) return CAIRO_STATUS_READ_ERROR;
        std::memcpy(out, r->data->data() + r->at, length);
        r->at += length;
        return CAIRO_STATUS_SUCCESS;
      },
      &reader);
  std::vector<bool> rows;
  if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
    cairo_surface_flush(s);
    const int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    const int stride = cairo_image_surface_get_stride(s);
    const unsigned char* px = cairo_image_surface_get_data(s);
    for (int y = 0; y < h; ++y) {
      bool ink = false;
      for (int x = 0; x < w && !ink; ++x) {
        uint32_t v;
        std::memcpy(&v, px + size_t(y) * size_t(stride) + size_t(x) * 4, 4);
        ink = ((v >> 16 & 0xff) + (v >> 8 & 0xff) + (v & 0xff)) < 3 * 128;
      }
      rows.push_back(ink);
    }
  }
  cairo_surface_destroy(s);
  return rows;
}

TEST_F(RenderPdfTest, ThePreviewIsThePdfsPages) {
  Document d = Sample(LongText("The suspect sent extortion e-mails to the victim's company.", 240));
  d.draft = true;
  Translations ar = Lang("ar");
  Render("preview", d, "en", "ar");
  ASSERT_GE(pages_, 3);
  Result<PagePreview> last = RenderPagePng(d, Lang("en"), &ar, pages_, 72);
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_EQ(last->pages, pages_);
  ASSERT_GT(last->png.size(), 8u);
  EXPECT_EQ(last->png.substr(0, 8), "\x89PNG\r\n\x1a\n");
  std::ofstream(OutputDir() / "preview-last.png", std::ios::binary) << last->png;
  // Line for line where the PDF has its lines: poppler's drawing of the same page at 72 dpi.
  if (HaveTool("pdftoppm")) {
    std::string pdf = (OutputDir() / "preview.pdf").string();
    std::string root = (OutputDir() / "preview-poppler").string();
    Sh("pdftoppm -r 72 -png -singlefile -f " + std::to_string(pages_) + " -l " +
       std::to_string(pages_) + " " + Quote(pdf) + " " + Quote(root));
    std::ifstream in(root + ".png", std::ios::binary);
    std::string ppm((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<bool> ours = InkRows(last->png), theirs = InkRows(ppm);
    ASSERT_EQ(ours.size(), 842u);
    ASSERT_EQ(theirs.size(), ours.size());
    size_t same = 0, ink = 0;
    for (size_t y = 0; y < ours.size(); ++y) {
      same += ours[y] == theirs[y];
      ink += ours[y];
    }
    EXPECT_GT(ink, 60u);
    EXPECT_GE(same, ours.size() * 95 / 100) << same << " of " << ours.size() << " rows agree";
  }
  Result<PagePreview> beyond = RenderPagePng(d, Lang("en"), nullptr, 99, 72);
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.status().code(), Code::kNotFound);
  EXPECT_TRUE(Has(beyond.status().message(), "no page 99: the document has ")) << beyond.status().ToString();
  EXPECT_EQ(RenderPagePng(d, Lang("en"), nullptr, 1, 5).status().code(), Code::kInvalidArgument);
  Result<PagePreview> big = RenderPagePng(Sample(), Lang("zh"), nullptr, 1, 150);
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(InkRows(big->png).size(), size_t(841.89 * 150 / 72 + 0.5));
}

TEST_F(RenderPdfTest, AnUnwritablePathFailsWithItsName) {
  Status st = RenderPdf(Sample(), Lang("en"), nullptr, "/nonexistent-dir/x.pdf");
  EXPECT_EQ(st.code(), Code::kNotFound) << st.ToString();
  EXPECT_TRUE(Has(st.message(), "cannot create /nonexistent-dir/x.pdf")) << st.ToString();
}

}  // namespace
}  // namespace evidex::coop
