// Published vectors (BIP-173/350, EIP-55, IBAN registry examples, processor test cards, Keccak /
// SHA3 / SHA-256 digests, rend-spec-v3, Monero) and encoder round-trip properties.
#include "scan/validate/validate.h"

#include <gtest/gtest.h>

#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "scan/validate/validate_internal.h"

namespace evidex::validate {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string Hex(std::span<const uint8_t> b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t v : b) {
    out.push_back(kHex[v >> 4]);
    out.push_back(kHex[v & 15]);
  }
  return out;
}

std::vector<uint8_t> FromHex(std::string_view h) {
  std::vector<uint8_t> out;
  auto nib = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(uint8_t(nib(h[i]) * 16 + nib(h[i + 1])));
  return out;
}

std::vector<uint8_t> RandomBytes(std::mt19937& rng, size_t n) {
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

// Replaces s[i] with another char of `alphabet`.
std::string Mutate(std::string s, size_t i, std::string_view alphabet) {
  size_t k = alphabet.find(s[i]);
  s[i] = alphabet[(k == std::string_view::npos ? 0 : k + 1) % alphabet.size()];
  return s;
}

// ---------------------------------------------------------------- hashes

TEST(HashTest, KeccakAndSha3Vectors) {
  EXPECT_EQ(Hex(Keccak256({})), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_EQ(Hex(Keccak256(Bytes("abc"))),
            "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  EXPECT_EQ(Hex(Sha3_256({})), "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
  EXPECT_EQ(Hex(Sha3_256(Bytes("abc"))),
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
  EXPECT_EQ(Hex(Sha256d({})), "5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456");
}

// The same sponge with SHA3's 0x06 padding must agree with OpenSSL at every length around the
// 136-byte rate, which exercises the permutation and multi-block absorption.
TEST(HashTest, OwnKeccakSpongeMatchesOpenSslSha3) {
  std::mt19937 rng(42);
  std::vector<uint8_t> data = RandomBytes(rng, 600);
  for (size_t n = 0; n <= data.size(); ++n) {
    uint8_t mine[32];
    KeccakSponge256(data.data(), n, 0x06, mine);
    std::array<uint8_t, 32> ref = Sha3_256(std::span<const uint8_t>(data.data(), n));
    ASSERT_EQ(Hex(mine), Hex(ref)) << "length " << n;
  }
}

// ---------------------------------------------------------------- cards

TEST(CardTest, PublishedTestNumbers) {
  struct Case {
    const char* pan;
    const char* issuer;
  };
  const Case cases[] = {
      {"4111111111111111", "visa"},       {"4242424242424242", "visa"},
      {"4012888888881881", "visa"},       {"4222222222222", "visa"},
      {"5555555555554444", "mastercard"}, {"5105105105105100", "mastercard"},
      {"2223003122003222", "mastercard"}, {"378282246310005", "amex"},
      {"371449635398431", "amex"},        {"6011111111111117", "discover"},
      {"6011000990139424", "discover"},   {"3530111333300000", "jcb"},
      {"3566002020360505", "jcb"},        {"30569309025904", "diners"},
      {"38520000023237", "diners"},       {"6200000000000005", "unionpay"},
      {"6759649826438453", "maestro"},    {"2200000000000004", "mir"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.pan);
    EXPECT_TRUE(LuhnValid(c.pan));
    EXPECT_EQ(CardIssuer(c.pan).value_or("none"), c.issuer);
    EXPECT_TRUE(CardNumberValid(c.pan));
    // Any single changed digit breaks Luhn.
    std::string pan = c.pan;
    for (size_t i = 0; i < pan.size(); ++i) {
      std::string bad = Mutate(pan, i, "0123456789");
      EXPECT_FALSE(LuhnValid(bad)) << bad;
      EXPECT_FALSE(CardNumberValid(bad)) << bad;
    }
  }
  EXPECT_FALSE(CardNumberValid("4111111111111112"));
  EXPECT_FALSE(CardNumberValid("5555555555554445"));
  EXPECT_FALSE(CardNumberValid("378282246310006"));
  EXPECT_FALSE(CardNumberValid("6011111111111118"));
  EXPECT_FALSE(CardNumberValid("3530111333300001"));
}

TEST(CardTest, LuhnCheckDigit) {
  EXPECT_EQ(LuhnCheckDigit("411111111111111"), '1');
  EXPECT_EQ(LuhnCheckDigit("7992739871"), '3');  // ISO/IEC 7812 textbook example
  EXPECT_EQ(LuhnCheckDigit("37828224631000"), '5');
  EXPECT_EQ(LuhnCheckDigit("12a"), '\0');
  EXPECT_TRUE(LuhnValid("79927398713"));
  EXPECT_FALSE(LuhnValid(""));
  EXPECT_FALSE(LuhnValid("4111 1111 1111 1111"));
}

TEST(CardTest, IssuerRangesAndLengths) {
  auto issuer = [](std::string prefix, size_t len) {
    prefix.resize(len, '0');
    return std::string(CardIssuer(prefix).value_or("none"));
  };
  EXPECT_EQ(issuer("4", 13), "visa");
  EXPECT_EQ(issuer("4", 19), "visa");
  EXPECT_EQ(issuer("4", 15), "none");
  EXPECT_EQ(issuer("51", 16), "mastercard");
  EXPECT_EQ(issuer("55", 16), "mastercard");
  EXPECT_EQ(issuer("2221", 16), "mastercard");
  EXPECT_EQ(issuer("2720", 16), "mastercard");
  EXPECT_EQ(issuer("2721", 16), "none");
  EXPECT_EQ(issuer("2220", 16), "none");
  EXPECT_EQ(issuer("55", 19), "none");
  EXPECT_EQ(issuer("2200", 16), "mir");
  EXPECT_EQ(issuer("2204", 19), "mir");
  EXPECT_EQ(issuer("2205", 16), "none");
  EXPECT_EQ(issuer("34", 15), "amex");
  EXPECT_EQ(issuer("37", 16), "none");
  EXPECT_EQ(issuer("6011", 16), "discover");
  EXPECT_EQ(issuer("644", 19), "discover");
  EXPECT_EQ(issuer("649", 16), "discover");
  EXPECT_EQ(issuer("65", 16), "discover");
  EXPECT_EQ(issuer("622126", 16), "discover");
  EXPECT_EQ(issuer("622925", 19), "discover");
  EXPECT_EQ(issuer("622125", 16), "unionpay");
  EXPECT_EQ(issuer("622926", 16), "unionpay");
  EXPECT_EQ(issuer("62", 15), "none");
  EXPECT_EQ(issuer("3528", 16), "jcb");
  EXPECT_EQ(issuer("3589", 19), "jcb");
  EXPECT_EQ(issuer("3590", 16), "none");
  EXPECT_EQ(issuer("300", 14), "diners");
  EXPECT_EQ(issuer("305", 19), "diners");
  EXPECT_EQ(issuer("3095", 16), "diners");
  EXPECT_EQ(issuer("36", 14), "diners");
  EXPECT_EQ(issuer("38", 16), "diners");
  EXPECT_EQ(issuer("39", 14), "diners");
  EXPECT_EQ(issuer("306", 14), "none");
  EXPECT_EQ(issuer("50", 12), "maestro");
  EXPECT_EQ(issuer("56", 19), "maestro");
  EXPECT_EQ(issuer("6304", 16), "maestro");
  EXPECT_EQ(issuer("6759", 12), "maestro");
  EXPECT_EQ(issuer("69", 16), "maestro");
  EXPECT_EQ(issuer("6012", 16), "maestro");
  EXPECT_EQ(issuer("1", 16), "none");
  EXPECT_EQ(issuer("7", 16), "none");
  EXPECT_EQ(issuer("4", 11), "none");
  EXPECT_EQ(issuer("4", 20), "none");
  EXPECT_FALSE(CardIssuer("411111111111111a"));
}

TEST(CardTest, RejectsDegenerateAndMalformed) {
  EXPECT_TRUE(LuhnValid("0000000000000000"));
  EXPECT_FALSE(CardNumberValid("0000000000000000"));
  EXPECT_TRUE(LuhnValid("4444444444444448"));
  EXPECT_TRUE(CardNumberValid("4444444444444448"));  // not all one digit
  EXPECT_FALSE(CardNumberValid(""));
  EXPECT_FALSE(CardNumberValid("41111111111"));
  EXPECT_FALSE(CardNumberValid("41111111111111111111"));
  EXPECT_FALSE(CardNumberValid("4111-1111-1111-1111"));
}

TEST(CardTest, GeneratedNumbersRoundTrip) {
  std::mt19937 rng(7);
  const char* prefixes[] = {"4", "51", "2500", "34", "6011", "3530", "36", "62", "2201", "58"};
  const size_t lengths[] = {16, 16, 16, 15, 16, 17, 14, 19, 16, 12};
  for (int k = 0; k < 10; ++k) {
    for (int rep = 0; rep < 20; ++rep) {
      std::string body = prefixes[k];
      while (body.size() + 1 < lengths[k]) body.push_back(char('0' + rng() % 10));
      std::string pan = body + LuhnCheckDigit(body);
      ASSERT_TRUE(CardNumberValid(pan)) << pan;
      for (size_t i = 0; i < pan.size(); ++i) {
        ASSERT_FALSE(LuhnValid(Mutate(pan, i, "0123456789"))) << pan << " @" << i;
      }
    }
  }
}

// ---------------------------------------------------------------- IBAN

TEST(IbanTest, RegistryExamples) {
  const char* valid[] = {
      "DE89370400440532013000",
      "GB29NWBK60161331926819",
      "FR1420041010050500013M02606",
      "NL91ABNA0417164300",
      "CH9300762011623852957",
      "BE68539007547034",
      "AT611904300234573201",
      "IT60X0542811101000000123456",
      "ES9121000418450200051332",
      "NO9386011117947",
      "SA0380000000608010167519",
      "MT84MALT011000012345MTLCAST001S",
      "LC55HEMM000100010012001200023015",
      "BR9700360305000010009795493P1",
      "KZ86125KZT5004100100",
      "VA59001123000012345678",
      "MU17BOMM0101101030300200000MUR",
      "SC18SSCB11010000000000001497USD",
  };
  for (const char* iban : valid) {
    SCOPED_TRACE(iban);
    EXPECT_TRUE(IbanValid(iban));
    std::string s = iban;
    EXPECT_EQ(IbanLength(s.substr(0, 2)), int(s.size()));
    EXPECT_EQ(IbanWithCheckDigits(s.substr(0, 2), s.substr(4)), s);
    // One changed char of the same class always breaks MOD 97-10.
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      std::string_view cls = (c >= '0' && c <= '9') ? "0123456789" : "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
      EXPECT_FALSE(IbanValid(Mutate(s, i, cls))) << i;
    }
  }
}

TEST(IbanTest, RejectsBadInput) {
  EXPECT_FALSE(IbanValid("DE89 3704 0044 0532 0130 00"));
  EXPECT_FALSE(IbanValid("de89370400440532013000"));
  EXPECT_FALSE(IbanValid("DE8937040044053201300"));    // short
  EXPECT_FALSE(IbanValid("DE893704004405320130000"));  // long
  EXPECT_FALSE(IbanValid("GB29NWB560161331926819"));   // bank code must be letters (4!a)
  EXPECT_FALSE(IbanValid("XX89370400440532013000"));   // unknown country
  EXPECT_FALSE(IbanValid("DEA9370400440532013000"));
  EXPECT_FALSE(IbanValid(""));
  EXPECT_FALSE(IbanValid("DE"));
  EXPECT_FALSE(
      IbanValid(std::string_view("DE89\0"
                                 "70400440532013000",
                                 22)));
}

TEST(IbanTest, Lengths) {
  EXPECT_EQ(IbanLength("DE"), 22);
  EXPECT_EQ(IbanLength("NO"), 15);
  EXPECT_EQ(IbanLength("LC"), 32);
  EXPECT_EQ(IbanLength("RU"), 33);
  EXPECT_EQ(IbanLength("US"), 0);
  EXPECT_EQ(IbanLength("de"), 0);
  EXPECT_EQ(IbanLength("D"), 0);
  EXPECT_EQ(IbanLength(""), 0);
}

TEST(IbanTest, GeneratedRoundTrip) {
  EXPECT_EQ(IbanWithCheckDigits("DE", "370400440532013000"), "DE89370400440532013000");
  EXPECT_EQ(IbanWithCheckDigits("GB", "NWBK60161331926819"), "GB29NWBK60161331926819");
  std::mt19937 rng(3);
  for (int rep = 0; rep < 200; ++rep) {
    std::string bban;
    for (int i = 0; i < 18; ++i) bban.push_back(char('0' + rng() % 10));
    std::string iban = IbanWithCheckDigits("DE", bban);
    ASSERT_TRUE(IbanValid(iban)) << iban;
    for (size_t i = 0; i < iban.size(); ++i) {
      char c = iban[i];
      std::string_view cls = (c >= '0' && c <= '9') ? "0123456789" : "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
      ASSERT_FALSE(IbanValid(Mutate(iban, i, cls))) << iban << " @" << i;
    }
  }
}

// ---------------------------------------------------------------- base58 / Bitcoin

TEST(Base58Test, BitcoinCoreVectors) {
  // bitcoin/bitcoin src/test/data/base58_encode_decode.json
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"61", "2g"},
      {"626262", "a3gV"},
      {"636363", "aPEr"},
      {"73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"},
      {"00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"},
      {"516b6fcd0f", "ABnLTmg"},
      {"bf4f89001e670274dd", "3SEo3LWLoPntC"},
      {"572e4794", "3EFU7m"},
      {"ecac89cad93923c02321", "EJDM8drfXA6uyA"},
      {"10c8511e", "Rt5zm"},
      {"00000000000000000000", "1111111111"},
  };
  for (const auto& [hex, b58] : vectors) {
    std::vector<uint8_t> bytes = FromHex(hex);
    EXPECT_EQ(Base58Encode(bytes), b58);
    std::optional<std::vector<uint8_t>> dec = Base58Decode(b58);
    ASSERT_TRUE(dec) << b58;
    EXPECT_EQ(Hex(*dec), hex);
  }
  EXPECT_FALSE(Base58Decode("0OIl"));
  EXPECT_FALSE(Base58Decode("abc def"));
  EXPECT_FALSE(Base58Decode("\xff"));
}

TEST(Base58Test, BitcoinAddresses) {
  EXPECT_TRUE(BitcoinBase58AddressValid("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"));  // genesis
  EXPECT_TRUE(BitcoinBase58AddressValid("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"));
  EXPECT_TRUE(BitcoinBase58AddressValid("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"));
  EXPECT_FALSE(BitcoinBase58AddressValid("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"));
  // A Bitcoin Core base58 vector of 25 bytes whose last 4 are not the checksum.
  EXPECT_FALSE(BitcoinBase58AddressValid("1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"));
  EXPECT_FALSE(BitcoinBase58AddressValid("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"));
  EXPECT_FALSE(BitcoinBase58AddressValid(""));
  EXPECT_FALSE(BitcoinBase58AddressValid("1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a"));
  // Valid Base58Check, but version 0x01 is no Bitcoin address.
  std::vector<uint8_t> payload(21, 0x11);
  payload[0] = 0x01;
  std::string other = Base58CheckEncode(payload);
  EXPECT_TRUE(Base58CheckDecode(other));
  EXPECT_FALSE(BitcoinBase58AddressValid(other));
}

TEST(Base58Test, CheckRoundTrip) {
  std::mt19937 rng(11);
  const uint8_t versions[] = {0x00, 0x05, 0x6f, 0xc4};
  for (uint8_t version : versions) {
    for (int rep = 0; rep < 25; ++rep) {
      std::vector<uint8_t> payload = RandomBytes(rng, 21);
      payload[0] = version;
      if (rep == 0) std::fill(payload.begin() + 1, payload.begin() + 4, 0);  // leading zeros
      std::string addr = Base58CheckEncode(payload);
      std::optional<std::vector<uint8_t>> dec = Base58CheckDecode(addr);
      ASSERT_TRUE(dec);
      EXPECT_EQ(*dec, payload);
      ASSERT_TRUE(BitcoinBase58AddressValid(addr)) << addr;
      for (size_t i = 0; i < addr.size(); ++i) {
        std::string bad = Mutate(addr, i, kBase58Alphabet);
        ASSERT_FALSE(BitcoinBase58AddressValid(bad)) << addr << " @" << i;
        ASSERT_FALSE(Base58CheckDecode(bad)) << addr << " @" << i;
      }
    }
  }
}

// ---------------------------------------------------------------- bech32 / segwit

TEST(Bech32Test, Bip173AndBip350Strings) {
  const char* valid_bech32[] = {
      "A12UEL5L",
      "a12uel5l",
      "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
      "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
      "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
      "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
      "?1ezyfcl",
  };
  const char* valid_bech32m[] = {
      "A1LQFN3A",
      "a1lqfn3a",
      "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
      "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
      "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
      "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
      "?1v759aa",
  };
  for (const char* s : valid_bech32) {
    std::optional<Bech32Decoded> d = Bech32Decode(s);
    ASSERT_TRUE(d) << s;
    EXPECT_EQ(d->variant, Bech32Variant::kBech32) << s;
    std::string lower = s;
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(Bech32Encode(d->hrp, d->data, d->variant), lower);
  }
  for (const char* s : valid_bech32m) {
    std::optional<Bech32Decoded> d = Bech32Decode(s);
    ASSERT_TRUE(d) << s;
    EXPECT_EQ(d->variant, Bech32Variant::kBech32m) << s;
  }
  std::optional<Bech32Decoded> d = Bech32Decode("A12UEL5L");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->hrp, "a");
  EXPECT_TRUE(d->data.empty());

  const char* invalid[] = {
      " 1nwldj5",
      "\x7f"
      "1axkwrx",
      "\x80"
      "1eym55h",
      "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
      "pzry9x0s0muk",
      "1pzry9x0s0muk",
      "x1b4n0q5v",
      "li1dgmt3",
      "de1lg7wt\xff",
      "A1G7SGD8",
      "10a06t8",
      "1qzzfhee",
      " 1xj0phk",
      "\x7f"
      "1g6xzxy",
      "\x80"
      "1vctc34",
      "an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4",
      "qyrz8wqd2c9m",
      "1qyrz8wqd2c9m",
      "y1b0jsk6g",
      "lt1igcx5c0",
      "in1muywd",
      "mm1crxm3i",
      "au1s5cgom",
      "M1VUXWEZ",
      "16plkw9",
      "1p2gdwpf",
  };
  for (const char* s : invalid) EXPECT_FALSE(Bech32Decode(s)) << s;
}

