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
#include <cstddef>
#include <type_traits>

#include "typenet/config.hpp"

namespace typenet {

namespace detail {

// The most threads typenet starts: callers size per-thread scratch (scores, partial sums) by it.
inline constexpr std::size_t max_threads = 8;

// One slice of a pass: call(context, begin, end) covers items [begin, end).
using SliceCall = void (*)(void* context, std::size_t begin, std::size_t end);

// The number of threads typenet's own passes use (TYPENET_NUM_THREADS, else every core).
TYPENET_INLINE std::size_t thread_count();
// Uses the first n threads from now on (at least 1, at most those started).
TYPENET_INLINE void use_threads(std::size_t n);
// Calls `call` on `parts` (capped at thread_count()) contiguous slices of [0, count), the first
// on the calling thread. If another thread is already using the team, runs it all here instead.
// The fork-join is compiled once, in libtypenet (parallel-inl.hpp): this header, included by
// nearly every other, then needs neither <thread> nor <atomic>, and a template taking f would
// copy the fork-join into every loop of every network a program has.
TYPENET_INLINE void run_slices(SliceCall call, void* context, std::size_t count, std::size_t parts);

// The grain for items of `floats` floats of work each: about 16K floats per thread, below which
// waking a second thread costs more than it saves.
constexpr std::size_t grain_for(std::size_t floats) { return floats >= 16384 ? 1 : 16384 / (floats > 0 ? floats : 1); }

// f(begin, end) over [0, count), split so that every thread gets at least `grain` items; runs on
// the calling thread alone when there is not enough work for two.
template <class F>
void parallel_for(std::size_t count, std::size_t grain, F&& f) {
  const std::size_t parts = grain == 0 ? count : count / grain;
  if (parts < 2) {
    f(std::size_t{0}, count);
    return;
  }
  using Body = std::remove_reference_t<F>;
  run_slices([](void* context, std::size_t begin, std::size_t end) { (*static_cast<Body*>(context))(begin, end); },
             const_cast<void*>(static_cast<const void*>(&f)), count, parts);
}

}  // namespace detail
}  // namespace typenet

#ifdef TYPENET_HEADER_ONLY
#include "typenet/detail/parallel-inl.hpp"
#endif
