#include "server/audit.h"

#include <algorithm>
#include <cstdio>

namespace evidex::server {

AuditWriter::AuditWriter(StorePool& pool, const vault::SigningKey& key)
    : pool_(pool), key_(key), thread_([this] { Loop(); }) {}

AuditWriter::~AuditWriter() { Stop(); }

void AuditWriter::Append(int64_t case_id, vault::CustodyRecord record) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.emplace_back(case_id, std::move(record));
    ++queued_;
  }
  wake_.notify_one();
}

void AuditWriter::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t target = queued_;
  flush_to_ = std::max(flush_to_, target);
  wake_.notify_all();
  done_.wait(lock, [&] { return finished_ >= target || thread_.get_id() == std::thread::id(); });
}

void AuditWriter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t AuditWriter::written() {
  std::lock_guard<std::mutex> lock(mu_);
  return written_;
}

uint64_t AuditWriter::failed() {
  std::lock_guard<std::mutex> lock(mu_);
  return failed_;
}

void AuditWriter::Loop() {
  for (;;) {
    std::deque<std::pair<int64_t, vault::CustodyRecord>> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty() && stop_) break;
      // Gather what comes in the next moment into the same transaction: on SQLite each commit
      // makes every other connection of the server drop its cached and mapped pages at its next
      // read, so 300 commits a second (one per request) cost the readers more than the writes.
      wake_.wait_for(lock, kGather, [&] {
        return stop_ || finished_ < flush_to_ || queue_.size() >= kMaxBatch;
      });
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    Write(batch);
    done_.notify_all();
  }
  done_.notify_all();
}

void AuditWriter::Write(std::deque<std::pair<int64_t, vault::CustodyRecord>>& batch) {
  uint64_t ok = 0, bad = 0;
  Result<StorePool::Lease> lease = pool_.Take();
  if (!lease.ok()) {
    std::fprintf(stderr, "evidex serve: %zu audit record(s) not written: %s\n", batch.size(),
                 lease.status().message().c_str());
    bad = batch.size();
  } else {
    store::Store& store = lease->store();
    Status all = store.Transaction([&]() -> Status {
      for (auto& [case_id, record] : batch)
        EVIDEX_RETURN_IF_ERROR(store.AppendCustody(case_id, record, key_).status());
      return Status::Ok();
    });
    if (all.ok()) {
      ok = batch.size();
    } else {
      for (auto& [case_id, record] : batch) {
        Result<vault::CustodyRecord> one = store.AppendCustody(case_id, record, key_);
        if (one.ok()) {
          ++ok;
        } else {
          ++bad;
          std::fprintf(stderr, "evidex serve: audit record (%s) of case %lld not written: %s\n",
                       record.action.c_str(), (long long)case_id, one.status().message().c_str());
        }
      }
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  written_ += ok;
  failed_ += bad;
  finished_ += batch.size();
}

}  // namespace evidex::server
