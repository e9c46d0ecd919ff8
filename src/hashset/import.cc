// ImportFile: the four hash-set readers. Text formats are read from a read-only mapping in one
// forward pass, hashed (SHA-256 of the file) a window ahead of the parser and dropped from the
// mapping a window behind it, so a list of any size costs the digests and a few windows. The
// digests of a file are staged in chunks and given to the builder only once the whole file has
// been read without a fatal error, chunk by chunk, each chunk freed as it goes.
#include "hashset/import.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "core/hash.h"

namespace evidex::hashset {
namespace {

// JSON text costs nothing but its mapping here (it is parsed as a stream), but a larger file is
// not a VICS export anyone makes.
constexpr uint64_t kMaxJsonBytes = uint64_t(4) << 30;
// Nesting beyond this is refused (a VICS export is 4 levels deep).
constexpr int kMaxJsonDepth = 64;
// Hashed ahead of the parser, dropped behind it.
constexpr size_t kWindow = size_t(4) << 20;
// VICS categories are small numbers; a label per distinct category, at most this many.
constexpr size_t kMaxCategories = 254;

// ---- hex ----------------------------------------------------------------------------------

struct HexTable {
  std::array<uint8_t, 256> v{};
  constexpr HexTable() {
    for (auto& x : v) x = 0xFF;
    for (int c = '0'; c <= '9'; ++c) v[c] = uint8_t(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) v[c] = uint8_t(c - 'a' + 10);
    for (int c = 'A'; c <= 'F'; ++c) v[c] = uint8_t(c - 'A' + 10);
  }
};
constexpr HexTable kHex;

// Decodes `n` hex digits (n even) into out; false at the first other byte.
inline bool DecodeHex(const char* s, size_t n, uint8_t* out) {
  uint8_t bad = 0;
  for (size_t i = 0; i < n; i += 2) {
    uint8_t hi = kHex.v[uint8_t(s[i])], lo = kHex.v[uint8_t(s[i + 1])];
    bad |= uint8_t(hi | lo);
    out[i / 2] = uint8_t(hi << 4 | (lo & 0x0F));
  }
  return (bad & 0xF0) == 0;
}

std::optional<Algorithm> ForHexLength(size_t n) {
  switch (n) {
    case 32:
      return Algorithm::kMd5;
    case 40:
      return Algorithm::kSha1;
    case 64:
      return Algorithm::kSha256;
  }
  return std::nullopt;
}

const char* DisplayName(Algorithm a) {
  return a == Algorithm::kMd5 ? "MD5" : a == Algorithm::kSha1 ? "SHA-1" : "SHA-256";
}

// Values in messages: at most 80 bytes, quoted, control bytes as '?'.
std::string Quote(std::string_view value) {
  constexpr size_t kMax = 80;
  std::string out = "'";
  for (char c : value.substr(0, kMax)) out += (uint8_t(c) < 0x20 || c == 0x7F) ? '?' : c;
  if (value.size() > kMax) out += "...";
  out += "'";
  return out;
}

std::string NotADigest(std::string_view token) {
  return Quote(token) + " is not a hex digest of 32, 40 or 64 characters";
}

std::string NotADigestOf(std::string_view token, Algorithm a) {
  return Quote(token) + " is not a hex " + DisplayName(a) + " digest (" +
         std::to_string(DigestSize(a) * 2) + " characters)";
}

// ---- staging ------------------------------------------------------------------------------

// The digests of one file, in the order read: per record 1 byte algorithm, 1 byte (local) label,
// the digest.
class Staging {
 public:
  void Add(Algorithm a, const uint8_t* digest, uint8_t label) {
    const size_t n = DigestSize(a);
    if (chunks_.empty() || chunks_.back().used + n + 2 > kChunk) {
      chunks_.push_back({std::make_unique<uint8_t[]>(kChunk), 0});
    }
    Chunk& c = chunks_.back();
    uint8_t* p = c.bytes.get() + c.used;
    p[0] = uint8_t(a);
    p[1] = label;
    std::memcpy(p + 2, digest, n);
    c.used += n + 2;
    ++count_;
  }
  uint64_t count() const { return count_; }

  // Adds every digest, `labels` mapping the local label to the builder's; frees as it goes.
  void MoveTo(Builder* builder, const std::vector<uint8_t>& labels) {
    for (Chunk& c : chunks_) {
      for (size_t i = 0; i < c.used;) {
        const uint8_t* p = c.bytes.get() + i;
        Algorithm a = Algorithm(p[0]);
        builder->Add(a, p + 2, labels[p[1]]);
        i += DigestSize(a) + 2;
      }
      c.bytes.reset();
    }
    chunks_.clear();
    count_ = 0;
  }

