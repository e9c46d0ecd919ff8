#include "cli/common.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace evidex::cli {

std::atomic<bool> g_cancel{false};

namespace {
extern "C" void OnSignal(int) { g_cancel.store(true); }
}  // namespace

void InstallCancelHandler() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case Code::kOk: return kExitOk;
    case Code::kInvalidArgument:
    case Code::kNotFound: return kExitUsage;
    case Code::kCorrupt: return kExitVerifyFailed;
    default: return kExitOutput;
  }
}

namespace {
thread_local ErrorCapture* t_capture = nullptr;
}  // namespace

ErrorCapture::ErrorCapture() : outer_(t_capture) { t_capture = this; }
ErrorCapture::~ErrorCapture() { t_capture = outer_; }

void PrintError(const std::string& message) {
  std::fprintf(stderr, "evidex: %s\n", message.c_str());
  if (t_capture != nullptr && t_capture->first_.empty()) t_capture->first_ = message;
}

bool ParseSize(const std::string& text, uint64_t* out) {
  if (text.empty()) return false;
  size_t pos = 0;
  uint64_t v = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    if (v > (UINT64_MAX - 9) / 10) return false;
    v = v * 10 + uint64_t(text[pos] - '0');
    ++pos;
  }
  if (pos == 0) return false;
  std::string unit = text.substr(pos);
  int shift;
  if (unit == "" || unit == "B") shift = 0;
  else if (unit == "K" || unit == "KiB" || unit == "k") shift = 10;
  else if (unit == "M" || unit == "MiB") shift = 20;
  else if (unit == "G" || unit == "GiB") shift = 30;
  else if (unit == "T" || unit == "TiB") shift = 40;
  else return false;
  if (shift && v > (UINT64_MAX >> shift)) return false;
  *out = v << shift;
  return true;
}

std::string HumanBytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

ProgressLine::ProgressLine(bool quiet) : enabled_(!quiet && isatty(STDERR_FILENO)) {}

void ProgressLine::Update(uint64_t done, uint64_t total, double seconds, const std::string& extra) {
  if (!enabled_) return;
  double rate = seconds > 0 ? double(done) / seconds : 0;
  std::string eta = "--:--";
  if (rate > 0 && total > done) {
    uint64_t s = uint64_t(double(total - done) / rate);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", (unsigned long long)(s / 3600),
                  (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
    eta = buf;
  }
  double pct = total ? 100.0 * double(done) / double(total) : 100.0;
  std::fprintf(stderr, "\r\033[K%5.1f%%  %s / %s  %.0f MB/s  ETA %s%s%s", pct,
               HumanBytes(double(done)).c_str(), HumanBytes(double(total)).c_str(), rate / 1e6,
               eta.c_str(), extra.empty() ? "" : "  ", extra.c_str());
  std::fflush(stderr);
  printed_ = true;
}

void ProgressLine::Update(uint64_t done, uint64_t total, const std::string& extra) {
  if (!enabled_) return;
  Update(done, total,
         std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(), extra);
}

void ProgressLine::Finish() {
  if (enabled_ && printed_) std::fprintf(stderr, "\n");
  printed_ = false;
}

std::string WorkspaceDir(const std::string& data_option) {
  if (!data_option.empty()) return data_option;
  if (const char* env = std::getenv("EVIDEX_DATA"); env != nullptr && *env) return env;
  return "evidex-data";
}

}  // namespace evidex::cli
