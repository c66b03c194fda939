#pragma once
// How many threads typenet trains and infers on, as torch.set_num_threads. Its own threads run the
// slices of a batch side by side, and split the GEMMs and passes of a batch too small to split;
// OpenBLAS runs typenet's GEMMs single-threaded meanwhile (detail/gemm.hpp says why). With one
// thread, OpenBLAS gets one too. TYPENET_NUM_THREADS sets the number started, every core by
// default; this chooses how many of them to use.
#include "typenet/detail/gemm.hpp"

#include <cstddef>

#include "typenet/detail/parallel.hpp"

namespace typenet {

// The number of threads typenet's own passes use (TYPENET_NUM_THREADS, else every core).
using detail::thread_count;

// f(begin, end) over [0, count), split so that every thread gets at least `grain` items; runs on
// the calling thread alone when there is not enough work for two. (A user's own passes over a
// data set can use typenet's threads too: examples/mlp_hog_mnist.cpp does.)
using detail::parallel_for;

inline void set_num_threads(std::size_t n) {
  detail::use_threads(n);
  openblas_set_num_threads(static_cast<int>(detail::thread_count()));
}

}  // namespace typenet
