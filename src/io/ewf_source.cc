// E01 (Expert Witness Format) sets through libewf.
#include <libewf.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include "io/os.h"
#include "io/sources_internal.h"

namespace evidex::io_internal {
namespace {

// The first line of `text`, trimmed of trailing spaces and newlines.
std::string FirstLine(const char* text) {
  std::string line(text);
  size_t nl = line.find_first_of("\r\n");
  if (nl != std::string::npos) line.resize(nl);
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

// Converts a libewf error into one line and frees it: libewf's message (libewf_error_sprint, the
// outermost call) followed by the root cause (the first line of the backtrace) when they differ.
std::string TakeEwfError(libewf_error_t** error) {
  if (error == nullptr || *error == nullptr) return "unknown libewf error";
  std::vector<char> buf(8192, '\0');
  std::string message;
  if (libewf_error_sprint(*error, buf.data(), buf.size()) > 0) message = FirstLine(buf.data());
  std::fill(buf.begin(), buf.end(), '\0');
  std::string cause;
  if (libewf_error_backtrace_sprint(*error, buf.data(), buf.size()) > 0) {
    cause = FirstLine(buf.data());
  }
  libewf_error_free(error);
  if (message.empty()) message = cause;
  if (message.empty()) return "unknown libewf error";
  if (!cause.empty() && cause != message) message += " (cause: " + cause + ")";
  return message;
}

// The segment names found by libewf_glob (freed with libewf_glob_free).
class GlobbedNames {
 public:
  GlobbedNames() = default;
  GlobbedNames(const GlobbedNames&) = delete;
  GlobbedNames& operator=(const GlobbedNames&) = delete;
  ~GlobbedNames() {
    if (names_ != nullptr) {
      libewf_error_t* error = nullptr;
      libewf_glob_free(names_, count_, &error);
      if (error != nullptr) libewf_error_free(&error);
    }
  }
  char*** names() { return &names_; }
  int* count() { return &count_; }
  char* const* get() const { return names_; }
  int size() const { return count_; }

 private:
  char** names_ = nullptr;
  int count_ = 0;
};

class EwfSource : public Source {
 public:
  EwfSource(std::string path, libewf_handle_t* handle, uint64_t size, int segments,
            uint32_t checksum_errors)
      : path_(std::move(path)),
        handle_(handle),
        size_(size),
        segments_(segments),
        checksum_errors_(checksum_errors) {}

  ~EwfSource() override {
    libewf_error_t* error = nullptr;
    libewf_handle_close(handle_, &error);
    if (error != nullptr) libewf_error_free(&error);
    libewf_handle_free(&handle_, &error);
    if (error != nullptr) libewf_error_free(&error);
  }

  uint64_t Size() const override { return size_; }

  Result<size_t> ReadAt(uint64_t offset, std::span<std::byte> out) override {
    if (offset >= size_) return size_t{0};
    size_t want = static_cast<size_t>(std::min<uint64_t>(out.size(), size_ - offset));
    std::lock_guard<std::mutex> lock(mu_);  // a libewf handle is not thread-safe
    // libewf reports a damaged chunk's checksum error on its first read only (later reads of it
    // return zeros without error), so the damaged ranges found so far fail every read they touch.
    for (const auto& [bad_begin, bad_end] : bad_ranges_) {
      if (offset < bad_end && bad_begin < offset + want)
        return Corrupt(Describe() + ": checksum error in the data read at offset " +
                       std::to_string(offset) + " (" + std::to_string(want) + " bytes)");
    }
    size_t done = 0;
    while (done < want) {
      uint64_t at = offset + done;
      libewf_error_t* error = nullptr;
      ssize_t n = libewf_handle_read_random(handle_, out.data() + done, want - done,
                                            static_cast<off64_t>(at), &error);
      if (n < 0) {
        return IoError(Describe() + ": cannot read at offset " + std::to_string(at) + ": " +
                       TakeEwfError(&error));
      }
      if (error != nullptr) libewf_error_free(&error);
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    // libewf returns data even for a chunk whose checksum fails; do not pass such bytes on.
    uint32_t errors = 0;
    libewf_error_t* error = nullptr;
    if (libewf_handle_get_number_of_checksum_errors(handle_, &errors, &error) != 1) {
      return Internal(Describe() + ": cannot query checksum errors: " + TakeEwfError(&error));
    }
    if (errors != checksum_errors_) {
      uint32_t bytes_per_sector = 512;
      libewf_handle_get_bytes_per_sector(handle_, &bytes_per_sector, nullptr);
      for (uint32_t i = checksum_errors_; i < errors; ++i) {
        uint64_t start = 0, count = 0;
        if (libewf_handle_get_checksum_error(handle_, i, &start, &count, nullptr) == 1 && count > 0)
          bad_ranges_.push_back({start * bytes_per_sector, (start + count) * bytes_per_sector});
      }
      checksum_errors_ = errors;
      return Corrupt(Describe() + ": checksum error in the data read at offset " +
                     std::to_string(offset) + " (" + std::to_string(want) + " bytes)");
    }
    return done;
  }

  std::string Describe() const override {
    return "E01 set " + path_ + " (" + std::to_string(segments_) +
           (segments_ == 1 ? " segment)" : " segments)");
  }

 private:
  const std::string path_;
  std::mutex mu_;
  libewf_handle_t* handle_;
  const uint64_t size_;
  const int segments_;
  uint32_t checksum_errors_;  // guarded by mu_
  std::vector<std::pair<uint64_t, uint64_t>> bad_ranges_;  // [begin, end) damaged; guarded by mu_
};

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// When `count` segments were found from `path`, a later segment in the same directory means the
// set has a gap. Returns the name of the first later segment, or "".
std::string LaterSegment(const std::string& path, int count) {
  size_t dot = path.rfind('.');
  if (dot == std::string::npos || dot + 4 != path.size()) return "";
  char first_letter = path[dot + 1];
  if (first_letter != 'E' && first_letter != 'e') return "";
  std::string stem = os::BaseName(path.substr(0, dot)) + ".";
  Result<std::vector<std::string>> names = os::ListDirectory(os::DirName(path));
  if (!names.ok()) return "";
  uint32_t best = 0;
  std::string best_name;
  for (const std::string& name : *names) {
    if (name.size() != stem.size() + 3 || name.compare(0, stem.size(), stem) != 0) continue;
    uint32_t number = EwfSegmentNumber(name.substr(stem.size()), first_letter);
    // Letter extensions ("EAA") follow E99 only: below that, "x.raw" or "x.log" next to "x.e01"
    // would look like far-away segments. A gap before E99 shows in the later digit segments.
    if (number > 99 && count < 98) continue;
    if (number > static_cast<uint32_t>(count) + 1 && (best == 0 || number < best)) {
      best = number;
      best_name = name;
    }
  }
  return best_name;
}

}  // namespace

std::string EwfSegmentExtension(uint32_t number, char first_letter) {
  char buf[4] = {0, 0, 0, 0};
  if (number >= 1 && number <= 99) {
    buf[0] = first_letter;
    buf[1] = static_cast<char>('0' + number / 10);
    buf[2] = static_cast<char>('0' + number % 10);
    return buf;
  }
  bool upper = first_letter >= 'A' && first_letter <= 'Z';
  char a = upper ? 'A' : 'a';
  uint32_t n = number - 100;  // 0 -> "EAA"
  uint32_t letter = static_cast<uint32_t>(first_letter - a) + n / (26 * 26);
  if (number == 0 || letter >= 26) return "";
  buf[0] = static_cast<char>(a + letter);
  buf[1] = static_cast<char>(a + (n / 26) % 26);
  buf[2] = static_cast<char>(a + n % 26);
  return buf;
}

uint32_t EwfSegmentNumber(const std::string& ext, char first_letter) {
  if (ext.size() != 3) return 0;
  if (ext[0] == first_letter && ext[1] >= '0' && ext[1] <= '9' && ext[2] >= '0' && ext[2] <= '9') {
    uint32_t n = static_cast<uint32_t>((ext[1] - '0') * 10 + (ext[2] - '0'));
    return n;  // 0 for "E00"
  }
  bool upper = first_letter >= 'A' && first_letter <= 'Z';
  char a = upper ? 'A' : 'a';
  auto letter = [&](char c) { return c >= a && c < a + 26; };
  if (!letter(ext[0]) || !letter(ext[1]) || !letter(ext[2]) || ext[0] < first_letter) return 0;
  return 100 + static_cast<uint32_t>(ext[0] - first_letter) * 26 * 26 +
         static_cast<uint32_t>(ext[1] - a) * 26 + static_cast<uint32_t>(ext[2] - a);
}

bool LooksLikeEwf(const std::string& path) {
  if (EndsWith(path, ".E01") || EndsWith(path, ".e01")) return true;
  libewf_error_t* error = nullptr;
  int rc = libewf_check_file_signature(path.c_str(), &error);
  if (error != nullptr) libewf_error_free(&error);
  return rc == 1;
}

Result<std::unique_ptr<Source>> OpenEwfSource(const std::string& path) {
  // Fails early, with errno's message, for a path that is missing or not a regular file.
  {
    Result<os::Fd> fd = os::OpenReadOnly(path);
    if (!fd.ok()) return fd.status();
  }
  libewf_error_t* error = nullptr;
  GlobbedNames globbed;
  std::vector<char*> names;
  std::string single = path;
  if (libewf_glob(path.c_str(), path.size(), LIBEWF_FORMAT_UNKNOWN, globbed.names(),
                  globbed.count(), &error) == 1 &&
      globbed.size() > 0) {
    names.assign(globbed.get(), globbed.get() + globbed.size());
  } else {
    // An EWF file with an unusual name: libewf cannot glob it; read it as a single segment.
    if (error != nullptr) libewf_error_free(&error);
    names.push_back(single.data());
  }
  const int count = static_cast<int>(names.size());
  const std::string described =
      "E01 set " + path + " (" + std::to_string(count) + (count == 1 ? " segment)" : " segments)");

  std::string later = LaterSegment(path, count);
  if (!later.empty()) {
    size_t dot = path.rfind('.');
    std::string missing = path.substr(0, dot + 1) +
                          EwfSegmentExtension(static_cast<uint32_t>(count) + 1, path[dot + 1]);
    return NotFound(described + ": segment " + missing + " is missing (" + later + " exists)");
  }

  libewf_handle_t* handle = nullptr;
  if (libewf_handle_initialize(&handle, &error) != 1) {
    return Internal(described + ": cannot create a libewf handle: " + TakeEwfError(&error));
  }
  auto free_handle = [&handle]() {
    libewf_error_t* e = nullptr;
    libewf_handle_free(&handle, &e);
    if (e != nullptr) libewf_error_free(&e);
  };
  if (libewf_handle_open(handle, names.data(), count, LIBEWF_OPEN_READ, &error) != 1) {
    std::string message = TakeEwfError(&error);
    free_handle();
    return Corrupt(described + ": cannot open: " + message);
  }
  auto close_and_free = [&]() {
    libewf_error_t* e = nullptr;
    libewf_handle_close(handle, &e);
    if (e != nullptr) libewf_error_free(&e);
    free_handle();
  };
  int corrupted = libewf_handle_segment_files_corrupted(handle, &error);
  if (corrupted != 0) {
    std::string why = corrupted < 0 ? ": " + TakeEwfError(&error) : "";
    close_and_free();
    return Corrupt(described +
                   " is incomplete or corrupted (a segment file is truncated or missing)" + why);
  }
  size64_t media_size = 0;
  if (libewf_handle_get_media_size(handle, &media_size, &error) != 1) {
    std::string message = TakeEwfError(&error);
    close_and_free();
    return Corrupt(described + ": cannot get the media size: " + message);
  }
  uint32_t checksum_errors = 0;
  if (libewf_handle_get_number_of_checksum_errors(handle, &checksum_errors, &error) != 1) {
    std::string message = TakeEwfError(&error);
    close_and_free();
    return Internal(described + ": cannot query checksum errors: " + message);
  }
  return std::unique_ptr<Source>(
      new EwfSource(path, handle, static_cast<uint64_t>(media_size), count, checksum_errors));
}

}  // namespace evidex::io_internal
