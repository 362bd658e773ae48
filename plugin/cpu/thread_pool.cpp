// thread_pool.cpp - see thread_pool.hpp.
#include "thread_pool.hpp"

#include <chrono>
#include <exception>
#include <thread>

namespace sg::cpu {
namespace {

// How long an idle thread keeps polling before it sleeps: longer than the gap
// between two passes of a generate call, short enough to cost nothing between
// calls.
constexpr std::chrono::microseconds kSpin(200);

inline void cpuRelax() {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    __builtin_ia32_pause();
#endif
}

// Polls ready() for up to kSpin; returns its last value. Yields now and then,
// so that on a machine with more runnable threads than cores the thread being
// waited for gets the core.
template <class Ready>
bool spinUntil(Ready ready) {
    const auto start = std::chrono::steady_clock::now();
    for (unsigned i = 1;; ++i) {
        if (ready()) return true;
        cpuRelax();
        if (i % 64 == 0) {
            if (std::chrono::steady_clock::now() - start > kSpin) return ready();
            std::this_thread::yield();
        }
    }
}

}  // namespace

struct ThreadPool::Job {
    Job* next = nullptr;  // in the queue
    TaskRef task{};
    size_t count = 0;
    std::atomic<size_t> nextIndex{0};  // claimed without the lock: indices are often tiny
    std::atomic<unsigned> active{0};  // threads inside work(); decremented under mutex_
    std::exception_ptr error;         // written under mutex_
};

ThreadPool::ThreadPool(unsigned threadCount) {
    const unsigned workerCount = threadCount > 1 ? threadCount - 1 : 0;
    workers_.reserve(workerCount);
    try {
        for (unsigned i = 0; i < workerCount; ++i) workers_.emplace_back([this, i] { workerLoop(i + 1); });
    } catch (...) {
        // Join the threads already started before letting the failure out.
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
            stoppingFlag_ = true;
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
        stoppingFlag_ = true;
    }
    wakeWorkers_.notify_all();
    for (std::thread& t : workers_) t.join();
}

void ThreadPool::run(size_t count, TaskRef task) {
    if (count == 0) return;
    Job job;
    job.task = task;
    job.count = count;
    if (workers_.empty() || count == 1) {
        for (size_t i = 0; i < count; ++i) {
            try {
                task.call(task.object, i, 0);
            } catch (...) {
                if (!job.error) job.error = std::current_exception();
            }
        }
        if (job.error) std::rethrow_exception(job.error);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        enqueue(&job);
        job.active.store(1, std::memory_order_relaxed);  // this thread
    }
    wakeWorkers_.notify_all();
    work(job, 0);
    {
        // Workers find jobs only in the queue, under the lock: once it is out,
        // no one new can enter, and active only falls.
        std::lock_guard<std::mutex> lock(mutex_);
        dequeue(&job);
    }
    // The job lives on this stack: wait until no worker can touch it any more.
    auto finished = [&] { return job.active.load(std::memory_order_acquire) == 0; };
    if (!spinUntil(finished)) {
        std::unique_lock<std::mutex> lock(mutex_);
        jobFinished_.wait(lock, finished);
    }
    if (job.error) std::rethrow_exception(job.error);
}

void ThreadPool::work(Job& job, unsigned slot) {
    std::exception_ptr error;
    for (;;) {
        const size_t i = job.nextIndex.fetch_add(1, std::memory_order_relaxed);
        if (i >= job.count) break;
        try {
            job.task.call(job.task.object, i, slot);
        } catch (...) {
            if (!error) error = std::current_exception();
        }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (error && !job.error) job.error = error;
    // The job may be gone as soon as active reaches 0: only the pool is touched after.
    if (job.active.fetch_sub(1, std::memory_order_acq_rel) == 1) jobFinished_.notify_all();
}

void ThreadPool::enqueue(Job* job) {
    job->next = nullptr;
    if (tail_)
        tail_->next = job;
    else
        head_ = job;
    tail_ = job;
    queued_.fetch_add(1, std::memory_order_relaxed);
}

void ThreadPool::dequeue(Job* job) {
    Job* prev = nullptr;
    for (Job* j = head_; j; prev = j, j = j->next) {
        if (j != job) continue;
        (prev ? prev->next : head_) = j->next;
        if (tail_ == j) tail_ = prev;
        queued_.fetch_sub(1, std::memory_order_relaxed);
        return;
    }
}

void ThreadPool::workerLoop(unsigned slot) {
    for (;;) {
        spinUntil([&] {
            return queued_.load(std::memory_order_relaxed) > 0 || stoppingFlag_.load(std::memory_order_relaxed);
        });
        std::unique_lock<std::mutex> lock(mutex_);
        wakeWorkers_.wait(lock, [&] { return stopping_ || head_ != nullptr; });
        if (stopping_) return;
        Job* job = head_;
        if (job->nextIndex.load(std::memory_order_relaxed) >= job->count) {
            // Every index is claimed: nothing left to help with.
            dequeue(job);
            continue;
        }
        job->active.fetch_add(1, std::memory_order_relaxed);
        lock.unlock();
        work(*job, slot);
    }
}

}  // namespace sg::cpu
