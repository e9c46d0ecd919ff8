#include "cli/files_common.h"

#include <cstdio>
#include <ctime>

#include "cli/common.h"

namespace evidex::cli {

std::string IsoTime(const fs::Timestamp& t, bool micro) {
  if (!t.set) return "";
  std::time_t s = std::time_t(t.seconds);
  std::tm tm;
  if (gmtime_r(&s, &tm) == nullptr) return "";
  char buf[48];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (micro) n += size_t(std::snprintf(buf + n, sizeof buf - n, ".%06uZ", t.nanoseconds / 1000));
  else n += size_t(std::snprintf(buf + n, sizeof buf - n, "Z"));
  return std::string(buf, n);
}

std::string IsoTimeMicros(const std::optional<int64_t>& micros, bool micro) {
  if (!micros) return "";
  fs::Timestamp t;
  t.set = true;
  int64_t s = *micros / 1000000, us = *micros % 1000000;
  if (us < 0) us += 1000000, --s;
  t.seconds = s;
  t.nanoseconds = uint32_t(us * 1000);
  return IsoTime(t, micro);
}

std::optional<int64_t> Micros(const fs::Timestamp& t) {
  if (!t.set) return std::nullopt;
  return t.seconds * 1000000 + int64_t(t.nanoseconds / 1000);
}

bool ParseUtc(const std::string& text, int64_t* out) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr) {
    tm = {};
    end = strptime(text.c_str(), "%Y-%m-%d", &tm);
  }
  if (end == nullptr || (*end != '\0' && std::string(end) != "Z")) return false;
  *out = int64_t(timegm(&tm));
  return true;
}

const char* TypeName(fs::FileEntry::Type t) {
  switch (t) {
    case fs::FileEntry::Type::kRegular: return "file";
    case fs::FileEntry::Type::kDirectory: return "dir";
    case fs::FileEntry::Type::kSymlink: return "link";
    case fs::FileEntry::Type::kOther: return "other";
  }
  return "other";
}

std::string HexBytes(const std::string& bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) out += kHex[c >> 4], out += kHex[c & 15];
  return out;
}

bool OpenOutput(const std::string& path, std::ofstream* file) {
  if (path.empty()) return true;
  file->open(path, std::ios::binary | std::ios::trunc);
  if (*file) return true;
  PrintError("cannot write " + path);
  return false;
}

}  // namespace evidex::cli
