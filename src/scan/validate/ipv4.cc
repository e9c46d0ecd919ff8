// IPv4 dotted quads.
#include "scan/validate/validate.h"

namespace evidex::validate {

bool Ipv4DottedQuadValid(std::string_view a) {
  int parts = 0;
  size_t i = 0;
  while (i <= a.size()) {
    size_t dot = a.find('.', i);
    if (dot == std::string_view::npos) dot = a.size();
    std::string_view part = a.substr(i, dot - i);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')) return false;
    int v = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    if (v > 255 || ++parts > 4) return false;
    i = dot + 1;
  }
  return parts == 4;
}

}  // namespace evidex::validate
