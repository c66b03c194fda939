#pragma once
// How many threads typenet trains and infers on, as torch.set_num_threads: its own (which run the
// slices of a batch side by side, and the passes of a batch too small to split) and OpenBLAS's
// (which thread a GEMM when a batch is not split). TYPENET_NUM_THREADS sets the number started,
// every core by default; this chooses how many of them to use.
#include <cstddef>

#include "typenet/detail/gemm.hpp"
#include "typenet/detail/parallel.hpp"

namespace typenet {

inline void set_num_threads(std::size_t n) {
  detail::ThreadTeam::instance().use(n);
  openblas_set_num_threads(static_cast<int>(thread_count()));
}

}  // namespace typenet
