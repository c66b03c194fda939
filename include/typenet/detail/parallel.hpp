#pragma once
// Splits a loop over independent items (rows, samples, parameters, a batch's slices) across
// typenet's threads. OpenBLAS threads its own GEMMs; this is for the passes it does not see, and
// for Model's workers, which run slices of a batch side by side (model.hpp). A pass started
// from inside another runs on its caller's thread alone.
//
// One team of helper threads lives for the whole process. A helper spins briefly after a task
// (the next pass usually follows within microseconds), then sleeps on a futex so that it does not
// take a core from OpenBLAS's threads. Posting a task allocates nothing.
// TYPENET_NUM_THREADS=1 runs everything on the calling thread.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <thread>
#include <utility>
#include <vector>

namespace typenet {

namespace detail {

// The builtin rather than <immintrin.h>'s _mm_pause: that header is some 50,000 lines of
// intrinsics, a quarter of a second of parsing in every program that includes typenet.
inline void cpu_relax() {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_ia32_pause();
#endif
}

class ThreadTeam {
 public:
  static constexpr std::size_t max_threads = 8;

  static ThreadTeam& instance() {
    static ThreadTeam team(configured_threads());
    return team;
  }

  std::size_t threads() const { return active_.load(std::memory_order_relaxed); }

  // Uses the first n threads from now on (at least 1, at most those started).
  void use(std::size_t n) { active_.store(std::clamp<std::size_t>(n, 1, helpers_.size() + 1), std::memory_order_relaxed); }

  // Calls f(begin, end) on `parts` (<= threads()) contiguous slices of [0, count), the first on
  // the calling thread. If another thread is already using the team, runs it all here instead.
  template <class F>
  void run(std::size_t count, std::size_t parts, F& f) {
    run({[](void* context, std::size_t b, std::size_t e) { (*static_cast<F*>(context))(b, e); }, &f, count, parts});
  }

  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  ~ThreadTeam() {
    stop_.store(true, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    for (auto& t : helpers_) t.join();
  }

 private:
  struct Task {
    void (*call)(void*, std::size_t, std::size_t);
    void* context;
    std::size_t count, parts;
  };

  static constexpr int spin_limit = 4000;  // about 10 microseconds

  // The fork-join itself, once for every kind of pass: a template taking f would copy f's body
  // into each of its branches, for every loop of every network a program has.
  void run(Task task) {
    task.parts = std::min(task.parts, threads());
    if (task.parts <= 1 || busy_.exchange(true, std::memory_order_acquire)) {
      task.call(task.context, 0, task.count);
      return;
    }
    task_ = task;
    pending_.store(helpers_.size(), std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    const auto [begin, end] = slice(task.count, 0, task.parts);
    if (begin < end) task.call(task.context, begin, end);
    for (int spin = 0;; ++spin) {
      const std::size_t left = pending_.load(std::memory_order_acquire);
      if (left == 0) break;
      if (spin < spin_limit)
        cpu_relax();
      else
        pending_.wait(left, std::memory_order_acquire);
    }
    busy_.store(false, std::memory_order_release);
  }

  static std::size_t configured_threads() {
    std::size_t n = std::max(1u, std::thread::hardware_concurrency());
    if (const char* env = std::getenv("TYPENET_NUM_THREADS")) {
      const long wanted = std::strtol(env, nullptr, 10);
      if (wanted >= 1) n = static_cast<std::size_t>(wanted);
    }
    return std::min(n, max_threads);
  }

  static std::pair<std::size_t, std::size_t> slice(std::size_t count, std::size_t part, std::size_t parts) {
    return {count * part / parts, count * (part + 1) / parts};
  }

  explicit ThreadTeam(std::size_t threads) : active_(threads) {
    helpers_.reserve(threads - 1);
    for (std::size_t i = 1; i < threads; ++i) helpers_.emplace_back([this, i] { help(i); });
  }

  void help(std::size_t part) {
    std::uint64_t seen = 0;
    for (;;) {
      std::uint64_t now = generation_.load(std::memory_order_acquire);
      for (int spin = 0; now == seen && spin < spin_limit; ++spin) {
        cpu_relax();
        now = generation_.load(std::memory_order_acquire);
      }
      if (now == seen) {
        generation_.wait(seen, std::memory_order_acquire);
        continue;
      }
      seen = now;
      if (stop_.load(std::memory_order_relaxed)) return;
      if (part < task_.parts) {
        const auto [begin, end] = slice(task_.count, part, task_.parts);
        if (begin < end) task_.call(task_.context, begin, end);
      }
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
    }
  }

  std::vector<std::thread> helpers_;
  Task task_{};
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::size_t> pending_{0};
  std::atomic<bool> busy_{false};
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> active_;
};

// The number of threads typenet's own passes use (TYPENET_NUM_THREADS, else every core).
inline std::size_t thread_count() { return ThreadTeam::instance().threads(); }

// f(begin, end) over [0, count), split so that every thread gets at least `grain` items; runs on
// the calling thread alone when there is not enough work for two.
template <class F>
void parallel_for(std::size_t count, std::size_t grain, F&& f) {
  const std::size_t parts = grain == 0 ? count : count / grain;
  if (parts < 2) {
    f(std::size_t{0}, count);
    return;
  }
  ThreadTeam::instance().run(count, parts, f);
}

}  // namespace detail
}  // namespace typenet
