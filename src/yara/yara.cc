#include "yara/yara.h"

#include <yara.h>

#include <algorithm>
#include <condition_variable>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

namespace evidex::yara {
namespace {

// yr_initialize once per process; yr_finalize at exit (after every Rules is gone: they are
// owned by callers whose objects die before statics).
struct Library {
  Library() {
    ok = yr_initialize() == ERROR_SUCCESS;
    if (ok) {
      uint32_t max_data = kMaxMatchData;
      yr_set_configuration(YR_CONFIG_MAX_MATCH_DATA, &max_data);
    }
  }
  ~Library() {
    if (ok) yr_finalize();
  }
  bool ok = false;
};

bool Initialize() {
  static Library library;
  return library.ok;
}

struct CompileErrors {
  std::vector<std::string> lines;
};

void OnCompileMessage(int level, const char* file, int line, const YR_RULE*, const char* message,
                      void* user) {
  if (level != YARA_ERROR_LEVEL_ERROR) return;  // warnings ("slowing down scanning") are not ours
  auto* e = static_cast<CompileErrors*>(user);
  e->lines.push_back(std::string(file != nullptr ? file : "?") + ":" + std::to_string(line) + ": " +
                     (message != nullptr ? message : "error"));
}

struct ScanContext {
  const ScanOptions* options;
  std::vector<Match> matches;
};

int OnScanMessage(YR_SCAN_CONTEXT* context, int message, void* data, void* user) {
  if (message != CALLBACK_MSG_RULE_MATCHING) return CALLBACK_CONTINUE;
  auto* s = static_cast<ScanContext*>(user);
  if (s->matches.size() >= s->options->max_rules) return CALLBACK_CONTINUE;
  const YR_RULE* rule = static_cast<const YR_RULE*>(data);
  Match m;
  m.rule = rule->identifier;
  m.ns = rule->ns->name;
  const char* tag;
  yr_rule_tags_foreach(rule, tag) m.tags.push_back(tag);
  const YR_META* meta;
  yr_rule_metas_foreach(rule, meta) {
    std::string v = meta->type == META_TYPE_STRING    ? std::string(meta->string)
                    : meta->type == META_TYPE_BOOLEAN ? (meta->integer ? "true" : "false")
                                                      : std::to_string(meta->integer);
    m.meta.emplace(meta->identifier, std::move(v));  // a repeated key keeps its first value
  }
  const YR_STRING* string;
  yr_rule_strings_foreach(rule, string) {
    // libyara keeps its YR_MATCH records packed (not always 8-byte aligned): each is copied out
    // before its fields are read, as yr_string_matches_foreach would read them in place.
    for (const void* at = context->matches[string->idx].head; at != nullptr;) {
      YR_MATCH match;
      std::memcpy(&match, at, sizeof match);
      at = match.next;
      if (m.strings.size() >= s->options->max_strings) {
        m.strings_truncated = true;
        break;
      }
      StringMatch sm;
      sm.id = string->identifier;
      sm.offset = uint64_t(match.base + match.offset);
      sm.length = uint64_t(match.match_length);
      size_t n = std::min<size_t>(size_t(std::max(match.data_length, 0)), kMaxMatchData);
      sm.data.assign(reinterpret_cast<const char*>(match.data), n);
      m.strings.push_back(std::move(sm));
    }
  }
  s->matches.push_back(std::move(m));
  return CALLBACK_CONTINUE;
}

// Content pulled block by block: blocks are scanned in turn; when YARA comes back for data while
// evaluating conditions (first() called again), only the first block, kept, is offered.
struct BlockIterator {
  const ReadFn* read;
  uint64_t size;
  size_t block_size;
  std::vector<std::byte> first, current;
  YR_MEMORY_BLOCK block{};
  uint64_t next_base = 0;
  bool started = false, replay = false;
  Status error;

