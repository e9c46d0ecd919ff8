#include "scan/engine.h"

#include <hs/hs.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "scan/decoders/decoder.h"
#include "scan/pattern_cache.h"
#include "scan/text_runs.h"

namespace evidex::scan {
namespace {

// Decoded streams are scanned in chunks of kChunk bytes, with kLead bytes of the previous chunk
// before and kMargin bytes after, like pages of a source.
constexpr size_t kChunk = 8u << 20;
constexpr size_t kMargin = 1u << 20;
constexpr size_t kLead = 8u << 10;
constexpr size_t kContext = 16;
constexpr size_t kSourceBlock = 1u << 20;
// Shorter runs of text cannot hold an artifact worth reporting ("::1" aside).
constexpr size_t kMinTextRun = 5;

enum class PatternKind : uint8_t { kScanner, kKeyword, kDecoder };
enum class Pass : uint8_t { kRaw, kAscii, kUtf16 };

struct PatternInfo {
  PatternKind kind;
  uint32_t scanner;     // kScanner, kKeyword
  DecoderKind decoder;  // kDecoder
  uint32_t sig_len;     // kDecoder: bytes in the signature
  bool caseless;        // kKeyword: report lower-case
};

constexpr DecoderKind kDecoders[] = {DecoderKind::kGzip, DecoderKind::kZlib, DecoderKind::kZip};
constexpr uint32_t kSigLen[] = {3, 2, 4};


std::span<const PatternDef> NoPatterns() { return {}; }

// A literal keyword as a pattern: every byte that is not a letter or digit as \xHH.
std::string EscapeLiteral(std::string_view literal) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : literal) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      out.push_back(char(c));
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

class EngineImpl;

class WorkerImpl : public Worker {
 public:
  WorkerImpl(const EngineImpl& engine, hs_scratch_t* scratch);
  ~WorkerImpl() override { hs_free_scratch(scratch_); }
  void ScanPage(const Page& page, std::vector<Hit>* hits, PageStats* stats) override;

 private:
  struct Trigger {
    DecoderKind kind;
    size_t start;
  };
  struct Level {
    Inflater inflater;
    std::vector<uint8_t> buf;
    std::vector<Trigger> triggers;
  };
  // What one hs_scan call is looking at.
  struct Buffer {
    const uint8_t* data;
    size_t size;
    size_t keep_begin, keep_end;
    int depth;
    std::string prefix;     // forensic path up to this buffer: "" or "123-GZIP-"
    uint64_t stream_base;   // stream (or source) offset of data[0]
    uint64_t top_offset;    // nested: source offset of the outermost container
    Source* source;         // top level only: to read past data
    std::vector<Hit>* hits;
    size_t first_hit;       // hits before this index belong to other buffers
    std::vector<Trigger>* triggers;
    WorkerImpl* worker;
    Pass pass;              // what the current hs_scan is over
  };

  static int OnMatch(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                     void* ctx);
  void ScanBuffer(Buffer& b);
  void HandleScanner(Buffer& b, const PatternInfo& info, size_t to);
  // Locate, deduplicate, validate and emit; `text` is narrow text whose index i lies at byte
  // base + i * stride of the buffer.
  void Found(Buffer& b, const PatternInfo& info, std::string_view text, size_t anchor,
             size_t base, size_t stride);
  void HandleKeyword(Buffer& b, const PatternInfo& info, size_t from, size_t to);
  void EmitHit(Buffer& b, uint32_t scanner, bool utf16, size_t begin, size_t end,
               std::string feature, std::string normalized);
  void Decode(Buffer& parent, const Trigger& t);
  Level& LevelAt(int depth);

