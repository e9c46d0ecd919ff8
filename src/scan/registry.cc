#include <string>

#include "scan/scanner.h"

namespace evidex::scan {

#define EVIDEX_SCANNER(id) extern const ScannerDef kScanner_##id;
#include "scan/scanners/scanner_list.inc"
#undef EVIDEX_SCANNER

namespace {

constexpr const ScannerDef* kAll[] = {
#define EVIDEX_SCANNER(id) &kScanner_##id,
#include "scan/scanners/scanner_list.inc"
#undef EVIDEX_SCANNER
};

}  // namespace

std::span<const ScannerDef* const> AllScanners() { return kAll; }

const ScannerDef* FindScanner(std::string_view name) {
  for (const ScannerDef* s : kAll)
    if (name == s->name) return s;
  return nullptr;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ToLower(c);
  return out;
}

}  // namespace evidex::scan
