// detail::gemm splits a large GEMM into row or column blocks of C across typenet's threads, each
// block one single-threaded sgemm: every transpose case and both split directions, with sides that
// are not multiples of the 16-wide block, must give what a plain triple loop gives.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <vector>

#include "support/random_arrays.hpp"
#include "typenet/detail/gemm.hpp"
#include "typenet/threads.hpp"

namespace test_gemm {

namespace tn = typenet;
using tn::detail::Transpose;

namespace {

std::vector<float> random_vector(std::size_t n, std::uint64_t seed) {
  const auto m = tn::testing::random_matrix(n, 1, seed);
  return {m.begin(), m.end()};
}

// C = op(A) op(B) + beta C in double precision, as the reference.
std::vector<float> reference(Transpose ta, Transpose tb, std::size_t m, std::size_t n, std::size_t k,
                             const std::vector<float>& a, const std::vector<float>& b, std::vector<float> c, float beta) {
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double sum = 0.0;
      for (std::size_t p = 0; p < k; ++p) {
        const float x = ta == Transpose::no ? a[i * k + p] : a[p * m + i];
        const float y = tb == Transpose::no ? b[p * n + j] : b[j * k + p];
        sum += static_cast<double>(x) * y;
      }
      c[i * n + j] = static_cast<float>(sum + beta * static_cast<double>(c[i * n + j]));
    }
  return c;
}

void check_shape(std::size_t m, std::size_t n, std::size_t k) {
  for (Transpose ta : {Transpose::no, Transpose::yes})
    for (Transpose tb : {Transpose::no, Transpose::yes})
      for (float beta : {0.0f, 1.0f}) {
        CAPTURE(m);
        CAPTURE(n);
        CAPTURE(k);
        CAPTURE(static_cast<int>(ta));
        CAPTURE(static_cast<int>(tb));
        CAPTURE(beta);
        const auto a = random_vector(m * k, 1), b = random_vector(k * n, 2), c0 = random_vector(m * n, 3);
        const auto want = reference(ta, tb, m, n, k, a, b, c0, beta);
        auto c = c0;
        const int blas_threads = openblas_get_num_threads();
        tn::detail::gemm(ta, tb, m, n, k, a.data(), b.data(), c.data(), beta);
        CHECK(openblas_get_num_threads() == blas_threads);
        double worst = 0.0;
        for (std::size_t i = 0; i < m * n; ++i) worst = std::max(worst, std::abs(static_cast<double>(c[i]) - want[i]));
        CHECK(worst < 1e-4 * static_cast<double>(k));
      }
}

}  // namespace

TEST_CASE("gemm: split across threads by rows or columns equals the triple loop") {
  const std::size_t before = tn::thread_count();
  tn::set_num_threads(2);
  if (tn::thread_count() < 2) MESSAGE("one thread only: the split is not exercised");
  check_shape(250, 96, 130);   // rows, 16 blocks, the last one partial: 3.1M multiply-adds, two parts
  check_shape(40, 515, 160);   // columns, the last block 3 wide
  check_shape(7, 5, 3);        // too small to split
  check_shape(1, 1024, 2048);  // one row, columns split
  tn::set_num_threads(before);
}

TEST_CASE("gemm: one thread") {
  const std::size_t before = tn::thread_count();
  tn::set_num_threads(1);
  check_shape(250, 96, 130);
  tn::set_num_threads(before);
}

}  // namespace test_gemm
