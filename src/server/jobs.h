// Long work started over the API — acquisitions, verifications, scans — runs as a job on its own
// thread, with progress (bytes done of total, rate, ETA) that GET /jobs/{id} reads, and a cancel
// flag the work polls (the acquisition's, the scan engine's cancellation flag).
//
// Jobs live in memory (a restart forgets them; the store keeps their outcome: evidence rows,
// scans, custody records).
//
// Thread safety: every method may be called from any thread. The destructor cancels running
// jobs and joins their threads.
#ifndef EVIDEX_SERVER_JOBS_H_
#define EVIDEX_SERVER_JOBS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace evidex::server {

struct JobInfo {
  int64_t id = 0;
  std::string kind;  // "acquire", "verify", "scan"
  int64_t case_id = 0;
  std::string case_number;
  std::vector<std::string> evidence;  // "E1", ...
  std::string user;                   // login of who started it
  std::string state = "queued";       // queued, running, complete, failed, cancelled
  uint64_t bytes_done = 0, bytes_total = 0;
  double rate = 0;  // bytes/s
  std::optional<double> eta_seconds;
  std::string started, finished, message;
  nlohmann::json result = nullptr;
};
nlohmann::json JobJson(const JobInfo& job);

// What the work sees of its job.
class JobContext {
 public:
  virtual ~JobContext() = default;
  virtual const std::atomic<bool>& cancel_flag() const = 0;
  bool cancelled() const { return cancel_flag().load(); }
  virtual void Progress(uint64_t done, uint64_t total) = 0;
};

// The work's outcome: state "complete", "failed" or "cancelled" (a cancelled job's work returns
// as soon as it sees the flag), a message and a result object.
struct JobOutcome {
  std::string state = "complete";
  std::string message;
  nlohmann::json result = nullptr;
};

class JobRegistry {
 public:
  JobRegistry() = default;
  ~JobRegistry();
  JobRegistry(const JobRegistry&) = delete;
  JobRegistry& operator=(const JobRegistry&) = delete;

  // Starts `work` on a new thread; `info`'s id, state and times are set. Returns the job.
  JobInfo Start(JobInfo info, std::function<JobOutcome(JobContext&)> work);
  std::optional<JobInfo> Get(int64_t id);
  // Jobs of the cases in `cases` (every case when `all`), newest first.
  std::vector<JobInfo> List(const std::set<int64_t>& cases, bool all);
  // Sets the job's cancel flag; false when there is no such job. The state becomes "cancelled"
  // when the work returns.
  bool Cancel(int64_t id);
  // Cancels every job and waits for the threads (server shutdown).
  void Shutdown();

 private:
  struct Job;
  std::mutex mu_;
  int64_t next_id_ = 1;
  std::map<int64_t, std::shared_ptr<Job>> jobs_;
  std::vector<std::thread> threads_;
};

}  // namespace evidex::server

#endif  // EVIDEX_SERVER_JOBS_H_