 private:
  static constexpr size_t kChunk = size_t(1) << 20;
  struct Chunk {
    std::unique_ptr<uint8_t[]> bytes;
    size_t used = 0;
  };
  std::vector<Chunk> chunks_;
  uint64_t count_ = 0;
};

// What a reader reports into: bad records (listed up to kMaxListedErrors) and the first error.
class Records {
 public:
  explicit Records(const ImportOptions& options, ImportReport* report)
      : partial_(options.partial), report_(report) {}

  // Returns false when the import stops here (not partial).
  bool Bad(std::string where, std::string message) {
    ++report_->bad_records;
    if (report_->errors.size() < kMaxListedErrors)
      report_->errors.push_back({std::move(where), std::move(message)});
    return partial_;
  }
  void Good() { ++report_->records; }
  bool partial() const { return partial_; }
  bool failed() const { return !partial_ && report_->bad_records > 0; }
  const ImportError& first() const { return report_->errors.front(); }

 private:
  bool partial_;
  ImportReport* report_;
};

// ---- the file -----------------------------------------------------------------------------

class MappedFile {
 public:
  MappedFile() = default;
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
    if (fd_ >= 0) ::close(fd_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  Status Open(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      int err = errno;
      if (err == ENOENT || err == ENOTDIR) return NotFound(path + ": no such file");
      return ErrnoStatus("cannot open " + path, err);
    }
    struct stat st;
    if (::fstat(fd_, &st) != 0) return ErrnoStatus("cannot stat " + path, errno);
    if (!S_ISREG(st.st_mode)) return InvalidArgument(path + ": not a regular file");
    size_ = size_t(st.st_size);
    if (size_ == 0) return Status::Ok();
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
    if (p == MAP_FAILED) return ErrnoStatus("cannot map " + path, errno);
    ::madvise(p, size_, MADV_SEQUENTIAL);
    data_ = static_cast<const char*>(p);
    return Status::Ok();
  }
  std::string_view bytes() const { return {data_ == nullptr ? "" : data_, size_}; }
  // Maps [offset, offset + n) in one call rather than a page fault per page (Linux 5.14 on;
  // without it the pages fault in one by one).
  void Populate(size_t offset, size_t n) {
#ifdef MADV_POPULATE_READ
    size_t begin = offset & ~size_t(::getpagesize() - 1);
    ::madvise(const_cast<char*>(data_) + begin, n + (offset - begin), MADV_POPULATE_READ);
#endif
  }
  // The pages of [0, end) are not needed again (they stay in the page cache, not in us).
  void Drop(size_t end) {
    end &= ~size_t(::getpagesize() - 1);
    if (end > dropped_) {
      ::madvise(const_cast<char*>(data_) + dropped_, end - dropped_, MADV_DONTNEED);
      dropped_ = end;
    }
  }

 private:
  int fd_ = -1;
  const char* data_ = nullptr;
  size_t size_ = 0;
  size_t dropped_ = 0;
};

// SHA-256 of the file's bytes, fed in windows in order.
class FileHasher {
 public:
  FileHasher() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
  ~FileHasher() { EVP_MD_CTX_free(ctx_); }
  FileHasher(const FileHasher&) = delete;
  FileHasher& operator=(const FileHasher&) = delete;
  void Update(std::string_view d) { EVP_DigestUpdate(ctx_, d.data(), d.size()); }
  std::string HexFinal() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, md, &len);
    return ToHex(md, len);
  }

 private:
  EVP_MD_CTX* ctx_;
};

void HashAll(MappedFile* file, FileHasher* hasher) {
  std::string_view d = file->bytes();
  for (size_t off = 0; off < d.size(); off += kWindow) {
    hasher->Update(d.substr(off, kWindow));
    if (off > kWindow) file->Drop(off - kWindow);
  }
}

