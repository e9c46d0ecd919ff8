// The audit writer: requests that read or change evidence data hand their custody record to
// Append() and return at once; one background thread seals them into the cases' chains in
// batches (one Store::Transaction per batch), signed with the unit's key. A batch gathers the
// records of up to kGather after its first (less at Flush or Stop, or when kMaxBatch are queued).
//
// A batch whose transaction fails (a case whose chain does not end at its signed head) is
// written again record by record, so that one broken case does not lose the other cases'
// records; a record that still cannot be written is reported on stderr and counted in failed().
//
// Thread safety: Append, Flush and the counters may be called from any thread. Stop (or the
// destructor) writes what is queued and joins the thread.
#ifndef EVIDEX_SERVER_AUDIT_H_
#define EVIDEX_SERVER_AUDIT_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

#include "server/store_pool.h"
#include "vault/custody.h"
#include "vault/keys.h"

namespace evidex::server {

class AuditWriter {
 public:
  static constexpr size_t kMaxBatch = 256;
  static constexpr std::chrono::milliseconds kGather{50};
  AuditWriter(StorePool& pool, const vault::SigningKey& key);
  ~AuditWriter();
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  void Append(int64_t case_id, vault::CustodyRecord record);
  // Waits until every record appended before the call is written (or failed).
  void Flush();
  void Stop();
  uint64_t written();
  uint64_t failed();

 private:
  void Loop();
  void Write(std::deque<std::pair<int64_t, vault::CustodyRecord>>& batch);

  StorePool& pool_;
  const vault::SigningKey& key_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  std::deque<std::pair<int64_t, vault::CustodyRecord>> queue_;
  uint64_t queued_ = 0, finished_ = 0, written_ = 0, failed_ = 0;
  uint64_t flush_to_ = 0;  // Flush waits for the records up to this one: no gathering
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace evidex::server

#endif  // EVIDEX_SERVER_AUDIT_H_
