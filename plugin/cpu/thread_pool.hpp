// thread_pool.hpp - the CPU backend's persistent worker threads.
//
//   ThreadPool pool(4);                       // 3 workers + the calling thread
//   pool.parallelFor(rows, [&](size_t y) { shadeRow(y); });
//
// parallelFor may be called from many threads at once: each call is a job in a
// shared queue, and the calling thread always works on its own job too, so a
// job finishes even while every worker is busy with someone else's.
// Which thread runs which index is unspecified; callers make every index
// compute the same result wherever it runs (that is what keeps the backend's
// output identical across thread counts).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sg::cpu {

class ThreadPool {
public:
    // threadCount >= 1 threads compute, the caller of parallelFor included.
    explicit ThreadPool(unsigned threadCount);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    unsigned threadCount() const { return static_cast<unsigned>(workers_.size()) + 1; }

    // Runs fn(i) for every i in [0, count) and returns when all are done. If fn
    // throws, the remaining indices still run and the first exception is
    // rethrown here.
    void parallelFor(size_t count, const std::function<void(size_t)>& fn);

private:
    struct Job;

    void workerLoop();
    // Runs indices of job until none are left; returns with the lock held.
    void work(Job& job, std::unique_lock<std::mutex>& lock);

    std::mutex mutex_;
    std::condition_variable wakeWorkers_;
    std::condition_variable jobFinished_;
    std::deque<Job*> queue_;  // jobs that still have unclaimed indices
    bool stopping_ = false;
    std::vector<std::thread> workers_;
};

}  // namespace sg::cpu
