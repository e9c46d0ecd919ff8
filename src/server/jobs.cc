#include "server/jobs.h"

#include "vault/custody.h"

namespace evidex::server {

struct JobRegistry::Job : JobContext {
  std::mutex mu;
  JobInfo info;
  std::atomic<bool> cancel{false};
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();

  const std::atomic<bool>& cancel_flag() const override { return cancel; }
  void Progress(uint64_t done, uint64_t total) override {
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::lock_guard<std::mutex> lock(mu);
    info.bytes_done = done;
    info.bytes_total = total;
    info.rate = seconds > 0 ? double(done) / seconds : 0;
    if (info.rate > 0 && total >= done)
      info.eta_seconds = double(total - done) / info.rate;
    else
      info.eta_seconds.reset();
  }
  JobInfo Snapshot() {
    std::lock_guard<std::mutex> lock(mu);
    return info;
  }
};

nlohmann::json JobJson(const JobInfo& j) {
  nlohmann::json evidence =
      j.evidence.size() == 1 ? nlohmann::json(j.evidence[0]) : nlohmann::json(j.evidence);
  return {{"id", j.id},
          {"kind", j.kind},
          {"case", j.case_id},
          {"case_number", j.case_number},
          {"evidence", evidence},
          {"user", j.user},
          {"state", j.state},
          {"bytes_done", j.bytes_done},
          {"bytes_total", j.bytes_total},
          {"rate", j.rate},
          {"eta_seconds", j.eta_seconds ? nlohmann::json(*j.eta_seconds) : nlohmann::json(nullptr)},
          {"started", j.started},
          {"finished", j.finished.empty() ? nlohmann::json(nullptr) : nlohmann::json(j.finished)},
          {"message", j.message},
          {"result", j.result}};
}

JobRegistry::~JobRegistry() { Shutdown(); }

JobInfo JobRegistry::Start(JobInfo info, std::function<JobOutcome(JobContext&)> work) {
  auto job = std::make_shared<Job>();
  std::lock_guard<std::mutex> lock(mu_);
  info.id = next_id_++;
  info.state = "running";
  info.started = vault::UtcNow();
  job->info = info;
  jobs_[info.id] = job;
  threads_.emplace_back([job, work = std::move(work)] {
    JobOutcome out;
    try {
      out = work(*job);
    } catch (const std::exception& e) {
      out.state = "failed";
      out.message = std::string("internal error: ") + e.what();
    }
    std::lock_guard<std::mutex> lock(job->mu);
    job->info.state = job->cancel.load() && out.state != "complete" ? "cancelled" : out.state;
    job->info.message = out.message;
    job->info.result = out.result;
    job->info.finished = vault::UtcNow();
    job->info.eta_seconds.reset();
    if (job->info.state == "complete") job->info.eta_seconds = 0;
  });
  return info;
}

std::optional<JobInfo> JobRegistry::Get(int64_t id) {
  std::shared_ptr<Job> job;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return std::nullopt;
    job = it->second;
  }
  return job->Snapshot();
}

std::vector<JobInfo> JobRegistry::List(const std::set<int64_t>& cases, bool all) {
  std::vector<std::shared_ptr<Job>> jobs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) jobs.push_back(it->second);
  }
  std::vector<JobInfo> out;
  for (auto& job : jobs) {
    JobInfo info = job->Snapshot();
    if (all || cases.count(info.case_id)) out.push_back(std::move(info));
  }
  return out;
}

bool JobRegistry::Cancel(int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return false;
  it->second->cancel = true;
  return true;
}

void JobRegistry::Shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, job] : jobs_) job->cancel = true;
    threads.swap(threads_);
  }
  for (std::thread& t : threads)
    if (t.joinable()) t.join();
}

}  // namespace evidex::server
