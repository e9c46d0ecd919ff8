#include "scan/output.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <thread>


#include "core/version.h"

namespace evidex::scan {
namespace {

// Length of the valid UTF-8 sequence at s[i], 0 if invalid.
size_t Utf8Length(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0) { n = 2; cp = c & 0x1f; }
  else if ((c & 0xf0) == 0xe0) { n = 3; cp = c & 0x0f; }
  else if ((c & 0xf8) == 0xf0) { n = 4; cp = c & 0x07; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3f);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
      (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

}  // namespace

std::string EscapeFeature(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = Utf8Length(s, i);
    if (n == 1 && c >= 0x20 && c != 0x7f && c != '\\') {
      out.push_back(char(c));
      ++i;
    } else if (n > 1) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
      ++i;
    }
  }
  return out;
}

Result<std::unique_ptr<OutputWriter>> OutputWriter::Open(const Options& options,
                                                         std::span<const ScannerDef* const> scanners) {
  std::error_code ec;
  std::filesystem::create_directories(options.outdir, ec);
  if (ec) return IoError("cannot create output directory " + options.outdir + ": " + ec.message());
  std::unique_ptr<OutputWriter> w(new OutputWriter());
  w->options_ = options;
  w->scanners_.assign(scanners.begin(), scanners.end());
  w->counts_.assign(scanners.size(), 0);
  w->utf16_counts_.assign(scanners.size(), 0);
  w->histograms_.resize(scanners.size());
  for (const ScannerDef* s : scanners) {
    std::string path = options.outdir + "/" + s->name + ".txt";
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return ErrnoStatus("cannot write " + path, errno);
    w->feature_files_.push_back(f);
    std::string header = "# BANNER FILE NOT PROVIDED (-b option)\n";
    header += "# BULK_EXTRACTOR-Version: 2.0.0 (evidex " EVIDEX_VERSION ")\n";
    header += "# Feature-Recorder: " + std::string(s->name) + "\n";
    header += "# Filename: " + EscapeFeature(options.banner_filename) + "\n";
    header += "# Feature-File-Version: 1.1\n";
    EVIDEX_RETURN_IF_ERROR(w->Write(f, header, path));
  }
  if (options.jsonl) {
    std::string path = options.outdir + "/hits.jsonl";
    w->jsonl_ = std::fopen(path.c_str(), "wb");
    if (w->jsonl_ == nullptr) return ErrnoStatus("cannot write " + path, errno);
  }
  return w;
}

OutputWriter::~OutputWriter() {
  for (FILE* f : feature_files_) std::fclose(f);
  if (jsonl_ != nullptr) std::fclose(jsonl_);
}

Status OutputWriter::Write(FILE* f, std::string_view text, const std::string& file) {
  if (std::fwrite(text.data(), 1, text.size(), f) != text.size())
    return ErrnoStatus("cannot write " + file, errno);
  return Status::Ok();
}

