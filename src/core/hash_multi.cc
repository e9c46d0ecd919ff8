// BlockPool, BlockWorker and MultiHasher (see hash_multi.h).
#include "core/hash_multi.h"

#include <openssl/evp.h>
#include <sys/mman.h>

#include <algorithm>
#include <new>
#include <utility>

namespace evidex {
namespace {
constexpr size_t kAlign = 4096;         // O_DIRECT needs buffers aligned to the logical block size
constexpr size_t kHugePage = 2u << 20;  // the region's alignment, so it can use huge pages
}  // namespace

// ---- BlockPool ------------------------------------------------------------------------------

BlockPool::BlockPool(size_t block_size, size_t count) : block_size_(block_size), blocks_(count) {
  size_t rounded = std::max(kAlign, (block_size + kAlign - 1) / kAlign * kAlign);
  // One region for all blocks, on transparent huge pages where the system allows: every block is
  // read by several threads, and fewer TLB misses show in the hash threads' time. Throws
  // std::bad_alloc like any container when memory is exhausted.
  memory_size_ = std::max<size_t>(1, count) * rounded;
  memory_ = static_cast<std::byte*>(::operator new(memory_size_, std::align_val_t(kHugePage)));
  if (memory_size_ >= kHugePage) ::madvise(memory_, memory_size_, MADV_HUGEPAGE);
  for (size_t i = 0; i < count; ++i) {
    blocks_[i].data_ = memory_ + i * rounded;
    blocks_[i].capacity_ = block_size;
    free_.push_back(&blocks_[i]);
  }
}

BlockPool::~BlockPool() { ::operator delete(memory_, std::align_val_t(kHugePage)); }

std::shared_ptr<Block> BlockPool::Get() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return !free_.empty(); });
  Block* b = free_.back();
  free_.pop_back();
  b->size = 0;
  b->offset = 0;
  return std::shared_ptr<Block>(b, [this](Block* released) { Release(released); });
}

void BlockPool::Release(Block* block) {
  {
    std::lock_guard lock(mu_);
    free_.push_back(block);
  }
  cv_.notify_one();
}

std::shared_ptr<const Block> Block::View(std::span<const std::byte> bytes, uint64_t offset,
                                         std::shared_ptr<const void> keep) {
  struct Holder {
    Block block;
    std::shared_ptr<const void> keep;
  };
  auto holder = std::make_shared<Holder>();
  holder->block.data_ = const_cast<std::byte*>(bytes.data());  // read-only through const Block
  holder->block.capacity_ = bytes.size();
  holder->block.size = bytes.size();
  holder->block.offset = offset;
  holder->keep = std::move(keep);
  return std::shared_ptr<const Block>(holder, &holder->block);
}

// ---- BlockWorker ----------------------------------------------------------------------------

BlockWorker::BlockWorker(Fn fn) : fn_(std::move(fn)), thread_([this] { Run(); }) {}

BlockWorker::~BlockWorker() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    queue_.clear();
  }
  work_cv_.notify_one();
  thread_.join();
}

void BlockWorker::Push(std::shared_ptr<const Block> block) {
  {
    std::lock_guard lock(mu_);
    if (!status_.ok()) return;  // failed: the block is released at once
    queue_.push_back(std::move(block));
  }
  work_cv_.notify_one();
}

Status BlockWorker::Drain() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [this] { return queue_.empty() && !busy_; });
  return status_;
}

bool BlockWorker::failed() const {
  std::lock_guard lock(mu_);
  return !status_.ok();
}

void BlockWorker::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    std::shared_ptr<const Block> block = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    Status st = fn_(block);
    block.reset();  // back to the pool before waiting for more
    lock.lock();
    busy_ = false;
    if (!st.ok() && status_.ok()) {
      status_ = std::move(st);
      queue_.clear();  // drop (release) what is queued; Push drops what comes later
    }
    if (queue_.empty()) idle_cv_.notify_all();
  }
}