  // Fills `buf` (block_size bytes) as far as the content goes; false on a read error.
  bool Fill(std::vector<std::byte>& buf) {
    buf.resize(block_size);
    size_t got = 0;
    while (got < buf.size()) {
      Result<size_t> n = (*read)(std::span(buf.data() + got, buf.size() - got));
      if (!n.ok()) {
        error = n.status();
        buf.clear();
        return false;
      }
      if (*n == 0) break;
      got += *n;
    }
    buf.resize(got);
    return true;
  }
  YR_MEMORY_BLOCK* Offer(std::vector<std::byte>& buf, uint64_t base) {
    if (buf.empty()) return nullptr;
    block.size = buf.size();
    block.base = base;
    block.context = buf.data();
    block.fetch_data = [](YR_MEMORY_BLOCK* b) { return static_cast<const uint8_t*>(b->context); };
    return &block;
  }
  static BlockIterator* Of(YR_MEMORY_BLOCK_ITERATOR* it) {
    return static_cast<BlockIterator*>(it->context);
  }
  static YR_MEMORY_BLOCK* First(YR_MEMORY_BLOCK_ITERATOR* it) {
    BlockIterator* self = Of(it);
    if (self->started) {
      self->replay = true;
      return self->Offer(self->first, 0);
    }
    self->started = true;
    if (!self->Fill(self->first)) {
      it->last_error = ERROR_CALLBACK_ERROR;
      return nullptr;
    }
    self->next_base = self->first.size();
    return self->Offer(self->first, 0);
  }
  static YR_MEMORY_BLOCK* Next(YR_MEMORY_BLOCK_ITERATOR* it) {
    BlockIterator* self = Of(it);
    if (self->replay || self->first.size() < self->block_size) return nullptr;
    if (!self->Fill(self->current)) {
      it->last_error = ERROR_CALLBACK_ERROR;
      return nullptr;
    }
    const uint64_t base = self->next_base;
    self->next_base += self->current.size();
    return self->Offer(self->current, base);
  }
  static uint64_t FileSize(YR_MEMORY_BLOCK_ITERATOR* it) { return Of(it)->size; }
};

class Scanner {
 public:
  Scanner(YR_RULES* rules, const ScanOptions& options) : context_{&options, {}} {
    if (yr_scanner_create(rules, &scanner_) != ERROR_SUCCESS) scanner_ = nullptr;
    if (scanner_ == nullptr) return;
    yr_scanner_set_callback(scanner_, OnScanMessage, &context_);
    yr_scanner_set_timeout(scanner_, std::max(options.timeout_seconds, 0));
    yr_scanner_set_flags(scanner_, SCAN_FLAGS_REPORT_RULES_MATCHING);
  }
  ~Scanner() {
    if (scanner_ != nullptr) yr_scanner_destroy(scanner_);
  }
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  Result<std::vector<Match>> Run(const std::function<int(YR_SCANNER*)>& scan) {
    if (scanner_ == nullptr) return Internal("YARA: cannot create a scanner (out of memory?)");
    const int rc = scan(scanner_);
    if (rc == ERROR_SCAN_TIMEOUT)
      return LimitReached("YARA scan timed out after " +
                          std::to_string(context_.options->timeout_seconds) + " s");
    if (rc == ERROR_INSUFFICIENT_MEMORY) return Internal("YARA scan: out of memory");
    if (rc != ERROR_SUCCESS) return Internal("YARA scan failed (libyara error " + std::to_string(rc) + ")");
    return std::move(context_.matches);
  }