namespace {

// A JSON string of text already escaped by EscapeFeature (valid UTF-8, no control bytes): only
// the quote and the backslashes of \xHH escapes need escaping.
void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

void RenderHits(std::span<const Hit> hits, std::string_view name,
                std::span<const ScannerDef* const> scanners, bool jsonl, RenderedHits* out,
                const HitLocator* locator) {
  HitPlace place;
  out->features.assign(scanners.size(), std::string());
  out->jsonl.clear();
  std::string path, feature, context, normalized;
  for (const Hit& hit : hits) {
    path = name.empty() ? EscapeFeature(hit.path) : EscapeFeature(std::string(name) + ":" + hit.path);
    feature = EscapeFeature(hit.feature);
    context = EscapeFeature(hit.context);
    std::string& f = out->features[hit.scanner];
    f += path;
    f += '\t';
    f += feature;
    f += '\t';
    f += context;
    f += '\n';
    if (!jsonl) continue;
    std::string& j = out->jsonl;
    j += "{\"kind\":";
    AppendJsonString(j, scanners[hit.scanner]->name);
    j += ",\"feature\":";
    AppendJsonString(j, feature);
    j += ",\"normalized\":";
    AppendJsonString(j, EscapeFeature(hit.normalized));
    j += ",\"path\":";
    AppendJsonString(j, path);
    j += ",\"offset\":";
    j += std::to_string(hit.offset);
    j += hit.utf16 ? ",\"encoding\":\"utf16le\"" : ",\"encoding\":\"utf8\"";
    j += ",\"context\":";
    AppendJsonString(j, context);
    if (!name.empty()) {
      j += ",\"source\":";
      AppendJsonString(j, EscapeFeature(name));
    }
    if (locator != nullptr && locator->Locate(hit.offset, &place)) {
      j += ",\"fs\":";
      AppendJsonString(j, EscapeFeature(place.fs));
      if (place.path != nullptr) {
        j += ",\"file\":";
        AppendJsonString(j, EscapeFeature(*place.path));
        j += ",\"file_offset\":";
        j += std::to_string(place.file_offset);
        if (place.deleted) j += ",\"file_deleted\":true";
      } else {
        j += ",\"area\":\"unallocated\"";
      }
    }
    j += "}\n";
  }
}

Status OutputWriter::AddPage(std::span<const Hit> hits, const RenderedHits& rendered) {
  for (size_t i = 0; i < rendered.features.size() && i < feature_files_.size(); ++i) {
    if (!rendered.features[i].empty())
      EVIDEX_RETURN_IF_ERROR(Write(feature_files_[i], rendered.features[i],
                                   std::string(scanners_[i]->name) + ".txt"));
  }
  if (jsonl_ != nullptr && !rendered.jsonl.empty())
    EVIDEX_RETURN_IF_ERROR(Write(jsonl_, rendered.jsonl, "hits.jsonl"));
  for (const Hit& hit : hits) {
    ++counts_[hit.scanner];
    histograms_[hit.scanner].Add(hit.normalized, hit.utf16);
    if (hit.utf16) ++utf16_counts_[hit.scanner];
  }
  return Status::Ok();
}

Status OutputWriter::Add(const Hit& hit, std::string_view name) {
  RenderHits(std::span<const Hit>(&hit, 1), name, scanners_, jsonl_ != nullptr, &one_);
  return AddPage(std::span<const Hit>(&hit, 1), one_);
}

Status OutputWriter::Finish() {
  if (finished_) return Status::Ok();
  finished_ = true;
  // The histograms, one file per scanner, sorted and written on up to one thread per CPU (the
  // scan's workers are done by now): most frequent first, ties in value order.
  auto write_histogram = [this](size_t i) -> Status {
    std::vector<Histogram::Row> rows = histograms_[i].Sorted();
    std::string path = options_.outdir + "/" + scanners_[i]->name + "_histogram.txt";
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return ErrnoStatus("cannot write " + path, errno);
    std::string out;
    char num[24];
    auto append_number = [&](uint64_t n) { out.append(num, size_t(std::to_chars(num, num + sizeof num, n).ptr - num)); };
    for (const Histogram::Row& row : rows) {
      out += "n=";
      append_number(row.count);
      out += '\t';
      out += EscapeFeature(row.value);
      if (row.utf16 > 0) {
        out += "\t(utf16=";
        append_number(row.utf16);
        out += ')';
      }
      out += '\n';
      if (out.size() > (1u << 20)) {
        Status st = Write(f, out, path);
        if (!st.ok()) {
          std::fclose(f);
          return st;
        }
        out.clear();
      }
    }
    Status st = Write(f, out, path);
    if (std::fclose(f) != 0 && st.ok()) st = ErrnoStatus("cannot write " + path, errno);
    // Freed here, on the helper threads, rather than one map after the other by the destructor.
    rows = {};
    histograms_[i].Clear();
    return st;
  };
  std::vector<Status> results(scanners_.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < scanners_.size(); i = next++) results[i] = write_histogram(i);
  };
  const size_t helpers = std::min<size_t>(scanners_.size(), std::max(1u, std::thread::hardware_concurrency())) - 1;
  std::vector<std::thread> threads;
  for (size_t t = 0; t < helpers; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  for (const Status& st : results) EVIDEX_RETURN_IF_ERROR(st);
  for (size_t i = 0; i < feature_files_.size(); ++i) {
    if (std::fclose(feature_files_[i]) != 0)
      return ErrnoStatus("cannot write " + std::string(scanners_[i]->name) + ".txt", errno);
  }
  feature_files_.clear();
  if (jsonl_ != nullptr) {
    int rc = std::fclose(jsonl_);
    jsonl_ = nullptr;
    if (rc != 0) return ErrnoStatus("cannot write hits.jsonl", errno);
  }
  return Status::Ok();
}

}  // namespace evidex::scan