// Lines of a mapped file (without their "\n" or "\r\n"), numbered from 1; hashes the file a
// window ahead and drops it from the mapping a window behind.
class LineReader {
 public:
  LineReader(MappedFile* file, FileHasher* hasher)
      : file_(file), hasher_(hasher), d_(file->bytes()) {
    if (d_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }
  ~LineReader() { Finish(); }

  bool Next(std::string_view* line) {
    if (pos_ >= d_.size()) return false;
    if (pos_ >= hashed_) Advance();
    const char* begin = d_.data() + pos_;
    const void* nl = std::memchr(begin, '\n', d_.size() - pos_);
    size_t len = nl == nullptr ? d_.size() - pos_ : size_t(static_cast<const char*>(nl) - begin);
    pos_ += len + 1;
    if (len > 0 && begin[len - 1] == '\r') --len;
    *line = std::string_view(begin, len);
    ++number_;
    return true;
  }
  uint64_t number() const { return number_; }
  std::string where() const { return "line " + std::to_string(number_); }
  // Hashes what was not read (after a fatal error the digest is not used, but stays right).
  void Finish() {
    while (hashed_ < d_.size()) Advance();
  }

 private:
  void Advance() {
    size_t n = std::min(kWindow, d_.size() - hashed_);
    file_->Populate(hashed_, n);
    hasher_->Update(d_.substr(hashed_, n));
    hashed_ += n;
    if (pos_ > 2 * kWindow) file_->Drop(pos_ - 2 * kWindow);
  }

  MappedFile* file_;
  FileHasher* hasher_;
  std::string_view d_;
  size_t pos_ = 0;
  size_t hashed_ = 0;
  uint64_t number_ = 0;
};

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// ---- list ---------------------------------------------------------------------------------

// The digest token of a list line ("" for a blank or comment line): md5sum's leading '\' (a
// name with escapes) dropped, up to the first white space.
std::string_view ListToken(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  if (i == line.size() || line[i] == '#') return {};
  if (line[i] == '\\') ++i;
  size_t j = i;
  while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
  if (j == i) return line.substr(i, 1);  // a lone '\'
  return line.substr(i, j - i);
}

// The usual line, a digest at its start followed by white space or nothing, without looking
// for the token's end first.
inline bool FastDigest(std::string_view line, Algorithm* a, uint8_t* digest) {
  for (Algorithm c : {Algorithm::kMd5, Algorithm::kSha1, Algorithm::kSha256}) {
    const size_t n = DigestSize(c) * 2;
    if (line.size() < n) return false;
    if (line.size() == n || line[n] == ' ' || line[n] == '\t') {
      *a = c;
      return DecodeHex(line.data(), n, digest);
    }
  }
  return false;
}

void ReadList(LineReader* lines, Records* records, Staging* staging) {
  std::string_view line;
  uint8_t digest[32];
  Algorithm fast;
  while (lines->Next(&line)) {
    if (FastDigest(line, &fast, digest)) {
      staging->Add(fast, digest, 0);
      records->Good();
      continue;
    }
    std::string_view token = ListToken(line);
    if (token.empty()) continue;
    std::optional<Algorithm> a = ForHexLength(token.size());
    if (a && DecodeHex(token.data(), token.size(), digest)) {
      staging->Add(*a, digest, 0);
      records->Good();
    } else if (!records->Bad(lines->where(), NotADigest(token))) {
      return;
    }
  }
}

// ---- hashdeep -----------------------------------------------------------------------------

constexpr std::string_view kHashdeepMagic = "%%%% HASHDEEP-1.0";

struct HashdeepColumns {
  std::vector<std::optional<Algorithm>> columns;  // per column: the digest it holds, if any
  bool any_digest = false;
};

HashdeepColumns ParseHashdeepColumns(std::string_view names) {
  HashdeepColumns out;
  while (true) {
    size_t comma = names.find(',');
    std::string name(TrimSpace(names.substr(0, comma)));
    for (char& c : name) c = char(std::tolower(uint8_t(c)));
    std::optional<Algorithm> a;
    if (name == "md5") a = Algorithm::kMd5;
    if (name == "sha1") a = Algorithm::kSha1;
    if (name == "sha256") a = Algorithm::kSha256;
    out.any_digest |= a.has_value();
    out.columns.push_back(a);
    if (comma == std::string_view::npos) break;
    names.remove_prefix(comma + 1);
  }
  return out;
}

Status ReadHashdeep(LineReader* lines, Records* records, Staging* staging) {
  std::string_view line;
  if (!lines->Next(&line) || line != kHashdeepMagic)
    return InvalidArgument("line 1: not a hashdeep file: no '" + std::string(kHashdeepMagic) +
                           "' header");
  HashdeepColumns header;
  bool have_columns = false;
  std::vector<std::string_view> fields;
  uint8_t digest[32];
  while (lines->Next(&line)) {
    if (line.substr(0, 2) == "##" || TrimSpace(line).empty()) continue;
    if (line.substr(0, 5) == "%%%% ") {
      // A file may be several hashdeep outputs one after the other.
      if (line == kHashdeepMagic) {
        have_columns = false;
        continue;
      }
      header = ParseHashdeepColumns(line.substr(5));
      if (!header.any_digest)
        return InvalidArgument(lines->where() + ": the column line " + Quote(line) +
                               " names no md5, sha1 or sha256 column");
      have_columns = true;
      continue;
    }
    if (!have_columns)
      return InvalidArgument(lines->where() + ": a record before the '%%%% size,...' column line");
    // The last column (the file name) takes the rest of the line, commas and all.
    const size_t n = header.columns.size();
    fields.clear();
    std::string_view rest = line;
    while (fields.size() + 1 < n) {
      size_t comma = rest.find(',');
      if (comma == std::string_view::npos) break;
      fields.push_back(rest.substr(0, comma));
      rest.remove_prefix(comma + 1);
    }
    fields.push_back(rest);
    if (fields.size() < n) {
      if (!records->Bad(lines->where(), std::to_string(fields.size()) +
                                            " fields, the header names " + std::to_string(n)))
        return Status::Ok();
      continue;
    }
    // Checked first, staged after: a bad row adds nothing.
    std::string error;
    int found = 0;
    for (size_t i = 0; i < n && error.empty(); ++i) {
      if (!header.columns[i]) continue;
      std::string_view f = TrimSpace(fields[i]);
      if (f.empty()) continue;
      Algorithm a = *header.columns[i];
      if (f.size() != DigestSize(a) * 2 || !DecodeHex(f.data(), f.size(), digest))
        error = std::string(AlgorithmName(a)) + " column: " + NotADigestOf(f, a);
      ++found;
    }
    if (error.empty() && found == 0) error = "no digest in the row";
    if (!error.empty()) {
      if (!records->Bad(lines->where(), std::move(error))) return Status::Ok();
      continue;
    }
    for (size_t i = 0; i < n; ++i) {
      std::string_view f = TrimSpace(fields[i]);
      if (!header.columns[i] || f.empty()) continue;
      DecodeHex(f.data(), f.size(), digest);
      staging->Add(*header.columns[i], digest, 0);
    }
    records->Good();
  }
  return Status::Ok();
}

// ---- NSRL RDSv3 ---------------------------------------------------------------------------

struct Sqlite {
  sqlite3* db = nullptr;
  sqlite3_stmt* stmt = nullptr;
  ~Sqlite() {
    sqlite3_finalize(stmt);
    sqlite3_close(db);
  }
};

// A path as an SQLite URI's path: everything but unreserved characters and '/' %-escaped.
std::string FileUri(const std::string& path) {
  static const char kDigits[] = "0123456789ABCDEF";
  std::string out = "file:";
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 15];
    }
  }
  return out + "?mode=ro&immutable=1";
}