  const EngineImpl& e_;
  hs_scratch_t* scratch_;
  std::vector<std::unique_ptr<Level>> levels_;
  std::vector<uint8_t> source_block_;
  // The text runs of the buffer being scanned (only used during its passes, so nested buffers,
  // scanned after, reuse them).
  TextRuns ascii_, utf16_;
  std::vector<SignatureAt> signatures_;
  PageStats* stats_ = nullptr;
  uint64_t page_budget_ = 0;
};

class EngineImpl : public Engine {
 public:
  ~EngineImpl() override {
    for (hs_database_t* db : {db_raw_, db_text_, db_text16_})
      if (db != nullptr) hs_free_database(db);
  }
  std::span<const ScannerDef* const> scanners() const override { return scanners_; }
  size_t max_artifact_len() const override { return max_len_; }
  std::unique_ptr<Worker> NewWorker() const override {
    hs_scratch_t* scratch = nullptr;
    for (hs_database_t* db : {db_raw_, db_text_, db_text16_})
      if (db != nullptr && hs_alloc_scratch(db, &scratch) != HS_SUCCESS) return nullptr;
    return std::make_unique<WorkerImpl>(*this, scratch);
  }

  Status Build(const EngineOptions& options);

  // Three block-mode databases, one pass each (see ScanBuffer):
  //   raw:    decoder signatures and keywords, over the bytes as they are;
  //   text:   the scanners' patterns, over the printable ASCII runs;
  //   text16: the scanners' patterns and keywords, over the narrowed UTF-16LE runs.
  hs_database_t* db_raw_ = nullptr;
  bool signatures_in_text_pass_ = false;
  hs_database_t* db_text_ = nullptr;
  hs_database_t* db_text16_ = nullptr;
  std::vector<PatternInfo> info_;
  std::vector<const ScannerDef*> scanners_;
  EngineOptions options_;
  size_t max_len_ = 0;
  // The keyword scanner is made at run time from the user's keywords.
  ScannerDef keyword_def_{};
};

Status EngineImpl::Build(const EngineOptions& options) {
  options_ = options;
  if (options.scanners.empty()) {
    for (const ScannerDef* s : AllScanners())
      if (s->default_enabled) scanners_.push_back(s);
  } else {
    for (const std::string& name : options.scanners) {
      if (name == "keyword") continue;
      const ScannerDef* s = FindScanner(name);
      if (s == nullptr) return InvalidArgument("unknown scanner '" + name + "' (see 'evidex scanners')");
      if (std::find(scanners_.begin(), scanners_.end(), s) == scanners_.end()) scanners_.push_back(s);
    }
  }

  std::vector<std::string> expressions;  // indexed like info_
  std::vector<unsigned> flags;
  std::vector<unsigned> raw_ids, text_ids, text16_ids;
  auto add = [&](std::string expr, unsigned f, PatternInfo info, std::initializer_list<std::vector<unsigned>*> dbs) {
    for (std::vector<unsigned>* db : dbs) db->push_back(unsigned(expressions.size()));
    expressions.push_back(std::move(expr));
    flags.push_back(f);
    info_.push_back(info);
  };
  for (uint32_t i = 0; i < scanners_.size(); ++i) {
    const ScannerDef* s = scanners_[i];
    max_len_ = std::max(max_len_, s->max_len);
    for (const PatternDef& p : s->patterns) {
      unsigned f = HS_FLAG_DOTALL | (p.caseless ? HS_FLAG_CASELESS : 0);
      add(p.regex, f, {PatternKind::kScanner, i, DecoderKind::kGzip, 0, false},
          {&text_ids, &text16_ids});
    }
  }
  if (!options.keywords.empty()) {
    keyword_def_ = ScannerDef{"keyword", "keywords and regular expressions from --keywords FILE",
                              1, 1024, NoPatterns(), nullptr, nullptr, false};
    uint32_t idx = uint32_t(scanners_.size());
    scanners_.push_back(&keyword_def_);
    max_len_ = std::max<size_t>(max_len_, 1024);
    for (const Keyword& k : options.keywords) {
      std::string expr = k.is_regex ? k.text : EscapeLiteral(k.text);
      unsigned f = HS_FLAG_DOTALL | HS_FLAG_SOM_LEFTMOST | (k.caseless ? HS_FLAG_CASELESS : 0);
      add(expr, f, {PatternKind::kKeyword, idx, DecoderKind::kGzip, 0, k.caseless},
          {&raw_ids, &text16_ids});
    }
  }
  // Decoder signatures go into the raw database only when it is needed for keywords anyway;
  // otherwise FindTextRuns reports them in its pass over the bytes (no raw pass at all).
  signatures_in_text_pass_ = options.max_depth > 0 && options.keywords.empty();
  if (options.max_depth > 0 && !signatures_in_text_pass_) {
    for (size_t d = 0; d < std::size(kDecoders); ++d)
      add(DecoderSignature(kDecoders[d]), 0,
          {PatternKind::kDecoder, 0, kDecoders[d], kSigLen[d], false}, {&raw_ids});
  }
  if (text_ids.empty() && options.keywords.empty()) return InvalidArgument("no scanner enabled");

  auto compile = [&](const std::vector<unsigned>& ids, hs_database_t** db) -> Status {
    if (ids.empty()) return Status::Ok();
    std::vector<const char*> exprs;
    std::vector<unsigned> fl;
    for (unsigned id : ids) {
      exprs.push_back(expressions[id].c_str());
      fl.push_back(flags[id]);
    }
    hs_compile_error_t* err = nullptr;
    if (CompileCached(exprs, fl, ids, db, &err) == HS_SUCCESS)
      return Status::Ok();
    std::string msg = err && err->message ? err->message : "unknown error";
    const unsigned id = err && err->expression >= 0 ? ids[size_t(err->expression)] : 0;
    hs_free_compile_error(err);
    if (info_[id].kind == PatternKind::kKeyword)
      return InvalidArgument("keyword pattern '" + expressions[id] + "': " + msg);
    return Internal("pattern '" + expressions[id] + "': " + msg);
  };
  EVIDEX_RETURN_IF_ERROR(compile(raw_ids, &db_raw_));
  EVIDEX_RETURN_IF_ERROR(compile(text_ids, &db_text_));
  if (!options.keywords.empty()) EVIDEX_RETURN_IF_ERROR(compile(text16_ids, &db_text16_));
  return Status::Ok();
}

hs_database_t* Text16Database(const EngineImpl& e) { return e.db_text16_ ? e.db_text16_ : e.db_text_; }

WorkerImpl::WorkerImpl(const EngineImpl& engine, hs_scratch_t* scratch)
    : e_(engine), scratch_(scratch), source_block_(kSourceBlock) {
  ascii_.text.reserve(1 << 16);
  utf16_.text.reserve(1 << 16);
}

WorkerImpl::Level& WorkerImpl::LevelAt(int depth) {
  while (int(levels_.size()) <= depth) levels_.push_back(std::make_unique<Level>());
  return *levels_[size_t(depth)];
}

int WorkerImpl::OnMatch(unsigned id, unsigned long long from, unsigned long long to, unsigned,
                        void* ctx) {
  Buffer& b = *static_cast<Buffer*>(ctx);
  WorkerImpl& w = *b.worker;
  const PatternInfo& info = w.e_.info_[id];
  switch (info.kind) {
    case PatternKind::kScanner:
      w.HandleScanner(b, info, size_t(to));
      break;
    case PatternKind::kKeyword:
      w.HandleKeyword(b, info, size_t(from), size_t(to));
      break;
    case PatternKind::kDecoder: {
      if (b.pass != Pass::kRaw) break;
      size_t start = size_t(to) - info.sig_len;
      if (start >= b.keep_begin && start < b.keep_end && b.depth < w.e_.options_.max_depth)
        b.triggers->push_back({info.decoder, start});
      break;
    }
  }
  return 0;
}

void WorkerImpl::HandleScanner(Buffer& b, const PatternInfo& info, size_t to) {
  const ScannerDef& s = *e_.scanners_[info.scanner];
  const bool utf16 = b.pass == Pass::kUtf16;
  const std::vector<TextRun>& runs = utf16 ? utf16_.runs : ascii_.runs;
  const std::string& text = utf16 ? utf16_.text : ascii_.text;
  const size_t back = s.max_len + 64, fwd = s.max_len + 16;
  const TextRun& run = RunAt(runs, to > 0 ? to - 1 : 0);
  size_t ws = std::max(run.text_begin, to > back ? to - back : 0);
  size_t we = std::min(run.text_end(), to + fwd);
  if (we <= ws) return;
  const size_t stride = utf16 ? 2 : 1;
  Found(b, info, std::string_view(text).substr(ws, we - ws), std::min(to - ws, we - ws),
        run.byte_begin + stride * (ws - run.text_begin), stride);
}

void WorkerImpl::Found(Buffer& b, const PatternInfo& info, std::string_view text, size_t anchor,
                       size_t base, size_t stride) {
  const ScannerDef& s = *e_.scanners_[info.scanner];
  std::optional<Span> span = s.locate(text, anchor);
  if (!span || span->end <= span->begin) return;
  size_t begin = base + span->begin * stride;
  if (begin < b.keep_begin || begin >= b.keep_end) return;
  const bool utf16 = stride == 2;
  // Several patterns (and several ends of one pattern) locate the same artifact: check the hits
  // of this buffer reported last for the same scanner and start.
  for (size_t i = b.hits->size(); i > b.first_hit && b.hits->size() - i < 8; --i) {
    const Hit& h = (*b.hits)[i - 1];
    if (h.scanner == info.scanner && h.utf16 == utf16 && h.stream_pos == b.stream_base + begin)
      return;
  }
  std::string normalized;
  if (!s.validate(text, *span, &normalized)) return;
  EmitHit(b, info.scanner, utf16, begin, base + span->end * stride,
          std::string(text.substr(span->begin, span->size())), std::move(normalized));
}

void WorkerImpl::HandleKeyword(Buffer& b, const PatternInfo& info, size_t from, size_t to) {
  if (to <= from) return;
  std::string feature;
  size_t begin = from, end = to;
  if (b.pass == Pass::kUtf16) {
    const TextRun& run = RunAt(utf16_.runs, from);
    if (to > run.text_end()) return;  // across two runs
    begin = run.byte_begin + 2 * (from - run.text_begin);
    end = begin + 2 * (to - from);
    feature.assign(utf16_.text, from, to - from);
  } else {
    feature.assign(reinterpret_cast<const char*>(b.data) + from, to - from);
  }
  if (begin < b.keep_begin || begin >= b.keep_end) return;
  std::string normalized = info.caseless ? Lower(feature) : feature;
  EmitHit(b, info.scanner, b.pass == Pass::kUtf16, begin, end, std::move(feature), std::move(normalized));
}

void WorkerImpl::EmitHit(Buffer& b, uint32_t scanner, bool utf16, size_t begin, size_t end,
                         std::string feature, std::string normalized) {
  Hit h;
  h.scanner = scanner;
  h.utf16 = utf16;
  h.stream_pos = b.stream_base + begin;
  h.offset = b.prefix.empty() ? b.stream_base + begin : b.top_offset;
  h.path = b.prefix + std::to_string(b.stream_base + begin);
  h.feature = std::move(feature);
  h.normalized = std::move(normalized);
  size_t cb = begin > kContext ? begin - kContext : 0;
  size_t ce = std::min(b.size, end + kContext);
  h.context.assign(reinterpret_cast<const char*>(b.data) + cb, ce - cb);
  b.hits->push_back(std::move(h));
}

void WorkerImpl::ScanBuffer(Buffer& b) {
  size_t first_hit = b.hits->size();
  b.first_hit = first_hit;
  b.triggers->clear();
  // Pass 1, the raw bytes: keywords (and then decoder signatures too).
  if (e_.db_raw_ != nullptr) {
    b.pass = Pass::kRaw;
    hs_scan(e_.db_raw_, reinterpret_cast<const char*>(b.data), unsigned(b.size), 0, scratch_, OnMatch, &b);
  }
  // The text runs, and (without keywords) the decoder signatures, in one vector pass.
  const bool sigs = e_.signatures_in_text_pass_ && b.depth < e_.options_.max_depth;
  FindTextRuns(b.data, b.size, kMinTextRun, &ascii_, &utf16_, sigs ? &signatures_ : nullptr);
  if (sigs) {
    for (const SignatureAt& s : signatures_) {
      if (s.pos < b.keep_begin || s.pos >= b.keep_end) continue;
      DecoderKind kind = s.kind == Signature::kGzip   ? DecoderKind::kGzip
                         : s.kind == Signature::kZlib ? DecoderKind::kZlib
                                                      : DecoderKind::kZip;
      b.triggers->push_back({kind, s.pos});
    }
  }
  // Pass 2, the printable ASCII runs: the scanners. Binary stretches are skipped here.
  if (!ascii_.text.empty() && e_.db_text_ != nullptr) {
    b.pass = Pass::kAscii;
    hs_scan(e_.db_text_, ascii_.text.data(), unsigned(ascii_.text.size()), 0, scratch_, OnMatch, &b);
  }
  // Pass 3, the UTF-16LE runs narrowed: the scanners and keywords.
  if (!utf16_.text.empty() && Text16Database(e_) != nullptr) {
    b.pass = Pass::kUtf16;
    hs_scan(Text16Database(e_), utf16_.text.data(), unsigned(utf16_.text.size()), 0, scratch_, OnMatch, &b);
  }
  b.pass = Pass::kRaw;
  auto by_pos = [](const Hit& x, const Hit& y) {
    return std::tie(x.stream_pos, x.scanner, x.utf16) < std::tie(y.stream_pos, y.scanner, y.utf16);
  };
  auto same = [](const Hit& x, const Hit& y) {
    return x.stream_pos == y.stream_pos && x.scanner == y.scanner && x.utf16 == y.utf16;
  };
  auto first = b.hits->begin() + std::ptrdiff_t(first_hit);
  std::stable_sort(first, b.hits->end(), by_pos);
  b.hits->erase(std::unique(first, b.hits->end(), same), b.hits->end());
  // Decoders: the trigger list of this level stays put while deeper levels use their own.
  std::vector<Trigger>& triggers = *b.triggers;
  for (size_t i = 0; i < triggers.size(); ++i) {
    if (page_budget_ == 0) {
      ++stats_->limits_hit;
      break;
    }
    Decode(b, triggers[i]);
  }
}

void WorkerImpl::Decode(Buffer& parent, const Trigger& t) {
  // Compressed input: the rest of the parent buffer, then (top level) the source beyond it.
  struct Input : ByteInput {
    std::span<const uint8_t> first;
    Source* source = nullptr;
    uint64_t next_offset = 0;
    uint64_t budget = 0;
    std::vector<uint8_t>* block = nullptr;
    bool first_done = false;
    std::span<const uint8_t> Next() override {
      if (!first_done) {
        first_done = true;
        return first;
      }
      if (source == nullptr || budget == 0) return {};
      size_t want = size_t(std::min<uint64_t>(block->size(), budget));
      Result<size_t> n = source->ReadAt(next_offset, std::as_writable_bytes(std::span(block->data(), want)));
      if (!n.ok() || *n == 0) return {};
      next_offset += *n;
      budget -= *n;
      return std::span<const uint8_t>(block->data(), *n);
    }
  } in;
  in.first = std::span<const uint8_t>(parent.data + t.start, parent.size - t.start);
  if (parent.source != nullptr) {
    in.source = parent.source;
    in.next_offset = parent.stream_base + parent.size;
    in.budget = e_.options_.max_stream_bytes + kSourceBlock;
    in.block = &source_block_;
  }
  // Cheap plausibility check on the header bytes (reading a few past the buffer if needed).
  uint8_t head[64];
  size_t have = std::min(sizeof head, in.first.size());
  std::memcpy(head, in.first.data(), have);
  if (have < sizeof head && in.source != nullptr) {
    Result<size_t> n = in.source->ReadAt(in.next_offset, std::as_writable_bytes(std::span(head + have, sizeof head - have)));
    if (n.ok()) have += *n;
  }
  if (!Inflater::Plausible(t.kind, std::span<const uint8_t>(head, have))) return;

  const int depth = parent.depth + 1;
  Level& level = LevelAt(depth);
  Buffer child{};
  child.depth = depth;
  child.prefix = parent.prefix + std::to_string(parent.stream_base + t.start) + "-" +
                 DecoderName(t.kind) + "-";
  child.top_offset = parent.prefix.empty() ? parent.stream_base + t.start : parent.top_offset;
  child.source = nullptr;
  child.hits = parent.hits;
  child.triggers = &level.triggers;
  child.worker = this;
  level.buf.clear();
  uint64_t buf_base = 0;   // stream offset of level.buf[0]
  size_t lead = 0;         // bytes of level.buf before the keep region
  auto scan_chunk = [&](size_t keep_end) {
    child.data = level.buf.data();
    child.size = level.buf.size();
    child.keep_begin = lead;
    child.keep_end = keep_end;
    child.stream_base = buf_base;
    ScanBuffer(child);
  };
  const uint64_t limit = std::min(e_.options_.max_stream_bytes, page_budget_);
  DecodeResult r = level.inflater.Decode(t.kind, in, limit, [&](std::span<const uint8_t> data) {
    while (!data.empty()) {
      size_t room = lead + kChunk + kMargin - level.buf.size();
      size_t take = std::min(room, data.size());
      level.buf.insert(level.buf.end(), data.begin(), data.begin() + std::ptrdiff_t(take));
      data = data.subspan(take);
      if (level.buf.size() == lead + kChunk + kMargin) {
        scan_chunk(lead + kChunk);
        // Keep kLead bytes before the next keep region, and its margin, which is already here.
        size_t drop = kChunk + lead - kLead;
        level.buf.erase(level.buf.begin(), level.buf.begin() + std::ptrdiff_t(drop));
        buf_base += drop;
        lead = kLead;
      }
    }
    return true;
  });
  if (r.produced == 0) return;
  scan_chunk(level.buf.size());
  ++stats_->streams_decoded;
  stats_->bytes_decoded += r.produced;
  page_budget_ -= std::min(page_budget_, r.produced);
  if (r.limit_hit) ++stats_->limits_hit;
  if (r.corrupt) ++stats_->corrupt_streams;
}

void WorkerImpl::ScanPage(const Page& page, std::vector<Hit>* hits, PageStats* stats) {
  stats_ = stats;
  page_budget_ = e_.options_.max_page_decoded;
  size_t first = hits->size();
  Buffer b{};
  b.data = page.data.data();
  b.size = page.data.size();
  b.keep_begin = page.keep_begin;
  b.keep_end = page.keep_end;
  b.depth = 0;
  b.stream_base = page.data_offset;
  b.top_offset = page.data_offset;
  b.source = page.source;
  b.hits = hits;
  b.triggers = &LevelAt(0).triggers;
  b.worker = this;
  ScanBuffer(b);
  std::stable_sort(hits->begin() + std::ptrdiff_t(first), hits->end(),
                   [](const Hit& x, const Hit& y) { return x.offset < y.offset; });
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::Create(const EngineOptions& options) {
  auto engine = std::make_unique<EngineImpl>();
  EVIDEX_RETURN_IF_ERROR(engine->Build(options));
  return std::unique_ptr<Engine>(std::move(engine));
}

Result<std::vector<Keyword>> ParseKeywords(std::string_view text, bool caseless) {
  std::vector<Keyword> out;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    Keyword k;
    k.caseless = caseless;
    if (line.size() >= 2 && line[0] == '/' && (line.back() == '/' || line.substr(line.size() - 2) == "/i") &&
        line.rfind('/') > 0) {
      size_t close = line.rfind('/');
      k.is_regex = true;
      k.text = std::string(line.substr(1, close - 1));
      if (line.substr(close) == "/i") k.caseless = true;
      if (k.text.empty()) return InvalidArgument("keywords line " + std::to_string(line_no) + ": empty regular expression");
    } else {
      if (line.substr(0, 2) == "\\#") line.remove_prefix(1);
      k.text = std::string(line);
    }
    out.push_back(std::move(k));
  }
  if (out.empty()) return InvalidArgument("the keywords file holds no keyword");
  return out;
}

}  // namespace evidex::scan
