// MD5, SHA-1 and SHA-256 of one stream in one pass, each algorithm on its own thread.
//
// The pieces of the acquisition pipeline (vault/acquire.cc):
//   BlockPool    — a fixed number of equal-size buffers. Get() waits while all are in use, so the
//                  memory of a pipeline is bounded (count × size) whatever the stream's length.
//   Block        — one buffer: filled by whoever got it from the pool, then shared read-only
//                  (std::shared_ptr<const Block>) by every consumer; it returns to its pool when
//                  the last reference goes. Nothing is copied between the reader, the hash
//                  threads and the writer.
//   BlockWorker  — a thread that runs a function on each block handed to it, in order. After the
//                  function's first error it drops (releases) every later block, so a failed
//                  consumer never holds buffers the reader waits for.
//   MultiHasher  — MD5, SHA-1, SHA-256 (OpenSSL EVP: SHA-NI where the CPU has it) on BlockWorker
//                  threads: one per algorithm, or on two CPUs MD5 apart and SHA-1 + SHA-256
//                  together (HashThreads).
//
// Thread safety: BlockPool::Get and the Block release are safe from any thread. Each BlockWorker
// and MultiHasher is fed by one producer thread at a time (Push/Update in stream order).
// REQUIRES: a BlockPool outlives every block it handed out.
#ifndef EVIDEX_CORE_HASH_MULTI_H_
#define EVIDEX_CORE_HASH_MULTI_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "core/hash.h"
#include "core/status.h"

namespace evidex {

class BlockPool;

class Block {
 public:
  std::byte* data() { return data_; }
  const std::byte* data() const { return data_; }
  size_t capacity() const { return capacity_; }
  std::span<const std::byte> bytes() const { return {data_, size}; }

  size_t size = 0;      // valid bytes, from data()
  uint64_t offset = 0;  // position of data()[0] in the stream

  // A block that views `bytes` owned by someone else (a mapped window of the source: the
  // consumers read the page cache, nothing is copied). `keep` is held until the last reference
  // to the block goes; it keeps the bytes valid (and may hold a pool block, to bound how many
  // views are in flight). The bytes must not be written through the block.
  static std::shared_ptr<const Block> View(std::span<const std::byte> bytes, uint64_t offset,
                                           std::shared_ptr<const void> keep);

 private:
  friend class BlockPool;
  std::byte* data_ = nullptr;
  size_t capacity_ = 0;
};

class BlockPool {
 public:
  // `count` buffers of `block_size` bytes each, aligned to 4096 bytes (usable with O_DIRECT),
  // in one region advised for transparent huge pages.
  BlockPool(size_t block_size, size_t count);
  ~BlockPool();
  BlockPool(const BlockPool&) = delete;
  BlockPool& operator=(const BlockPool&) = delete;

  // A free block (size 0, offset 0); waits while every block is in use.
  std::shared_ptr<Block> Get();
  size_t block_size() const { return block_size_; }
  size_t count() const { return blocks_.size(); }

 private:
  void Release(Block* block);

  const size_t block_size_;
  std::byte* memory_ = nullptr;  // every block's bytes, one region
  size_t memory_size_ = 0;
  std::vector<Block> blocks_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Block*> free_;  // guarded by mu_
};

class BlockWorker {
 public:
  using Fn = std::function<Status(const std::shared_ptr<const Block>&)>;
  explicit BlockWorker(Fn fn);
  ~BlockWorker();  // drops queued blocks and joins
  BlockWorker(const BlockWorker&) = delete;
  BlockWorker& operator=(const BlockWorker&) = delete;

  // Queues a block; never waits (the pool bounds how many can be queued).
  void Push(std::shared_ptr<const Block> block);
  // Waits until every pushed block was handled; returns the first error (or OK).
  Status Drain();
  // Whether the function failed (cheap; for the producer to stop early).
  bool failed() const;

 private:
  void Run();

  Fn fn_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_, idle_cv_;
  std::deque<std::shared_ptr<const Block>> queue_;  // guarded by mu_
  bool busy_ = false;                               // guarded by mu_
  bool stop_ = false;                               // guarded by mu_
  Status status_;                                   // guarded by mu_
  std::thread thread_;
};

// How the algorithms are spread over threads.
enum class HashThreads {
  kAuto,        // kOnePerHash with 3 CPUs or more, else kMd5Apart
  kOnePerHash,  // MD5, SHA-1, SHA-256 each on its own thread
  kMd5Apart,    // MD5 on one thread, SHA-1 and SHA-256 on another
  kOneThread,   // all on one thread
  kMd5OnCaller, // MD5 on the thread that calls Update (the reader), SHA-1 + SHA-256 on another
};

class MultiHasher {
 public:
  explicit MultiHasher(unsigned which = kHashAll, HashThreads threads = HashThreads::kAuto);
  ~MultiHasher();
  MultiHasher(const MultiHasher&) = delete;
  MultiHasher& operator=(const MultiHasher&) = delete;

  // Hashes the block's bytes (blocks in stream order). Never waits.
  void Update(const std::shared_ptr<const Block>& block);
  // Waits for every block given and returns the digests (the ones not asked for stay "").
  // An OpenSSL failure (none is expected) gives kInternal. The hasher cannot be used afterwards.
  Result<Digests> Finish();

 private:
  struct Group;
  std::vector<std::unique_ptr<Group>> groups_;
  std::unique_ptr<Group> inline_;  // kMd5OnCaller: MD5, updated in Update()
};

}  // namespace evidex

#endif  // EVIDEX_CORE_HASH_MULTI_H_
