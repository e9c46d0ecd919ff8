// The transfer certificate: the HTML is self-contained and escapes what it shows; the PDF is a
// real PDF whose text (pdftotext, poppler-utils) holds every hash, the digest and the key, and
// which grows pages for a long chain of custody.
#include "vault/certificate.h"

#include <gtest/gtest.h>

#include "vault/package_test_util.h"

namespace evidex::vault {
namespace {

using testing::HaveTool;
using testing::Quote;
using testing::Sh;

class CertificateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = std::make_unique<SigningKey>(std::move(SigningKey::Generate()).value());
    input_ = testing::SampleInput(dir_.path(), *key_, 2, 4096);
    for (PackageEvidence& e : input_.evidence) {
      e.member = EvidenceMemberName(e);
      e.member_size = e.size;
    }
    content_ = {&input_, input_.created, std::string(64, 'd'), key_->public_key()};
    content_.digest = Sha256Hex("sums");
  }
  // The PDF's text, one string (pdftotext -layout keeps each hash on its line).
  std::string PdfText(const std::string& pdf) {
    std::string path = dir_ / "c.pdf";
    testing::WriteFile(path, pdf);
    return Sh("pdftotext -layout " + Quote(path) + " - 2>/dev/null").out;
  }
  int PdfPages(const std::string& pdf) {
    std::string path = dir_ / "p.pdf";
    testing::WriteFile(path, pdf);
    std::string info = Sh("pdfinfo " + Quote(path) + " 2>/dev/null").out;
    size_t at = info.find("Pages:");
    return at == std::string::npos ? -1 : std::atoi(info.c_str() + at + 6);
  }
  testing::TempDir dir_;
  std::unique_ptr<SigningKey> key_;
  PackageInput input_;
  CertificateContent content_;
};

TEST_F(CertificateTest, HtmlHoldsEverythingAndNoExternalResource) {
  std::string html = RenderCertificateHtml(content_);
  for (const PackageEvidence& e : input_.evidence) {
    EXPECT_NE(html.find(e.digests.md5), std::string::npos);
    EXPECT_NE(html.find(e.digests.sha1), std::string::npos);
    EXPECT_NE(html.find(e.digests.sha256), std::string::npos);
    EXPECT_NE(html.find(e.label), std::string::npos);
  }
  EXPECT_NE(html.find(content_.digest), std::string::npos);
  EXPECT_NE(html.find(key_->public_key().Text()), std::string::npos);
  EXPECT_NE(html.find(key_->public_key().Fingerprint()), std::string::npos);
  EXPECT_NE(html.find("2026/041"), std::string::npos);
  EXPECT_NE(html.find("Handed over by"), std::string::npos);
  EXPECT_NE(html.find("Received by"), std::string::npos);
  EXPECT_NE(html.find("packaged"), std::string::npos);  // a custody action
  for (const char* external : {"src=", "href=", "@import", "url(", "http://", "https://"})
    EXPECT_EQ(html.find(external), std::string::npos) << external;
}

TEST_F(CertificateTest, HtmlEscapes) {
  input_.evidence[0].label = "<script>alert(1)</script> & \"x\"";
  std::string html = RenderCertificateHtml(content_);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"),
            std::string::npos);
}

TEST_F(CertificateTest, PdfTextHoldsTheHashes) {
  Result<std::string> pdf = RenderCertificatePdf(content_);
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  ASSERT_GT(pdf->size(), 1000u);
  EXPECT_EQ(pdf->substr(0, 5), "%PDF-");
  if (!HaveTool("pdftotext")) GTEST_SKIP() << "pdftotext (poppler-utils) not installed";
  std::string text = PdfText(*pdf);
  ASSERT_FALSE(text.empty());
  for (const PackageEvidence& e : input_.evidence) {
    EXPECT_NE(text.find(e.digests.md5), std::string::npos) << text;
    EXPECT_NE(text.find(e.digests.sha1), std::string::npos) << text;
    EXPECT_NE(text.find(e.digests.sha256), std::string::npos) << text;
    EXPECT_NE(text.find(e.label), std::string::npos);
  }
  EXPECT_NE(text.find(content_.digest), std::string::npos) << text;
  EXPECT_NE(text.find(key_->public_key().Hex()), std::string::npos) << text;
  EXPECT_NE(text.find(key_->public_key().Fingerprint()), std::string::npos) << text;
  EXPECT_NE(text.find("Cybercrime Unit, Colombo"), std::string::npos);
  EXPECT_NE(text.find("Received by"), std::string::npos);
  EXPECT_EQ(PdfPages(*pdf), 1);
}

TEST_F(CertificateTest, LongCustodyFlowsOverPages) {
  std::vector<CustodyRecord> records = input_.custody;
  for (int i = 0; i < 150; ++i) {
    CustodyRecord r = records.back();
    r.action = "viewed";
    r.actor = "Examiner " + std::to_string(i);
    r.time.clear();
    Seal(r, &records.back(), *key_);
    records.push_back(r);
  }
  input_.custody = records;
  Result<std::string> pdf = RenderCertificatePdf(content_);
  ASSERT_TRUE(pdf.ok());
  if (!HaveTool("pdftotext")) GTEST_SKIP() << "pdftotext (poppler-utils) not installed";
  EXPECT_GT(PdfPages(*pdf), 2);
  std::string text = PdfText(*pdf);
  EXPECT_NE(text.find("Examiner 149"), std::string::npos);
  EXPECT_NE(text.find("Received by"), std::string::npos);  // the signature block is not lost
}

TEST_F(CertificateTest, SameContentSamePdf) {
  Result<std::string> a = RenderCertificatePdf(content_);
  Result<std::string> b = RenderCertificatePdf(content_);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);  // the package's time is the document's time: no clock in the bytes
}

}  // namespace
}  // namespace evidex::vault