TEST(Bech32Test, SegwitAddresses) {
  const char* valid[] = {
      "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
      "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
      "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
      "BC1SW50QGDZ25J",
      "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
      "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
      "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
      "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
  };
  for (const char* s : valid) EXPECT_TRUE(SegwitAddressValid(s)) << s;
  const char* invalid[] = {
      "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
      "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
      "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
      "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
      "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
      "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
      "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
      "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",
      "bc1pw5dgrnzv",
      "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
      "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
      "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",
      "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
      "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",
      "bc1gmk9yu",
  };
  for (const char* s : invalid) EXPECT_FALSE(SegwitAddressValid(s)) << s;

  std::vector<uint8_t> program = FromHex("751e76e8199196d454941c45d1b3a323f1433bd6");
  EXPECT_EQ(SegwitAddressEncode("bc", 0, program), "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
  EXPECT_EQ(SegwitAddressEncode("bc", 16, FromHex("751e")), "bc1sw50qgdz25j");
  EXPECT_EQ(SegwitAddressEncode("bc", 0, FromHex("751e")), "");
  EXPECT_EQ(SegwitAddressEncode("bc", 17, program), "");
}

TEST(Bech32Test, EncoderRoundTrip) {
  std::mt19937 rng(5);
  const std::pair<int, size_t> shapes[] = {{0, 20}, {0, 32}, {1, 32}, {2, 2}, {16, 40}, {3, 17}};
  for (const char* hrp : {"bc", "tb"}) {
    for (const auto& [version, len] : shapes) {
      for (int rep = 0; rep < 5; ++rep) {
        std::vector<uint8_t> program = RandomBytes(rng, len);
        std::string addr = SegwitAddressEncode(hrp, version, program);
        ASSERT_TRUE(SegwitAddressValid(addr)) << addr;
        // BCH code: every single substitution is detected.
        for (size_t i = 0; i < addr.size(); ++i) {
          std::string bad = Mutate(addr, i, "qpzry9x8gf2tvdw0s3jn54khce6mua7l");
          ASSERT_FALSE(SegwitAddressValid(bad)) << addr << " @" << i;
        }
      }
    }
  }
  // Generic encoder: any HRP and payload.
  for (int rep = 0; rep < 50; ++rep) {
    std::vector<uint8_t> data5(rng() % 60);
    for (auto& v : data5) v = uint8_t(rng() % 32);
    for (Bech32Variant variant : {Bech32Variant::kBech32, Bech32Variant::kBech32m}) {
      std::string s = Bech32Encode("hrp", data5, variant);
      std::optional<Bech32Decoded> d = Bech32Decode(s);
      ASSERT_TRUE(d) << s;
      EXPECT_EQ(d->variant, variant);
      EXPECT_EQ(d->hrp, "hrp");
      EXPECT_EQ(d->data, data5);
      for (size_t i = 4; i < s.size(); ++i) {
        ASSERT_FALSE(Bech32Decode(Mutate(s, i, "qpzry9x8gf2tvdw0s3jn54khce6mua7l"))) << s << i;
      }
    }
  }
}

// ---------------------------------------------------------------- Ethereum

TEST(EthTest, Eip55Examples) {
  const char* checksummed[] = {
      "0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
      "0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26",
      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
      "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
  };
  for (const char* a : checksummed) {
    EXPECT_TRUE(EthAddressValid(a)) << a;
    EXPECT_EQ(EthChecksumAddress(a), a);
    std::string lower = a;
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(EthAddressValid(lower));
    EXPECT_EQ(EthChecksumAddress(lower), a);
  }
  EXPECT_FALSE(EthAddressValid("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"));
  EXPECT_FALSE(EthAddressValid("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));
  EXPECT_FALSE(EthAddressValid("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe"));
  EXPECT_FALSE(EthAddressValid("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00"));
  EXPECT_FALSE(EthAddressValid("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg"));
  EXPECT_EQ(EthChecksumAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"), "");
}

bool MixedCase(std::string_view a) {
  return a.find_first_of("abcdef", 2) != std::string_view::npos &&
         a.find_first_of("ABCDEF", 2) != std::string_view::npos;
}

TEST(EthTest, ChecksumRoundTrip) {
  std::mt19937 rng(13);
  int changed = 0, accepted = 0;
  for (int rep = 0; rep < 100; ++rep) {
    std::string addr = "0x" + Hex(RandomBytes(rng, 20));
    std::string cs = EthChecksumAddress(addr);
    ASSERT_TRUE(EthAddressValid(cs));
    if (!MixedCase(cs)) continue;
    for (size_t i = 2; i < cs.size(); ++i) {
      // Flipping a letter's case always breaks the checksum (while the address stays mixed):
      // the hash is of the lower-case form, so it does not change.
      if (std::isalpha(static_cast<unsigned char>(cs[i]))) {
        std::string bad = cs;
        bad[i] = char(bad[i] ^ 0x20);
        if (MixedCase(bad)) {
          EXPECT_FALSE(EthAddressValid(bad)) << bad;
        }
      }
      // A changed char changes the hash; the old case pattern then fits by chance only
      // (odds 2^-letters, about 2^-15 on average), so only the rate is asserted.
      std::string bad = Mutate(cs, i, "0123456789");
      if (!MixedCase(bad)) continue;
      ++changed;
      accepted += EthAddressValid(bad);
    }
  }
  EXPECT_GT(changed, 2000);
  EXPECT_LT(accepted, changed / 200);
}

// ---------------------------------------------------------------- Monero

TEST(MoneroTest, PublishedAddresses) {
  // Monero general fund donation address (getmonero.org).
  const std::string fund =
      "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBE"
      "P3A";
  ASSERT_EQ(fund.size(), 95u);
  EXPECT_TRUE(MoneroAddressValid(fund));
  for (size_t i = 0; i < fund.size(); ++i) {
    EXPECT_FALSE(MoneroAddressValid(Mutate(fund, i, kBase58Alphabet))) << i;
  }
  EXPECT_FALSE(MoneroAddressValid(fund.substr(0, 94)));
  EXPECT_FALSE(MoneroAddressValid(""));
}

TEST(MoneroTest, EncodeRoundTrip) {
  std::mt19937 rng(17);
  const std::pair<uint8_t, size_t> kinds[] = {{18, 64}, {42, 64}, {19, 72}};
  for (const auto& [tag, size] : kinds) {
    for (int rep = 0; rep < 10; ++rep) {
      std::vector<uint8_t> keys = RandomBytes(rng, size);
      if (rep == 0) std::fill(keys.begin(), keys.end(), 0xff);  // largest block values
      if (rep == 1) std::fill(keys.begin(), keys.end(), 0x00);
      std::string addr = MoneroAddressEncode(tag, keys);
      ASSERT_EQ(addr.size(), size == 64 ? 95u : 106u);
      if (tag == 18) {
        EXPECT_EQ(addr[0], '4');
      }
      if (tag == 42) {
        EXPECT_EQ(addr[0], '8');
      }
      ASSERT_TRUE(MoneroAddressValid(addr)) << addr;
      for (size_t i = 0; i < addr.size(); ++i) {
        ASSERT_FALSE(MoneroAddressValid(Mutate(addr, i, kBase58Alphabet))) << addr << " @" << i;
      }
    }
  }
  // Testnet / stagenet network bytes encode fine but are not mainnet addresses.
  std::vector<uint8_t> keys(64, 1);
  EXPECT_FALSE(MoneroAddressValid(MoneroAddressEncode(53, keys)));
  EXPECT_FALSE(MoneroAddressValid(MoneroAddressEncode(24, keys)));
  EXPECT_EQ(MoneroAddressEncode(18, std::vector<uint8_t>(63)), "");
}

// ---------------------------------------------------------------- Tor v3

TEST(OnionTest, RendSpecExample) {
  const std::string addr = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd";
  EXPECT_TRUE(OnionV3Valid(addr));
  std::string upper = addr;
  for (char& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(OnionV3Valid(upper));
  EXPECT_FALSE(OnionV3Valid("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscrye"));
  EXPECT_FALSE(OnionV3Valid("ph6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd"));
  EXPECT_FALSE(OnionV3Valid(addr + ".onion"));
  EXPECT_FALSE(OnionV3Valid("expyuzz4wqqyqhjn"));
  EXPECT_FALSE(OnionV3Valid("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscry1"));
  for (size_t i = 0; i < addr.size(); ++i) {
    EXPECT_FALSE(OnionV3Valid(Mutate(addr, i, "abcdefghijklmnopqrstuvwxyz234567"))) << i;
  }
}

TEST(OnionTest, EncodeRoundTrip) {
  std::mt19937 rng(19);
  for (int rep = 0; rep < 50; ++rep) {
    std::array<uint8_t, 32> key;
    for (auto& b : key) b = static_cast<uint8_t>(rng());
    std::string addr = OnionV3Encode(key);
    ASSERT_EQ(addr.size(), 56u);
    EXPECT_EQ(addr.back(), 'd');
    ASSERT_TRUE(OnionV3Valid(addr)) << addr;
    for (size_t i = 0; i < addr.size(); ++i) {
      ASSERT_FALSE(OnionV3Valid(Mutate(addr, i, "abcdefghijklmnopqrstuvwxyz234567")))
          << addr << " @" << i;
    }
  }
}

// ---------------------------------------------------------------- robustness

// Arbitrary bytes (the scan path sees anything): no validator may crash or accept garbage.
TEST(RobustnessTest, ArbitraryInput) {
  std::mt19937 rng(23);
  const std::string_view alphabets[] = {"",
                                        "0123456789",
                                        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                        kBase58Alphabet,
                                        "qpzry9x8gf2tvdw0s3jn54khce6mua7l1",
                                        "abcdefghijklmnopqrstuvwxyz234567"};
  int accepted = 0;
  for (int rep = 0; rep < 20000; ++rep) {
    std::string_view alphabet = alphabets[rep % 6];
    size_t len = rng() % 120;
    if (rep % 7 == 0) len = std::array<size_t, 6>{15, 22, 34, 56, 95, 106}[rng() % 6];
    std::string s(len, '\0');
    for (char& c : s) {
      c = alphabet.empty() ? char(rng()) : alphabet[rng() % alphabet.size()];
    }
    if (rep % 5 == 0 && len >= 2) s.replace(0, 2, "bc");
    accepted += CardNumberValid(s) + IbanValid(s) + BitcoinBase58AddressValid(s) +
                SegwitAddressValid(s) + EthAddressValid(s) + MoneroAddressValid(s) +
                OnionV3Valid(s);
    (void)LuhnValid(s);
    (void)LuhnCheckDigit(s);
    (void)CardIssuer(s);
    (void)IbanLength(s);
    (void)Base58Decode(s);
    (void)Base58CheckDecode(s);
    (void)Bech32Decode(s);
    (void)EthChecksumAddress(s);
  }
  // Only Luhn-valid digit strings with a known prefix get through by chance.
  EXPECT_LT(accepted, 200);
}

}  // namespace
}  // namespace evidex::validate
