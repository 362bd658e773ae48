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
//
// One generated image is some forty passes of a few microseconds to a few
// milliseconds each, so waking a sleeping thread (tens of microseconds on a
// busy machine) would cost a visible share of a small batch. Threads that run
// out of work therefore spin for a short while (kSpinSeconds) before they
// sleep, and parallelFor never allocates.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
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
    // rethrown here. fn is called through a reference: no copy, no allocation.
    //
    // fn may also take (i, slot): slot < threadCount() tells apart the threads
    // running this call at the same moment (the caller is 0, each worker has
    // its own), so a call can give each its own scratch.
    template <class Fn>
    void parallelFor(size_t count, Fn&& fn) {
        using F = std::remove_reference_t<Fn>;
        void* object = const_cast<void*>(static_cast<const void*>(&fn));
        if constexpr (std::is_invocable_v<F&, size_t, unsigned>)
            run(count, TaskRef{object, [](void* f, size_t i, unsigned slot) { (*static_cast<F*>(f))(i, slot); }});
        else
            run(count, TaskRef{object, [](void* f, size_t i, unsigned) { (*static_cast<F*>(f))(i); }});
    }

private:
    // A non-owning reference to the caller's callable.
    struct TaskRef {
        void* object;
        void (*call)(void* object, size_t index, unsigned slot);
    };
    struct Job;

    void run(size_t count, TaskRef task);
    void enqueue(Job* job);  // under mutex_
    void dequeue(Job* job);  // under mutex_; no-op if job is not queued
    void workerLoop(unsigned slot);
    // Runs indices of job until none are left. Entered with job.active
    // already counted (under mutex_), so the job outlives this call.
    void work(Job& job, unsigned slot);

    std::mutex mutex_;
    std::condition_variable wakeWorkers_;
    std::condition_variable jobFinished_;
    // Jobs that may still have unclaimed indices, oldest first: a list
    // threaded through the jobs themselves, so queueing never allocates.
    // Guarded by mutex_.
    Job* head_ = nullptr;
    Job* tail_ = nullptr;
    std::atomic<size_t> queued_{0};  // jobs in the list, read by spinning workers without the lock
    bool stopping_ = false;          // guarded by mutex_
    std::atomic<bool> stoppingFlag_{false};
    std::vector<std::thread> workers_;
};

}  // namespace sg::cpu
