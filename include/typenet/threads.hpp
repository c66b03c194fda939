#pragma once
// How many threads typenet trains and infers on, as torch.set_num_threads. Its own threads run the
// slices of a batch side by side, and split the GEMMs and passes of a batch too small to split;
// OpenBLAS runs typenet's GEMMs single-threaded meanwhile (detail/gemm.hpp says why). With one
// thread, OpenBLAS gets one too. TYPENET_NUM_THREADS sets the number started, every core by
// default; this chooses how many of them to use.
#include <cstddef>

#include "typenet/detail/gemm.hpp"
#include "typenet/detail/parallel.hpp"

namespace typenet {

inline void set_num_threads(std::size_t n) {
  detail::ThreadTeam::instance().use(n);
  openblas_set_num_threads(static_cast<int>(thread_count()));
}

}  // namespace typenet
