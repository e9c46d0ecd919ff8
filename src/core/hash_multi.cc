// BlockPool, BlockWorker and MultiHasher (see hash_multi.h).
#include "core/hash_multi.h"

#include <openssl/evp.h>

#include <new>
#include <utility>

namespace evidex {
namespace {
constexpr size_t kAlign = 4096;  // O_DIRECT needs buffers aligned to the logical block size
}  // namespace

// ---- BlockPool ------------------------------------------------------------------------------

BlockPool::BlockPool(size_t block_size, size_t count) : block_size_(block_size), blocks_(count) {
  size_t rounded = (block_size + kAlign - 1) / kAlign * kAlign;
  for (Block& b : blocks_) {
    // Throws std::bad_alloc like any container when memory is exhausted.
    b.data_ = static_cast<std::byte*>(
        ::operator new(rounded == 0 ? kAlign : rounded, std::align_val_t(kAlign)));
    b.capacity_ = block_size;
    free_.push_back(&b);
  }
}

BlockPool::~BlockPool() {
  for (Block& b : blocks_) ::operator delete(b.data_, std::align_val_t(kAlign));
}

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

struct MultiHasher::Algo {
  explicit Algo(const EVP_MD* md) : ctx(EVP_MD_CTX_new()) {
    if (ctx == nullptr || EVP_DigestInit_ex(ctx, md, nullptr) != 1) ok = false;
    worker = std::make_unique<BlockWorker>([this](const std::shared_ptr<const Block>& b) {
      if (ok && b->size > 0 && EVP_DigestUpdate(ctx, b->data(), b->size) != 1) ok = false;
      return Status::Ok();
    });
  }
  ~Algo() {
    worker.reset();  // joins before the context goes
    EVP_MD_CTX_free(ctx);
  }
  std::string Final() {
    (void)worker->Drain();
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!ok || EVP_DigestFinal_ex(ctx, md, &len) != 1) return "";
    return ToHex(md, len);
  }

  EVP_MD_CTX* ctx;
  bool ok = true;  // written by the worker thread only, read after Drain()
  std::unique_ptr<BlockWorker> worker;
};

MultiHasher::MultiHasher(unsigned which) {
  // Fixed order: MD5, SHA-1, SHA-256 (Finish reads them back in this order).
  algos_.resize(3);
  if (which & kHashMd5) algos_[0] = std::make_unique<Algo>(EVP_md5());
  if (which & kHashSha1) algos_[1] = std::make_unique<Algo>(EVP_sha1());
  if (which & kHashSha256) algos_[2] = std::make_unique<Algo>(EVP_sha256());
}

MultiHasher::~MultiHasher() = default;

void MultiHasher::Update(const std::shared_ptr<const Block>& block) {
  for (auto& a : algos_) {
    if (a) a->worker->Push(block);
  }
}

Result<Digests> MultiHasher::Finish() {
  Digests d;
  std::string* out[3] = {&d.md5, &d.sha1, &d.sha256};
  bool failed = false;
  for (size_t i = 0; i < algos_.size(); ++i) {
    if (!algos_[i]) continue;
    *out[i] = algos_[i]->Final();
    failed |= out[i]->empty();
    algos_[i].reset();
  }
  if (failed) return Internal("OpenSSL digest failed (MD5, SHA-1 or SHA-256 unavailable?)");
  return d;
}

}  // namespace evidex
