#pragma once
// Row-major single-precision GEMM on contiguous batch-major buffers: the only place that talks
// to OpenBLAS, so the rest of the library never includes cblas.h.
#include <cstddef>

#include <cblas.h>

namespace typenet::detail {

enum class Transpose { no, yes };

// C (m x n) = alpha * op(A) (m x k) * op(B) (k x n) + beta * C, all row-major and dense.
inline void gemm(Transpose ta, Transpose tb, std::size_t m, std::size_t n, std::size_t k, const float* a,
                 const float* b, float* c, float beta = 0.0f, float alpha = 1.0f) {
  const auto lda = static_cast<int>(ta == Transpose::no ? k : m);
  const auto ldb = static_cast<int>(tb == Transpose::no ? n : k);
  cblas_sgemm(CblasRowMajor, ta == Transpose::no ? CblasNoTrans : CblasTrans,
              tb == Transpose::no ? CblasNoTrans : CblasTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), alpha, a, lda, b, ldb, beta, c, static_cast<int>(n));
}

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

}  // namespace typenet::detail
