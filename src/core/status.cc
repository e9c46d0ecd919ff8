#include "core/status.h"

#include <cstring>

namespace evidex {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid-argument";
    case Code::kNotFound: return "not-found";
    case Code::kIoError: return "io-error";
    case Code::kCorrupt: return "corrupt";
    case Code::kUnsupported: return "unsupported";
    case Code::kLimit: return "limit";
    case Code::kInternal: return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

Status ErrnoStatus(const std::string& what, int err) {
  Code code = (err == ENOENT || err == ENOTDIR) ? Code::kNotFound : Code::kIoError;
  return Status(code, what + ": " + std::strerror(err));
}

}  // namespace evidex