 private:
  YR_SCANNER* scanner_ = nullptr;
  ScanContext context_;
};

}  // namespace

Rules::~Rules() {
  if (rules_ != nullptr) yr_rules_destroy(rules_);
}

Result<std::unique_ptr<Rules>> Rules::Compile(const std::string& path) {
  if (path.empty()) return InvalidArgument("no YARA rules given");
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return NotFound(path + ": no such rule file or directory");
  std::vector<std::string> files;
  if (std::filesystem::is_directory(status)) {
    for (auto it = std::filesystem::recursive_directory_iterator(
             path, std::filesystem::directory_options::skip_permission_denied, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      const std::string ext = it->path().extension().string();
      if ((ext == ".yar" || ext == ".yara") && it->is_regular_file()) files.push_back(it->path().string());
    }
    if (ec) return IoError(path + ": cannot list: " + ec.message());
    std::sort(files.begin(), files.end());
    if (files.empty()) return InvalidArgument(path + ": no .yar or .yara file in this directory");
  } else {
    files.push_back(path);
  }
  if (!Initialize()) return Internal("YARA: yr_initialize failed");

  YR_COMPILER* compiler = nullptr;
  if (yr_compiler_create(&compiler) != ERROR_SUCCESS) return Internal("YARA: cannot create a compiler");
  std::unique_ptr<YR_COMPILER, void (*)(YR_COMPILER*)> guard(compiler, yr_compiler_destroy);
  CompileErrors errors;
  yr_compiler_set_callback(compiler, OnCompileMessage, &errors);
  for (const std::string& f : files) {
    FILE* fp = std::fopen(f.c_str(), "rb");
    if (fp == nullptr) return ErrnoStatus("cannot read " + f, errno);
    const int n = yr_compiler_add_file(compiler, fp, nullptr, f.c_str());
    std::fclose(fp);
    // After an error the compiler takes no more files: the errors of this one are reported.
    if (n > 0 || !errors.lines.empty()) {
      std::string message = "YARA rules do not compile: ";
      constexpr size_t kShown = 5;
      for (size_t i = 0; i < errors.lines.size() && i < kShown; ++i)
        message += (i > 0 ? "; " : "") + errors.lines[i];
      if (errors.lines.size() > kShown)
        message += "; and " + std::to_string(errors.lines.size() - kShown) + " more";
      return InvalidArgument(message);
    }
  }
  std::unique_ptr<Rules> out(new Rules());
  if (yr_compiler_get_rules(compiler, &out->rules_) != ERROR_SUCCESS)
    return Internal("YARA: cannot build the rule set");
  const YR_RULE* rule;
  yr_rules_foreach(out->rules_, rule) out->rule_count_++;
  out->files_ = std::move(files);
  return out;
}

Result<std::vector<Match>> Rules::Scan(std::span<const std::byte> data, const ScanOptions& options) const {
  Scanner scanner(rules_, options);
  return scanner.Run([&](YR_SCANNER* s) {
    return yr_scanner_scan_mem(s, reinterpret_cast<const uint8_t*>(data.data()), data.size());
  });
}

Result<std::vector<Match>> Rules::Scan(uint64_t size, const ReadFn& read, const ScanOptions& options) const {
  if (size <= options.whole_limit) {
    std::vector<std::byte> buf(static_cast<size_t>(size));
    size_t got = 0;
    while (got < buf.size()) {
      Result<size_t> n = read(std::span(buf.data() + got, buf.size() - got));
      if (!n.ok()) return n.status();
      if (*n == 0) break;
      got += *n;
    }
    return Scan(std::span<const std::byte>(buf.data(), got), options);
  }
  BlockIterator blocks;
  blocks.read = &read;
  blocks.size = size;
  blocks.block_size = std::max<size_t>(options.block_size, 4096);
  YR_MEMORY_BLOCK_ITERATOR it{};
  it.context = &blocks;
  it.first = BlockIterator::First;
  it.next = BlockIterator::Next;
  it.file_size = BlockIterator::FileSize;
  it.last_error = ERROR_SUCCESS;
  Scanner scanner(rules_, options);
  Result<std::vector<Match>> r =
      scanner.Run([&](YR_SCANNER* s) { return yr_scanner_scan_mem_blocks(s, &it); });
  if (!blocks.error.ok()) return blocks.error;
  return r;
}

// Hands the pushed pieces to the scanning thread's ReadFn, one request buffer at a time.
struct Stream::Bridge {
  std::mutex mu;
  std::condition_variable cv;
  std::byte* want = nullptr;
  size_t want_size = 0, got = 0;
  bool requesting = false, ended = false, scan_done = false;
  Status error;
  std::optional<Result<std::vector<Match>>> result;
  std::thread thread;
};

Stream::Stream(const Rules& rules, uint64_t size, const ScanOptions& options)
    : rules_(rules), size_(size), options_(options) {
  if (size_ <= options_.whole_limit) {
    whole_.reserve(size_t(size_));
    return;
  }
  bridge_ = std::make_unique<Bridge>();
  Bridge* b = bridge_.get();
  b->thread = std::thread([this, b] {
    ReadFn read = [b](std::span<std::byte> buf) -> Result<size_t> {
      std::unique_lock lock(b->mu);
      if (b->ended) {
        if (!b->error.ok()) return b->error;
        return size_t(0);
      }
      b->want = buf.data(), b->want_size = buf.size(), b->got = 0, b->requesting = true;
      b->cv.notify_all();
      b->cv.wait(lock, [&] { return !b->requesting || b->ended; });
      b->requesting = false;
      if (b->got == 0 && !b->error.ok()) return b->error;
      return b->got;
    };
    Result<std::vector<Match>> r = rules_.Scan(size_, read, options_);
    std::lock_guard lock(b->mu);
    b->result.emplace(std::move(r));
    b->scan_done = true;
    b->cv.notify_all();
  });
}

Stream::~Stream() {
  if (!finished_) (void)Finish(Status(Code::kInternal, "abandoned"));
}

void Stream::Write(std::span<const std::byte> piece) {
  if (!bridge_) {
    whole_.insert(whole_.end(), piece.begin(), piece.end());
    return;
  }
  Bridge* b = bridge_.get();
  std::unique_lock lock(b->mu);
  while (!piece.empty()) {
    b->cv.wait(lock, [&] { return b->requesting || b->scan_done; });
    if (b->scan_done) return;  // the scan ended early (a timeout): the rest is not needed
    const size_t n = std::min(piece.size(), b->want_size - b->got);
    std::memcpy(b->want + b->got, piece.data(), n);
    b->got += n;
    piece = piece.subspan(n);
    if (b->got == b->want_size) {
      b->requesting = false;
      b->cv.notify_all();
    }
  }
}

Result<std::vector<Match>> Stream::Finish(const Status& error) {
  finished_ = true;
  if (!bridge_) {
    if (!error.ok()) return error;
    std::vector<std::byte> data = std::move(whole_);
    return rules_.Scan(std::span<const std::byte>(data), options_);
  }
  Bridge* b = bridge_.get();
  {
    std::lock_guard lock(b->mu);
    b->ended = true;
    b->error = error;
    b->cv.notify_all();
  }
  b->thread.join();
  Result<std::vector<Match>> r = std::move(*b->result);
  bridge_.reset();
  if (!error.ok()) return error;
  return r;
}

}  // namespace evidex::yara
