// Transfer certificate: one content model, rendered as self-contained HTML and as an A4 PDF
// (cairo + pangocairo).
#include "vault/certificate.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/markup.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EVIDEX_CERTIFICATE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define EVIDEX_CERTIFICATE_ASAN 1
#endif
#ifdef EVIDEX_CERTIFICATE_ASAN
// fontconfig (2.14, Debian 12) loses one 256-byte allocation while it parses its configuration
// files (FcInitLoadConfigAndFonts → XML parse); not ours to fix. Only under AddressSanitizer.
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }
// ...and says nothing about it: a command's output must stay the same under the sanitizers.
extern "C" const char* __lsan_default_options() { return "print_suppressions=0"; }
#endif

namespace evidex::vault {
namespace {

// ---- The content, once, for both renderings ----

struct Item {
  std::string label, number, size, md5, sha1, sha256, note;
};
struct Custody {
  std::string seq, time, action, actor, evidence, unit;
};
struct Model {
  std::string unit, country, case_number, case_title, offence, examiner, date, packaged_by,
      recipient, digest, key, fingerprint, tool;
  std::vector<Item> items;
  std::vector<Custody> custody;
  std::string custody_note;
};

std::string Thousands(uint64_t v) {
  std::string s = std::to_string(v);
  for (int i = int(s.size()) - 3; i > 0; i -= 3) s.insert(size_t(i), ",");
  return s;
}

std::string SizeText(uint64_t v) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double b = double(v);
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[64];
  if (u == 0) return Thousands(v) + " bytes";
  std::snprintf(buf, sizeof buf, " bytes (%.1f %s)", b, units[u]);
  return Thousands(v) + buf;
}

// "2026-12-02T04:10:00.123Z" → "2026-12-02 04:10:00 UTC"; anything else unchanged.
std::string HumanTime(const std::string& t) {
  if (t.size() >= 20 && t[10] == 'T' && t.back() == 'Z')
    return t.substr(0, 10) + " " + t.substr(11, 8) + " UTC";
  return t;
}

Model MakeModel(const CertificateContent& c) {
  const PackageInput& in = *c.input;
  Model m;
  m.unit = in.unit.name;
  m.country = in.unit.country;
  m.case_number = in.case_info.number;
  m.case_title = in.case_info.title;
  m.offence = in.case_info.offence;
  m.examiner = in.case_info.examiner;
  m.date = HumanTime(c.created);
  m.packaged_by = in.packaged_by;
  m.recipient = in.recipient;
  m.digest = c.digest;
  m.key = c.signer.Text();
  m.fingerprint = c.signer.Fingerprint();
  m.tool = in.tool;
  std::map<std::string, std::string> labels;
  for (const PackageEvidence& e : in.evidence) {
    labels[e.uuid] = e.label;
    Item it;
    it.label = e.label;
    it.number = e.number;
    it.size = SizeText(e.size);
    it.md5 = e.digests.md5;
    it.sha1 = e.digests.sha1;
    it.sha256 = e.digests.sha256;
    if (e.member.empty()) {
      it.note = "Bytes not included in this package (hashes only).";
    } else if (e.data == EvidenceData::kE01) {
      it.note = "Included as an E01 set of " + std::to_string(e.segments) + " segment(s), " +
                SizeText(e.member_size) +
                " (evidence/<SHA-256>.E01…); the hashes are of the media.";
    } else {
      it.note = "Included as a raw image (evidence/<SHA-256>.raw).";
    }
    m.items.push_back(std::move(it));
  }
  for (const CustodyRecord& r : in.custody) {
    Custody row;
    row.seq = std::to_string(r.seq);
    row.time = HumanTime(r.time);
    row.action = r.action;
    row.actor = r.actor;
    if (!r.evidence.empty()) {
      auto it = labels.find(r.evidence);
      row.evidence = it != labels.end() ? it->second : r.evidence.substr(0, 8);
    }
    row.unit = r.unit;
    m.custody.push_back(std::move(row));
  }
  if (!in.custody.empty()) {
    m.custody_note = "Chain of " + std::to_string(in.custody.size()) +
                     " records, each hash-chained and signed; last record hash " +
                     in.custody.back().hash + ".";
  }
  return m;
}

// ---- HTML ----

std::string Esc(const std::string& s) { return EscapeMarkup(s); }

constexpr char kCss[] = R"(
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:10pt;color:#111;margin:2em auto;max-width:52em}
h1{font-size:16pt;margin:0 0 .2em}
h2{font-size:12pt;margin:1.4em 0 .4em;border-bottom:1px solid #999}
.sub{color:#444;margin:0 0 1em}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:.2em .4em;border-bottom:1px solid #ddd}
th{background:#f0f0f0;font-weight:bold}
.kv th{width:12em;background:none}
code,.hash{font-family:"DejaVu Sans Mono",monospace;font-size:8.5pt;word-break:break-all}
.item{border:1px solid #bbb;padding:.5em .7em;margin:.6em 0}
.item .label{font-weight:bold}
.note{color:#444;font-size:9pt}
.sign{display:flex;gap:2em;margin-top:2em}
.sign div{flex:1;border:1px solid #999;padding:.6em;min-height:9em}
.line{border-bottom:1px solid #333;height:2.2em}
@media print{body{margin:0}}
)";

}  // namespace

std::string RenderCertificateHtml(const CertificateContent& c) {
  Model m = MakeModel(c);
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  h += "<title>Evidence transfer certificate — " + Esc(m.case_number) + "</title>\n";
  h += "<style>" + std::string(kCss) + "</style></head><body>\n";
  h += "<h1>Evidence transfer certificate</h1>\n";
  h += "<p class=\"sub\">" + Esc(m.unit) + (m.country.empty() ? "" : " (" + Esc(m.country) + ")") +
       "</p>\n";
  h += "<table class=\"kv\">\n";
  auto kv = [&](const std::string& k, const std::string& v, bool mono = false) {
    if (v.empty()) return;
    h += "<tr><th>" + Esc(k) + "</th><td>" + (mono ? "<code>" + Esc(v) + "</code>" : Esc(v)) +
         "</td></tr>\n";
  };
  kv("Case number", m.case_number);
  kv("Case title", m.case_title);
  kv("Offence", m.offence);
  kv("Case examiner", m.examiner);
  kv("Date of package", m.date);
  kv("Packaged by", m.packaged_by);
  kv("Recipient", m.recipient);
  kv("Package digest (SHA-256 of SHA256SUMS)", m.digest, true);
  kv("Signing key", m.key, true);
  kv("Key fingerprint", m.fingerprint, true);
  kv("Tool", m.tool);
  h += "</table>\n";

  h += "<h2>Items (" + std::to_string(m.items.size()) + ")</h2>\n";
  for (const Item& it : m.items) {
    h += "<div class=\"item\"><div class=\"label\">" + Esc(it.label) +
         (it.number.empty() ? "" : " — " + Esc(it.number)) + "</div>\n";
    h += "<table><tr><th>Size</th><td>" + Esc(it.size) + "</td></tr>\n";
    h += "<tr><th>MD5</th><td class=\"hash\">" + Esc(it.md5) + "</td></tr>\n";
    h += "<tr><th>SHA-1</th><td class=\"hash\">" + Esc(it.sha1) + "</td></tr>\n";
    h += "<tr><th>SHA-256</th><td class=\"hash\">" + Esc(it.sha256) + "</td></tr></table>\n";
    h += "<div class=\"note\">" + Esc(it.note) + "</div></div>\n";
  }

  h += "<h2>Chain of custody</h2>\n<table><tr><th>#</th><th>Time</th><th>Action</th><th>Actor</th>"
       "<th>Evidence</th><th>Unit</th></tr>\n";
  for (const Custody& r : m.custody) {
    h += "<tr><td>" + Esc(r.seq) + "</td><td>" + Esc(r.time) + "</td><td>" + Esc(r.action) +
         "</td><td>" + Esc(r.actor) + "</td><td>" + Esc(r.evidence) + "</td><td>" + Esc(r.unit) +
         "</td></tr>\n";
  }
  h += "</table>\n<p class=\"note\">" + Esc(m.custody_note) + "</p>\n";

  h +=
      "<h2>Verification</h2>\n<p class=\"note\">The package is an uncompressed tar archive. "
      "<code>sha256sum SHA256SUMS</code> must print the package digest above; "
      "<code>sha256sum -c SHA256SUMS</code> checks every file against it; "
      "<code>evidex verify-package FILE --key " +
      Esc(m.key) +
      "</code> also checks the signature, the hashes of every item and the chain of custody.</p>\n";

  h += "<div class=\"sign\"><div><b>Handed over by</b><br>Name, rank:<div class=\"line\"></div>"
       "Signature, date:<div class=\"line\"></div></div>"
       "<div><b>Received by</b><br>Name, rank:<div class=\"line\"></div>"
       "Signature, date:<div class=\"line\"></div></div></div>\n";
  h += "</body></html>\n";
  return h;
}

// ---- PDF ----

namespace {

constexpr double kPageW = 595.276, kPageH = 841.890;  // A4 in points
constexpr double kMargin = 50, kBottom = kPageH - 56;

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

class PdfWriter {
 public:
  explicit PdfWriter(std::string* out) {
    surface_ = cairo_pdf_surface_create_for_stream(AppendToString, out, kPageW, kPageH);
    cr_ = cairo_create(surface_);
    // A font map of our own, released with the writer: pango's default one lives in thread-local
    // storage for the life of the thread and keeps its fontconfig patterns.
    font_map_ = pango_cairo_font_map_new();
    context_ = pango_font_map_create_context(font_map_);
    pango_cairo_update_context(cr_, context_);
    // Font sizes in points on a surface measured in points (pango's default is 96 dpi).
    pango_cairo_context_set_resolution(context_, 72);
    layout_ = pango_layout_new(context_);
    pango_layout_set_wrap(layout_, PANGO_WRAP_WORD_CHAR);
  }
  ~PdfWriter() {
    if (layout_) g_object_unref(layout_);
    if (context_) g_object_unref(context_);
    if (font_map_) g_object_unref(font_map_);
    if (cr_) cairo_destroy(cr_);
    if (surface_) cairo_surface_destroy(surface_);
  }
  PdfWriter(const PdfWriter&) = delete;
  PdfWriter& operator=(const PdfWriter&) = delete;

  cairo_surface_t* surface() { return surface_; }

  void SetFooter(std::string text) { footer_ = std::move(text); }

  // Height of `text` in `font` wrapped at `width`.
  double Measure(const std::string& text, const char* font, double width) {
    Prepare(text, font, width);
    int w = 0, h = 0;
    pango_layout_get_size(layout_, &w, &h);
    return double(h) / PANGO_SCALE;
  }
  double Draw(const std::string& text, const char* font, double x, double y, double width,
              double gray = 0.0) {
    Prepare(text, font, width);
    cairo_set_source_rgb(cr_, gray, gray, gray);
    cairo_move_to(cr_, x, y);
    pango_cairo_show_layout(cr_, layout_);
    int w = 0, h = 0;
    pango_layout_get_size(layout_, &w, &h);
    return double(h) / PANGO_SCALE;
  }
  // A paragraph across the text width at the cursor.
  void Para(const std::string& text, const char* font, double gap_after = 4, double gray = 0.0) {
    double h = Measure(text, font, kPageW - 2 * kMargin);
    Ensure(h);
    y_ += Draw(text, font, kMargin, y_, kPageW - 2 * kMargin, gray) + gap_after;
  }
  void Rule(double gray = 0.6, double width = 0.5) {
    cairo_set_source_rgb(cr_, gray, gray, gray);
    cairo_set_line_width(cr_, width);
    cairo_move_to(cr_, kMargin, y_);
    cairo_line_to(cr_, kPageW - kMargin, y_);
    cairo_stroke(cr_);
  }
  void Box(double x, double y, double w, double h) {
    cairo_set_source_rgb(cr_, 0.5, 0.5, 0.5);
    cairo_set_line_width(cr_, 0.6);
    cairo_rectangle(cr_, x, y, w, h);
    cairo_stroke(cr_);
  }
  void Fill(double x, double y, double w, double h, double gray) {
    cairo_set_source_rgb(cr_, gray, gray, gray);
    cairo_rectangle(cr_, x, y, w, h);
    cairo_fill(cr_);
  }
  void Line(double x0, double y0, double x1, double y1) {
    cairo_set_source_rgb(cr_, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr_, 0.5);
    cairo_move_to(cr_, x0, y0);
    cairo_line_to(cr_, x1, y1);
    cairo_stroke(cr_);
  }
  // Starts a new page when `h` more points do not fit; returns true when it did.
  bool Ensure(double h) {
    if (y_ + h <= kBottom) return false;
    NewPage();
    return true;
  }
  void Gap(double h) { y_ += h; }
  double y() const { return y_; }
  void set_y(double y) { y_ = y; }
  void Finish() {
    DrawFooter();
    cairo_show_page(cr_);
    cairo_surface_finish(surface_);
  }

 private:
  void Prepare(const std::string& text, const char* font, double width) {
    PangoFontDescription* fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(layout_, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(layout_, int(width * PANGO_SCALE));
    pango_layout_set_text(layout_, text.c_str(), int(text.size()));
  }
  void DrawFooter() {
    std::string text = footer_ + "  ·  page " + std::to_string(page_);
    Draw(text, "DejaVu Sans 7", kMargin, kPageH - 38, kPageW - 2 * kMargin, 0.4);
  }
  void NewPage() {
    DrawFooter();
    cairo_show_page(cr_);
    ++page_;
    y_ = kMargin;
  }

  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  PangoFontMap* font_map_ = nullptr;
  PangoContext* context_ = nullptr;
  PangoLayout* layout_ = nullptr;
  double y_ = kMargin;
  int page_ = 1;
  std::string footer_;
};

constexpr char kTitle[] = "DejaVu Sans Bold 18";
constexpr char kHeading[] = "DejaVu Sans Bold 12";
constexpr char kSans[] = "DejaVu Sans 9.5";
constexpr char kSansBold[] = "DejaVu Sans Bold 9.5";
constexpr char kSmall[] = "DejaVu Sans 8";
constexpr char kSmallBold[] = "DejaVu Sans Bold 8";
constexpr char kMono[] = "DejaVu Sans Mono 8";

}  // namespace

Result<std::string> RenderCertificatePdf(const CertificateContent& c) {
  Model m = MakeModel(c);
  std::string out;
  {
    PdfWriter pdf(&out);
    if (cairo_surface_status(pdf.surface()) != CAIRO_STATUS_SUCCESS)
      return Internal("cannot create the PDF surface");
    cairo_pdf_surface_set_metadata(pdf.surface(), CAIRO_PDF_METADATA_TITLE,
                                   ("Evidence transfer certificate " + m.case_number).c_str());
    cairo_pdf_surface_set_metadata(pdf.surface(), CAIRO_PDF_METADATA_CREATOR, m.tool.c_str());
    if (c.created.size() >= 19) {
      // The package's time, not the rendering's, so the same package renders the same document.
      std::string iso = c.created.substr(0, 19) + "Z";
      cairo_pdf_surface_set_metadata(pdf.surface(), CAIRO_PDF_METADATA_CREATE_DATE, iso.c_str());
    }
    pdf.SetFooter("Evidence transfer certificate, case " + m.case_number + "  ·  package digest " +
                  m.digest);
    const double W = kPageW - 2 * kMargin;

    pdf.Para("Evidence transfer certificate", kTitle, 2);
    pdf.Para(m.unit + (m.country.empty() ? "" : " (" + m.country + ")"), "DejaVu Sans 12", 8, 0.25);

    // Key/value block.
    std::vector<std::pair<std::string, std::string>> kv = {
        {"Case number", m.case_number}, {"Case title", m.case_title},
        {"Offence", m.offence},         {"Case examiner", m.examiner},
        {"Date of package", m.date},    {"Packaged by", m.packaged_by},
        {"Recipient", m.recipient},     {"Tool", m.tool}};
    for (const auto& [k, v] : kv) {
      if (v.empty()) continue;
      double h = pdf.Measure(v, kSans, W - 120);
      pdf.Ensure(h);
      pdf.Draw(k, kSansBold, kMargin, pdf.y(), 115);
      pdf.set_y(pdf.y() + pdf.Draw(v, kSans, kMargin + 120, pdf.y(), W - 120) + 1);
    }
    pdf.Gap(3);
    for (const auto& [k, v] :
         std::vector<std::pair<std::string, std::string>>{{"Package digest", m.digest},
                                                          {"Signing key", m.key},
                                                          {"Key fingerprint", m.fingerprint}}) {
      pdf.Ensure(12);
      pdf.Draw(k, kSansBold, kMargin, pdf.y(), 115);
      pdf.set_y(pdf.y() + 1.5);
      pdf.set_y(pdf.y() + pdf.Draw(v, kMono, kMargin + 120, pdf.y(), W - 120) + 2.5);
    }
    pdf.Para(
        "The package digest is the SHA-256 of the package's SHA256SUMS file, which lists the "
        "SHA-256 of every file in the package and is signed with the key above.",
        kSmall, 2, 0.3);

    // Items.
    pdf.Gap(6);
    pdf.Ensure(60);
    pdf.Para("Items (" + std::to_string(m.items.size()) + ")", kHeading, 3);
    pdf.Rule();
    pdf.Gap(5);
    for (const Item& it : m.items) {
      std::string title = it.label + (it.number.empty() ? "" : " — " + it.number);
      double note_h = pdf.Measure(it.note, kSmall, W - 10);
      double h = pdf.Measure(title, kSansBold, W - 10) + 12 + 3 * 11 + note_h + 12;
      pdf.Ensure(h);
      double top = pdf.y();
      pdf.set_y(top + 3);
      pdf.set_y(pdf.y() + pdf.Draw(title, kSansBold, kMargin + 6, pdf.y(), W - 12) + 1);
      pdf.set_y(pdf.y() + pdf.Draw("Size: " + it.size, kSmall, kMargin + 6, pdf.y(), W - 12) + 2);
      for (const auto& [name, value] : std::vector<std::pair<const char*, std::string>>{
               {"MD5", it.md5}, {"SHA-1", it.sha1}, {"SHA-256", it.sha256}}) {
        pdf.Draw(name, kSmallBold, kMargin + 6, pdf.y(), 50);
        pdf.set_y(pdf.y() + pdf.Draw(value, kMono, kMargin + 56, pdf.y(), W - 62) + 1);
      }
      pdf.set_y(pdf.y() + 1);
      pdf.set_y(pdf.y() + pdf.Draw(it.note, kSmall, kMargin + 6, pdf.y(), W - 12, 0.3) + 3);
      pdf.Box(kMargin, top, W, pdf.y() - top);
      pdf.Gap(5);
    }

    // Custody table.
    pdf.Gap(6);
    pdf.Ensure(60);
    pdf.Para("Chain of custody", kHeading, 3);
    struct Col {
      const char* title;
      double width;
    };
    const std::vector<Col> cols = {{"#", 18},     {"Time (UTC)", 92}, {"Action", 58},
                                   {"Actor", 88}, {"Evidence", 85},   {"Unit", W - 341}};
    auto header = [&] {
      pdf.Fill(kMargin, pdf.y(), W, 13, 0.92);
      double x = kMargin;
      for (const Col& col : cols) {
        pdf.Draw(col.title, kSmallBold, x + 2, pdf.y() + 2, col.width - 4);
        x += col.width;
      }
      pdf.Gap(15);
    };
    header();
    for (const Custody& r : m.custody) {
      std::string time = r.time.size() > 4 && r.time.substr(r.time.size() - 4) == " UTC"
                             ? r.time.substr(0, r.time.size() - 4)
                             : r.time;
      std::vector<std::string> cells = {r.seq, time, r.action, r.actor, r.evidence, r.unit};
      double h = 0;
      for (size_t i = 0; i < cols.size(); ++i)
        h = std::max(h, pdf.Measure(cells[i], kSmall, cols[i].width - 4));
      if (pdf.Ensure(h + 4)) header();
      double x = kMargin;
      for (size_t i = 0; i < cols.size(); ++i) {
        pdf.Draw(cells[i], kSmall, x + 2, pdf.y() + 1, cols[i].width - 4);
        x += cols[i].width;
      }
      pdf.Gap(h + 3);
      pdf.Rule(0.85, 0.4);
      pdf.Gap(1);
    }
    pdf.Gap(2);
    pdf.Para(m.custody_note, kSmall, 6, 0.3);

    // How to check, and the signature lines.
    const double box_h = 96;
    pdf.Ensure(box_h + 60);  // the heading, the paragraph and the signature boxes stay together
    pdf.Para("Verification", kHeading, 3);
    pdf.Para(
        "The package is an uncompressed tar archive. \"sha256sum SHA256SUMS\" prints the "
        "package digest; \"sha256sum -c SHA256SUMS\" checks every file; \"evidex "
        "verify-package FILE --key <signing key>\" also checks the signature, every item's "
        "hashes and the chain of custody.",
        kSmall, 8, 0.2);
    pdf.Ensure(box_h + 4);
    double top = pdf.y();
    double bw = (W - 20) / 2;
    for (int i = 0; i < 2; ++i) {
      double x = kMargin + i * (bw + 20);
      pdf.Box(x, top, bw, box_h);
      pdf.Draw(i == 0 ? "Handed over by" : "Received by", kSansBold, x + 8, top + 6, bw - 16);
      pdf.Draw("Name, rank", kSmall, x + 8, top + 22, bw - 16, 0.35);
      pdf.Line(x + 8, top + 48, x + bw - 8, top + 48);
      pdf.Draw("Signature, date", kSmall, x + 8, top + 54, bw - 16, 0.35);
      pdf.Line(x + 8, top + 84, x + bw - 8, top + 84);
    }
    pdf.set_y(top + box_h);
    pdf.Finish();
    if (cairo_surface_status(pdf.surface()) != CAIRO_STATUS_SUCCESS)
      return Internal(std::string("PDF rendering failed: ") +
                      cairo_status_to_string(cairo_surface_status(pdf.surface())));
  }
  return out;
}

}  // namespace evidex::vault
