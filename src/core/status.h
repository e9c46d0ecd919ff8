// Status and Result<T>: errors are values in evidex.
//
// A Status is either OK or carries a Code and a one-line message meant for a person (it names
// what failed, e.g. the source path). Result<T> holds either a T or a non-OK Status.
// No exceptions cross module boundaries; a throwing library is caught at its edge and converted.
// Both types are cheap to move; they are not thread-safe to mutate concurrently (as any value).
#ifndef EVIDEX_CORE_STATUS_H_
#define EVIDEX_CORE_STATUS_H_

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace evidex {

enum class Code {
  kOk = 0,
  kInvalidArgument,  // the caller's request is wrong (usage)
  kNotFound,         // a named path or object does not exist
  kIoError,          // the operating system refused or failed a read/write
  kCorrupt,          // the bytes do not follow their format
  kUnsupported,      // a valid format variant we do not read
  kLimit,            // a configured limit was reached (bomb guard, size)
  kInternal,         // a bug or a library failure we cannot attribute
};

const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;  // "io-error: cannot open x: Permission denied"

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status IoError(std::string m) { return {Code::kIoError, std::move(m)}; }
inline Status Corrupt(std::string m) { return {Code::kCorrupt, std::move(m)}; }
inline Status Unsupported(std::string m) { return {Code::kUnsupported, std::move(m)}; }
inline Status LimitReached(std::string m) { return {Code::kLimit, std::move(m)}; }
inline Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

// Formats errno as "<what>: <strerror>".
Status ErrnoStatus(const std::string& what, int err);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                      // NOLINT(implicit)
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::get<T>(std::move(v_)); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace evidex

#define EVIDEX_RETURN_IF_ERROR(expr)        \
  do {                                      \
    ::evidex::Status _st = (expr);          \
    if (!_st.ok()) return _st;              \
  } while (0)

#endif  // EVIDEX_CORE_STATUS_H_