// ---- MultiHasher ----------------------------------------------------------------------------

// One thread hashing each block with one or more algorithms, in turn.
struct MultiHasher::Group {
  struct Ctx {
    int index;  // 0 MD5, 1 SHA-1, 2 SHA-256
    EVP_MD_CTX* ctx;
    bool ok;  // written by the worker thread only, read after Drain()
  };

  // `threaded`: on a BlockWorker of its own; else hashed by the caller (Hash).
  explicit Group(bool threaded) {
    if (!threaded) return;
    worker = std::make_unique<BlockWorker>([this](const std::shared_ptr<const Block>& b) {
      Hash(*b);
      return Status::Ok();
    });
  }
  void Hash(const Block& b) {
    if (b.size == 0) return;
    for (Ctx& c : ctxs) {
      if (c.ok && EVP_DigestUpdate(c.ctx, b.data(), b.size) != 1) c.ok = false;
    }
  }
  ~Group() {
    worker.reset();  // joins before the contexts go
    for (Ctx& c : ctxs) EVP_MD_CTX_free(c.ctx);
  }
  // REQUIRES: before the first block.
  void Add(int index, const EVP_MD* md) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, md, nullptr) == 1;
    ctxs.push_back(Ctx{index, ctx, ok});
  }

  std::vector<Ctx> ctxs;
  std::unique_ptr<BlockWorker> worker;
};

MultiHasher::MultiHasher(unsigned which, HashThreads threads) {
  if (threads == HashThreads::kAuto) {
    // MD5 has no SIMD form and takes a core of its own; SHA-1 and SHA-256 (SHA-NI) together cost
    // less than it, so on two CPUs they share one thread and the two busy threads sit on the
    // two CPUs (docs/PERFORMANCE.md, "Acquisition").
    threads = std::thread::hardware_concurrency() >= 3 ? HashThreads::kOnePerHash
                                                       : HashThreads::kMd5Apart;
  }
  const EVP_MD* mds[3] = {EVP_md5(), EVP_sha1(), EVP_sha256()};
  if (threads == HashThreads::kMd5OnCaller) {
    if (which & kHashMd5) {
      inline_ = std::make_unique<Group>(false);
      inline_->Add(0, mds[0]);
    }
    which &= ~unsigned{kHashMd5};
    threads = HashThreads::kOneThread;
  }
  Group* shared = nullptr;
  for (int i = 0; i < 3; ++i) {
    if ((which & (1u << i)) == 0) continue;
    bool own = threads == HashThreads::kOnePerHash ||
               (threads == HashThreads::kMd5Apart && i == 0) || shared == nullptr;
    if (own) {
      groups_.push_back(std::make_unique<Group>(true));
      if (threads == HashThreads::kOneThread || (threads == HashThreads::kMd5Apart && i > 0)) {
        shared = groups_.back().get();
      }
    }
    (own ? groups_.back().get() : shared)->Add(i, mds[i]);
  }
}

MultiHasher::~MultiHasher() = default;

void MultiHasher::Update(const std::shared_ptr<const Block>& block) {
  for (auto& g : groups_) g->worker->Push(block);
  if (inline_) inline_->Hash(*block);
}

Result<Digests> MultiHasher::Finish() {
  Digests d;
  std::string* out[3] = {&d.md5, &d.sha1, &d.sha256};
  bool failed = false;
  if (inline_) groups_.push_back(std::move(inline_));
  for (auto& g : groups_) {
    if (g->worker) (void)g->worker->Drain();
    for (Group::Ctx& c : g->ctxs) {
      unsigned char md[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      if (c.ok && EVP_DigestFinal_ex(c.ctx, md, &len) == 1) {
        *out[c.index] = ToHex(md, len);
      } else {
        failed = true;
      }
    }
  }
  groups_.clear();
  if (failed) return Internal("OpenSSL digest failed (MD5, SHA-1 or SHA-256 unavailable?)");
  return d;
}

}  // namespace evidex
