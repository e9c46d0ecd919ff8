// Fuzzes the evidence package reader and verifier (vault/package.h): the input is a package
// file. It goes through VerifyPackage as a file (a memfd, so nothing touches the disk), with a
// sink that takes every evidence member, as `receive` does. Whatever the bytes, the verifier must
// return a report (never crash, hang or read past its buffers), and a report without checks must
// not claim success.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "vault/package.h"

namespace {

class DiscardSink : public evidex::vault::MemberSink {
 public:
  evidex::Status Write(const std::byte*, size_t size) override {
    bytes += size;
    return evidex::Status::Ok();
  }
  evidex::Status Finish() override { return evidex::Status::Ok(); }
  uint64_t bytes = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evidex::vault;
  static const int fd = memfd_create("package_fuzz", MFD_CLOEXEC);
  if (fd < 0) __builtin_trap();
  if (ftruncate(fd, 0) != 0) __builtin_trap();
  for (size_t done = 0; done < size;) {
    ssize_t n = pwrite(fd, data + done, size - done, off_t(done));
    if (n <= 0) __builtin_trap();
    done += size_t(n);
  }
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);

  DiscardSink sink;
  VerifyOptions options;
  options.sink = [&](const PackageEvidence&, int, uint64_t) -> evidex::Result<MemberSink*> {
    return static_cast<MemberSink*>(&sink);
  };
  evidex::Result<PackageReport> report = VerifyPackage(path, options);
  if (!report.ok()) return 0;
  (void)report->ToJson().dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  if (report->ok() && report->checks.size() < 8) __builtin_trap();  // every check must have run
  if (sink.bytes > size) __builtin_trap();
  return 0;
}
