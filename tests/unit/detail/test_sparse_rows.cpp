// Dense layers whose input is mostly zeros multiply only the nonzeros (detail/sparse_rows.hpp):
// the products must equal a plain triple loop, over every column path (whole blocks, single
// vectors, single columns), with empty rows and never-nonzero inputs; rows taken in groups must
// give what they give one by one, and the AVX-512 lists the plain ones; a Dense layer on such an
// input must pass the finite-difference check and give what the GEMM path gives.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "support/gradient_check.hpp"
#include "support/random_arrays.hpp"
#include "typenet/detail/random.hpp"
#include "typenet/detail/sparse_listing.hpp"
#include "typenet/detail/sparse_rows.hpp"
#include "typenet/typenet.hpp"

namespace test_sparse_rows {

namespace tn = typenet;
using tn::testing::random_matrix;

namespace {

// rows x inputs with about `density` of it nonzero; row 1 and input 2 entirely zero.
xt::xtensor<float, 2> sparse_matrix(std::size_t rows, std::size_t inputs, double density, std::uint64_t seed) {
  tn::detail::Rng rng(seed);
  auto x = xt::xtensor<float, 2>::from_shape({rows, inputs});
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < inputs; ++j) {
      const bool on = rng.uniform() < density && r != 1 && j != 2;
      x(r, j) = on ? rng.uniform(0.1f, 1.0f) : 0.0f;
    }
  return x;
}

double worst_difference(const float* a, const std::vector<double>& b) {
  double worst = 0.0;
  for (std::size_t i = 0; i < b.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

}  // namespace

TEST_CASE("sparse products equal the triple loop") {
  // 300 units: whole blocks of columns, then whole vectors, then single columns (any lane count).
  for (std::size_t units : {std::size_t{300}, std::size_t{7}, tn::detail::sparse::block_columns}) {
    CAPTURE(units);
    const std::size_t rows = 9, inputs = 40;
    const auto x = sparse_matrix(rows, inputs, 0.2, 1);
    const auto w = random_matrix(inputs, units, 2);
    const auto dz = random_matrix(rows, units, 3);
    std::vector<double> out_want(rows * units, 0.0), grad_want(inputs * units, 0.0);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t j = 0; j < inputs; ++j)
        for (std::size_t c = 0; c < units; ++c) {
          out_want[r * units + c] += double(x(r, j)) * w(j, c);
          grad_want[j * units + c] += double(x(r, j)) * dz(r, c);
        }
    std::vector<float> out(rows * units, -1.0f), grad(inputs * units, -1.0f);
    std::vector<float> lists(rows * tn::detail::sparse_scratch_per_sample(inputs));
    tn::detail::sparse_times(x.data(), rows, inputs, w.data(), units, out.data(), lists.data());
    tn::detail::sparse_transposed_times(x.data(), rows, inputs, dz.data(), units, grad.data(), lists.data());
    CHECK(worst_difference(out.data(), out_want) < 1e-5);
    CHECK(worst_difference(grad.data(), grad_want) < 1e-5);
    for (std::size_t c = 0; c < units; ++c) {
      CHECK(out[1 * units + c] == 0.0f);   // an empty row
      CHECK(grad[2 * units + c] == 0.0f);  // an input that is never nonzero
    }
  }
}

TEST_CASE("rows taken in groups give the outputs of the rows one by one, bit for bit") {
  // Rows sharing their nonzeros (as digits' pixels do) are taken group_rows at a time; rows that
  // share few are taken one by one. 13 rows: two groups and a row left over; every column path.
  namespace sparse = tn::detail::sparse;
  const std::size_t rows = 2 * sparse::group_rows + 1, inputs = 50;
  for (bool shared : {true, false}) {
    for (std::size_t units : {std::size_t{300}, std::size_t{7}, sparse::group_columns}) {
      CAPTURE(shared);
      CAPTURE(units);
      auto x = sparse_matrix(rows, inputs, 0.15, 21);
      if (shared) {  // row 0's nonzeros in every row, each with values of its own and a few dropped
        const auto values = sparse_matrix(rows, inputs, 0.9, 22);
        for (std::size_t r = 0; r < rows; ++r)
          for (std::size_t j = 0; j < inputs; ++j) x(r, j) = x(0, j) != 0.0f ? values(r, j) : 0.0f;
      }
      const auto w = random_matrix(inputs, units, 23);
      std::vector<float> out(rows * units), lists(rows * tn::detail::sparse_scratch_per_sample(inputs));
      tn::detail::sparse_times(x.data(), rows, inputs, w.data(), units, out.data(), lists.data());
      const float first_group_count = lists[rows * (inputs + 1)];
      CHECK((shared ? first_group_count >= 0.0f : first_group_count == -1.0f));
      std::vector<float> one(units), one_list(tn::detail::sparse_scratch_per_sample(inputs));
      for (std::size_t r = 0; r < rows; ++r) {
        tn::detail::sparse_times(x.data() + r * inputs, 1, inputs, w.data(), units, one.data(), one_list.data());
        for (std::size_t c = 0; c < units; ++c) CHECK(out[r * units + c] == one[c]);
      }
    }
  }
}

TEST_CASE("the lists made 16 inputs at a time (AVX-512) are the plain ones") {
  // Both are compiled here whatever this test's flags; the product uses whichever the processor
  // runs, so on an AVX-512 machine this is what keeps the plain one checked, and the other way round.
  namespace listing = tn::detail::sparse::listing;
  constexpr std::size_t R = tn::detail::sparse::group_rows;
  for (std::size_t inputs : {std::size_t{1}, std::size_t{15}, std::size_t{16}, std::size_t{17}, std::size_t{50}}) {
    CAPTURE(inputs);
    const std::size_t rows = R;
    auto x = sparse_matrix(rows, inputs, 0.3, 31);
    x(0, 0) = NAN;  // listed, as != lists it
    std::vector<float> plain(rows * (inputs + 1) + 16, -1.0f);
    listing::rows_plain(x.data(), rows, inputs, plain.data());
    const std::size_t stride = tn::detail::sparse::group_list_stride(inputs);
    std::vector<float> positions(stride, -1.0f), values(R * stride, -1.0f);
    std::size_t nonzeros = 0;
    const std::size_t count = listing::group_plain(x.data(), inputs, positions.data(), values.data(), stride, nonzeros);
    std::size_t expected_nonzeros = 0;
    for (std::size_t r = 0; r < rows; ++r) expected_nonzeros += static_cast<std::size_t>(plain[r * (inputs + 1)]);
    CHECK(nonzeros == expected_nonzeros);
#ifdef TYPENET_SPARSE_LISTS_AVX512
    if (!listing::has_avx512()) continue;
    std::vector<float> wide(plain.size(), -1.0f);
    listing::rows_avx512(x.data(), rows, inputs, wide.data());
    for (std::size_t r = 0; r < rows; ++r) {
      const float* a = plain.data() + r * (inputs + 1);
      const float* b = wide.data() + r * (inputs + 1);
      REQUIRE(a[0] == b[0]);
      for (std::size_t t = 1; t <= static_cast<std::size_t>(a[0]); ++t) CHECK(a[t] == b[t]);
    }
    std::vector<float> wide_positions(stride, -1.0f), wide_values(R * stride, -1.0f);
    std::size_t wide_nonzeros = 0;
    REQUIRE(listing::group_avx512(x.data(), inputs, wide_positions.data(), wide_values.data(), stride, wide_nonzeros) == count);
    CHECK(wide_nonzeros == nonzeros);
    for (std::size_t t = 0; t < count; ++t) {
      CHECK(wide_positions[t] == positions[t]);
      for (std::size_t r = 0; r < R; ++r) {
        const float a = values[r * stride + t], b = wide_values[r * stride + t];
        CHECK((a == b || (std::isnan(a) && std::isnan(b))));
      }
    }
#endif
  }
}

TEST_CASE("sparse products stay inside their scratch, whatever the rows and density") {
  // One row with no zero at all needs the most per row: its list, the offsets and an entry each.
  // Six rows and more are taken in groups, whose lists take the columns' place.
  for (const auto& [rows, density] :
       {std::pair<std::size_t, double>{1, 1.0}, {2, 1.0}, {1, 0.1}, {5, 0.6}, {6, 1.0}, {13, 1.0}, {12, 0.05}}) {
    CAPTURE(rows);
    const std::size_t inputs = 33, units = 20;
    auto x = sparse_matrix(rows, inputs, density, 10);
    for (std::size_t j = 0; j < inputs; ++j) x(0, j) = 0.5f;  // a full first row
    const auto w = random_matrix(inputs, units, 11);
    const auto dz = random_matrix(rows, units, 12);
    const std::size_t size = rows * tn::detail::sparse_scratch_per_sample(inputs), guard = 64;
    std::vector<float> lists(size + guard, -7.0f), out(rows * units), grad(inputs * units);
    tn::detail::sparse_times(x.data(), rows, inputs, w.data(), units, out.data(), lists.data());
    tn::detail::sparse_transposed_times(x.data(), rows, inputs, dz.data(), units, grad.data(), lists.data());
    for (std::size_t i = size; i < size + guard; ++i) CHECK(lists[i] == -7.0f);
  }
}

TEST_CASE("sparse inputs: which path") {
  const auto sparse = sparse_matrix(16, 50, 0.1, 4);
  const auto dense = random_matrix(16, 50, 5);
  CHECK(tn::detail::input_is_sparse(sparse.data(), 16, 50));
  CHECK_FALSE(tn::detail::input_is_sparse(dense.data(), 16, 50));
}

TEST_CASE("gradient: Dense on a mostly-zero input") {
  using Net = tn::Sequential<tn::Input<30>, tn::Dense<20, tn::Sigmoid>, tn::Dense<3, tn::Softmax>>;
  const auto x = sparse_matrix(6, 30, 0.15, 6);
  REQUIRE(tn::detail::input_is_sparse(x.data(), 6, 30));
  tn::testing::require_gradients<Net>(tn::CategoricalCrossentropy{}, x, tn::testing::one_hot_cycle(6, 3));
}

TEST_CASE("a Dense layer gives the same on the sparse path as on the GEMM path") {
  // Adding a constant to every input makes it dense; the same constant times the column sums of
  // the kernel, taken off again, must give the sparse path's output to rounding.
  using Net = tn::Sequential<tn::Input<64>, tn::Dense<300, tn::Linear>>;
  tn::Model<Net> model(8);
  model.compile(tn::SGD{}, tn::MeanSquaredError{});
  const auto x = sparse_matrix(70, 64, 0.2, 9);
  REQUIRE(tn::detail::input_is_sparse(x.data(), 70, 64));
  const xt::xtensor<float, 2> shifted = x + 1.0f;
  REQUIRE_FALSE(tn::detail::input_is_sparse(shifted.data(), 70, 64));
  const auto sparse_out = model.predict(x);
  const auto dense_out = model.predict(shifted);
  const auto kernel = model.layer_parameters<0>();
  double worst = 0.0;
  for (std::size_t c = 0; c < 300; ++c) {
    double column_sum = 0.0;
    for (std::size_t j = 0; j < 64; ++j) column_sum += kernel[j * 300 + c];
    for (std::size_t r = 0; r < 70; ++r)
      worst = std::max(worst, std::abs(double(dense_out(r, c)) - column_sum - sparse_out(r, c)));
  }
  CHECK(worst < 1e-4);
}

}  // namespace test_sparse_rows