Status SqliteError(sqlite3* db, int rc, const std::string& what) {
  std::string message = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  int primary = rc & 0xFF;
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) return Corrupt(message);
  if (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN) return IoError(message);
  return Internal(message);
}

Status ReadNsrl(const std::string& path, Records* records, Staging* staging) {
  Sqlite s;
  int rc = sqlite3_open_v2(FileUri(path).c_str(), &s.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                           nullptr);
  if (rc != SQLITE_OK) return SqliteError(s.db, rc, "cannot open the database");
  // The table (or view) to read and its digest columns.
  std::string source;
  for (const char* name : {"METADATA", "FILE"}) {
    sqlite3_stmt* q = nullptr;
    rc = sqlite3_prepare_v2(s.db,
                            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND "
                            "name = ?1 COLLATE NOCASE",
                            -1, &q, nullptr);
    if (rc != SQLITE_OK) return SqliteError(s.db, rc, "cannot read the schema");
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) source = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      return SqliteError(s.db, rc, "cannot read the schema");
    if (!source.empty()) break;
  }
  if (source.empty())
    return InvalidArgument("not an NSRL RDSv3 database: no METADATA table or FILE view");
  std::string quoted = "\"";
  for (char c : source) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  quoted += "\"";
  std::vector<Algorithm> algorithms;
  std::string select;
  {
    sqlite3_stmt* q = nullptr;
    rc = sqlite3_prepare_v2(s.db, ("PRAGMA table_info(" + quoted + ")").c_str(), -1, &q, nullptr);
    if (rc != SQLITE_OK) return SqliteError(s.db, rc, "cannot read the columns of " + source);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
      const char* col = reinterpret_cast<const char*>(sqlite3_column_text(q, 1));
      std::string name = col == nullptr ? "" : col;
      for (char& c : name) c = char(std::tolower(uint8_t(c)));
      std::optional<Algorithm> a;
      if (name == "sha256") a = Algorithm::kSha256;
      if (name == "sha1") a = Algorithm::kSha1;
      if (name == "md5") a = Algorithm::kMd5;
      if (!a || std::find(algorithms.begin(), algorithms.end(), *a) != algorithms.end()) continue;
      algorithms.push_back(*a);
      select += (select.empty() ? "SELECT " : ", ") + name;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return SqliteError(s.db, rc, "cannot read the columns of " + source);
  }
  if (algorithms.empty())
    return InvalidArgument("the " + source + " " + "table has no sha256, sha1 or md5 column");
  select += " FROM " + quoted;
  rc = sqlite3_prepare_v2(s.db, select.c_str(), -1, &s.stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(s.db, rc, "cannot read " + source);
  uint64_t row = 0;
  uint8_t digests[3][32];
  while ((rc = sqlite3_step(s.stmt)) == SQLITE_ROW) {
    ++row;
    std::string error;
    int found = 0;
    for (size_t i = 0; i < algorithms.size() && error.empty(); ++i) {
      if (sqlite3_column_type(s.stmt, int(i)) == SQLITE_NULL) continue;
      const char* text = reinterpret_cast<const char*>(sqlite3_column_text(s.stmt, int(i)));
      std::string_view v(text == nullptr ? "" : text, size_t(sqlite3_column_bytes(s.stmt, int(i))));
      v = TrimSpace(v);
      if (v.empty()) continue;
      Algorithm a = algorithms[i];
      if (v.size() != DigestSize(a) * 2 || !DecodeHex(v.data(), v.size(), digests[i])) {
        error = std::string(AlgorithmName(a)) + ": " + NotADigestOf(v, a);
      } else {
        ++found;
      }
    }
    if (error.empty() && found == 0) error = "no sha256, sha1 or md5";
    if (!error.empty()) {
      if (!records->Bad("row " + std::to_string(row), std::move(error))) return Status::Ok();
      continue;
    }
    for (size_t i = 0; i < algorithms.size(); ++i) {
      if (sqlite3_column_type(s.stmt, int(i)) == SQLITE_NULL) continue;
      if (TrimSpace({reinterpret_cast<const char*>(sqlite3_column_text(s.stmt, int(i))),
                     size_t(sqlite3_column_bytes(s.stmt, int(i)))})
              .empty())
        continue;
      staging->Add(algorithms[i], digests[i], 0);
    }
    records->Good();
  }
  if (rc != SQLITE_DONE)
    return SqliteError(s.db, rc, "row " + std::to_string(row + 1) + " of " + source);
  return Status::Ok();
}

