// The mapped source (see acquire_map.h): windows, page-table population, the SIGBUS guard.
#include "vault/acquire_map.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <mutex>

namespace evidex::vault {
namespace {

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22  // Linux 5.14
#endif

// Windows mapped right now, for the SIGBUS handler, which may only read lock-free atomics. A slot
// is in use while `begin` is non-zero; its other fields are written before `begin` is published
// and `begin` is cleared before the window is unmapped.
struct Slot {
  std::atomic<uintptr_t> begin{0};
  std::atomic<uintptr_t> end{0};
  std::atomic<std::atomic<bool>*> damaged{nullptr};
};
constexpr int kSlots = 256;
Slot g_slots[kSlots];
std::mutex g_slots_mu;  // serializes claiming slots (never taken by the handler)
struct sigaction g_previous;
uintptr_t g_page_size = 4096;

void OnSigbus(int sig, siginfo_t* info, void* context) {
  const int saved_errno = errno;
  const uintptr_t at = reinterpret_cast<uintptr_t>(info->si_addr);
  for (Slot& s : g_slots) {
    uintptr_t begin = s.begin.load(std::memory_order_acquire);
    if (begin == 0 || at < begin) continue;
    uintptr_t end = s.end.load(std::memory_order_acquire);
    if (at >= end) continue;
    std::atomic<bool>* damaged = s.damaged.load(std::memory_order_acquire);
    if (damaged != nullptr) damaged->store(true, std::memory_order_release);
    // Zeros over the rest of the window: the access is retried and succeeds; the acquisition
    // sees damaged() and discards what was computed. mmap is a plain system call here.
    uintptr_t page = at & ~(g_page_size - 1);
    void* r = ::mmap(reinterpret_cast<void*>(page), end - page, PROT_READ,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    errno = saved_errno;
    if (r != MAP_FAILED) return;
    break;  // cannot recover: behave as if we were not here
  }
  // Not one of our windows: whoever handled SIGBUS before us.
  if ((g_previous.sa_flags & SA_SIGINFO) != 0 && g_previous.sa_sigaction != nullptr) {
    g_previous.sa_sigaction(sig, info, context);
  } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN) {
    g_previous.sa_handler(sig);
  } else {
    ::sigaction(SIGBUS, &g_previous, nullptr);  // the fault repeats and takes the default action
  }
  errno = saved_errno;
}

bool InstallHandler() {
  static bool installed = [] {
    long page = ::sysconf(_SC_PAGESIZE);
    if (page > 0) g_page_size = static_cast<uintptr_t>(page);
    struct sigaction sa = {};
    sa.sa_sigaction = OnSigbus;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    return ::sigaction(SIGBUS, &sa, &g_previous) == 0;
  }();
  return installed;
}

int ClaimSlot(uintptr_t begin, uintptr_t end, std::atomic<bool>* damaged) {
  std::lock_guard lock(g_slots_mu);
  for (int i = 0; i < kSlots; ++i) {
    Slot& s = g_slots[i];
    if (s.begin.load(std::memory_order_relaxed) != 0) continue;
    s.end.store(end, std::memory_order_relaxed);
    s.damaged.store(damaged, std::memory_order_relaxed);
    s.begin.store(begin, std::memory_order_release);
    return i;
  }
  return -1;
}

void ReleaseSlot(int i) {
  std::lock_guard lock(g_slots_mu);
  g_slots[i].begin.store(0, std::memory_order_release);
  g_slots[i].damaged.store(nullptr, std::memory_order_relaxed);
}

}  // namespace

// One mapped window; unmapped when the last block viewing it goes.
struct SourceMap::Window {
  std::byte* base = nullptr;
  uint64_t offset = 0;  // file offset of base
  size_t length = 0;    // mapped bytes
  int slot = -1;
  std::shared_ptr<State> state;  // outlives the slot's pointer to its flag

  ~Window() {
    if (slot >= 0) ReleaseSlot(slot);
    if (base != nullptr) ::munmap(base, length);
  }
  bool Covers(uint64_t off, size_t len) const {
    return off >= offset && off + len <= offset + length;
  }
};

Result<std::unique_ptr<SourceMap>> SourceMap::Open(const std::string& path,
                                                   const struct stat& expected, uint64_t size,
                                                   size_t window) {
  if (window == 0 || size == 0) return Unsupported("not mapped");
  if (!InstallHandler()) return Unsupported("no SIGBUS handler");
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return ErrnoStatus("cannot open " + path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_dev != expected.st_dev ||
      st.st_ino != expected.st_ino || static_cast<uint64_t>(st.st_size) != size) {
    ::close(fd);
    return Unsupported(path + " is not the regular file being acquired; not mapped");
  }
  size_t page = static_cast<size_t>(g_page_size);
  window = (window + page - 1) / page * page;
  return std::unique_ptr<SourceMap>(new SourceMap(fd, size, window));
}

SourceMap::SourceMap(int fd, uint64_t size, size_t window)
    : fd_(fd), size_(size), window_(window) {}

SourceMap::~SourceMap() {
  current_.reset();
  ::close(fd_);  // mappings stay valid without the descriptor
}

std::shared_ptr<const Block> SourceMap::View(uint64_t offset, size_t length,
                                             std::shared_ptr<const void> keep) {
  if (length == 0 || offset + length > size_) {
    fallback_ += length;
    return nullptr;
  }
  if (current_ == nullptr || !current_->Covers(offset, length)) {
    current_.reset();
    auto w = std::make_shared<Window>();
    const uint64_t page = g_page_size;
    w->offset = offset / page * page;
    uint64_t want = std::max<uint64_t>(window_, offset + length - w->offset);
    w->length = static_cast<size_t>(std::min<uint64_t>(want, size_ - w->offset));
    void* p = ::mmap(nullptr, w->length, PROT_READ, MAP_SHARED, fd_, static_cast<off_t>(w->offset));
    if (p == MAP_FAILED) {
      fallback_ += length;
      return nullptr;
    }
    w->base = static_cast<std::byte*>(p);
    w->state = state_;
    uintptr_t b = reinterpret_cast<uintptr_t>(p);
    uintptr_t mapped_end = b + (w->length + page - 1) / page * page;
    w->slot = ClaimSlot(b, mapped_end, &state_->damaged);
    if (w->slot < 0) {  // every slot taken (many acquisitions at once): no guard, no mapping
      fallback_ += length;
      return nullptr;
    }
    ::madvise(p, w->length, MADV_SEQUENTIAL);
    ::madvise(p, w->length, MADV_WILLNEED);  // starts reading the window if not cached
    current_ = std::move(w);
    if (on_window) on_window(current_->offset);
  }
  std::byte* at = current_->base + (offset - current_->offset);
  // Fill the page tables now, on this thread: the consumers then never fault, and a range that
  // cannot be read fails here (EFAULT), without a signal.
  uintptr_t from = reinterpret_cast<uintptr_t>(at) & ~(g_page_size - 1);
  size_t span = reinterpret_cast<uintptr_t>(at) + length - from;
  int rc;
  do {
    rc = ::madvise(reinterpret_cast<void*>(from), span, MADV_POPULATE_READ);
  } while (rc != 0 && (errno == EINTR || errno == EAGAIN));
  if (rc != 0) {
    fallback_ += length;
    return nullptr;
  }
  viewed_ += length;
  struct Keep {
    std::shared_ptr<Window> window;
    std::shared_ptr<const void> other;
  };
  auto k = std::make_shared<Keep>(Keep{current_, std::move(keep)});
  return Block::View({at, length}, offset, std::move(k));
}

}  // namespace evidex::vault
