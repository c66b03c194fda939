#pragma once
// The team of threads behind parallel.hpp's run_slices: compiled once, in libtypenet, or inline
// in every program when typenet is used header-only (typenet/config.hpp).
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <thread>
#include <utility>
#include <vector>

#include "typenet/detail/parallel.hpp"

namespace typenet {
namespace detail {

// The builtin rather than <immintrin.h>'s _mm_pause: that header is some 50,000 lines of
// intrinsics, a quarter of a second of parsing wherever this file is compiled.
inline void cpu_relax() {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_ia32_pause();
#endif
}

class ThreadTeam {
 public:
  static ThreadTeam& instance() {
    static ThreadTeam team(configured_threads());
    return team;
  }

  std::size_t threads() const { return active_.load(std::memory_order_relaxed); }

  // Uses the first n threads from now on (at least 1, at most those started).
  void use(std::size_t n) { active_.store(std::clamp<std::size_t>(n, 1, helpers_.size() + 1), std::memory_order_relaxed); }

  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  ~ThreadTeam() {
    stop_.store(true, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    for (auto& t : helpers_) t.join();
  }

  struct Task {
    SliceCall call;
    void* context;
    std::size_t count, parts;
  };

  // run_slices: the fork-join, once for every kind of pass.
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

 private:
  static constexpr int spin_limit = 4000;  // about 10 microseconds

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

TYPENET_INLINE std::size_t thread_count() { return ThreadTeam::instance().threads(); }

TYPENET_INLINE void use_threads(std::size_t n) { ThreadTeam::instance().use(n); }

TYPENET_INLINE void run_slices(SliceCall call, void* context, std::size_t count, std::size_t parts) {
  ThreadTeam::instance().run({call, context, count, parts});
}

}  // namespace detail
}  // namespace typenet
