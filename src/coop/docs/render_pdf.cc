// A request Document as an A4 PDF, laid out with pango (shaping, bidi, font fallback) and drawn
// with cairo. Text is cut into lines and the lines are placed on pages, so a long value breaks
// across pages instead of running off one. The document is laid out twice: the first pass only
// counts the pages, for the "Page N of M" footer of the second. The preview draws the same
// layout on an image instead, one page at a time, and keeps the page asked for as a PNG.
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <cerrno>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "coop/docs/render.h"
#include "coop/docs/render_internal.h"

namespace evidex::coop {
namespace {

using internal::StartsRightToLeft;
using internal::ValidUtf8;

constexpr double kPageW = 595.276, kPageH = 841.890;  // A4 in points
constexpr double kMargin = 50, kTop = 62, kBottom = kPageH - 62;
constexpr double kTextW = kPageW - 2 * kMargin;
constexpr double kLabelW = 150, kGutter = 12;  // one language: label column, space between columns
constexpr double kKeepTogether = 160;          // a row up to this high is not broken across pages
// Arabic script reads smaller than Latin at the same size: a right-to-left paragraph is set a
// little larger.
constexpr double kArabicScale = 1.12;
// Latin, Cyrillic, Arabic and Chinese in one list: pango takes each character from the first
// family that has it, then asks fontconfig.
constexpr char kFamilies[] = "Noto Sans, Noto Naskh Arabic, Noto Sans CJK SC, DejaVu Sans";
constexpr char kMonoFamilies[] = "DejaVu Sans Mono, Noto Sans, Noto Naskh Arabic, Noto Sans CJK SC";

struct Font {
  const char* families;
  double size;
  bool bold;
};
constexpr Font kTitle = {kFamilies, 15, true};
constexpr Font kHeading = {kFamilies, 11.5, true};
constexpr Font kLabel = {kFamilies, 8.5, true};
constexpr Font kValue = {kFamilies, 9.5, false};
constexpr Font kCell = {kFamilies, 8.5, false};
constexpr Font kCellHead = {kFamilies, 8, true};
constexpr Font kMono = {kMonoFamilies, 8, false};
constexpr Font kFooter = {kFamilies, 7.5, false};
constexpr Font kDraft = {kFamilies, 10, true};

struct Unref {
  void operator()(gpointer p) const { g_object_unref(p); }
};
using LayoutPtr = std::unique_ptr<PangoLayout, Unref>;

// One laid-out line of a paragraph: where it sits relative to the paragraph's left edge.
struct Line {
  PangoLayoutLine* line;  // owned by its layout, which the Cell keeps
  double x, ascent, height;
};

// What goes in one column of a row: paragraphs stacked, as lines that may span pages.
struct Cell {
  double x = 0, width = 0;
  std::vector<LayoutPtr> layouts;
  std::vector<Line> lines;
  std::vector<double> gap_after;  // extra space after each line (between paragraphs)
  double Height() const {
    double h = 0;
    for (size_t i = 0; i < lines.size(); ++i) h += lines[i].height + gap_after[i];
    return h;
  }
};

cairo_status_t AppendToString(void* out, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(out)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// The page of a preview: which one, at what scale (pixels per point), and where its PNG goes.
struct PngTarget {
  int page;
  double scale;
  std::string* png;
};

class Pdf {
 public:
  // `total_pages` is 0 in the counting pass. With `png`, the pages are drawn on an image and
  // page png->page is kept, as a PNG, in *png->png; `out` is not used.
  Pdf(std::string* out, int total_pages, const PngTarget* png = nullptr)
      : total_pages_(total_pages), png_(png) {
    if (png_) {
      surface_ = cairo_image_surface_create(CAIRO_FORMAT_RGB24, int(kPageW * png_->scale + 0.5),
                                            int(kPageH * png_->scale + 0.5));
      cr_ = cairo_create(surface_);
      cairo_scale(cr_, png_->scale, png_->scale);
    } else {
      surface_ = cairo_pdf_surface_create_for_stream(AppendToString, out, kPageW, kPageH);
      cr_ = cairo_create(surface_);
    }
    // Unhinted metrics, as a PDF has: the image and the PDF break lines and pages alike.
    cairo_font_options_t* options = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    // A font map of our own, released with the writer (pango's default one is per thread and
    // lives as long as the thread).
    font_map_ = pango_cairo_font_map_new();
    for (int rtl = 0; rtl < 2; ++rtl) {
      // One context per base direction: a paragraph takes the direction of its first letter.
      contexts_[rtl] = pango_font_map_create_context(font_map_);
      pango_cairo_update_context(cr_, contexts_[rtl]);
      pango_cairo_context_set_font_options(contexts_[rtl], options);
      pango_cairo_context_set_resolution(contexts_[rtl], 72);  // font sizes in points
      pango_context_set_base_dir(contexts_[rtl], rtl ? PANGO_DIRECTION_RTL : PANGO_DIRECTION_LTR);
    }
    cairo_font_options_destroy(options);
  }
  ~Pdf() {
    for (PangoContext* c : contexts_)
      if (c) g_object_unref(c);
    if (font_map_) g_object_unref(font_map_);
    if (cr_) cairo_destroy(cr_);
    if (surface_) cairo_surface_destroy(surface_);
  }
  Pdf(const Pdf&) = delete;
  Pdf& operator=(const Pdf&) = delete;

  cairo_surface_t* surface() { return surface_; }
  bool is_pdf() const { return png_ == nullptr; }
  int page() const { return page_; }
  double y() const { return y_; }
  void Gap(double h) { y_ += h; }

  // What every page carries: the DRAFT mark at the top, "Page N of M" at the bottom, one per
  // language, each in its column.
  void SetPageMarks(std::vector<const Translations*> langs, bool draft) {
    langs_ = std::move(langs);
    draft_ = draft;
    StartPage();
  }

  // Appends `text` in `font` to `cell` as one paragraph, aligned to the right when the cell's
  // language reads right to left.
  void AddText(Cell* cell, const std::string& raw, const Font& font, const Translations& lang,
               double gap_after = 0, double gray = 0) {
    std::string text = ValidUtf8(raw);
    const bool rtl = StartsRightToLeft(text);
    PangoLayout* layout = pango_layout_new(contexts_[rtl ? 1 : 0]);
    cell->layouts.emplace_back(layout);
    PangoFontDescription* fd = pango_font_description_new();
    pango_font_description_set_family(fd, font.families);
    pango_font_description_set_weight(fd, font.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_size(fd, int(font.size * (rtl ? kArabicScale : 1) * PANGO_SCALE));
    pango_layout_set_font_description(layout, fd);
    pango_font_description_free(fd);
    // The language picks the glyph variants (Simplified Chinese forms, Arabic ligatures).
    PangoAttrList* attrs = pango_attr_list_new();
    pango_attr_list_insert(
        attrs, pango_attr_language_new(pango_language_from_string(lang.code().c_str())));
    if (gray > 0) {
      auto level = guint16(gray * 65535);
      pango_attr_list_insert(attrs, pango_attr_foreground_new(level, level, level));
    }
    pango_layout_set_attributes(layout, attrs);
    pango_attr_list_unref(attrs);
    pango_layout_set_auto_dir(layout, FALSE);
    pango_layout_set_width(layout, int(cell->width * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);  // long identifiers break anywhere
    pango_layout_set_alignment(layout, lang.rtl() ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    pango_layout_set_text(layout, text.c_str(), int(text.size()));

    PangoLayoutIter* it = pango_layout_get_iter(layout);
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(it, nullptr, &logical);
      double baseline = double(pango_layout_iter_get_baseline(it));
      cell->lines.push_back({pango_layout_iter_get_line_readonly(it),
                             double(logical.x) / PANGO_SCALE, (baseline - logical.y) / PANGO_SCALE,
                             double(logical.height) / PANGO_SCALE});
      cell->gap_after.push_back(0);
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    cell->gap_after.back() = gap_after;
  }

  // Places the cells side by side from the cursor. A short row that does not fit moves to the
  // next page whole; a taller one breaks between lines, each column continuing on the next page.
  // `on_new_page` runs at the top of each page the row moves to (a table repeats its header).
  // The cursor ends below the row's lowest line.
  void Row(std::vector<Cell>& cells, const std::function<void()>& on_new_page = nullptr) {
    double h = 0;
    for (const Cell& c : cells) h = std::max(h, c.Height());
    if (y_ + h > kBottom && (h <= kKeepTogether || y_ + 3 * kValue.size > kBottom)) {
      NewPage();
      if (on_new_page) on_new_page();
    }
    std::vector<size_t> next(cells.size(), 0);
    std::vector<double> y(cells.size(), y_);
    double row_bottom = y_;
    for (;;) {
      bool more = false;
      for (size_t i = 0; i < cells.size(); ++i) {
        Cell& c = cells[i];
        // A line taller than a page is drawn anyway (a page never stays empty).
        while (next[i] < c.lines.size() &&
               (y[i] + c.lines[next[i]].height <= kBottom || y[i] == y_)) {
          DrawLine(c, c.lines[next[i]], y[i]);
          y[i] += c.lines[next[i]].height + c.gap_after[next[i]];
          ++next[i];
        }
        row_bottom = std::max(row_bottom, y[i]);
        more = more || next[i] < c.lines.size();
      }
      if (!more) break;
      NewPage();
      if (on_new_page) on_new_page();
      std::fill(y.begin(), y.end(), y_);
      row_bottom = y_;
    }
    y_ = row_bottom;
  }

  // Starts a new page unless `h` more points fit on this one.
  void Ensure(double h) {
    if (y_ + h > kBottom) NewPage();
  }
  void Rule(double gray, double width = 0.5) {
    cairo_set_source_rgb(cr_, gray, gray, gray);
    cairo_set_line_width(cr_, width);
    cairo_move_to(cr_, kMargin, y_);
    cairo_line_to(cr_, kMargin + kTextW, y_);
    cairo_stroke(cr_);
    cairo_set_source_rgb(cr_, 0, 0, 0);
  }
  void Fill(double y, double h, double gray) {
    cairo_set_source_rgb(cr_, gray, gray, gray);
    cairo_rectangle(cr_, kMargin, y, kTextW, h);
    cairo_fill(cr_);
    cairo_set_source_rgb(cr_, 0, 0, 0);
  }
  // Ends the last page; the status of the PNG written, if any.
  cairo_status_t Finish() {
    EndPage();
    cairo_surface_finish(surface_);
    return png_status_;
  }

 private:
  // The columns of the page marks: the whole width, or one half per language.
  std::vector<Cell> MarkCells() {
    std::vector<Cell> cells(langs_.size());
    double w = (kTextW - kGutter * double(langs_.size() - 1)) / double(langs_.size());
    for (size_t i = 0; i < cells.size(); ++i) {
      cells[i].x = kMargin + double(i) * (w + kGutter);
      cells[i].width = w;
    }
    return cells;
  }
  // Draws the cells at `y` whole, outside the flow of the page (the marks are in its margins).
  void DrawMark(const std::vector<Cell>& cells, double y) {
    for (const Cell& c : cells) {
      double at = y;
      for (size_t i = 0; i < c.lines.size(); ++i) {
        DrawLine(c, c.lines[i], at);
        at += c.lines[i].height + c.gap_after[i];
      }
    }
  }
  void DrawLine(const Cell& c, const Line& l, double top) {
    cairo_move_to(cr_, c.x + l.x, top + l.ascent);
    pango_cairo_show_layout_line(cr_, l.line);
  }
  void StartPage() {
    y_ = kTop;
    if (png_) {  // a blank sheet
      cairo_set_source_rgb(cr_, 1, 1, 1);
      cairo_paint(cr_);
      cairo_set_source_rgb(cr_, 0, 0, 0);
    }
    if (!draft_) return;
    // The DRAFT mark: red, boxed, at the top of every page.
    std::vector<Cell> cells = MarkCells();
    for (size_t i = 0; i < cells.size(); ++i)
      AddText(&cells[i], langs_[i]->Get("mark.draft"), kDraft, *langs_[i]);
    double h = 0;
    for (const Cell& c : cells) h = std::max(h, c.Height());
    cairo_set_source_rgb(cr_, 0.75, 0, 0);
    cairo_set_line_width(cr_, 1.2);
    cairo_rectangle(cr_, kMargin - 4, 20, kTextW + 8, h + 8);
    cairo_stroke(cr_);
    cairo_set_source_rgb(cr_, 0.75, 0, 0);
    DrawMark(cells, 24);
    cairo_set_source_rgb(cr_, 0, 0, 0);
  }
  void EndPage() {
    std::vector<Cell> cells = MarkCells();
    for (size_t i = 0; i < cells.size(); ++i) {
      std::string text = langs_[i]->Get("page.n_of_m");
      Replace(&text, "{n}", std::to_string(page_));
      Replace(&text, "{m}", total_pages_ > 0 ? std::to_string(total_pages_) : "?");
      AddText(&cells[i], text, kFooter, *langs_[i], 0, 0.35);
    }
    DrawMark(cells, kPageH - 44);
    if (!png_) {
      cairo_show_page(cr_);
    } else if (page_ == png_->page) {
      cairo_surface_flush(surface_);
      png_status_ = cairo_surface_write_to_png_stream(surface_, AppendToString, png_->png);
    }
  }
  void NewPage() {
    EndPage();
    ++page_;
    StartPage();
  }
  static void Replace(std::string* s, const std::string& from, const std::string& to) {
    if (size_t at = s->find(from); at != std::string::npos) s->replace(at, from.size(), to);
  }

  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  PangoFontMap* font_map_ = nullptr;
  PangoContext* contexts_[2] = {nullptr, nullptr};  // [0] left to right, [1] right to left
  std::vector<const Translations*> langs_;
  bool draft_ = false;
  int total_pages_ = 0;
  const PngTarget* png_ = nullptr;
  int page_ = 1;
  double y_ = kTop;
  cairo_status_t png_status_ = CAIRO_STATUS_SUCCESS;
};

// Lays the whole document out on `pdf`.
void Lay(const Document& doc, const Translations& lang, const Translations* second, Pdf& pdf) {
  std::vector<const Translations*> langs = {&lang};
  if (second) langs.push_back(second);
  pdf.SetPageMarks(langs, doc.draft);
  const double half = (kTextW - kGutter) / 2;

  // One language: label and value side by side (label at the right in Arabic). Two: one column
  // per language, label above value.
  auto field_cells = [&](const std::string& label, const std::string& value, const Font& font,
                         bool translate) {
    std::vector<Cell> cells(2);
    if (second) {
      for (size_t i = 0; i < 2; ++i) {
        cells[i].x = kMargin + double(i) * (half + kGutter);
        cells[i].width = half;
        pdf.AddText(&cells[i], langs[i]->Get(label), kLabel, *langs[i], 1, 0.3);
        pdf.AddText(&cells[i], translate ? langs[i]->Get(value) : value, font, *langs[i]);
      }
    } else {
      double value_w = kTextW - kLabelW - kGutter;
      cells[0].width = kLabelW;
      cells[1].width = value_w;
      cells[0].x = lang.rtl() ? kMargin + value_w + kGutter : kMargin;
      cells[1].x = lang.rtl() ? kMargin : kMargin + kLabelW + kGutter;
      pdf.AddText(&cells[0], lang.Get(label), kLabel, lang, 0, 0.3);
      pdf.AddText(&cells[1], translate ? lang.Get(value) : value, font, lang);
    }
    return cells;
  };
  auto heading_cells = [&](const std::string& key, const Font& font) {
    std::vector<Cell> cells(langs.size());
    for (size_t i = 0; i < langs.size(); ++i) {
      cells[i].x = kMargin + double(i) * (half + kGutter);
      cells[i].width = second ? half : kTextW;
      pdf.AddText(&cells[i], langs[i]->Get(key), font, *langs[i]);
    }
    return cells;
  };
  auto fields = [&](const std::vector<DocField>& fs) {
    for (const DocField& f : fs) {
      std::vector<Cell> cells = field_cells(f.label, f.value, kValue, f.translate);
      pdf.Row(cells);
      pdf.Gap(second ? 3 : 4);
      if (second) {
        pdf.Rule(0.85, 0.3);
        pdf.Gap(3);
      }
    }
  };

  std::vector<Cell> title = heading_cells(doc.title, kTitle);
  pdf.Row(title);
  pdf.Gap(10);
  fields({{"field.reference", doc.reference}, {"field.date", doc.date}});

  for (const DocSection& s : doc.sections) {
    std::vector<Cell> heading = heading_cells(s.title, kHeading);
    double first = 0;  // keep the heading with the first row after it
    if (!s.fields.empty()) {
      for (const Cell& c :
           field_cells(s.fields[0].label, s.fields[0].value, kValue, s.fields[0].translate))
        first = std::max(first, c.Height());
    }
    double heading_h = 0;
    for (const Cell& c : heading) heading_h = std::max(heading_h, c.Height());
    pdf.Gap(8);
    pdf.Ensure(heading_h + 6 + std::min(first, 120.0) + 24);
    pdf.Row(heading);
    pdf.Gap(2);
    pdf.Rule(0.55, 0.6);
    pdf.Gap(5);
    fields(s.fields);

    if (s.table && !s.table->columns.empty()) {
      const DocTable& t = *s.table;
      const size_t n = t.columns.size();
      // Column widths follow the longest unbroken text of each column, within limits; a
      // translated column (words that may wrap) yields to the values (identifiers that should not).
      std::vector<double> natural(n, 0);
      auto measure = [&](size_t col, const std::string& text, const Font& font,
                         const Translations& l) {
        Cell probe;
        probe.width = kTextW;  // unwrapped width up to the full line
        pdf.AddText(&probe, text, font, l);
        PangoRectangle logical;
        pango_layout_get_extents(probe.layouts[0].get(), nullptr, &logical);
        const double cap = t.Translated(col) ? 90.0 : 220.0;
        natural[col] = std::max(natural[col], std::min(double(logical.width) / PANGO_SCALE, cap));
      };
      for (size_t c = 0; c < n; ++c) {
        for (const Translations* l : langs) measure(c, l->Get(t.columns[c]), kCellHead, *l);
        for (const auto& row : t.rows) {
          if (!t.Translated(c)) measure(c, row[c], kCell, lang);
          else for (const Translations* l : langs) measure(c, l->Get(row[c]), kCell, *l);
        }
      }
      double sum = 0, values = 0, words = 0;
      for (size_t c = 0; c < n; ++c) {
        sum += (natural[c] = std::max(natural[c] + 8, 40.0));
        (t.Translated(c) ? words : values) += natural[c];
      }
      // The values at their width when the translated columns keep 40 points each; otherwise
      // every column in proportion.
      const double room = kTextW - values;
      const bool values_fit =
          words > 0 && room >= 40.0 * double(std::count(t.translate.begin(), t.translate.end(), true));
      std::vector<double> x(n), width(n);
      double at = 0;
      for (size_t c = 0; c < n; ++c) {
        if (values_fit)
          width[c] = t.Translated(c) ? natural[c] * room / words : natural[c];
        else
          width[c] = natural[c] * kTextW / sum;
        // Columns run from the right in a right-to-left language.
        x[c] = lang.rtl() ? kMargin + kTextW - at - width[c] : kMargin + at;
        at += width[c];
      }
      auto row_cells = [&](const std::vector<std::string>* cells_text) {
        std::vector<Cell> cells(n);
        for (size_t c = 0; c < n; ++c) {
          cells[c].x = x[c] + 3;
          cells[c].width = width[c] - 6;
          if (cells_text && t.Translated(c)) {
            // A key's text in each language, one under the other (as the header).
            for (const Translations* l : langs) pdf.AddText(&cells[c], l->Get((*cells_text)[c]), kCell, *l);
          } else if (cells_text) {
            pdf.AddText(&cells[c], (*cells_text)[c], kCell, lang);
          } else {
            for (const Translations* l : langs)
              pdf.AddText(&cells[c], l->Get(t.columns[c]), kCellHead, *l);
          }
        }
        return cells;
      };
      auto header = [&] {
        std::vector<Cell> cells = row_cells(nullptr);
        double h = 0;
        for (const Cell& c : cells) h = std::max(h, c.Height());
        pdf.Fill(pdf.y(), h + 6, 0.91);
        pdf.Gap(3);
        pdf.Row(cells);
        pdf.Gap(3);
        pdf.Rule(0.6, 0.5);
      };
      pdf.Gap(4);
      pdf.Ensure(60);
      header();
      for (const auto& row : t.rows) {
        std::vector<Cell> cells = row_cells(&row);
        pdf.Gap(3);
        pdf.Row(cells, [&] {
          header();
          pdf.Gap(3);
        });
        pdf.Gap(3);
        pdf.Rule(0.82, 0.3);
      }
      pdf.Gap(6);
    }
  }
  if (!doc.signature.empty()) {
    pdf.Gap(10);
    pdf.Rule(0.55, 0.6);
    pdf.Gap(6);
    std::vector<Cell> cells = field_cells("field.signature", doc.signature, kMono, false);
    pdf.Row(cells);
  }
}

// One full rendering into `out` (or, with `png`, of one page as an image); returns the number of
// pages.
Result<int> RenderOnce(const Document& doc, const Translations& lang, const Translations* second,
                       int total_pages, std::string* out, const PngTarget* png = nullptr) {
  Pdf pdf(out, total_pages, png);
  if (cairo_surface_status(pdf.surface()) != CAIRO_STATUS_SUCCESS)
    return Internal("cannot create the drawing surface");
  if (pdf.is_pdf()) {
    std::string title = ValidUtf8(lang.Get(doc.title) + " " + doc.reference);
    cairo_pdf_surface_set_metadata(pdf.surface(), CAIRO_PDF_METADATA_TITLE, title.c_str());
    cairo_pdf_surface_set_metadata(pdf.surface(), CAIRO_PDF_METADATA_CREATOR, "evidex");
  }
  Lay(doc, lang, second, pdf);
  int pages = pdf.page();
  cairo_status_t png_status = pdf.Finish();
  if (cairo_surface_status(pdf.surface()) != CAIRO_STATUS_SUCCESS)
    return Internal(std::string("PDF rendering failed: ") +
                    cairo_status_to_string(cairo_surface_status(pdf.surface())));
  if (png_status != CAIRO_STATUS_SUCCESS)
    return Internal(std::string("PNG encoding failed: ") + cairo_status_to_string(png_status));
  return pages;
}

}  // namespace

Status RenderPdf(const Document& doc, const Translations& lang, const Translations* second,
                 const std::string& path) {
  EVIDEX_RETURN_IF_ERROR(internal::CheckDocument(doc));
  std::string counted, out;
  Result<int> pages = RenderOnce(doc, lang, second, 0, &counted);
  if (!pages.ok()) return pages.status();
  Result<int> again = RenderOnce(doc, lang, second, *pages, &out);
  if (!again.ok()) return again.status();
  if (*again != *pages) return Internal("the PDF's two layout passes disagree on the page count");

  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return ErrnoStatus("cannot create " + path, errno);
  bool ok = std::fwrite(out.data(), 1, out.size(), f) == out.size();
  int err = errno;
  if (std::fclose(f) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (!ok) return ErrnoStatus("cannot write " + path, err);
  return Status::Ok();
}

Result<PagePreview> RenderPagePng(const Document& doc, const Translations& lang,
                                  const Translations* second, int page, double dpi) {
  EVIDEX_RETURN_IF_ERROR(internal::CheckDocument(doc));
  if (!(dpi >= 18 && dpi <= 300)) return InvalidArgument("the preview's resolution is 18 to 300 dpi");
  std::string counted;
  Result<int> pages = RenderOnce(doc, lang, second, 0, &counted);
  if (!pages.ok()) return pages.status();
  if (page < 1 || page > *pages)
    return NotFound("no page " + std::to_string(page) + ": the document has " +
                    std::to_string(*pages) + " page" + (*pages == 1 ? "" : "s"));
  PagePreview out;
  PngTarget target{page, dpi / 72.0, &out.png};
  Result<int> again = RenderOnce(doc, lang, second, *pages, nullptr, &target);
  if (!again.ok()) return again.status();
  if (*again != *pages) return Internal("the preview and the PDF disagree on the page count");
  out.pages = *pages;
  return out;
}

}  // namespace evidex::coop