// ---- VICS ---------------------------------------------------------------------------------

std::string CategoryLabel(uint64_t category) {
  static const char* const kNames[] = {"non-pertinent", "child abuse material",
                                       "child exploitive (age difficult)", "CGI / animation",
                                       "comparison images"};
  std::string label = "VICS category " + std::to_string(category);
  if (category < std::size(kNames)) label += std::string(": ") + kNames[category];
  return label;
}

// A SAX reader of {"value": [item, ...]}: each item's MD5, SHA1 and Category, and the MD5 and
// SHA1 of the objects of its MediaFiles array; everything else is skipped. The library's SAX
// parser keeps its own stack (no recursion); nesting is bounded all the same. An item is one
// record: staged whole when all of it is right, left out whole otherwise.
class VicsReader : public nlohmann::json_sax<nlohmann::json> {
 public:
  VicsReader(Records* records, Staging* staging) : records_(records), staging_(staging) {}

  // A fatal error (the document's shape, a limit, JSON syntax), or the first bad record when
  // not partial.
  Status status;
  bool saw_value = false;
  std::vector<std::string> labels;  // local label i + 1 -> its text

  bool null() override { return Scalar(Kind::kNull, 0, {}); }
  bool boolean(bool) override { return Scalar(Kind::kOther, 0, {}); }
  bool number_integer(number_integer_t v) override {
    return v < 0 ? Scalar(Kind::kOther, 0, {}) : Scalar(Kind::kUnsigned, uint64_t(v), {});
  }
  bool number_unsigned(number_unsigned_t v) override { return Scalar(Kind::kUnsigned, v, {}); }
  bool number_float(number_float_t, const string_t&) override {
    return Scalar(Kind::kOther, 0, {});
  }
  bool string(string_t& v) override { return Scalar(Kind::kString, 0, v); }
  bool binary(binary_t&) override { return Scalar(Kind::kOther, 0, {}); }
  bool start_object(std::size_t) override { return Start(false); }
  bool start_array(std::size_t) override { return Start(true); }
  bool end_object() override { return End(); }
  bool end_array() override { return End(); }
  bool key(string_t& k) override {
    Frame& f = stack_.back();
    f.key = k;
    f.field = FieldOf(f.role, k);
    return true;
  }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& e) override {
    std::string what = e.what();
    size_t colon = what.find(": ");
    std::string detail = colon == std::string::npos ? what : what.substr(colon + 2);
    std::string where = Pointer();
    status = Corrupt((where.empty() ? std::string("/") : where) + ": invalid JSON at byte " +
                     std::to_string(position) + ": " + detail);
    return false;
  }

 private:
  // kField: the value of an item's (or media file's) MD5, SHA1 or Category.
  enum class Role { kRoot, kValue, kItem, kBadItem, kMediaFiles, kMediaFile, kField, kOther };
  enum class Field { kNone, kValue, kMd5, kSha1, kCategory, kMediaFiles };
  enum class Kind { kNull, kUnsigned, kString, kOther };
  struct Frame {
    Role role;
    bool array;
    size_t index = 0;  // arrays: the element being read
    std::string key;   // objects: the member being read
    Field field = Field::kNone;
  };
  struct Pending {
    Algorithm a;
    uint8_t digest[20];
  };

  static bool KeyIs(std::string_view k, std::string_view name) {
    if (k.size() != name.size()) return false;
    for (size_t i = 0; i < k.size(); ++i)
      if (std::tolower(uint8_t(k[i])) != std::tolower(uint8_t(name[i]))) return false;
    return true;
  }
  static Field FieldOf(Role role, std::string_view k) {
    if (role == Role::kRoot) return KeyIs(k, "value") ? Field::kValue : Field::kNone;
    if (role != Role::kItem && role != Role::kMediaFile) return Field::kNone;
    if (KeyIs(k, "MD5")) return Field::kMd5;
    if (KeyIs(k, "SHA1")) return Field::kSha1;
    if (role == Role::kItem && KeyIs(k, "Category")) return Field::kCategory;
    if (role == Role::kItem && KeyIs(k, "MediaFiles")) return Field::kMediaFiles;
    return Field::kNone;
  }

  // "/value/3/SHA1": the pointer of the value being read.
  std::string Pointer() const {
    nlohmann::json::json_pointer p;
    for (const Frame& f : stack_) {
      if (f.array) {
        p /= f.index;
      } else {
        p /= f.key;
      }
    }
    return p.to_string();
  }
  std::string ItemWhere() const { return "/value/" + std::to_string(item_index_); }

  // The role of the value about to be read.
  Role ChildRole() const {
    if (stack_.empty()) return Role::kRoot;
    const Frame& f = stack_.back();
    switch (f.role) {
      case Role::kRoot:
        return f.field == Field::kValue ? Role::kValue : Role::kOther;
      case Role::kValue:
        return Role::kItem;
      case Role::kItem:
        if (f.field == Field::kMediaFiles) return Role::kMediaFiles;
        return f.field == Field::kNone ? Role::kOther : Role::kField;
      case Role::kMediaFiles:
        return Role::kMediaFile;
      case Role::kMediaFile:
        return f.field == Field::kNone ? Role::kOther : Role::kField;
      default:
        return Role::kOther;
    }
  }

  bool Fatal(Status s) {
    status = std::move(s);
    return false;
  }
  // The item's first error is the one reported.
  void ItemError(std::string where, std::string message) {
    if (item_error_.empty()) {
      item_error_ = std::move(message);
      item_error_where_ = std::move(where);
    }
  }
  void BeginItem() {
    item_index_ = stack_.back().index;
    item_error_.clear();
    pending_.clear();
    category_.reset();
  }
  const char* FieldName() const {
    switch (stack_.back().field) {
      case Field::kMd5:
        return "MD5";
      case Field::kSha1:
        return "SHA1";
      default:
        return "Category";
    }
  }
  // After a value: the next array element.
  void Advance() {
    if (!stack_.empty() && stack_.back().array) ++stack_.back().index;
  }

  bool Start(bool array) {
    if (stack_.size() >= size_t(kMaxJsonDepth))
      return Fatal(LimitReached(Pointer() + ": JSON nested deeper than " +
                                std::to_string(kMaxJsonDepth) + " levels"));
    Role role = ChildRole();
    switch (role) {
      case Role::kRoot:
        if (array) return Fatal(InvalidArgument("/: not a VICS export (not a JSON object)"));
        break;
      case Role::kValue:
        if (!array) return Fatal(InvalidArgument("/value: not an array"));
        saw_value = true;
        break;
      case Role::kItem:
        BeginItem();
        if (array) {
          ItemError(ItemWhere(), "not a JSON object");
          role = Role::kBadItem;
        }
        break;
      case Role::kMediaFiles:
        if (!array) {
          ItemError(Pointer(), "MediaFiles is not an array");
          role = Role::kOther;
        }
        break;
      case Role::kMediaFile:
        if (array) {
          ItemError(Pointer(), "not a JSON object");
          role = Role::kOther;
        }
        break;
      case Role::kField:
        ItemError(Pointer(),
                  std::string(FieldName()) + " is not " +
                      (stack_.back().field == Field::kCategory ? "an integer" : "a string"));
        role = Role::kOther;
        break;
      default:
        break;
    }
    stack_.push_back(Frame{role, array, 0, {}, Field::kNone});
    return true;
  }

  bool End() {
    Role role = stack_.back().role;
    stack_.pop_back();
    Advance();
    if (role == Role::kItem || role == Role::kBadItem) return EndItem();
    return true;
  }

  bool Scalar(Kind kind, uint64_t number, std::string_view text) {
    switch (ChildRole()) {
      case Role::kRoot:
        return Fatal(InvalidArgument("/: not a VICS export (not a JSON object)"));
      case Role::kValue:
        return Fatal(InvalidArgument("/value: not an array"));
      case Role::kItem:
        BeginItem();
        ItemError(ItemWhere(), "not a JSON object");
        Advance();
        return EndItem();
      case Role::kMediaFiles:
        if (kind != Kind::kNull) ItemError(Pointer(), "MediaFiles is not an array");
        break;
      case Role::kMediaFile:
        ItemError(Pointer(), "not a JSON object");
        break;
      case Role::kField:
        FieldValue(kind, number, text);
        break;
      default:
        break;
    }
    Advance();
    return true;
  }

  void FieldValue(Kind kind, uint64_t number, std::string_view text) {
    if (kind == Kind::kNull) return;  // OData writes absent values as null
    const Field field = stack_.back().field;
    if (field == Field::kCategory) {
      if (kind == Kind::kUnsigned) {
        category_ = number;
      } else {
        ItemError(Pointer(), "Category is not a non-negative integer");
      }
      return;
    }
    const Algorithm a = field == Field::kMd5 ? Algorithm::kMd5 : Algorithm::kSha1;
    if (kind != Kind::kString) {
      ItemError(Pointer(), std::string(FieldName()) + " is not a string");
      return;
    }
    std::string_view v = TrimSpace(text);
    if (v.empty()) return;
    Pending p{a, {}};
    if (v.size() != DigestSize(a) * 2 || !DecodeHex(v.data(), v.size(), p.digest)) {
      ItemError(Pointer(), NotADigestOf(v, a));
      return;
    }
    pending_.push_back(p);
  }

  bool EndItem() {
    if (item_error_.empty() && pending_.empty()) ItemError(ItemWhere(), "no MD5 or SHA1");
    if (!item_error_.empty()) {
      if (records_->Bad(item_error_where_, item_error_)) return true;
      return Fatal(InvalidArgument(item_error_where_ + ": " + item_error_));
    }
    uint8_t label = 0;
    if (category_) {
      std::string text = CategoryLabel(*category_);
      auto it = std::find(labels.begin(), labels.end(), text);
      if (it == labels.end()) {
        if (labels.size() >= kMaxCategories)
          return Fatal(LimitReached(ItemWhere() + ": more than " + std::to_string(kMaxCategories) +
                                    " distinct categories"));
        labels.push_back(std::move(text));
        it = labels.end() - 1;
      }
      label = uint8_t(it - labels.begin() + 1);
    }
    for (const Pending& p : pending_) staging_->Add(p.a, p.digest, label);
    records_->Good();
    return true;
  }

  Records* records_;
  Staging* staging_;
  std::vector<Frame> stack_;
  size_t item_index_ = 0;
  std::string item_error_, item_error_where_;
  std::vector<Pending> pending_;
  std::optional<uint64_t> category_;
};

