#pragma once
// Row-major single-precision GEMM on contiguous batch-major buffers: the only place that talks
// to OpenBLAS, so the rest of the library never includes cblas.h.
//
// While typenet has more than one thread, it splits a large GEMM across them itself and OpenBLAS
// runs every call of typenet's on the calling thread alone. OpenBLAS's own threads keep spinning
// for some 0.1 s after a threaded call, and the next pass of typenet's threads then shares the
// cores with them: W1's inference fell from 210k to 100k images/s in every pass that followed a
// 16-row tail batch that OpenBLAS had threaded.
#include <algorithm>
#include <cstddef>

#include <cblas.h>

#include "typenet/detail/parallel.hpp"

namespace typenet::detail {

enum class Transpose { no, yes };

// While alive, OpenBLAS runs each GEMM on the thread that calls it: typenet's workers then run
// their slices' GEMMs side by side, without OpenBLAS's threads competing for the same cores.
class SingleThreadedGemm {
 public:
  SingleThreadedGemm() : saved_(openblas_get_num_threads()) {
    if (saved_ != 1) openblas_set_num_threads(1);
  }
  ~SingleThreadedGemm() {
    if (saved_ != 1) openblas_set_num_threads(saved_);
  }
  SingleThreadedGemm(const SingleThreadedGemm&) = delete;
  SingleThreadedGemm& operator=(const SingleThreadedGemm&) = delete;

 private:
  int saved_;
};

inline void sgemm(Transpose ta, Transpose tb, std::size_t m, std::size_t n, std::size_t k, float alpha,
                  const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
                  std::size_t ldc) {
  cblas_sgemm(CblasRowMajor, ta == Transpose::no ? CblasNoTrans : CblasTrans,
              tb == Transpose::no ? CblasNoTrans : CblasTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta, c,
              static_cast<int>(ldc));
}

// C (m x n) = alpha * op(A) (m x k) * op(B) (k x n) + beta * C, all row-major and dense.
inline void gemm(Transpose ta, Transpose tb, std::size_t m, std::size_t n, std::size_t k, const float* a,
                 const float* b, float* c, float beta = 0.0f, float alpha = 1.0f) {
  const std::size_t lda = ta == Transpose::no ? k : m, ldb = tb == Transpose::no ? n : k;
  if (detail::thread_count() < 2) {
    sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, n);
    return;
  }
  SingleThreadedGemm one_thread;  // a no-op inside a split batch, whose workers set it already
  // Blocks of C's longer side, so that each part is one sgemm over whole 16-wide panels. A part
  // below some 2^20 multiply-adds (~10 us) gains less than the fork costs; inside a split
  // batch the team is busy and the whole GEMM runs here as one call.
  constexpr std::size_t block = 16, min_part_work = std::size_t{1} << 20;
  const bool by_rows = m >= n;
  const std::size_t side = by_rows ? m : n, blocks = (side + block - 1) / block;
  const std::size_t work = m * n * k;
  const std::size_t grain = std::max<std::size_t>(1, blocks * min_part_work / std::max<std::size_t>(work, 1));
  detail::parallel_for(blocks, grain, [&](std::size_t first, std::size_t last) {
    const std::size_t begin = first * block, end = std::min(last * block, side);
    if (by_rows)
      sgemm(ta, tb, end - begin, n, k, alpha, ta == Transpose::no ? a + begin * lda : a + begin, lda, b, ldb, beta,
            c + begin * n, n);
    else
      sgemm(ta, tb, m, end - begin, k, alpha, a, lda, tb == Transpose::no ? b + begin : b + begin * ldb, ldb, beta,
            c + begin, n);
  });
}

}  // namespace typenet::detail
