#include "scan/pattern_widen.h"

#include <cstdio>

namespace evidex::scan {
namespace {

constexpr std::string_view kAnyUnit = "[\\x00-\\xff]";

// Returns the length of the escape sequence starting at p[i] == '\\'.
size_t EscapeLength(std::string_view p, size_t i) {
  if (i + 1 >= p.size()) return 0;
  char c = p[i + 1];
  if (c == 'x') {
    if (i + 2 < p.size() && p[i + 2] == '{') {
      size_t close = p.find('}', i + 3);
      return close == std::string_view::npos ? 0 : close - i + 1;
    }
    return i + 3 < p.size() ? 4 : 0;
  }
  return 2;
}

bool SupportedEscape(char c) {
  // Refuse escapes whose UTF-16 meaning we cannot express atom-wise.
  switch (c) {
    case 'w': case 'W': case 'b': case 'B': case 'A': case 'z': case 'Z': case 'G':
    case 'Q': case 'E': case 'p': case 'P': case 'X': case 'R': case 'K': case 'k': case 'g':
    case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
      return false;
    default:
      return true;
  }
}

}  // namespace

std::string EscapeLiteral(std::string_view literal) {
  std::string out;
  out.reserve(literal.size() * 4);
  for (unsigned char c : literal) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      out.push_back(char(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

Result<std::string> WidenToUtf16le(std::string_view p) {
  std::string out;
  out.reserve(p.size() * 3);
  auto error = [&](std::string why) {
    return Result<std::string>(InvalidArgument("pattern '" + std::string(p) + "': " + why +
                                               " (not supported for UTF-16LE matching)"));
  };
  size_t i = 0;
  while (i < p.size()) {
    char c = p[i];
    if (c == '(') {
      if (i + 1 < p.size() && p[i + 1] == '?') {
        if (i + 2 < p.size() && p[i + 2] == ':') {
          out += "(?:";
          i += 3;
          continue;
        }
        return error("lookaround or inline option");
      }
      out += '(';
      ++i;
    } else if (c == ')' || c == '|' || c == '^' || c == '$') {
      out += c;
      ++i;
    } else if (c == '?' || c == '*' || c == '+') {
      out += c;
      ++i;
    } else if (c == '{') {
      size_t close = p.find('}', i);
      if (close == std::string_view::npos) return error("unclosed {");
      out.append(p.substr(i, close - i + 1));
      i = close + 1;
    } else if (c == '[') {
      size_t j = i + 1;
      bool negated = j < p.size() && p[j] == '^';
      if (negated) ++j;
      if (j < p.size() && p[j] == ']') ++j;  // a leading ] is literal
      while (j < p.size() && p[j] != ']') {
        if (p[j] == '\\') {
          size_t n = EscapeLength(p, j);
          if (n == 0) return error("bad escape in class");
          j += n;
        } else if (p[j] == '[' && j + 1 < p.size() && p[j + 1] == ':') {
          size_t close = p.find(":]", j + 2);
          if (close == std::string_view::npos) return error("bad POSIX class");
          j = close + 2;
        } else {
          ++j;
        }
      }
      if (j >= p.size()) return error("unclosed [");
      std::string_view cls = p.substr(i, j - i + 1);
      if (negated) {
        out += "(?:";
        out.append(cls);
        out.append(kAnyUnit);
        out += '|';
        out.append(kAnyUnit);
        out += "[\\x01-\\xff])";
      } else {
        out += "(?:";
        out.append(cls);
        out += "\\x00)";
      }
      i = j + 1;
    } else if (c == '\\') {
      size_t n = EscapeLength(p, i);
      if (n == 0) return error("trailing backslash");
      if (!SupportedEscape(p[i + 1])) return error(std::string("escape \\") + p[i + 1]);
      char e = p[i + 1];
      if (e == 'D' || e == 'S') {
        // Negated shorthand: any unit that is not (that ASCII class, 0).
        out += "(?:[";
        out.append(p.substr(i, n));
        out += "]";
        out.append(kAnyUnit);
        out += '|';
        out.append(kAnyUnit);
        out += "[\\x01-\\xff])";
      } else {
        out += "(?:";
        out.append(p.substr(i, n));
        out += "\\x00)";
      }
      i += n;
    } else if (c == '.') {
      out += "(?:";
      out.append(kAnyUnit);
      out.append(kAnyUnit);
      out += ')';
      ++i;
    } else {
      out += "(?:";
      out += c;
      out += "\\x00)";
      ++i;
    }
  }
  return out;
}

}  // namespace evidex::scan
