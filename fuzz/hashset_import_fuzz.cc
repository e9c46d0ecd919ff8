// Fuzzes the hash-set importers (hashset/import.h): the input is a hash-set file, written to an
// in-memory file and read as detected and as each of the four formats, strictly and with partial
// import. Whatever the bytes: no crash, hang or unbounded recursion; a failed import adds
// nothing; a strict import that succeeds has no bad records; the report's counts agree with what
// the builder received.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "hashset/import.h"

namespace {

void Check(const std::string& path, const char* format, bool partial) {
  using namespace evidex::hashset;
  SetInfo info;
  info.id = "fuzz";
  Builder builder(info);
  ImportOptions options;
  options.format = format;
  options.partial = partial;
  evidex::Result<ImportReport> r = ImportFile(path, options, &builder);
  if (!r.ok()) {
    if (builder.added() != 0 || !builder.info().source_sha256.empty()) __builtin_trap();
    return;
  }
  if (!partial && (r->bad_records != 0 || !r->errors.empty())) __builtin_trap();
  if (r->errors.size() > kMaxListedErrors || r->errors.size() > r->bad_records) __builtin_trap();
  if (builder.added() != r->digests || builder.info().source_sha256.size() != 64) __builtin_trap();
  if (r->digests < r->records) __builtin_trap();  // every record holds a digest
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const int fd = ::memfd_create("hashset_import_fuzz", 0);
  if (fd < 0) return 0;
  if (::ftruncate(fd, 0) != 0) return 0;
  for (size_t done = 0; done < size;) {
    ssize_t n = ::pwrite(fd, data + done, size - done, off_t(done));
    if (n <= 0) return 0;
    done += size_t(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  for (const char* format : {"auto", "list", "hashdeep", "vics", "nsrl-rds3"}) {
    Check(path, format, false);
    Check(path, format, true);
  }
  return 0;
}
