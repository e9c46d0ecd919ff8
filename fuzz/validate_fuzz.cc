// Fuzzes every validator and the pattern/keyword parsers with arbitrary text.
#include <cstdint>
#include <string>

#include "scan/engine.h"
#include "scan/text_runs.h"
#include "scan/validate/validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evidex;
  std::string_view s(reinterpret_cast<const char*>(data), size);
  (void)validate::LuhnValid(s);
  (void)validate::CardIssuer(s);
  (void)validate::CardNumberValid(s);
  (void)validate::IbanValid(s);
  (void)validate::Base58Decode(s);
  (void)validate::Base58CheckDecode(s);
  (void)validate::BitcoinBase58AddressValid(s);
  (void)validate::Bech32Decode(s);
  (void)validate::SegwitAddressValid(s);
  (void)validate::EthAddressValid(s);
  (void)validate::MoneroAddressValid(s);
  if (size == 56) (void)validate::OnionV3Valid(s);
  scan::TextRuns ascii, utf16;
  scan::FindTextRuns(data, size, 3, &ascii, &utf16);
  for (const scan::TextRun& r : ascii.runs)
    if (r.byte_begin + r.len > size || r.text_end() > ascii.text.size()) __builtin_trap();
  for (const scan::TextRun& r : utf16.runs)
    if (r.byte_begin + 2 * r.len > size || r.text_end() > utf16.text.size()) __builtin_trap();
  (void)scan::ParseKeywords(s, false);
  return 0;
}
