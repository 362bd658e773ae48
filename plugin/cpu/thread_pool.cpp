// thread_pool.cpp - see thread_pool.hpp.
#include "thread_pool.hpp"

#include <algorithm>
#include <atomic>
#include <exception>

namespace sg::cpu {

struct ThreadPool::Job {
    const std::function<void(size_t)>* fn = nullptr;
    size_t count = 0;
    std::atomic<size_t> next{0};  // claimed without the lock: indices are often tiny
    size_t finished = 0;          // guarded by mutex_
    unsigned active = 0;          // threads inside work(), guarded by mutex_
    std::exception_ptr error;     // guarded by mutex_
};

ThreadPool::ThreadPool(unsigned threadCount) {
    const unsigned workerCount = threadCount > 1 ? threadCount - 1 : 0;
    workers_.reserve(workerCount);
    try {
        for (unsigned i = 0; i < workerCount; ++i) workers_.emplace_back([this] { workerLoop(); });
    } catch (...) {
        // Join the threads already started before letting the failure out.
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        wakeWorkers_.notify_all();
        for (std::thread& t : workers_) t.join();
        throw;
    }
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wakeWorkers_.notify_all();
    for (std::thread& t : workers_) t.join();
}

void ThreadPool::parallelFor(size_t count, const std::function<void(size_t)>& fn) {
    if (count == 0) return;
    Job job;
    job.fn = &fn;
    job.count = count;
    std::unique_lock<std::mutex> lock(mutex_);
    if (!workers_.empty() && count > 1) {
        queue_.push_back(&job);
        wakeWorkers_.notify_all();
    }
    work(job, lock);
    // Workers may still be running their last index; the job lives on this
    // stack, so wait until none of them can touch it any more.
    jobFinished_.wait(lock, [&] { return job.finished == job.count && job.active == 0; });
    if (job.error) std::rethrow_exception(job.error);
}

void ThreadPool::work(Job& job, std::unique_lock<std::mutex>& lock) {
    ++job.active;
    lock.unlock();
    size_t done = 0;
    std::exception_ptr error;
    for (;;) {
        const size_t i = job.next.fetch_add(1, std::memory_order_relaxed);
        if (i >= job.count) break;
        try {
            (*job.fn)(i);
        } catch (...) {
            if (!error) error = std::current_exception();
        }
        ++done;
    }
    lock.lock();
    // Every index is claimed: take the job off the queue so no one else enters it.
    auto it = std::find(queue_.begin(), queue_.end(), &job);
    if (it != queue_.end()) queue_.erase(it);
    job.finished += done;
    if (error && !job.error) job.error = error;
    if (--job.active == 0 && job.finished == job.count) jobFinished_.notify_all();
}

void ThreadPool::workerLoop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        wakeWorkers_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        work(*queue_.front(), lock);
    }
}

}  // namespace sg::cpu