// ---- detection ----------------------------------------------------------------------------

constexpr std::string_view kSqliteMagic{"SQLite format 3\0", 16};

// "" when the bytes are none of the formats.
std::string Detect(std::string_view d) {
  if (d.substr(0, kSqliteMagic.size()) == kSqliteMagic) return "nsrl-rds3";
  if (d.substr(0, 3) == "\xEF\xBB\xBF") d.remove_prefix(3);
  if (d.substr(0, kHashdeepMagic.size()) == kHashdeepMagic) return "hashdeep";
  size_t i = d.find_first_not_of(" \t\r\n");
  if (i != std::string_view::npos && d[i] == '{') return "vics";
  // A list: its first line that is not blank or a comment starts with a digest.
  while (!d.empty()) {
    size_t nl = d.find('\n');
    std::string_view line = d.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view token = ListToken(line);
    if (!token.empty()) {
      uint8_t digest[32];
      std::optional<Algorithm> a = ForHexLength(token.size());
      return a && DecodeHex(token.data(), token.size(), digest) ? "list" : "";
    }
    if (nl == std::string_view::npos) break;
    d.remove_prefix(nl + 1);
  }
  return "";
}

}  // namespace

Result<ImportReport> ImportFile(const std::string& path, const ImportOptions& options,
                                Builder* builder) {
  const std::string& f = options.format;
  if (f != "auto" && f != "nsrl-rds3" && f != "hashdeep" && f != "list" && f != "vics")
    return InvalidArgument("unknown hash-set format " + Quote(f) +
                           " (auto, nsrl-rds3, hashdeep, list or vics)");
  MappedFile file;
  EVIDEX_RETURN_IF_ERROR(file.Open(path));
  std::string_view bytes = file.bytes();
  if (bytes.empty()) return InvalidArgument(path + ": empty file");

  ImportReport report;
  report.format = f == "auto" ? Detect(bytes) : f;
  if (report.format.empty()) {
    return InvalidArgument(path +
                           ": not a hash set evidex reads (NSRL RDSv3, hashdeep, list, "
                           "VICS JSON); it starts with " +
                           Quote(bytes.substr(0, 40)));
  }
  if (report.format == "vics" && bytes.size() > kMaxJsonBytes)
    return LimitReached(path + ": a JSON file of " + std::to_string(bytes.size()) +
                        " bytes is larger than the 4 GiB evidex reads");

  Records records(options, &report);
  Staging staging;
  FileHasher hasher;
  std::vector<std::string> labels;  // local labels 1..n (0 is the set's default)
  Status status;
  if (report.format == "list" || report.format == "hashdeep") {
    LineReader lines(&file, &hasher);
    if (report.format == "list") {
      ReadList(&lines, &records, &staging);
    } else {
      status = ReadHashdeep(&lines, &records, &staging);
    }
    lines.Finish();
  } else if (report.format == "vics") {
    HashAll(&file, &hasher);
    VicsReader reader(&records, &staging);
    std::string_view json = bytes;
    if (json.substr(0, 3) == "\xEF\xBB\xBF") json.remove_prefix(3);
    try {
      nlohmann::json::sax_parse(json.begin(), json.end(), &reader);
    } catch (const std::exception& e) {
      // The reader answers every event; this is the library's edge all the same.
      return Internal(path + ": reading JSON: " + e.what());
    }
    status = reader.status;
    if (status.ok() && !reader.saw_value)
      status = InvalidArgument("not a VICS export: no \"value\" array");
    labels = std::move(reader.labels);
  } else {
    if (bytes.substr(0, kSqliteMagic.size()) != kSqliteMagic)
      return InvalidArgument(path + ": not an SQLite database (an NSRL RDSv3 publication is one)");
    HashAll(&file, &hasher);
    status = ReadNsrl(path, &records, &staging);
  }
  if (!status.ok()) return Status(status.code(), path + ": " + status.message());
  if (records.failed()) {
    const ImportError& e = records.first();
    return InvalidArgument(path + ": " + e.where + ": " + e.message);
  }

  // Labels first: when the builder's table is full nothing is added.
  std::vector<uint8_t> label_map(labels.size() + 1, 0);
  for (size_t i = 0; i < labels.size(); ++i) {
    Result<uint8_t> n = builder->Label(labels[i]);
    if (!n.ok()) return Status(n.status().code(), path + ": " + n.status().message());
    label_map[i + 1] = *n;
  }
  report.digests = staging.count();
  staging.MoveTo(builder, label_map);
  builder->info().format = report.format;
  builder->info().source_sha256 = hasher.HexFinal();
  return report;
}

}  // namespace evidex::hashset
